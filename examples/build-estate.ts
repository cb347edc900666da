/**
 * Writes examples/estate.json: a small organization where every rule fires at least once, next to healthy
 * clusters and roles (names starting with "healthy-" or "ok-" must yield nothing of severity medium or above).
 * Run with `npm run examples`; test/unit/examples/estate.test.ts checks the committed file is current.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EstateSnapshot } from '../lambdas/domain/snapshot';
import {
  account,
  cluster,
  estate,
  irsaStatement,
  policy,
  provider,
  role,
  sa,
  serviceAccount,
} from '../test/support/estate-builder';

const PROD = '111111111111';
const DATA = '222222222222';
const SANDBOX = '333333333333';
const LEGACY = '444444444444';

export function buildExampleEstate(): EstateSnapshot {
  // Account 111111111111 (platform-prod): two healthy clusters, most trust-policy faults.
  const prod = cluster({ name: 'prod', region: 'us-west-2', accountId: PROD });
  const prodEu = cluster({ name: 'prod-eu', region: 'eu-west-1', accountId: PROD });
  const staging = cluster({ name: 'staging', region: 'us-west-2', accountId: PROD });
  const arn = (name: string) => `arn:aws:iam::${PROD}:role/${name}`;
  const lbc = sa('kube-system', 'aws-load-balancer-controller');

  const prodRoles = [
    role(PROD, 'healthy-lbc', policy(irsaStatement(prod, lbc))),
    role(
      PROD,
      'healthy-multi-cluster',
      policy(irsaStatement(prod, sa('apps', 'api')), irsaStatement(prodEu, sa('apps', 'api'))),
    ),
    role(PROD, 'healthy-namespace-wildcard', policy(irsaStatement(prod, sa('batch', '*'), { operator: 'StringLike' }))),
    role(
      PROD,
      'ok-github-actions',
      policy({
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${PROD}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:example/*' },
        },
      }),
    ),
    role(
      PROD,
      'ok-ec2-instance',
      policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    ),
    role(
      PROD,
      'ok-saml-admins',
      policy({
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${PROD}:saml-provider/corp-idp` },
        Action: 'sts:AssumeRoleWithSAML',
        Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
      }),
    ),
    // IRSA-031: trusts only prod, but a workload on staging uses it.
    role(PROD, 'api-prod-only', policy(irsaStatement(prod, sa('apps', 'api')))),
    // IRSA-010: sts:AssumeRole instead of sts:AssumeRoleWithWebIdentity.
    role(
      PROD,
      'external-dns',
      policy({ ...irsaStatement(prod, sa('kube-system', 'external-dns')), Action: 'sts:AssumeRole' }),
    ),
    // IRSA-011: Service principal on an IRSA statement.
    role(
      PROD,
      'cluster-autoscaler',
      policy({
        ...irsaStatement(prod, sa('kube-system', 'cluster-autoscaler')),
        Principal: { Service: 'eks.amazonaws.com' },
      }),
    ),
    // IRSA-012: the cluster was recreated; the role still trusts the old issuer id.
    role(
      PROD,
      'karpenter',
      policy(
        irsaStatement(
          cluster({ name: 'prod', region: 'us-west-2', accountId: PROD, id: 'DEADBEEFDEADBEEFDEADBEEFDEADBEEF' }),
          sa('karpenter', 'karpenter'),
        ),
      ),
    ),
    // IRSA-012: region copied from another cluster (same id, wrong region).
    role(
      PROD,
      'fluent-bit',
      policy(
        irsaStatement(
          cluster({ name: 'prod', region: 'us-east-1', accountId: PROD, id: prod.id }),
          sa('logging', 'fluent-bit'),
        ),
      ),
    ),
    // IRSA-013: the :sub key names another provider id than the statement's (the seed article's own typo).
    role(
      PROD,
      'cert-manager',
      policy({
        ...irsaStatement(prod, sa('cert-manager', 'cert-manager')),
        Condition: {
          StringEquals: {
            [`${prod.hostPath.slice(0, -4)}PROB:sub`]: sa('cert-manager', 'cert-manager'),
            [`${prod.hostPath}:aud`]: 'sts.amazonaws.com',
          },
        },
      }),
    ),
    // IRSA-014: misspelled claim.
    role(
      PROD,
      'velero',
      policy({
        ...irsaStatement(prod, sa('velero', 'velero')),
        Condition: {
          StringEquals: {
            [`${prod.hostPath}:subject`]: sa('velero', 'velero'),
            [`${prod.hostPath}:aud`]: 'sts.amazonaws.com',
          },
        },
      }),
    ),
    // IRSA-014: aud and sub swapped.
    role(
      PROD,
      'external-secrets',
      policy({
        ...irsaStatement(prod, sa('external-secrets', 'external-secrets')),
        Condition: {
          StringEquals: {
            [`${prod.hostPath}:aud`]: sa('external-secrets', 'external-secrets'),
            [`${prod.hostPath}:sub`]: 'sts.amazonaws.com',
          },
        },
      }),
    ),
    // IRSA-015: the stray space from the AWS article.
    role(
      PROD,
      'aws-load-balancer-controller',
      policy(irsaStatement(prod, 'system:serviceaccount: kube-system:aws-load-balancer-controller')),
    ),
    // IRSA-016: trusts another namespace than the workload runs in.
    role(PROD, 'ebs-snapshots', policy(irsaStatement(prod, sa('sre', 'snapshotter')))),
    // IRSA-017: wildcard under StringEquals.
    role(PROD, 'crossplane-provider-aws', policy(irsaStatement(prod, sa('crossplane-system', 'provider-aws-*')))),
    // IRSA-018: no :sub at all, and a subject wildcard across namespaces.
    role(
      PROD,
      'shared-readonly',
      policy({
        Effect: 'Allow',
        Principal: { Federated: prod.providerArn() },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${prod.hostPath}:aud`]: 'sts.amazonaws.com' } },
      }),
    ),
    role(PROD, 'any-namespace-reader', policy(irsaStatement(prod, sa('*', 'reader'), { operator: 'StringLike' }))),
    // IRSA-019 alone (low): no :aud condition.
    role(PROD, 'metrics-exporter', policy(irsaStatement(prod, sa('monitoring', 'exporter'), { audience: null }))),
    // IRSA-020: China audience copied into a commercial-region role.
    role(
      PROD,
      'image-scanner',
      policy(irsaStatement(prod, sa('security', 'scanner'), { audience: 'sts.amazonaws.com.cn' })),
    ),
    // IRSA-021: two clusters merged into one statement.
    role(
      PROD,
      'argo-workflows',
      policy({
        Effect: 'Allow',
        Principal: { Federated: [prod.providerArn(), prodEu.providerArn()] },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${prod.hostPath}:sub`]: sa('argo', 'workflow'),
            [`${prodEu.hostPath}:sub`]: sa('argo', 'workflow'),
          },
        },
      }),
    ),
    // IRSA-022: the same condition key written twice (raw text: JSON keeps only the last).
    role(
      PROD,
      'loki',
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${prod.providerArn()}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"${prod.hostPath}:sub":"${sa('loki', 'loki-write')}","${prod.hostPath}:sub":"${sa('loki', 'loki-read')}","${prod.hostPath}:aud":"sts.amazonaws.com"}}}]}`,
    ),
    // IRSA-023: four clusters' worth of subjects: no room for one more statement under 2,048 characters.
    role(
      PROD,
      'platform-shared',
      policy(
        irsaStatement(
          prod,
          [sa('platform', 'ingest'), sa('platform', 'compact'), sa('platform', 'query'), sa('platform', 'alerts')],
          { sid: 'Prod' },
        ),
        irsaStatement(
          prodEu,
          [sa('platform', 'ingest'), sa('platform', 'compact'), sa('platform', 'query'), sa('platform', 'alerts')],
          { sid: 'ProdEu' },
        ),
        irsaStatement(
          staging,
          [sa('platform', 'ingest'), sa('platform', 'compact'), sa('platform', 'query'), sa('platform', 'alerts')],
          { sid: 'Staging' },
        ),
      ),
    ),
    // IRSA-024: an explicit Deny catches the workload.
    role(
      PROD,
      'backup-agent',
      policy(irsaStatement(prod, sa('backup', 'agent')), {
        Sid: 'NoBackupNamespace',
        Effect: 'Deny',
        Principal: { Federated: prod.providerArn() },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringLike: { [`${prod.hostPath}:sub`]: 'system:serviceaccount:backup:*' } },
      }),
    ),
    // DOC-002: an operator IAM does not know (typo).
    role(
      PROD,
      'opencost',
      policy({
        ...irsaStatement(prod, sa('opencost', 'opencost')),
        Condition: {
          StringEqual: {
            [`${prod.hostPath}:sub`]: sa('opencost', 'opencost'),
            [`${prod.hostPath}:aud`]: 'sts.amazonaws.com',
          },
        },
      }),
    ),
    // DOC-001: not JSON at all (a hand-edited export).
    role(PROD, 'hand-edited', '{"Version": "2012-10-17", "Statement": [ {"Effect": "Allow", '),
    // EBS CSI add-on role trusting the wrong service account name (IRSA-038).
    role(PROD, 'AmazonEKS_EBS_CSI_DriverRole', policy(irsaStatement(prod, sa('kube-system', 'aws-ebs-csi-driver'))), {
      tags: {
        'alpha.eksctl.io/cluster-name': 'prod',
        'alpha.eksctl.io/iamserviceaccount-name': 'kube-system/ebs-csi-controller-sa',
      },
    }),
    // A workload with a custom audience (IRSA-036).
    role(PROD, 'vault-auth', policy(irsaStatement(prod, sa('vault', 'vault'), { audience: 'vault' }))),
    // Pod Identity: healthy (restricted), missing TagSession (PI-050), the standard unrestricted trust (PI-055, info).
    role(
      PROD,
      'healthy-pod-identity',
      policy({
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: { StringEquals: { 'aws:SourceAccount': PROD } },
      }),
    ),
    role(
      PROD,
      'pi-no-tag-session',
      policy({
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': PROD } },
      }),
    ),
    role(
      PROD,
      'pi-any-association',
      policy({
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      }),
    ),
  ];

  const prodAccount = account(PROD, {
    name: 'platform-prod',
    clusters: [prod.snapshot, prodEu.snapshot, staging.snapshot],
    oidcProviders: [provider(prod), provider(prodEu), provider(staging)],
    roles: prodRoles,
    serviceAccounts: [
      serviceAccount(prod, 'kube-system', 'aws-load-balancer-controller', arn('healthy-lbc')),
      serviceAccount(prodEu, 'apps', 'api', arn('healthy-multi-cluster')),
      serviceAccount(prod, 'kube-system', 'aws-load-balancer-controller', arn('aws-load-balancer-controller'), {
        source: 'declared',
      }),
      serviceAccount(prod, 'storage', 'snapshotter', arn('ebs-snapshots')),
      serviceAccount(prod, 'kube-system', 'ebs-csi-controller-sa', arn('AmazonEKS_EBS_CSI_DriverRole'), {
        source: 'addon',
        addon: 'aws-ebs-csi-driver',
      }),
      serviceAccount(prod, 'vault', 'vault', arn('vault-auth'), { audience: 'vault' }),
      // IRSA-030: malformed annotation (extra colons).
      serviceAccount(prod, 'payments', 'worker', 'arn:aws:iam::::111111111111:role/payments'),
      // IRSA-031: the role does not exist; and a role that trusts only another cluster.
      serviceAccount(prod, 'reports', 'generator', arn('reports-generator')),
      serviceAccount(staging, 'apps', 'api', arn('api-prod-only')),
      // PI-056: the same service account is also covered by a Pod Identity association.
      serviceAccount(prodEu, 'kube-system', 'aws-load-balancer-controller', arn('healthy-lbc')),
      // A workload on prod's cluster using a role of the data account (healthy cross-account IRSA).
      serviceAccount(prod, 'data', 'sync', `arn:aws:iam::${DATA}:role/healthy-cross-account`),
    ],
    podIdentityAssociations: [
      {
        cluster: 'prod',
        region: 'us-west-2',
        namespace: 'apps',
        serviceAccount: 'web',
        roleArn: arn('healthy-pod-identity'),
      },
      {
        cluster: 'prod',
        region: 'us-west-2',
        namespace: 'apps',
        serviceAccount: 'worker',
        roleArn: arn('pi-no-tag-session'),
      },
      {
        cluster: 'prod-eu',
        region: 'eu-west-1',
        namespace: 'kube-system',
        serviceAccount: 'aws-load-balancer-controller',
        roleArn: arn('healthy-pod-identity'),
      },
      // PI-054: the association names a role in another account.
      {
        cluster: 'prod',
        region: 'us-west-2',
        namespace: 'data',
        serviceAccount: 'exporter',
        roleArn: `arn:aws:iam::${DATA}:role/data-exporter`,
      },
    ],
  });

  // Account 222222222222 (data-prod): provider-level faults and cross-account trust.
  const analytics = cluster({ name: 'analytics', region: 'us-east-1', accountId: DATA });
  const batch = cluster({ name: 'batch', region: 'us-east-1', accountId: DATA });
  const ml = cluster({ name: 'ml', region: 'us-east-2', accountId: DATA });
  const reports = cluster({ name: 'reports', region: 'us-east-2', accountId: DATA });
  const etl = cluster({ name: 'etl', region: 'us-east-1', accountId: DATA });
  const gone = cluster({ name: 'deleted-2024', region: 'us-east-1', accountId: DATA });
  const leafOnly = provider(etl, { thumbprints: ['06b25927c42a721631c1efd9431e648fa62e1e39'] });
  const dataAccount = account(DATA, {
    name: 'data-prod',
    clusters: [analytics.snapshot, batch.snapshot, ml.snapshot, reports.snapshot, etl.snapshot],
    oidcProviders: [
      // IRSA-003: the China audience only.
      provider(analytics, { clientIds: ['sts.amazonaws.com.cn'] }),
      // IRSA-006: registered with a trailing slash (so the exact one is missing: IRSA-001 too).
      provider(reports, { url: `${reports.hostPath}/` }),
      // IRSA-004 (info): thumbprint of the leaf, not the top CA; the chain is public so IAM ignores it.
      {
        ...leafOnly,
        tls: {
          host: `oidc.eks.us-east-1.amazonaws.com`,
          topCaThumbprint: '9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
          leafThumbprint: '06b25927c42a721631c1efd9431e648fa62e1e39',
          publiclyTrusted: true,
        },
      },
      // IRSA-005: the cluster is gone.
      provider(gone),
      // Healthy cross-account: prod's cluster registered in this account for a data role.
      provider(prod, { inAccount: DATA }),
    ],
    roles: [
      role(DATA, 'analytics-reader', policy(irsaStatement(analytics, sa('analytics', 'reader')))),
      // IRSA-001 (critical): batch has no provider, but this role relies on it.
      role(DATA, 'batch-jobs', policy(irsaStatement(batch, sa('batch', 'runner')))),
      role(DATA, 'reports-writer', policy(irsaStatement(reports, sa('reports', 'writer')))),
      role(DATA, 'etl-loader', policy(irsaStatement(etl, sa('etl', 'loader')))),
      role(DATA, 'healthy-cross-account', policy(irsaStatement(prod, sa('data', 'sync'), { inAccount: DATA }))),
      // IRSA-002: the Federated principal names the provider in the cluster's account, not this one.
      role(
        DATA,
        'data-exporter',
        policy(irsaStatement(prod, sa('data', 'exporter')), {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: { StringEquals: { 'aws:SourceAccount': PROD } },
        }),
      ),
      // IRSA-044: an aws-cn ARN in a commercial account.
      role(
        DATA,
        'copied-from-china',
        policy(
          irsaStatement(
            cluster({ name: 'analytics', region: 'us-east-1', accountId: DATA, id: analytics.id, partition: 'aws-cn' }),
            sa('analytics', 'copier'),
          ),
        ),
      ),
    ],
  });

  // Account 333333333333 (sandbox): near the provider quota (IRSA-007), only partly read (SWEEP-002).
  const sandboxProviders = Array.from({ length: 92 }, (_, i) => ({
    arn: `arn:aws:iam::${SANDBOX}:oidc-provider/idp-${String(i).padStart(2, '0')}.example.com`,
    url: `idp-${String(i).padStart(2, '0')}.example.com`,
    clientIds: ['sandbox-app'],
    thumbprints: [],
    tags: {},
  }));
  const dev = cluster({ name: 'dev', region: 'us-west-2', accountId: SANDBOX });
  const sandboxAccount = account(SANDBOX, {
    name: 'sandbox',
    collection: {
      status: 'partial',
      regions: ['us-west-2'],
      errors: [
        {
          operation: 'eks:ListClusters',
          region: 'eu-central-1',
          code: 'AccessDeniedException',
          message: 'User is not authorized to perform: eks:ListClusters',
        },
      ],
    },
    clusters: [dev.snapshot],
    oidcProviders: [
      ...sandboxProviders,
      // IRSA-004 (medium): a thumbprint copied with colons from openssl output is not 40 hex digits.
      provider(dev, { thumbprints: ['9E:99:A4:8A:99:60:B1:49:26:BB:7F:3B:02:E2:2D:A2:B0:AB:72:80'] }),
    ],
    roles: [role(SANDBOX, 'dev-tools', policy(irsaStatement(dev, sa('tools', 'runner'))))],
  });

  // Account 444444444444 (legacy): the scanner role is missing (SWEEP-001).
  const legacyAccount = account(LEGACY, {
    name: 'legacy',
    collection: {
      status: 'unreachable',
      errors: [
        {
          operation: 'sts:AssumeRole',
          code: 'AccessDenied',
          message: `User is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${LEGACY}:role/IrsaDoctorScanner`,
        },
      ],
    },
  });

  return {
    ...estate([prodAccount, dataAccount, sandboxAccount, legacyAccount]),
    generatedAt: '2026-11-23T00:00:00Z',
    generator: 'examples/build-estate.ts',
  };
}

if (require.main === module) {
  const out = join(__dirname, 'estate.json');
  writeFileSync(out, `${JSON.stringify(buildExampleEstate(), null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}
