/**
 * Snapshots that pass the schema and are built to be worst cases for the analyzer: values at their maximum length,
 * trust policies at IAM's maximum size full of patterns that defeat backtracking, as many statements, condition
 * keys and subjects as fit, deep nesting, many roles per provider, and many service accounts per role (every
 * service account is checked against its role's policy, so that product is the one to watch).
 */

import { MAX_EVALUATED_TRUST_POLICY } from '../lambdas/domain/rules/document/role-pass';
import type {
  AccountSnapshot,
  ClusterSnapshot,
  EstateSnapshot,
  PodIdentityAssociationSnapshot,
  RoleSnapshot,
  ServiceAccountSnapshot,
} from '../lambdas/domain/snapshot';
import { cluster, provider } from '../test/support/estate-builder';

export const ADVERSARIAL_KINDS = [
  'wildcard-subjects',
  'literal-subjects',
  'statements',
  'condition-keys',
  'deep-nesting',
  'roles-per-provider',
  'long-values',
  'duplicate-keys',
  'many-service-accounts',
  'many-clusters',
  'pod-identity',
  'oversize-policies',
] as const;
export type AdversarialKind = (typeof ADVERSARIAL_KINDS)[number];

/**
 * The longest trust policy the analyzer evaluates (MAX_EVALUATED_TRUST_POLICY, minified): documents are built up to
 * it, so every one is evaluated against every service account that names its role. 'oversize-policies' goes to
 * IAM's API maximum (131,072) instead, which the analyzer reports without evaluating.
 */
const POLICY_MAX = MAX_EVALUATED_TRUST_POLICY;
const API_MAX = 131_072;
const ROLES_MAX = 5000;

interface Builder {
  readonly accountId: string;
  readonly c: ReturnType<typeof cluster>;
  /** A trust policy of about POLICY_MAX characters for role number `i`. */
  policy(i: number): string;
  /** Service accounts to add per role, and how each is built. */
  readonly serviceAccountsPerRole: number;
  serviceAccount(role: string, i: number, j: number): ServiceAccountSnapshot;
  /** Roles per account, at most ROLES_MAX. */
  readonly rolesPerAccount: number;
  /** Extra clusters per account (no provider), built first. */
  readonly extraClusters?: number;
  /** A Pod Identity association per service account, for the same name. */
  readonly associations?: boolean;
}

const A63 = 'a'.repeat(63);
const A253 = 'a'.repeat(253);

function fill(header: string, footer: string, item: (k: number) => string, max = POLICY_MAX): string {
  const parts: string[] = [];
  let length = header.length + footer.length;
  for (let k = 0; ; k++) {
    const next = item(k);
    if (length + next.length + 1 > max) break;
    parts.push(next);
    length += next.length + 1;
  }
  return `${header}${parts.join(',')}${footer}`;
}

