/**
 * The demo's cluster side: a real kube-apiserver (with etcd and the real EKS pod identity webhook, scripts/kube.sh)
 * stands in for the Kubernetes API of cluster "prod", with its service-account issuer pinned to prod's issuer, so
 * its tokens are what prod's pods would present to STS. Cluster-side faults from the seed articles are created in
 * it as an administrator would, then read as a view-only identity (what `irsa-doctor scan --kubeconfig` does),
 * analyzed with the AWS side, and one service account is probed (`irsa-doctor probe --assume`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { probeCommand } from '../cli/commands/probe';
import { renderFindingsTable } from '../cli/render/findings';
import type { Style } from '../cli/render/style';
import type { Terminal } from '../cli/render/terminal';
import { seedClients } from '../emulator/seed';
import { KubeAdmin, kubeEnv } from '../kube/local-cluster';
import { KubeApiClient } from '../lambdas/adapters/kubernetes/kube-api-client';
import { loadKubeconfig } from '../lambdas/adapters/kubernetes/kubeconfig';
import { readClusterKubernetes } from '../lambdas/adapters/kubernetes/read-cluster';
import { analyzeEstate } from '../lambdas/domain/analyze-estate';
import type { AnalysisResult } from '../lambdas/domain/finding';
import { withClusterKubernetes } from '../lambdas/domain/kubernetes/kube-objects';
import type { EstateSnapshot } from '../lambdas/domain/snapshot';
import type { OrgEstate } from './broken-org';

const ROOT = join(__dirname, '..');
const KUBE = join(ROOT, 'scripts', 'kube.sh');
export const KUBE_CLUSTER = { name: 'prod', region: 'us-west-2' } as const;
const NS = 'shop';

interface Out {
  readonly say: (text?: string) => void;
  readonly step: (text: string) => void;
  readonly style: Style;
  readonly terminal: Terminal;
}

/** Installs (the first time: builds kube-apiserver, minutes) and starts the local API server with prod's issuer. */
export function startLocalCluster(estate: OrgEstate, out: Out): { stop(): void } {
  out.step('Starting a real Kubernetes API server for cluster "prod" (kube-apiserver + etcd + pod identity webhook)');
  execFileSync('sh', [KUBE, 'install'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  execFileSync('sh', [KUBE, 'stop'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('sh', [KUBE, 'start'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, IRSA_DOCTOR_KUBE_ISSUER: `https://${estate.issuers.prod}` },
  });
  const env = kubeEnv();
  out.say(`API server ${env.server} (${env.version}), issuer ${env.issuer}`);
  return { stop: () => execFileSync('sh', [KUBE, 'stop'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }) };
}

/**
 * Roles in the platform account for the shop workloads, and the seeds' cluster-side faults:
 * - shop/orders: annotated after its first pod started (that pod has no web identity: restart it); a later pod is fine;
 * - shop/payments: a malformed role ARN annotation (`arn:aws:iam::::...`, the seed's example);
 * - shop/reports: annotated with a role whose trust names `shop:report` (a typo), so STS refuses it;
 * - shop/catalog: a role trusts it, but the service account carries no annotation;
 * - shop/audit: a custom audience the IAM provider does not list;
 * - a pod whose service account was deleted after it started.
 */
export async function seedClusterFaults(emulatorUrl: string, estate: OrgEstate, out: Out): Promise<void> {
  out.step('Seeding cluster-side faults in namespace "shop" (as kubectl would)');
  const account = estate.ids.platform;
  const iam = seedClients(emulatorUrl, account).iam;
  const issuer = estate.issuers.prod;
  const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`;
  const trust = (subject: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${issuer}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${issuer}:sub`]: subject, [`${issuer}:aud`]: 'sts.amazonaws.com' } },
        },
      ],
    });
  for (const [name, subject] of [
    ['shop-orders', `system:serviceaccount:${NS}:orders`],
    ['shop-reports', `system:serviceaccount:${NS}:report`],
    ['shop-catalog', `system:serviceaccount:${NS}:catalog`],
  ] as const)
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust(subject) }));

  const admin = new KubeAdmin();
  await admin.createNamespace(NS);
  const owner = (name: string) => [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: `${name}-uid`, controller: true },
  ];
  await admin.createServiceAccount(NS, 'orders', { labels: { app: 'orders' } });
  await admin.createPod(NS, {
    name: 'orders-7d9c5-old1',
    serviceAccountName: 'orders',
    ownerReferences: owner('orders-7d9c5'),
  });
  await admin.annotateServiceAccount(NS, 'orders', { 'eks.amazonaws.com/role-arn': roleArn('shop-orders') });
  await admin.createPod(NS, {
    name: 'orders-7d9c5-new1',
    serviceAccountName: 'orders',
    ownerReferences: owner('orders-7d9c5'),
  });
  await admin.createServiceAccount(NS, 'payments', {
    annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::::1234567890:role/example' },
  });
  await admin.createServiceAccount(NS, 'reports', {
    annotations: { 'eks.amazonaws.com/role-arn': roleArn('shop-reports') },
  });
  await admin.createServiceAccount(NS, 'catalog', { labels: { app: 'catalog' } });
  await admin.createServiceAccount(NS, 'audit', {
    annotations: {
      'eks.amazonaws.com/role-arn': roleArn('shop-orders'),
      'eks.amazonaws.com/audience': 'vault.example.com',
    },
  });
  await admin.createServiceAccount(NS, 'batch-worker', { labels: { app: 'batch' } });
  await admin.createPod(NS, { name: 'batch-worker-0', serviceAccountName: 'batch-worker' });
  await admin.deleteServiceAccount(NS, 'batch-worker');
  out.say('6 service accounts, 3 pods, 3 roles (shop-orders, shop-reports, shop-catalog) in the platform account');
}

