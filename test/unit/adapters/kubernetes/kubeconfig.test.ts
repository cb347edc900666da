import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { defaultKubeconfigPath, loadKubeconfig } from '../../../../lambdas/adapters/kubernetes/kubeconfig';
import { KubeconfigError } from '../../../../lambdas/shared/errors';

const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-kubeconfig-'));
const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');
let n = 0;
function file(text: string, name = `config-${n++}`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const EKS_YAML = `apiVersion: v1
kind: Config
current-context: arn:aws:eks:us-west-2:111122223333:cluster/prod
clusters:
- name: arn:aws:eks:us-west-2:111122223333:cluster/prod
  cluster:
    server: https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com
    certificate-authority-data: ${b64(CA)}
contexts:
- name: arn:aws:eks:us-west-2:111122223333:cluster/prod
  context:
    cluster: arn:aws:eks:us-west-2:111122223333:cluster/prod
    user: arn:aws:eks:us-west-2:111122223333:cluster/prod
    namespace: team-a
users:
- name: arn:aws:eks:us-west-2:111122223333:cluster/prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [--region, us-west-2, eks, get-token, --cluster-name, prod, --output, json]
      env:
      - name: AWS_PROFILE
        value: prod
`;

describe('loadKubeconfig', () => {
  it('reads what aws eks update-kubeconfig writes: server, CA, exec plugin, namespace', () => {
    const config = loadKubeconfig(file(EKS_YAML));
    const context = config.context();
    expect(config.contextNames).toEqual(['arn:aws:eks:us-west-2:111122223333:cluster/prod']);
    expect(context).toMatchObject({
      name: 'arn:aws:eks:us-west-2:111122223333:cluster/prod',
      server: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com',
      ca: CA,
      namespace: 'team-a',
    });
    expect(context.auth.exec).toMatchObject({
      command: 'aws',
      args: ['--region', 'us-west-2', 'eks', 'get-token', '--cluster-name', 'prod', '--output', 'json'],
      env: [{ name: 'AWS_PROFILE', value: 'prod' }],
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      provideClusterInfo: false,
      baseDir: dir,
    });
  });

  it('reads JSON too, with a token, client certificate files and a CA file relative to the kubeconfig', () => {
    const sub = join(dir, 'json');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'ca.crt'), CA);
    writeFileSync(join(sub, 'client.crt'), '-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----\n');
    writeFileSync(join(sub, 'client.key'), '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n');
    const path = join(sub, 'config.json');
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'local',
            cluster: {
              server: 'https://127.0.0.1:6443',
              'certificate-authority': 'ca.crt',
              'tls-server-name': 'kubernetes',
            },
          },
        ],
        users: [
          { name: 'admin', user: { 'client-certificate': 'client.crt', 'client-key': 'client.key', tokenFile: 'tok' } },
        ],
        contexts: [{ name: 'admin', context: { cluster: 'local', user: 'admin' } }],
      }),
    );
    const context = loadKubeconfig(path).context('admin');
    expect(context.ca).toBe(CA);
    expect(context.tlsServerName).toBe('kubernetes');
    expect(context.auth.clientCertificate).toContain('BEGIN CERTIFICATE');
    expect(context.auth.clientKey).toContain('BEGIN PRIVATE KEY');
    expect(context.auth.tokenFile).toBe(join(sub, 'tok'));
    expect(context.namespace).toBeUndefined();
  });

  it('merges several files separated by ":" as kubectl does: the first definition and current-context win', () => {
    const first = file(`current-context: a
clusters:
- name: shared
  cluster: {server: "https://first.example.com"}
users:
- name: u
  user: {token: first-token}
contexts:
- name: a
  context: {cluster: shared, user: u}
`);
    const second = file(`current-context: b
clusters:
- name: shared
  cluster: {server: "https://second.example.com"}
- name: only-second
  cluster: {server: "https://only.example.com"}
users:
- name: u
  user: {token: second-token}
contexts:
- name: a
  context: {cluster: only-second, user: u}
- name: b
  context: {cluster: only-second, user: u}
`);
    const config = loadKubeconfig([first, join(dir, 'missing-is-skipped'), second].join(delimiter));
    expect(config.currentContext).toBe('a');
    expect(config.contextNames).toEqual(['a', 'b']);
    expect(config.context()).toMatchObject({ server: 'https://first.example.com', auth: { token: 'first-token' } });
    expect(config.context('b')).toMatchObject({ server: 'https://only.example.com', auth: { token: 'first-token' } });
    expect(config.files).toEqual([first, second]);
  });

  it('KUBECONFIG, else ~/.kube/config, is the default path', () => {
    expect(defaultKubeconfigPath({ KUBECONFIG: `a${delimiter}b` })).toBe(`a${delimiter}b`);
    expect(defaultKubeconfigPath({})).toMatch(/\.kube[/\\]config$/);
  });

  const errorOf = (run: () => unknown): Error => {
    try {
      run();
    } catch (err) {
      return err as Error;
    }
    throw new Error('expected an error');
  };

  it.each([
    ['a missing file', () => loadKubeconfig(join(dir, 'nope')), /cannot read kubeconfig .*nope: no such file/],
    ['text that is not YAML', () => loadKubeconfig(file('clusters: [\n  - {')), /is not valid YAML or JSON/],
    ['a YAML list', () => loadKubeconfig(file('- a\n- b\n')), /is not a mapping/],
    [
      'an unknown context',
      () => loadKubeconfig(file(EKS_YAML)).context('staging'),
      /has no context "staging" \(contexts: arn:aws:eks/,
    ],
    [
      'no current context',
      () => loadKubeconfig(file('contexts: [{name: x, context: {cluster: c, user: u}}]')).context(),
      /sets no current-context; name a context \(contexts: x\)/,
    ],
    [
      'a context whose cluster is not defined',
      () => loadKubeconfig(file('contexts: [{name: x, context: {cluster: c, user: u}}]')).context('x'),
      /context "x" names cluster "c", which kubeconfig .* does not define/,
    ],
    [
      'a context whose user is not defined',
      () =>
        loadKubeconfig(
          file('clusters: [{name: c, cluster: {server: "https://h"}}]\ncontexts: [{name: x, context: {cluster: c}}]'),
        ).context('x'),
      /context "x" names user \(none\)/,
    ],
    [
      'insecure-skip-tls-verify',
      () =>
        loadKubeconfig(
          file(
            'clusters: [{name: c, cluster: {server: "https://h", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]',
          ),
        ).context('x'),
      /sets insecure-skip-tls-verify: IRSA Doctor always verifies/,
    ],
    [
      'a proxy-url (never ignored: the client would go around the proxy)',
      () =>
        loadKubeconfig(
          file(
            'clusters: [{name: c, cluster: {server: "https://h", proxy-url: "http://proxy:3128"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]',
          ),
        ).context('x'),
      /sets proxy-url: IRSA Doctor connects to API servers directly/,
    ],
    [
      'a plain http server',
      () =>
        loadKubeconfig(
          file(
            'clusters: [{name: c, cluster: {server: "http://h:8080"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]',
          ),
        ).context('x'),
      /is not https/,
    ],
    [
      'a CA file that is not there',
      () =>
        loadKubeconfig(
          file(
            'clusters: [{name: c, cluster: {server: "https://h", certificate-authority: nope.crt}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]',
          ),
        ).context('x'),
      /certificate-authority .*nope\.crt cannot be read/,
    ],
    [
      'an auth-provider',
      () =>
        loadKubeconfig(
          file(
            'clusters: [{name: c, cluster: {server: "https://h"}}]\nusers: [{name: u, user: {auth-provider: {name: gcp}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]',
          ),
        ).context('x'),
      /auth-provider gcp/,
    ],
    [
      'an entry without a name',
      () => loadKubeconfig(file('clusters: [{cluster: {server: "https://h"}}]')),
      /clusters\[0\] has no name/,
    ],
  ])('%s is a clear KubeconfigError', (_what, run, message) => {
    const err = errorOf(run);
    expect(err).toBeInstanceOf(KubeconfigError);
    expect(err.name).toBe('KubeconfigError');
    expect(err.message).toMatch(message);
  });

  it('one broken context does not stop another from resolving', () => {
    const config = loadKubeconfig(
      file(`clusters:
- {name: good, cluster: {server: "https://good"}}
- {name: bad, cluster: {server: "https://bad", certificate-authority: missing.crt}}
users: [{name: u, user: {token: t}}]
contexts:
- {name: good, context: {cluster: good, user: u}}
- {name: bad, context: {cluster: bad, user: u}}
`),
    );
    expect(config.context('good').server).toBe('https://good');
    expect(() => config.context('bad')).toThrow(KubeconfigError);
  });
});