function builder(kind: AdversarialKind, accountId: string): Builder {
  const c = cluster({ name: kind === 'many-service-accounts' ? 'c' : 'c'.repeat(100), region: 'us-west-2', accountId });
  const issuer = c.hostPath;
  const fed = c.providerArn();
  const statementHead = (op: string, key: string) =>
    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${fed}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"${op}":{"${issuer}:${key}":[`;
  const sa = (
    role: string,
    i: number,
    j: number,
    extra: Partial<ServiceAccountSnapshot> = {},
  ): ServiceAccountSnapshot => ({
    cluster: c.snapshot.name,
    region: 'us-west-2',
    namespace: `${i}-${j}-${A63}`.slice(0, 63),
    name: `${j}-${A253}`.slice(0, 253),
    roleArn: `arn:aws:iam::${accountId}:role/${role}`,
    ...extra,
  });
  switch (kind) {
    case 'wildcard-subjects':
      // `*a*a*...*b` against subjects of `a`s: every star is a backtracking point for a naive matcher.
      return {
        accountId,
        c,
        rolesPerAccount: 20,
        serviceAccountsPerRole: 40,
        policy: (i) =>
          fill(
            statementHead('StringLike', 'sub'),
            ']}}}]}',
            (k) => `"system:serviceaccount:${`*a`.repeat(20)}*${k}b${i}"`,
          ),
        serviceAccount: sa,
      };
    case 'literal-subjects':
      return {
        accountId,
        c,
        rolesPerAccount: 20,
        serviceAccountsPerRole: 40,
        policy: (i) =>
          fill(statementHead('StringEquals', 'sub'), ']}}}]}', (k) => `"system:serviceaccount:ns-${i}:sa-${k}"`),
        serviceAccount: sa,
      };
    case 'statements':
      return {
        accountId,
        c,
        rolesPerAccount: 20,
        serviceAccountsPerRole: 40,
        policy: (i) =>
          fill(
            '{"Version":"2012-10-17","Statement":[',
            ']}',
            (k) =>
              `{"Sid":"s${k}","Effect":"${k % 7 === 0 ? 'Deny' : 'Allow'}","Principal":{"Federated":"${fed}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"${issuer}:sub":"system:serviceaccount:*a*a*a*:${k}-${i}*","${issuer}:aud":"sts.amazonaws.com"}}}`,
          ),
        serviceAccount: sa,
      };
    case 'condition-keys':
      return {
        accountId,
        c,
        rolesPerAccount: 20,
        serviceAccountsPerRole: 40,
        policy: () =>
          fill(
            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${fed}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{`,
            '}}}]}',
            (k) =>
              `"${k % 3 === 0 ? `${issuer}:sub` : k % 3 === 1 ? `aws:PrincipalTag/t${k}` : `${issuer}:k${k}`}":"*a*a*a*${k}"`,
          ),
        serviceAccount: sa,
      };
    case 'deep-nesting': {
      // As deep as the size allows, inside a condition value.
      const depth = Math.floor((POLICY_MAX - 400) / 2);
      return {
        accountId,
        c,
        rolesPerAccount: 20,
        serviceAccountsPerRole: 10,
        policy: () => `${statementHead('StringEquals', 'sub')}${'['.repeat(depth)}"x"${']'.repeat(depth)}]}}}]}`,
        serviceAccount: sa,
      };
    }
    case 'roles-per-provider':
      // IAM's maximum of roles, all trusting the one provider, each with a few service accounts.
      return {
        accountId,
        c,
        rolesPerAccount: ROLES_MAX,
        serviceAccountsPerRole: 3,
        policy: (i) =>
          `${statementHead('StringLike', 'sub')}"system:serviceaccount:*a*a*:${i}*","system:serviceaccount:ns:${i}"]}}}]}`,
        serviceAccount: sa,
      };
    case 'long-values':
      // Annotation values at the Kubernetes maximum (256 KiB): a role ARN and an audience nobody can read at a glance.
      return {
        accountId,
        c,
        rolesPerAccount: 5,
        serviceAccountsPerRole: 4,
        policy: (i) => `${statementHead('StringLike', 'sub')}"system:serviceaccount:*:${i}"]}}}]}`,
        serviceAccount: (role, i, j) =>
          sa(role, i, j, {
            roleArn:
              j % 2 === 0
                ? `arn:aws:iam::${accountId}:role/${'r/'.repeat(65_000)}${role}`.slice(0, 262_144)
                : `arn:aws:iam::${accountId}:role/${role}`,
            audience: `${'sts.amazonaws.com:'.repeat(14_563)}`.slice(0, 262_144),
          }),
      };
    case 'many-service-accounts':
      // Short service accounts (about 150 characters each), all naming one role whose policy is full of patterns.
      return {
        accountId,
        c,
        rolesPerAccount: 1,
        serviceAccountsPerRole: 200_000,
        policy: (i) =>
          // Every pattern's head and tail fit every subject, and its middle never does: each is really matched.
          fill(statementHead('StringLike', 'sub'), ']}}}]}', (k) => `"system:serviceaccount:*x${k}-${i}*"`),
        serviceAccount: (role, _i, j) => ({
          cluster: c.snapshot.name,
          region: 'us-west-2',
          namespace: 'a',
          name: `a${j}`,
          roleArn: `arn:aws:iam::${accountId}:role/${role}`,
        }),
      };
    case 'many-clusters':
      // 10,000 clusters in one region (the schema's maximum per account), roles whose statements all name providers
      // of clusters that do not exist there (each a stale-provider finding with candidate clusters), and workloads
      // on the last cluster: lookups by cluster name and region, not scans.
      return {
        accountId,
        c,
        extraClusters: 9_999,
        rolesPerAccount: 40,
        serviceAccountsPerRole: 100,
        policy: (i) =>
          fill('{"Version":"2012-10-17","Statement":[', ']}', (k) => {
            const gone = `oidc.eks.us-west-2.amazonaws.com/id/${(i * 1000 + k).toString(16).toUpperCase().padStart(32, 'F')}`;
            return `{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::${accountId}:oidc-provider/${gone}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"${gone}:sub":"system:serviceaccount:a:${k}"}}}`;
          }),
        serviceAccount: sa,
      };
    case 'pod-identity':
      // Every service account also has a Pod Identity association of the same name.
      return {
        accountId,
        c,
        associations: true,
        rolesPerAccount: 40,
        serviceAccountsPerRole: 200,
        policy: (i) => `${statementHead('StringEquals', 'sub')}"system:serviceaccount:ns:${i}"]}}}]}`,
        serviceAccount: (role, i, j) => ({
          cluster: c.snapshot.name,
          region: 'us-west-2',
          namespace: `n${i}`,
          name: `s${j}`,
          roleArn: `arn:aws:iam::${accountId}:role/${role}`,
        }),
      };
    case 'oversize-policies':
      return {
        accountId,
        c,
        rolesPerAccount: 20,
        serviceAccountsPerRole: 200,
        policy: (i) =>
          fill(
            statementHead('StringLike', 'sub'),
            ']}}}]}',
            (k) => `"system:serviceaccount:${`*a`.repeat(20)}*${k}b${i}"`,
            API_MAX,
          ),
        serviceAccount: sa,
      };
    case 'duplicate-keys':
      // The same key again and again: only text keeps duplicates, and each is evidence.
      return {
        accountId,
        c,
        rolesPerAccount: 20,
        serviceAccountsPerRole: 40,
        policy: (i) =>
          fill(
            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${fed}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{`,
            '}}}]}',
            (k) => `"${issuer}:sub":"system:serviceaccount:ns:${i}-${k}"`,
          ),
        serviceAccount: sa,
      };
  }
}

