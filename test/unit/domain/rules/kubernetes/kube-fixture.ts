import { analyzeEstate } from '../../../../../lambdas/domain/analyze-estate';
import type { Finding, RuleId } from '../../../../../lambdas/domain/finding';
import type {
  AccountSnapshot,
  KubeContainer,
  KubePod,
  KubernetesSnapshot,
  KubeServiceAccount,
} from '../../../../../lambdas/domain/snapshot';
import {
  account,
  cluster,
  estate,
  irsaStatement,
  policy,
  provider,
  role,
  sa,
} from '../../../../support/estate-builder';

/** One cluster with a Kubernetes read, one IRSA role trusting apps/web: the base of the cluster-side rule tests. */
export const A = '111111111111';
export const one = cluster({ name: 'one', region: 'us-west-2', accountId: A });
export const ROLE = `arn:aws:iam::${A}:role/web`;

export function kubeSa(
  namespace: string,
  name: string,
  annotations: Record<string, string> = {},
  extra: Partial<KubeServiceAccount> = {},
): KubeServiceAccount {
  return { namespace, name, annotations, ...extra };
}

export function container(awsEnv: KubeContainer['awsEnv'] = {}, extra: Partial<KubeContainer> = {}): KubeContainer {
  return { name: 'app', awsEnv, ...extra };
}

export const INJECTED = {
  AWS_ROLE_ARN: ROLE,
  AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
  AWS_STS_REGIONAL_ENDPOINTS: 'regional',
  AWS_REGION: 'us-west-2',
  AWS_DEFAULT_REGION: 'us-west-2',
} as const;

export function pod(
  namespace: string,
  name: string,
  serviceAccountName: string,
  extra: Partial<KubePod> = {},
): KubePod {
  return {
    namespace,
    name,
    serviceAccountName,
    owner: { kind: 'ReplicaSet', name: 'web-5d8f7c9b4' },
    createdAt: '2026-01-02T00:00:00Z',
    containers: [container(INJECTED)],
    tokenVolume: { name: 'aws-iam-token', audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' },
    ...extra,
  };
}

export function kube(parts: Partial<KubernetesSnapshot> = {}): KubernetesSnapshot {
  return {
    status: 'complete',
    source: 'kube-objects',
    serviceAccounts: [],
    pods: [],
    podIdentityWebhook: { configured: true, name: 'pod-identity-webhook' },
    ...parts,
  };
}

export function withKube(
  k: KubernetesSnapshot,
  options: {
    trust?: Record<string, unknown>;
    partition?: string;
    version?: string;
    account?: Partial<AccountSnapshot>;
  } = {},
) {
  const c = options.partition
    ? cluster({
        name: 'one',
        region: 'cn-north-1',
        accountId: A,
        partition: options.partition,
        dnsSuffix: 'amazonaws.com.cn',
      })
    : one;
  const roleArn = `arn:${c.partition}:iam::${A}:role/web`;
  return estate(
    [
      account(A, {
        clusters: [{ ...c.snapshot, ...(options.version ? { version: options.version } : {}), kubernetes: k }],
        oidcProviders: [provider(c)],
        roles: [
          {
            ...role(A, 'web', options.trust ?? policy(irsaStatement(c, sa('apps', 'web'))), { partition: c.partition }),
            arn: roleArn,
          },
        ],
        ...options.account,
      }),
    ],
    c.partition,
  );
}

export function findings(snapshot: ReturnType<typeof withKube>): readonly Finding[];
export function findings<R extends RuleId>(snapshot: ReturnType<typeof withKube>, ruleId: R): Finding<R>[];
export function findings(snapshot: ReturnType<typeof withKube>, ruleId?: RuleId): readonly Finding[] {
  const all = analyzeEstate(snapshot).findings;
  return ruleId ? all.filter((f) => f.ruleId === ruleId) : all;
}
