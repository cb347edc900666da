/**
 * KubeApiClient and loadKubeconfig against the real kube-apiserver (scripts/kube.sh, started by the integ global
 * setup): RBAC identities, real TLS, real pagination, the TokenRequest API.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtPayload, KubeAdmin, type KubeIdentityName, kubeEnv, uniqueNamespace } from '../../../../kube/local-cluster';
import { KubeApiClient, type KubeApiClientOptions } from '../../../../lambdas/adapters/kubernetes/kube-api-client';
import { type KubeContext, loadKubeconfig } from '../../../../lambdas/adapters/kubernetes/kubeconfig';
import {
  KubeForbiddenError,
  KubeTlsError,
  KubeUnauthorizedError,
  KubeUnreachableError,
} from '../../../../lambdas/shared/errors';
import { generateChain } from '../../../support/cert-chain';

const admin = new KubeAdmin();
const ns = uniqueNamespace('kapi-client');
const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-kapi-integ-'));
const ACCOUNTS = 23;

const context = (identity: KubeIdentityName): KubeContext =>
  loadKubeconfig(kubeEnv().identities[identity].kubeconfig).context();

async function using<T>(
  access: ConstructorParameters<typeof KubeApiClient>[0],
  run: (c: KubeApiClient) => Promise<T>,
  options: KubeApiClientOptions = {},
): Promise<T> {
  const client = new KubeApiClient(access, options);
  try {
    return await run(client);
  } finally {
    client.close();
  }
}

const names = (items: readonly unknown[], namespace: string) =>
  items
    .map((i) => (i as { metadata: { namespace?: string; name: string } }).metadata)
    .filter((m) => m.namespace === namespace)
    .map((m) => m.name)
    .sort();

beforeAll(async () => {
  await admin.createNamespace(ns);
  for (let i = 0; i < ACCOUNTS; i++) {
    await admin.createServiceAccount(ns, `sa-${String(i).padStart(2, '0')}`, {
      annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::111122223333:role/r${i}` },
    });
  }
  await admin.createPod(ns, { name: 'web', serviceAccountName: 'sa-01' });
});

afterAll(() => admin.cleanup());

describe('KubeApiClient against kube-apiserver', () => {
  it('the viewer (from its kubeconfig) reads the version, service accounts, pods and webhook configurations', async () => {
    const read = await using(context('viewer'), async (c) => ({
      version: await c.version(),
      accounts: await c.list('serviceaccounts'),
      pods: await c.list('pods'),
      hooks: await c.list('mutatingwebhookconfigurations'),
    }));
    expect(read.version.gitVersion).toBe(kubeEnv().version);
    expect(read.accounts.error).toBeUndefined();
    expect(names(read.accounts.items, ns)).toEqual(
      ['default', ...Array.from({ length: ACCOUNTS }, (_, i) => `sa-${String(i).padStart(2, '0')}`)].sort(),
    );
    expect(names(read.pods.items, ns)).toEqual(['web']);
    expect(read.hooks.error).toBeUndefined();
    expect(Array.isArray(read.hooks.items)).toBe(true);
  });

  it('pages through a list with a small page size: one call per page, every object once', async () => {
    const { list, calls } = await using(
      context('viewer'),
      async (c) => ({ list: await c.list('serviceaccounts'), calls: c.calls }),
      { pageSize: 5 },
    );
    const total = list.items.length;
    expect(total).toBeGreaterThan(ACCOUNTS);
    expect(list.pages).toBe(Math.ceil(total / 5));
    expect(calls).toBe(list.pages);
    const keys = list.items.map((i) => JSON.stringify((i as { metadata: { uid: string } }).metadata.uid));
    expect(new Set(keys).size).toBe(total);
    expect(names(list.items, ns)).toHaveLength(ACCOUNTS + 1);
  });

  it('the nobody identity gets 403 on lists, naming the verb and resource, and still reads /version', async () => {
    await using(context('nobody'), async (c) => {
      await expect(c.version()).resolves.toMatchObject({ gitVersion: kubeEnv().version });
      const err = await c.list('pods').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeForbiddenError);
      expect(err).toMatchObject({ verb: 'list', resource: 'pods', status: 403 });
      expect((err as Error).message).toContain('cannot list resource "pods"');
      const hooks = await c.list('mutatingwebhookconfigurations').catch((e: unknown) => e);
      expect(hooks).toMatchObject({ resource: 'mutatingwebhookconfigurations.admissionregistration.k8s.io' });
    });
  });

  it('a token the server does not know is 401 Unauthorized', async () => {
    const err = await using({ ...context('viewer'), auth: { token: 'not-a-token' } }, (c) => c.list('pods')).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeUnauthorizedError);
  });

  it('a wrong CA is a TLS verification error', async () => {
    const wrong = await generateChain(2, 'not the cluster CA');
    const err = await using({ ...context('viewer'), ca: wrong.root.pem }, (c) => c.version()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeTlsError);
    expect((err as KubeTlsError).host).toBe(new URL(kubeEnv().server).host);
  });

  it('a port nothing listens on is unreachable, naming the host', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const err = await using({ ...context('viewer'), server: `https://127.0.0.1:${port}` }, (c) => c.version()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeUnreachableError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('createToken returns a real service-account token for the audience (prober); the viewer gets 403', async () => {
    const token = await using(context('prober'), (c) =>
      c.createToken(ns, 'sa-01', { audience: 'sts.amazonaws.com', expirationSeconds: 600 }),
    );
    const claims = jwtPayload(token.token);
    expect(claims.sub).toBe(`system:serviceaccount:${ns}:sa-01`);
    expect(claims.aud).toEqual(['sts.amazonaws.com']);
    expect(claims.iss).toBe(kubeEnv().issuer);
    expect(Date.parse(token.expirationTimestamp ?? '')).toBeGreaterThan(Date.now());

    const denied = await using(context('viewer'), (c) =>
      c.createToken(ns, 'sa-01', { audience: 'sts.amazonaws.com', expirationSeconds: 600 }),
    ).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(KubeForbiddenError);
    expect(denied).toMatchObject({ verb: 'create', resource: 'serviceaccounts/token' });
  });

  it('an exec credential plugin in the kubeconfig authenticates, run once for several calls', async () => {
    // Given a kubeconfig whose user runs a plugin printing the viewer's token (as aws eks get-token prints one)
    const env = kubeEnv();
    const plugin = join(dir, 'get-token.js');
    const runs = join(dir, 'runs');
    writeFileSync(
      plugin,
      `#!/usr/bin/env node
require('fs').appendFileSync(${JSON.stringify(runs)}, 'x');
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential',
  status: { token: process.env.VIEWER_TOKEN, expirationTimestamp: new Date(Date.now() + 600000).toISOString() } }));
`,
    );
    chmodSync(plugin, 0o755);
    const file = join(dir, 'exec-kubeconfig.yaml');
    writeFileSync(
      file,
      `apiVersion: v1
kind: Config
current-context: exec
clusters:
- name: local
  cluster:
    server: ${env.server}
    certificate-authority-data: ${readFileSync(env.caFile).toString('base64')}
users:
- name: exec-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: ${process.execPath}
      args: [${JSON.stringify(plugin)}]
      env: [{name: VIEWER_TOKEN, value: ${JSON.stringify(env.identities.viewer.token)}}]
contexts:
- name: exec
  context: {cluster: local, user: exec-user}
`,
    );

    // When listing two kinds through it
    const read = await using(loadKubeconfig(file).context(), async (c) => [
      await c.list('serviceaccounts'),
      await c.list('pods'),
    ]);

    // Then both lists worked as the viewer, and the plugin ran once
    expect(names(read[0]?.items ?? [], ns)).toHaveLength(ACCOUNTS + 1);
    expect(names(read[1]?.items ?? [], ns)).toEqual(['web']);
    expect(readFileSync(runs, 'utf8')).toBe('x');
  });
});