/** An adversarial snapshot of about `bytes` characters of JSON (within 10%), valid against the schema. */
export function generateAdversarialEstate(kind: AdversarialKind, bytes: number): EstateSnapshot {
  const accounts: AccountSnapshot[] = [];
  let size = 0;
  for (let a = 0; size < bytes; a++) {
    const accountId = String(200000000000 + a);
    const b = builder(kind, accountId);
    const roles: RoleSnapshot[] = [];
    const serviceAccounts: ServiceAccountSnapshot[] = [];
    const clusters: ClusterSnapshot[] = Array.from({ length: b.extraClusters ?? 0 }, (_, k) => ({
      ...b.c.snapshot,
      name: `k${k}`,
      arn: `arn:aws:eks:us-west-2:${accountId}:cluster/k${k}`,
      oidcIssuer: `https://oidc.eks.us-west-2.amazonaws.com/id/${(a * 100_000 + k).toString(16).toUpperCase().padStart(32, '0')}`,
    }));
    size += clusters.reduce((n, cl) => n + JSON.stringify(cl).length, 0);
    clusters.push(b.c.snapshot);
    const associations: PodIdentityAssociationSnapshot[] = [];
    for (let i = 0; i < b.rolesPerAccount && size < bytes; i++) {
      const name = `r${i}-${'x'.repeat(60)}`.slice(0, 64);
      const trustPolicy = b.policy(i);
      roles.push({ arn: `arn:aws:iam::${accountId}:role/${name}`, name, trustPolicy });
      size += trustPolicy.length + 200;
      for (let j = 0; j < b.serviceAccountsPerRole && size < bytes; j++) {
        const s = b.serviceAccount(name, i, j);
        serviceAccounts.push(s);
        size += JSON.stringify(s).length;
        if (b.associations) {
          const association: PodIdentityAssociationSnapshot = {
            cluster: s.cluster,
            region: s.region,
            namespace: s.namespace,
            serviceAccount: s.name,
            roleArn: `arn:aws:iam::${accountId}:role/${name}`,
          };
          associations.push(association);
          size += JSON.stringify(association).length;
        }
      }
    }
    accounts.push({
      accountId,
      clusters,
      oidcProviders: [provider(b.c)],
      roles,
      serviceAccounts,
      ...(associations.length > 0 ? { podIdentityAssociations: associations } : {}),
    });
  }
  return { schemaVersion: 1, partition: 'aws', accounts };
}
