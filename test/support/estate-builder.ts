/**
 * Builds estate snapshots for tests and examples: real-shaped EKS issuers, provider ARNs and IRSA trust policies,
 * so fixtures read like the documents AWS returns.
 */
import { stableId } from '../../lambdas/domain/finding';
import type {
  AccountSnapshot,
  ClusterSnapshot,
  EstateSnapshot,
  OidcProviderSnapshot,
  RoleSnapshot,
  ServiceAccountSnapshot,
} from '../../lambdas/domain/snapshot';

/** A deterministic 32-character uppercase hex issuer id, like EKS assigns. */
export function issuerId(seed: string): string {
  return (stableId('issuer', seed) + stableId('issuer-2', seed)).toUpperCase();
}

export function issuerUrl(region: string, id: string, dnsSuffix = 'amazonaws.com'): string {
  return `https://oidc.eks.${region}.${dnsSuffix}/id/${id}`;
}

export interface ClusterSpec {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly id?: string;
  readonly partition?: string;
  readonly dnsSuffix?: string;
  readonly version?: string;
}

export interface BuiltCluster {
  readonly snapshot: ClusterSnapshot;
  readonly accountId: string;
  readonly partition: string;
  /** Issuer without scheme: the provider URL and condition-key prefix. */
  readonly hostPath: string;
  readonly issuer: string;
  readonly id: string;
  providerArn(inAccount?: string): string;
}

export function cluster(spec: ClusterSpec): BuiltCluster {
  const id = spec.id ?? issuerId(`${spec.accountId}/${spec.region}/${spec.name}`);
  const partition = spec.partition ?? 'aws';
  const issuer = issuerUrl(spec.region, id, spec.dnsSuffix);
  const hostPath = issuer.slice('https://'.length);
  return {
    snapshot: {
      name: spec.name,
      region: spec.region,
      status: 'ACTIVE',
      version: spec.version ?? '1.31',
      arn: `arn:${partition}:eks:${spec.region}:${spec.accountId}:cluster/${spec.name}`,
      oidcIssuer: issuer,
      tags: {},
    },
    accountId: spec.accountId,
    partition,
    hostPath,
    issuer,
    id,
    providerArn: (inAccount = spec.accountId) => `arn:${partition}:iam::${inAccount}:oidc-provider/${hostPath}`,
  };
}

export function provider(
  c: BuiltCluster,
  options: {
    inAccount?: string;
    clientIds?: string[];
    thumbprints?: string[];
    url?: string;
    tags?: Record<string, string>;
  } = {},
): OidcProviderSnapshot {
  const url = options.url ?? c.hostPath;
  const account = options.inAccount ?? c.accountId;
  return {
    arn: `arn:${c.partition}:iam::${account}:oidc-provider/${url}`,
    url,
    clientIds: options.clientIds ?? ['sts.amazonaws.com'],
    thumbprints: options.thumbprints ?? [],
    tags: options.tags ?? {},
  };
}

export const sa = (namespace: string, name: string) => `system:serviceaccount:${namespace}:${name}`;

/** The reference IRSA statement (AWS docs, eksctl, Terraform, CDK agree on it). */
export function irsaStatement(
  c: BuiltCluster,
  subjects: string | string[],
  options: { inAccount?: string; operator?: string; audience?: string | null; sid?: string } = {},
): Record<string, unknown> {
  const operator = options.operator ?? 'StringEquals';
  const conditions: Record<string, Record<string, unknown>> = { [operator]: { [`${c.hostPath}:sub`]: subjects } };
  if (options.audience !== null) {
    const aud = options.audience ?? 'sts.amazonaws.com';
    conditions.StringEquals = { ...(conditions.StringEquals ?? {}), [`${c.hostPath}:aud`]: aud };
  }
  return {
    ...(options.sid ? { Sid: options.sid } : {}),
    Effect: 'Allow',
    Principal: { Federated: c.providerArn(options.inAccount) },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: conditions,
  };
}

export function policy(...statements: Record<string, unknown>[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: statements };
}

export function role(
  accountId: string,
  name: string,
  trustPolicy: Record<string, unknown> | string,
  options: { partition?: string; tags?: Record<string, string>; encode?: boolean } = {},
): RoleSnapshot {
  const text = typeof trustPolicy === 'string' ? trustPolicy : JSON.stringify(trustPolicy);
  return {
    arn: `arn:${options.partition ?? 'aws'}:iam::${accountId}:role/${name}`,
    name,
    trustPolicy: options.encode === false ? trustPolicy : encodeURIComponent(text),
    tags: options.tags ?? {},
  };
}

export function serviceAccount(
  c: BuiltCluster,
  namespace: string,
  name: string,
  roleArn: string,
  extra: Partial<ServiceAccountSnapshot> = {},
): ServiceAccountSnapshot {
  return {
    cluster: c.snapshot.name,
    region: c.snapshot.region,
    namespace,
    name,
    roleArn,
    source: 'kubernetes',
    ...extra,
  };
}

export function account(accountId: string, parts: Partial<Omit<AccountSnapshot, 'accountId'>> = {}): AccountSnapshot {
  return { accountId, clusters: [], oidcProviders: [], roles: [], ...parts };
}

export function estate(accounts: AccountSnapshot[], partition = 'aws'): EstateSnapshot {
  return { schemaVersion: 1, partition, accounts };
}
