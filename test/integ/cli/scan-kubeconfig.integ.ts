/**
 * `irsa-doctor scan --kubeconfig` against the AWS emulator (an account with an EKS cluster, its OIDC provider and
 * IRSA roles) and the real kube-apiserver (the cluster side). The emulator's clusters have made-up endpoints, so the
 * test names the cluster a context reads (`--kube-context CONTEXT=CLUSTER@REGION`); matching by endpoint is shown
 * to report, never guess, when no endpoint matches.
 *
 * The done-when check: the findings of a scan that reads the API server equal, one for one, those of the same
 * estate with the same objects captured by `kubectl get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json
 * --show-managed-fields` and passed as kube objects.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { main } from '../../../cli/main';
import { EMULATOR_CREDENTIALS, seedClients } from '../../../emulator/seed';
import { KubeAdmin, kubeEnv, uniqueNamespace } from '../../../kube/local-cluster';
import { analyzeEstate } from '../../../lambdas/domain/analyze-estate';
import type { Finding } from '../../../lambdas/domain/finding';
import { kubernetesSnapshotFromLists, listsFromKubectlOutput } from '../../../lambdas/domain/kubernetes/kube-objects';
import type { EstateSnapshot, KubernetesSnapshot } from '../../../lambdas/domain/snapshot';
import { parseSnapshot } from '../../../lambdas/shared/schemas';
import { captureIo } from '../../support/cli-io';
import { endpointUrl } from '../emulator-env';

const HUB = '123456789012';
const ACCOUNT = '727272727272';
const REGION = 'us-west-2';
const CLUSTER = 'kube-prod';
const admin = new KubeAdmin();
const ns = uniqueNamespace('kapi-scan');
const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-scan-kube-'));
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const context = (identity: string) => `${kubeEnv().cluster}-${identity}`;

async function scan(
  args: string[],
): Promise<{ code: number; snapshot: EstateSnapshot; output: string; stdout: string; stderr: string }> {
  const output = join(dir, `snapshot-${Math.random().toString(36).slice(2)}.json`);
  const { io, out, err } = captureIo('', { env: {} });
  const code = await main(
    [
      'scan',
      '--endpoint-url',
      endpointUrl(),
      '--accounts',
      ACCOUNT,
      '--regions',
      REGION,
      '--save-snapshot',
      output,
      '--output',
      'json',
      '--no-tls',
      ...args,
    ],
    io,
  );
  if (code !== 0) throw new Error(`scan exited ${code}: ${err()}`);
  return {
    code,
    snapshot: parseSnapshot(JSON.parse(readFileSync(output, 'utf8')), output),
    output,
    stdout: out(),
    stderr: err(),
  };
}

const ours = (k: KubernetesSnapshot | undefined) =>
  k && {
    ...k,
    serviceAccounts: k.serviceAccounts.filter((s) => s.namespace === ns),
    pods: k.pods.filter((p) => p.namespace === ns),
  };

const clusterOf = (s: EstateSnapshot) =>
  s.accounts.find((a) => a.accountId === ACCOUNT)?.clusters.find((c) => c.name === CLUSTER);

/** Findings of this test's account and namespace (the API server is shared with other test files). */
const ourFindings = (findings: readonly Finding[]) =>
  findings
    .filter((f) => f.accountId === ACCOUNT)
    .filter((f) => f.kubernetesObject?.namespace === undefined || f.kubernetesObject.namespace === ns)
    .map((f) => JSON.stringify(f))
    .sort();

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
  // AWS side: the scanner role, a cluster, its provider, and roles whose trust names service accounts of `ns`
  const seed = seedClients(endpointUrl(), ACCOUNT);
  await seed.iam.send(
    new CreateRoleCommand({
      RoleName: 'IrsaDoctorScanner',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  const created = await seed.eks(REGION).send(
    new CreateClusterCommand({
      name: CLUSTER,
      roleArn: role('eks'),
      resourcesVpcConfig: { subnetIds: ['subnet-1'] },
    }),
  );
  const issuer = (created.cluster?.identity?.oidc?.issuer ?? '').replace('https://', '');
  await seed.iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: `https://${issuer}`,
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
    }),
  );
  // (`typo` has an AWS-side fault, a misspelt audience, so there is a finding before any cluster-side rule)
  for (const [name, sa, audience] of [
    ['app', 'app', 'sts.amazonaws.com'],
    ['late', 'late', 'sts.amazonaws.com'],
    ['unused', 'nobody-uses-this', 'sts.amazonaws.com'],
    ['typo', 'app', 'sts.amazonaws.con'],
  ]) {
    await seed.iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer}` },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: {
                  [`${issuer}:sub`]: `system:serviceaccount:${ns}:${sa}`,
                  [`${issuer}:aud`]: audience,
                },
              },
            },
          ],
        }),
      }),
    );
  }

  // Cluster side: an annotated service account with a pod that has the webhook's variables; a pod created before
  // its service account was annotated; a pod whose service account is gone; a plain one
  await admin.createNamespace(ns);
  await admin.createServiceAccount(ns, 'app', { annotations: { 'eks.amazonaws.com/role-arn': role('app') } });
  await admin.createPod(ns, {
    name: 'app-1',
    serviceAccountName: 'app',
    containers: [
      {
        env: [
          { name: 'AWS_ROLE_ARN', value: role('app') },
          { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token' },
        ],
      },
    ],
  });
  await admin.createServiceAccount(ns, 'late', { labels: { app: 'late' } });
  await admin.createPod(ns, { name: 'late-1', serviceAccountName: 'late' });
  await admin.annotateServiceAccount(ns, 'late', { 'eks.amazonaws.com/role-arn': role('late') });
  await admin.createServiceAccount(ns, 'gone');
  await admin.createPod(ns, { name: 'orphan', serviceAccountName: 'gone' });
  await admin.deleteServiceAccount(ns, 'gone');
  await admin.createPod(ns, { name: 'plain' });
  // A mutating webhook configuration, as every EKS cluster has: kubectl prints no kind it has no object of, and a
  // kind missing from the file is not concluded about. It only matches config maps of this namespace.
  await admin.createMutatingWebhookConfiguration(`irsa-doctor-test-${ns}`, [
    {
      name: 'noop.irsa-doctor.test',
      clientConfig: { url: 'https://127.0.0.1:1/mutate' },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      failurePolicy: 'Ignore',
    },
  ]);
});

afterAll(() => admin.cleanup());

describe('irsa-doctor scan --kubeconfig', () => {
  it('reads the named cluster through the view-only context into cluster.kubernetes, complete', async () => {
    const { snapshot, stderr } = await scan([
      '--kubeconfig',
      kubeEnv().kubeconfig,
      '--kube-context',
      `${context('viewer')}=${CLUSTER}@${REGION}`,
    ]);
    const k = clusterOf(snapshot)?.kubernetes;
    expect(k?.status).toBe('complete');
    expect(k?.source).toBe('api');
    expect(k?.serverVersion).toBe(kubeEnv().version);
    expect(ours(k)?.serviceAccounts.map((s) => [s.name, s.annotations['eks.amazonaws.com/role-arn'] ?? null])).toEqual([
      ['app', role('app')],
      ['default', null],
      ['late', role('late')],
    ]);
    expect(
      ours(k)?.serviceAccounts.find((s) => s.name === 'late')?.annotationTimes?.['eks.amazonaws.com/role-arn'],
    ).toMatch(/^\d{4}-/);
    expect(ours(k)?.pods.map((p) => [p.name, p.serviceAccountName])).toEqual([
      ['app-1', 'app'],
      ['late-1', 'late'],
      ['orphan', 'gone'],
      ['plain', 'default'],
    ]);
    expect(stderr).toMatch(
      new RegExp(
        `kubernetes: ${CLUSTER}@${REGION} \\(${ACCOUNT}\\) via context "${context('viewer')}": complete, \\d+ service accounts, \\d+ pods, pod identity webhook (configured|absent), 4 calls\\n`,
      ),
    );
  });

  it('matches by endpoint only: no context has a swept cluster endpoint, so each is reported and none is read', async () => {
    const { snapshot, stderr } = await scan(['--kubeconfig', kubeEnv().kubeconfig]);
    expect(clusterOf(snapshot)?.kubernetes).toBeUndefined();
    expect(clusterOf(snapshot)?.endpoint).toMatch(/^https:\/\/.*\.us-west-2\.eks\.amazonaws\.com/);
    for (const identity of ['admin', 'viewer', 'prober', 'nobody']) {
      expect(stderr).toContain(
        `kubernetes: context "${context(identity)}": its server ${kubeEnv().server} is the endpoint of no swept cluster; not read`,
      );
    }
    expect(stderr).toContain('no swept cluster matched a kubeconfig context; no cluster was read');
  });

  it('a context RBAC denies everything records the cluster unreadable with the 403 reason and fix; the scan goes on', async () => {
    const { snapshot, stderr } = await scan([
      '--kubeconfig',
      kubeEnv().kubeconfig,
      '--kube-context',
      `${context('nobody')}=${ACCOUNT}/${CLUSTER}@${REGION}`,
    ]);
    const k = clusterOf(snapshot)?.kubernetes;
    expect(k?.status).toBe('unreadable');
    expect(k?.reason).toContain('403 Forbidden');
    expect(k?.fix).toContain('AmazonEKSViewPolicy');
    expect(stderr).toContain(`via context "${context('nobody')}": unreadable`);
    // An unreadable cluster reports nothing about its objects
    expect(analyzeEstate(snapshot).findings.filter((f) => f.kubernetesObject?.kind === 'ServiceAccount')).toEqual([]);
  });

  it('a kubeconfig that does not exist is a usage error (exit 2) before anything is swept', async () => {
    const { io, err } = captureIo('', { env: {} });
    const code = await main(
      ['scan', '--endpoint-url', endpointUrl(), '--accounts', ACCOUNT, '--kubeconfig', join(dir, 'nope.yaml')],
      io,
    );
    expect(code).toBe(2);
    expect(err()).toContain('cannot read kubeconfig');
  });

  it('DONE-WHEN: scan --kubeconfig gives the same findings, one for one, as the same objects from kubectl -o json', async () => {
    // Given the objects as kubectl prints them (with managed fields, as the API lists them)
    const env = kubeEnv();
    const kubectlFile = join(dir, 'kubectl.json');
    const text = execFileSync(
      '/usr/bin/kubectl',
      [
        '--kubeconfig',
        env.identities.viewer.kubeconfig,
        'get',
        'serviceaccounts,pods,mutatingwebhookconfigurations',
        '-A',
        '-o',
        'json',
        '--show-managed-fields',
      ],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
    );
    writeFileSync(kubectlFile, text);

    // When the cluster is scanned through the API
    const scanned = await scan([
      '--kubeconfig',
      env.kubeconfig,
      '--kube-context',
      `${context('viewer')}=${CLUSTER}@${REGION}`,
    ]);
    const fromApi = clusterOf(scanned.snapshot)?.kubernetes;

    // And the same snapshot is analyzed with the kubectl objects instead (--kube-objects replaces cluster.kubernetes)
    const analyzed = captureIo('', { env: {} });
    const code = await main(
      [
        'analyze',
        '--snapshot',
        scanned.output,
        '--kube-objects',
        `${ACCOUNT}/${CLUSTER}@${REGION}=${kubectlFile}`,
        '--output',
        'json',
      ],
      analyzed.io,
    );
    expect(code).toBe(0);
    const fromKubectl = kubernetesSnapshotFromLists(listsFromKubectlOutput(text, kubectlFile), {
      source: 'kube-objects',
    });

    // Then both read the same objects the same way
    const comparable = (k: KubernetesSnapshot | undefined) => {
      const { source: _s, readAt: _r, serverVersion: _v, ...rest } = ours(k) ?? ({} as KubernetesSnapshot);
      return rest;
    };
    expect(fromApi?.status).toBe('complete');
    expect(fromKubectl.errors ?? []).toEqual([]);
    expect(fromKubectl.status).toBe('complete');
    expect(comparable(fromApi)).toEqual(comparable(fromKubectl));
    expect(comparable(fromApi).pods).toHaveLength(4);

    // And the two commands print the same findings, one for one (cluster-side ones included)
    const findingsOf = (stdout: string) => ourFindings((JSON.parse(stdout) as { findings: Finding[] }).findings);
    const api = findingsOf(scanned.stdout);
    const kubectl = findingsOf(analyzed.out());
    expect(api.length).toBeGreaterThan(0);
    expect(api).toEqual(kubectl);
    // ...and the analysis of the scan's snapshot agrees with what scan printed
    expect(ourFindings(analyzeEstate(scanned.snapshot).findings)).toEqual(api);
    // Cluster-side findings are among them: the pod whose service account is gone (KUBE-002), from both sources
    const rules = api.map((f) => (JSON.parse(f) as Finding).ruleId);
    expect(rules).toContain('KUBE-002');
    expect(rules).toContain('IRSA-020');
  });
});