/** Reads prod's Kubernetes API as the view-only identity, adds it to the sweep, analyzes, prints the cluster side. */
export async function analyzeWithClusterSide(
  snapshot: EstateSnapshot,
  estate: OrgEstate,
  out: Out,
): Promise<{ snapshot: EstateSnapshot; result: AnalysisResult }> {
  out.step('Reading cluster "prod" as a view-only identity (what `irsa-doctor scan --kubeconfig` does)');
  const env = kubeEnv();
  const context = loadKubeconfig(env.identities.viewer.kubeconfig).context();
  const client = new KubeApiClient(context);
  let kubernetes: Awaited<ReturnType<typeof readClusterKubernetes>>;
  try {
    kubernetes = await readClusterKubernetes(client, { identity: context.user });
  } finally {
    client.close();
  }
  out.say(
    `read ${kubernetes.status}: ${kubernetes.serviceAccounts.length} service accounts, ${kubernetes.pods.length} pods, pod identity webhook ${kubernetes.podIdentityWebhook?.configured ? 'configured' : 'not seen'} (${client.calls} HTTP calls)`,
  );
  const merged = withClusterKubernetes(
    snapshot,
    KUBE_CLUSTER.name,
    KUBE_CLUSTER.region,
    kubernetes,
    estate.ids.platform,
  );
  const result = analyzeEstate(merged);
  const clusterSide = result.findings.filter((f) => f.kubernetesObject !== undefined);
  out.say(`${clusterSide.length} finding(s) about Kubernetes objects:`);
  process.stdout.write(renderFindingsTable({ ...result, findings: clusterSide }, out.terminal));
  return { snapshot: merged, result };
}

/** `irsa-doctor probe --assume` on shop/orders, as a user would run it, with the sweep's snapshot for the AWS side. */
export async function probeOneServiceAccount(emulatorUrl: string, snapshot: EstateSnapshot, out: Out): Promise<void> {
  out.step('Probing shop/orders: a real token from the API server, checked, evaluated and exchanged at STS');
  const env = kubeEnv();
  const file = join(ROOT, '.tmp', 'demo', 'estate.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(snapshot));
  out.say(
    out.style.dim(
      `irsa-doctor probe --cluster prod --region us-west-2 --namespace ${NS} --service-account orders --kubeconfig ${env.identities.prober.kubeconfig} --snapshot ${file} --assume`,
    ),
  );
  await probeCommand(
    {
      cluster: KUBE_CLUSTER.name,
      region: KUBE_CLUSTER.region,
      namespace: NS,
      serviceAccount: 'orders',
      kubeconfig: env.identities.prober.kubeconfig,
      snapshot: file,
      endpointUrl: emulatorUrl,
      assume: true,
      format: 'table',
    },
    {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      readStdin: async () => '',
    },
  );
}
