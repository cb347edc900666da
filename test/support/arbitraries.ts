/**
 * fast-check generators for trust policies and estate snapshots, shared by the property tests.
 *
 * - `validIrsaPolicyArb`: the reference IRSA policy (1–4 statements, one per cluster), built from generated clusters.
 * - `otherStatementArb`: statements that are not IRSA (Service, AWS, Deny, GitHub Actions OIDC, SAML, Pod Identity).
 * - `mutatedPolicyArb`: valid policies broken the ways people and tools break them, as objects or as raw text.
 * - `trustPolicyInputArb`: any of the above, standalone (its own small world of clusters).
 * - `snapshotArb`: schema-valid estate snapshots (1–4 accounts) whose roles carry any of the above.
 *
 * Every generator is deterministic for a given fast-check seed: no Math.random, no clock.
 */
import fc from 'fast-check';
import type {
  AccountSnapshot,
  ClusterSnapshot,
  CollectionStatus,
  EstateSnapshot,
  OidcProviderSnapshot,
  PodIdentityAssociationSnapshot,
  RoleSnapshot,
  ServiceAccountSnapshot,
} from '../../lambdas/domain/snapshot';
import { MAX_TRUST_POLICY_TEXT } from '../../lambdas/shared/schemas';

export type Doc = Record<string, unknown>;
type Patch = (target: Doc) => void;

export const WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';
export const STS_AUDIENCE = 'sts.amazonaws.com';

// ---------------------------------------------------------------------------------------------------------------
// Small building blocks
// ---------------------------------------------------------------------------------------------------------------

const DIGITS = '0123456789'.split('');
const HEX_UPPER = '0123456789ABCDEF'.split('');
const HEX_LOWER = '0123456789abcdef'.split('');

const REGIONS: Readonly<Record<string, readonly string[]>> = {
  aws: ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1'],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-west-1', 'us-gov-east-1'],
};
const DNS_SUFFIX: Readonly<Record<string, string>> = {
  aws: 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
  'aws-us-gov': 'amazonaws.com',
};
const ALL_REGIONS = Object.values(REGIONS).flat();

export const partitionArb = fc.constantFrom('aws', 'aws', 'aws', 'aws-cn', 'aws-us-gov');

/** Twelve digits; a few fixed ids make accounts of different snapshots (and ARNs inside policies) collide. */
export const accountIdArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('111111111111', '222222222222', '333333333333', '444444444444'),
  fc.string({ unit: fc.constantFrom(...DIGITS), minLength: 12, maxLength: 12 }),
);

/** An EKS issuer id: 32 uppercase hex digits. */
export const issuerIdArb = fc.string({ unit: fc.constantFrom(...HEX_UPPER), minLength: 32, maxLength: 32 });

export const thumbprintArb = fc.string({ unit: fc.constantFrom(...HEX_LOWER), minLength: 40, maxLength: 40 });

/** Small pools, so that generated subjects, service accounts and associations often name the same workload. */
export const NAMESPACES = ['default', 'kube-system', 'team-a', 'payments'] as const;
export const SA_NAMES = ['app', 'aws-load-balancer-controller', 'ebs-csi-controller-sa', 'sync'] as const;
const dnsLabelArb = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,14}[a-z0-9])?$/);
export const namespaceArb = fc.oneof({ arbitrary: fc.constantFrom(...NAMESPACES), weight: 4 }, dnsLabelArb);
export const saNameArb = fc.oneof({ arbitrary: fc.constantFrom(...SA_NAMES), weight: 4 }, dnsLabelArb);
export const subjectArb = fc.tuple(namespaceArb, saNameArb).map(([ns, name]) => `system:serviceaccount:${ns}:${name}`);

/** Strings that are hard on parsers: astral characters, right-to-left text and marks, zero-width and control characters. */
export const AWKWARD_TEXT = [
  '😀',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '\u202Eevil\u202C',
  'مرحبا',
  'שלום',
  '\u200B',
  '\uFEFF',
  'e\u0301',
  '\uD800',
  '\uDFFF',
  'é',
  '\u0007',
  '\u0000',
  '\u2028',
  '中文',
  '\\',
  '"',
  '%',
  '%E0%A4%A',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, written literally
  '${aws:username}',
  '*',
  '?',
] as const;
export const awkwardStringArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...AWKWARD_TEXT),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

/** RFC 3986 percent-encoding, as IAM returns policy documents (encodeURIComponent leaves !'()* alone). */
export function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** Runs a text transformation that may throw (percent-encoding a lone surrogate); `fallback` when it does. */
function attempt(make: () => string, fallback: string): string {
  try {
    return make();
  } catch {
    return fallback;
  }
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function isObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function statementsOf(doc: Doc): Doc[] {
  const list = doc.Statement;
  if (Array.isArray(list)) return list.filter(isObject);
  return isObject(list) ? [list] : [];
}

function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

/** The condition blocks (operator → key → value) of a statement. */
function conditionBlocks(statement: Doc): Doc[] {
  const condition = statement.Condition;
  if (!isObject(condition)) return [];
  return Object.values(condition).filter(isObject);
}

/** Rewrites every key of every condition block of a statement (keeps values). */
function renameConditionKeys(statement: Doc, rename: (key: string, index: number) => string): void {
  const condition = statement.Condition;
  if (!isObject(condition)) return;
  let n = 0;
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) continue;
    const next: Doc = {};
    for (const [key, value] of Object.entries(block)) next[rename(key, n++)] = value;
    condition[operator] = next;
  }
}

/** Applies `f` to every string value found under the condition keys that end with `claim`. */
function mapClaimValues(statement: Doc, claim: string, f: (value: unknown) => unknown): void {
  for (const block of conditionBlocks(statement)) {
    for (const key of Object.keys(block)) {
      if (key.endsWith(claim)) {
        const value = block[key];
        block[key] = Array.isArray(value) ? value.map(f) : f(value);
      }
    }
  }
}

function mapFederated(statement: Doc, f: (arn: string) => unknown): void {
  const principal = statement.Principal;
  if (!isObject(principal) || principal.Federated === undefined) return;
  const value = principal.Federated;
  principal.Federated = Array.isArray(value)
    ? value.map((v) => (typeof v === 'string' ? f(v) : v))
    : typeof value === 'string'
      ? f(value)
      : value;
}

// ---------------------------------------------------------------------------------------------------------------
// Clusters and the statements that trust them
// ---------------------------------------------------------------------------------------------------------------

export interface GenCluster {
  readonly accountId: string;
  readonly partition: string;
  readonly name: string;
  readonly region: string;
  readonly id: string;
  /** Issuer without scheme: the provider URL and the condition-key prefix. */
  readonly hostPath: string;
  readonly issuer: string;
}

export function providerArnFor(partition: string, accountId: string, hostPath: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${hostPath}`;
}

export function clusterArb(partition: string, accountId: string, name?: string): fc.Arbitrary<GenCluster> {
  return fc
    .record({
      name: name === undefined ? fc.constantFrom('prod', 'staging', 'dev', 'ml', 'edge') : fc.constant(name),
      region: fc.constantFrom(...(REGIONS[partition] ?? REGIONS.aws ?? [])),
      id: issuerIdArb,
    })
    .map(({ name: n, region, id }) => {
      const hostPath = `oidc.eks.${region}.${DNS_SUFFIX[partition] ?? 'amazonaws.com'}/id/${id}`;
      return { accountId, partition, name: n, region, id, hostPath, issuer: `https://${hostPath}` };
    });
}

/** What an IRSA statement is written for: a cluster's issuer and the provider ARN in the role's own account. */
export interface IrsaTarget {
  readonly hostPath: string;
  readonly providerArn: string;
}

export function targetFor(cluster: GenCluster, roleAccountId: string): IrsaTarget {
  return {
    hostPath: cluster.hostPath,
    providerArn: providerArnFor(cluster.partition, roleAccountId, cluster.hostPath),
  };
}

const oneOrMany = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> =>
  fc.oneof({ arbitrary: arb, weight: 3 }, fc.array(arb, { minLength: 1, maxLength: 3 }));

/** The reference IRSA statement: Federated provider ARN, AssumeRoleWithWebIdentity, `:sub` and `:aud` pinned. */
export function irsaStatementArb(target: IrsaTarget): fc.Arbitrary<Doc> {
  return fc
    .record({
      sid: fc.option(fc.constantFrom('IRSA', 'AllowPods', 'Cluster1'), { nil: undefined }),
      operator: fc.constantFrom('StringEquals', 'StringEquals', 'StringLike'),
      subjects: oneOrMany(subjectArb),
      namespaceWildcard: fc.boolean(),
      aud: fc.constantFrom<'same-block' | 'own-block' | 'array' | 'none'>(
        'same-block',
        'same-block',
        'own-block',
        'array',
        'none',
      ),
      audFirst: fc.boolean(),
      federatedAsArray: fc.boolean(),
      actionAsArray: fc.boolean(),
    })
    .map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: 'Allow',
      Principal: { Federated: s.federatedAsArray ? [target.providerArn] : target.providerArn },
      Action: s.actionAsArray ? [WEB_IDENTITY] : WEB_IDENTITY,
      Condition: irsaCondition(target, s),
    }));
}

/** The reference statement's Condition: `:sub` under the operator, `:aud` in the same block or its own (or none). */
function irsaCondition(
  target: IrsaTarget,
  s: {
    operator: 'StringEquals' | 'StringLike';
    subjects: string | string[];
    namespaceWildcard: boolean;
    aud: 'same-block' | 'own-block' | 'array' | 'none';
    audFirst: boolean;
  },
): Doc {
  const subKey = `${target.hostPath}:sub`;
  const audKey = `${target.hostPath}:aud`;
  let subjects = s.subjects;
  if (s.operator === 'StringLike' && s.namespaceWildcard) {
    // The documented StringLike form: every service account of one namespace.
    subjects = (Array.isArray(subjects) ? subjects : [subjects]).map((v) => v.replace(/:[^:]+$/, ':*'));
  }
  const subBlock: Doc = { [subKey]: subjects };
  const condition: Doc = {};
  const audValue = s.aud === 'array' ? [STS_AUDIENCE] : STS_AUDIENCE;
  if (s.aud === 'none') condition[s.operator] = subBlock;
  else if (s.aud === 'own-block' || s.operator !== 'StringEquals') {
    condition[s.operator] = subBlock;
    condition.StringEquals = {
      ...(isObject(condition.StringEquals) ? condition.StringEquals : {}),
      [audKey]: audValue,
    };
  } else {
    condition.StringEquals = s.audFirst ? { [audKey]: audValue, ...subBlock } : { ...subBlock, [audKey]: audValue };
  }
  return condition;
}

export function policyOf(statements: readonly Doc[]): Doc {
  return { Version: '2012-10-17', Statement: [...statements] };
}

/** A valid IRSA trust policy: 1–4 statements, each the reference statement for one of `targets`. */
export function validIrsaPolicyArb(targets: readonly IrsaTarget[]): fc.Arbitrary<Doc> {
  if (targets.length === 0) return fc.constant(policyOf([]));
  return fc
    .array(fc.nat(), { minLength: 1, maxLength: 4 })
    .chain((picks) => fc.tuple(...picks.map((i) => irsaStatementArb(targets[i % targets.length] as IrsaTarget))))
    .map(policyOf);
}

export interface PolicyWorld {
  readonly partition: string;
  /** The role's account: where its Federated providers must live. */
  readonly accountId: string;
  /** Clusters the role may be meant for (some may not exist in the estate: deleted or recreated clusters). */
  readonly clusters: readonly GenCluster[];
}

const GITHUB = 'token.actions.githubusercontent.com';

/** Statements that are not IRSA: services, accounts, Deny, GitHub Actions OIDC, SAML, EKS Pod Identity. */
export function otherStatementArb(world: Pick<PolicyWorld, 'partition' | 'accountId'>): fc.Arbitrary<Doc> {
  const { partition, accountId } = world;
  const service = fc
    .record({
      service: oneOrMany(fc.constantFrom('ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com')),
      sourceAccount: fc.boolean(),
    })
    .map(({ service: s, sourceAccount }) => ({
      Effect: 'Allow',
      Principal: { Service: s },
      Action: 'sts:AssumeRole',
      ...(sourceAccount ? { Condition: { StringEquals: { 'aws:SourceAccount': accountId } } } : {}),
    }));
  const podIdentity = fc.record({ tag: fc.boolean(), restricted: fc.boolean() }).map(({ tag, restricted }) => ({
    Effect: 'Allow',
    Principal: { Service: 'pods.eks.amazonaws.com' },
    Action: tag ? ['sts:AssumeRole', 'sts:TagSession'] : 'sts:AssumeRole',
    ...(restricted ? { Condition: { StringEquals: { 'aws:SourceAccount': accountId } } } : {}),
  }));
  const aws = fc
    .record({
      who: fc.oneof(
        accountIdArb.map((id) => `arn:${partition}:iam::${id}:root`),
        accountIdArb,
        accountIdArb.map((id) => `arn:${partition}:iam::${id}:role/ops`),
      ),
      externalId: fc.option(fc.string({ minLength: 1, maxLength: 16 }), { nil: undefined }),
    })
    .map(({ who, externalId }) => ({
      Effect: 'Allow',
      Principal: { AWS: who },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
    }));
  const deny = fc
    .record({
      principal: fc.constantFrom<unknown>('*', { AWS: '*' }, { Service: 'ec2.amazonaws.com' }),
      ip: fc.boolean(),
    })
    .map(({ principal, ip }) => ({
      Sid: 'DenyOutsideNetwork',
      Effect: 'Deny',
      Principal: principal,
      Action: 'sts:*',
      Condition: ip ? { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } : { Bool: { 'aws:SecureTransport': 'false' } },
    }));
  const github = fc
    .record({ repo: fc.constantFrom('org/app', 'org/*', 'octo/infra'), like: fc.boolean() })
    .map(({ repo, like }) => ({
      Effect: 'Allow',
      Principal: { Federated: `arn:${partition}:iam::${accountId}:oidc-provider/${GITHUB}` },
      Action: WEB_IDENTITY,
      Condition: {
        StringEquals: { [`${GITHUB}:aud`]: STS_AUDIENCE },
        [like ? 'StringLike' : 'StringEquals']: { [`${GITHUB}:sub`]: `repo:${repo}:ref:refs/heads/main` },
      },
    }));
  const saml = fc.constantFrom('Okta', 'ADFS').map((name) => ({
    Effect: 'Allow',
    Principal: { Federated: `arn:${partition}:iam::${accountId}:saml-provider/${name}` },
    Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
    Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
  }));
  return fc.oneof(service, podIdentity, aws, deny, github, saml);
}

/** IRSA statements for the world's clusters mixed with statements of other kinds (1–4 in all). */
export function mixedPolicyArb(world: PolicyWorld): fc.Arbitrary<Doc> {
  const targets = world.clusters.map((c) => targetFor(c, world.accountId));
  const statement =
    targets.length === 0
      ? otherStatementArb(world)
      : fc.oneof(fc.constantFrom(...targets).chain(irsaStatementArb), otherStatementArb(world));
  return fc.array(statement, { minLength: 1, maxLength: 4 }).map(policyOf);
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations of valid policies (object level)
// ---------------------------------------------------------------------------------------------------------------

const actionPatches: Patch[] = [
  (s) => {
    s.Action = 'sts:AssumeRole';
  },
  (s) => {
    s.Action = ['sts:AssumeRole', 'sts:TagSession'];
  },
  (s) => {
    s.Action = 'sts:AssumeRoleWithSAML';
  },
  (s) => {
    s.Action = 'sts:assumerolewithwebidentity';
  },
  (s) => {
    s.Action = 'sts:AssumeRoleWith*';
  },
  (s) => {
    s.Action = '*';
  },
  (s) => {
    s.Action = [];
  },
  (s) => {
    s.Action = `${WEB_IDENTITY} `;
  },
  (s) => {
    delete s.Action;
  },
  (s) => {
    delete s.Action;
    s.NotAction = 'sts:AssumeRole';
  },
  (s) => {
    delete s.Action;
    s.NotAction = WEB_IDENTITY;
  },
];

function principalSwapPatches(): fc.Arbitrary<Patch> {
  return fc
    .tuple(
      fc.constantFrom('eks.amazonaws.com', 'sts.amazonaws.com', 'pods.eks.amazonaws.com', 'oidc-provider'),
      fc.boolean(),
    )
    .map(([service, notPrincipal]): Patch => {
      return (s) => {
        const federated = isObject(s.Principal) ? s.Principal.Federated : undefined;
        const value = service === 'oidc-provider' ? (federated ?? 'x') : service;
        const block = { Service: value };
        if (notPrincipal) {
          delete s.Principal;
          s.NotPrincipal = { Federated: federated ?? value };
        } else s.Principal = block;
      };
    });
}

function providerPatches(world: PolicyWorld): fc.Arbitrary<Patch> {
  const rewrites: fc.Arbitrary<(arn: string) => unknown> = fc.oneof(
    issuerIdArb.map((id) => (arn: string) => arn.replace(/\/id\/[^/]*$/, `/id/${id}`)),
    fc
      .constantFrom(...ALL_REGIONS)
      .map((r) => (arn: string) => arn.replace(/oidc\.eks\.[a-z0-9-]+\./, `oidc.eks.${r}.`)),
    accountIdArb.map((id) => (arn: string) => arn.replace(/::\d{12}:/, `::${id}:`)),
    fc.constantFrom(
      (arn: string) => arn.replace(/^arn:[^:]+:/, 'arn:aws-cn:'),
      (arn: string) => arn.slice(arn.indexOf('oidc-provider/') + 'oidc-provider/'.length),
      (arn: string) => arn.replace('oidc-provider/', 'oidc-provider/https://'),
      (arn: string) => arn.replace(/oidc\.eks\.([a-z0-9-]+)\./, 'oidc.$1.eks.'),
      (arn: string) => arn.replace(/\/id\/([^/]*)$/, (_m, id: string) => `/id/${id.toLowerCase()}`),
      (arn: string) => `${arn}/`,
      (arn: string) => arn.replace('.com/', '.com:443/'),
      (arn: string) => arn.replace(/:\d{12}:/, ':*:').replace(/\/id\/.*$/, '/id/*'),
      (arn: string) => ` ${arn}`,
      () => '',
      () => '*',
      (arn: string) => arn.replace('oidc-provider/', 'saml-provider/'),
    ),
  );
  const otherCluster = fc.constantFrom(...(world.clusters.length > 0 ? world.clusters : [undefined]));
  return fc.oneof(
    rewrites.map(
      (f): Patch =>
        (s) =>
          mapFederated(s, f),
    ),
    // The provider of the cluster's own account, not the role's (cross-account IRSA done wrong).
    otherCluster.map(
      (c): Patch =>
        (s) =>
          mapFederated(s, (arn) => (c ? providerArnFor(c.partition, c.accountId, c.hostPath) : arn)),
    ),
  );
}

function conditionKeyPatches(world: PolicyWorld): fc.Arbitrary<Patch> {
  const prefixRewrites = fc.constantFrom(
    (prefix: string) => `https://${prefix}`,
    (prefix: string) => prefix.replace('/id/', '/'),
    (prefix: string) => prefix.replace(/oidc\.eks\.([a-z0-9-]+)\./, 'oidc.$1.eks.'),
    (prefix: string) => prefix.toLowerCase(),
    (prefix: string) => `arn:aws:iam::111111111111:oidc-provider/${prefix}`,
    (prefix: string) => prefix.replace(/oidc\.eks\.[a-z0-9-]+\./, 'oidc.eks.eu-central-1.'),
    (prefix: string) => `${prefix}/`,
    (prefix: string) => prefix.replace('oidc.eks', 'oidc-eks'),
  );
  const claimRewrites = fc.constantFrom(
    (claim: string) => `${claim} `,
    (claim: string) => claim.toUpperCase(),
    (claim: string) => `${claim}ject`,
    (claim: string) => claim.slice(0, 2),
    () => 'amr',
    () => 'azp',
    () => 'email',
    () => '',
  );
  const otherPrefix = fc.constantFrom(...(world.clusters.length > 0 ? world.clusters.map((c) => c.hostPath) : ['x']));
  return fc.oneof(
    fc.tuple(prefixRewrites, fc.nat()).map(
      ([f, which]): Patch =>
        (s) =>
          renameConditionKeys(s, (key, i) => {
            const colon = key.lastIndexOf(':');
            return colon > 0 && i === which % 4 ? `${f(key.slice(0, colon))}${key.slice(colon)}` : key;
          }),
    ),
    fc.tuple(claimRewrites, fc.nat()).map(
      ([f, which]): Patch =>
        (s) =>
          renameConditionKeys(s, (key, i) => {
            const colon = key.lastIndexOf(':');
            return colon > 0 && i === which % 4 ? `${key.slice(0, colon + 1)}${f(key.slice(colon + 1))}` : key;
          }),
    ),
    // Another cluster's issuer as prefix (a copy-paste from the neighbouring statement).
    otherPrefix.map(
      (other): Patch =>
        (s) =>
          renameConditionKeys(s, (key) => {
            const colon = key.lastIndexOf(':');
            return colon > 0 && key.includes('oidc.eks.') ? `${other}${key.slice(colon)}` : key;
          }),
    ),
  );
}

const subjectPatches: fc.Arbitrary<Patch> = fc
  .constantFrom(
    (v: string) => v.replace('system:serviceaccount:', 'system:serviceaccount: '),
    (v: string) => `${v} `,
    (v: string) => ` ${v}`,
    (v: string) => v.replace(/:([^:]*)$/, ':\t$1'),
    (v: string) => `${v}\n`,
    (v: string) => v.replace('system:serviceaccount:', 'system:serviceaccount:\u00A0'),
    (v: string) => v.replace('system:serviceaccount:', 'system:service-account:'),
    (v: string) => v.replace('system:serviceaccount:', ''),
    (v: string) => v.toUpperCase(),
    (v: string) => v.replace(/:[^:]*$/, ''),
    (v: string) => `${v}:extra`,
  )
  .map(
    (f): Patch =>
      (s) =>
        mapClaimValues(s, ':sub', (v) => (typeof v === 'string' ? f(v) : v)),
  );

const wildcardPatches: fc.Arbitrary<Patch> = fc
  .tuple(
    fc.constantFrom(
      'system:serviceaccount:default:*',
      'system:serviceaccount:*',
      'system:serviceaccount:*:app',
      'system:serviceaccount:team-?:app',
      '*',
      'system:*',
      '?',
      'system:serviceaccount:kube-system:aws-*',
    ),
    fc.constantFrom('StringEquals', 'StringLike', 'StringEqualsIgnoreCase', 'ForAnyValue:StringLike'),
  )
  .map(([pattern, operator]): Patch => {
    return (s) => {
      const condition = isObject(s.Condition) ? s.Condition : {};
      const key =
        removeSubKeys(condition) ?? 'oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF:sub';
      const target = isObject(condition[operator]) ? condition[operator] : {};
      target[key] = pattern;
      condition[operator] = target;
      s.Condition = condition;
    };
  });

/** Removes every `:sub` key from the condition (and the blocks left empty); the last key removed. */
function removeSubKeys(condition: Doc): string | undefined {
  let subKey: string | undefined;
  for (const [op, block] of Object.entries(condition)) {
    if (!isObject(block)) continue;
    for (const key of Object.keys(block).filter((k) => k.endsWith(':sub'))) {
      subKey = key;
      delete block[key];
      if (Object.keys(block).length === 0) delete condition[op];
    }
  }
  return subKey;
}

const swapAudSub: Patch = (s) => {
  for (const block of conditionBlocks(s)) {
    const keys = Object.keys(block);
    const sub = keys.find((k) => k.endsWith(':sub'));
    const aud = keys.find((k) => k.endsWith(':aud'));
    if (sub && aud) [block[sub], block[aud]] = [block[aud], block[sub]];
    else if (sub) block[sub] = STS_AUDIENCE;
    else if (aud) block[aud] = 'system:serviceaccount:default:app';
  }
};

/** Every operator spelling: canonical, set-qualified, IfExists, other case, and names IAM rejects. */
export const OPERATOR_FORMS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'StringEqualsIfExists',
  'StringLikeIfExists',
  'ForAnyValue:StringLike',
  'ForAllValues:StringEquals',
  'ForAllValues:StringNotLikeIfExists',
  'NumericEquals',
  'NumericLessThan',
  'DateGreaterThan',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnLike',
  'ArnNotEquals',
  'Null',
  'stringequals',
  'STRINGLIKE',
  'forallvalues:stringequals',
  // Unknown to IAM:
  'StringEqual',
  'StringEqualsIfExist',
  'ForSomeValues:StringLike',
  'ForAnyValue:Null',
  'StringLike ',
  '',
  ':',
  'IfExists',
  'toString',
  'constructor',
] as const;

const operatorPatches: fc.Arbitrary<Patch> = fc
  .tuple(fc.constantFrom(...OPERATOR_FORMS), fc.nat())
  .map(([operator, which]): Patch => {
    return (s) => {
      const condition = s.Condition;
      if (!isObject(condition)) return;
      const names = Object.keys(condition);
      const from = pick(names, which);
      if (from === undefined) return;
      const block = condition[from];
      delete condition[from];
      condition[operator] = block;
    };
  });

const conditionShapePatches: fc.Arbitrary<Patch> = fc
  .constantFrom<unknown>([], null, 'x', 1, { StringEquals: [] }, { StringEquals: 'x' }, { StringEquals: null }, {})
  .map(
    (value): Patch =>
      (s) => {
        s.Condition = clone(value);
      },
  );

/** JSON.parse keeps "__proto__" as an own key; an object literal would set the prototype instead. */
const protoPrincipal = (): unknown => JSON.parse('{"__proto__":"x","Federated":"y"}');

const principalPatches: fc.Arbitrary<Patch> = fc
  .constantFrom<() => unknown>(
    () => '*',
    () => ({ AWS: '*' }),
    () => ({ Federated: [] }),
    () => ({ Federated: 42 }),
    () => null,
    () => ({}),
    () => [],
    () => 'arn:aws:iam::111111111111:root',
    () => ({ AWS: [null, 1, true] }),
    () => ({ Federated: { nested: 'x' } }),
    () => ({ CanonicalUser: 'abc' }),
    () => ({ Federated: ['', ' '] }),
    () => 7,
    protoPrincipal,
    () => undefined,
  )
  .chain((make) =>
    fc.boolean().map((not): Patch => {
      return (s) => {
        const value = make();
        if (not) s.NotPrincipal = value;
        else if (value === undefined) delete s.Principal;
        else s.Principal = value;
      };
    }),
  );

const valuePatches: fc.Arbitrary<Patch> = fc.oneof(
  fc
    .constantFrom<unknown>(42, true, false, null, {}, [1, false], [[STS_AUDIENCE]], 1e21, -0, 1.5, [], [null], {
      a: 'b',
    })
    .chain((value) =>
      fc.constantFrom(':sub', ':aud').map(
        (claim): Patch =>
          (s) =>
            mapClaimValues(s, claim, () => clone(value)),
      ),
    ),
  fc
    .constantFrom<unknown>('allow', 'Allow ', 'ALLOW', true, null, 1, undefined, 'Deny', ['Allow'])
    .map((effect): Patch => {
      return (s) => {
        if (effect === undefined) delete s.Effect;
        else s.Effect = clone(effect);
      };
    }),
  fc.constantFrom<unknown>(42, '', null, ['a']).map((sid): Patch => {
    return (s) => {
      s.Sid = clone(sid);
    };
  }),
  fc.constantFrom('Resource', 'NotResource', 'Id', 'Foo', 'principal', 'Conditions').map((element): Patch => {
    return (s) => {
      s[element] = '*';
    };
  }),
);

function unicodePatches(): fc.Arbitrary<Patch> {
  return fc.tuple(awkwardStringArb, fc.constantFrom('sub', 'key', 'sid', 'federated', 'aud')).map(
    ([text, where]): Patch =>
      (s) => {
        if (where === 'sub') mapClaimValues(s, ':sub', (v) => (typeof v === 'string' ? `${v}${text}` : v));
        else if (where === 'aud') mapClaimValues(s, ':aud', (v) => (typeof v === 'string' ? `${text}${v}` : v));
        else if (where === 'key') renameConditionKeys(s, (key, i) => (i === 0 ? `${key}${text}` : key));
        else if (where === 'sid') s.Sid = text;
        else mapFederated(s, (arn) => `${arn}${text}`);
      },
  );
}

/** Nested arrays/objects of the given depth around a leaf value. */
export function nested(depth: number, leaf: unknown, objects = false): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = objects && i % 2 === 0 ? { k: value } : [value];
  return value;
}

const deepPatches: fc.Arbitrary<Patch> = fc
  .tuple(fc.integer({ min: 3, max: 60 }), fc.boolean(), fc.constantFrom('condition', 'element', 'principal'))
  .map(([depth, objects, where]): Patch => {
    return (s) => {
      const value = nested(depth, 'x', objects);
      if (where === 'element') s.Deep = value;
      else if (where === 'principal') s.Principal = { Federated: value };
      else mapClaimValues(s, ':sub', () => clone(value));
    };
  });

/**
 * Long runs of "/" and of "${" once cost quadratic time (the /\/+$/ trims in lambdas/domain/arn.ts and the
 * policy-variable pattern in conditions.ts); they stay in the corpus at full length to keep it that way.
 */
export const LONG_RUN = 200_000;

const hugeStringPatches: fc.Arbitrary<Patch> = fc
  .tuple(
    fc.oneof(
      fc.tuple(
        fc.constantFrom('a', '*', 'system:serviceaccount:', ' ', 'é', '😀', '\\"', ':', '%25'),
        fc.integer({ min: 10_000, max: 200_000 }),
      ),
      fc.tuple(fc.constantFrom('/', '${'), fc.integer({ min: 1_000, max: LONG_RUN })),
    ),
    fc.constantFrom('sub', 'sid', 'key', 'federated'),
  )
  .map(([[unit, length], where]): Patch => {
    return (s) => {
      const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
      if (where === 'sub') mapClaimValues(s, ':sub', () => `system:serviceaccount:default:${text}`);
      else if (where === 'sid') s.Sid = text;
      else if (where === 'key') renameConditionKeys(s, (key, i) => (i === 0 ? `${text}${key}` : key));
      else mapFederated(s, (arn) => `${arn}${text}`);
    };
  });

/** Statement-level patches, each applied to one statement picked by index. */
function statementPatchArb(world: PolicyWorld, allowHuge: boolean): fc.Arbitrary<Patch> {
  return fc.oneof(
    fc.constantFrom(...actionPatches),
    principalSwapPatches(),
    { arbitrary: providerPatches(world), weight: 2 },
    { arbitrary: conditionKeyPatches(world), weight: 2 },
    { arbitrary: subjectPatches, weight: 2 },
    wildcardPatches,
    fc.constant(swapAudSub),
    { arbitrary: operatorPatches, weight: 2 },
    conditionShapePatches,
    principalPatches,
    { arbitrary: valuePatches, weight: 2 },
    unicodePatches(),
    deepPatches,
    { arbitrary: allowHuge ? hugeStringPatches : subjectPatches, weight: 1 },
  );
}

/** Document-level patches: merged clusters, hundreds of statements, odd Statement/Version values. */
function documentPatchArb(world: PolicyWorld, allowHuge: boolean): fc.Arbitrary<Patch> {
  const merge: Patch = (doc) => {
    // Several clusters in one statement: their keys are ANDed, so no token satisfies them all.
    const targets = world.clusters.map((c) => targetFor(c, world.accountId));
    if (targets.length === 0) return;
    const keys: Doc = {};
    for (const t of targets) {
      keys[`${t.hostPath}:sub`] = 'system:serviceaccount:default:app';
      keys[`${t.hostPath}:aud`] = STS_AUDIENCE;
    }
    const statements = statementsOf(doc);
    statements.push({
      Effect: 'Allow',
      Principal: { Federated: targets.map((t) => t.providerArn) },
      Action: WEB_IDENTITY,
      Condition: { StringEquals: keys },
    });
    doc.Statement = statements;
  };
  const repeat = fc.integer({ min: 100, max: allowHuge ? 400 : 120 }).map((count): Patch => {
    return (doc) => {
      const statements = statementsOf(doc);
      const out: Doc[] = [];
      for (let i = 0; i < count && statements.length > 0; i++)
        out.push(clone(statements[i % statements.length] as Doc));
      doc.Statement = out;
    };
  });
  const shapes = fc.constantFrom<Patch>(
    (doc) => {
      doc.Statement = statementsOf(doc)[0] ?? {};
    },
    (doc) => {
      doc.Statement = null;
    },
    (doc) => {
      doc.Statement = 'Allow';
    },
    (doc) => {
      doc.Statement = [];
    },
    (doc) => {
      doc.Statement = [null, 1, 'x', [], ...statementsOf(doc)];
    },
    (doc) => {
      delete doc.Statement;
    },
    (doc) => {
      doc.Version = '2008-10-17';
    },
    (doc) => {
      doc.Version = 1;
    },
    (doc) => {
      delete doc.Version;
    },
    (doc) => {
      doc.Id = 'policy-1';
      doc.Extra = { a: 1 };
    },
  );
  return fc.oneof({ arbitrary: fc.constant(merge), weight: 2 }, repeat, { arbitrary: shapes, weight: 3 });
}

/** A policy object with 1–3 patches applied (statement- or document-level). */
export function mutatedDocArb(base: Doc, world: PolicyWorld, allowHuge = true): fc.Arbitrary<Doc> {
  const step = fc.oneof(
    {
      arbitrary: fc.tuple(fc.constant<'statement'>('statement'), fc.nat(), statementPatchArb(world, allowHuge)),
      weight: 4,
    },
    {
      arbitrary: fc.tuple(fc.constant<'document'>('document'), fc.nat(), documentPatchArb(world, allowHuge)),
      weight: 1,
    },
  );
  return fc.array(step, { minLength: 1, maxLength: 3 }).map((steps) => {
    const doc = clone(base);
    for (const [scope, index, patch] of steps) {
      if (scope === 'document') patch(doc);
      else {
        const statement = pick(statementsOf(doc), index);
        if (statement) patch(statement);
      }
    }
    return doc;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Text forms and text-level mutations
// ---------------------------------------------------------------------------------------------------------------

/**
 * JSON text in which one object repeats keys: `extra` entries are written before the object's own ones, so
 * JSON.parse (last wins) still returns the object as it is.
 */
export function toJsonWithExtraKeys(
  value: unknown,
  extras: ReadonlyMap<object, ReadonlyArray<[string, unknown]>>,
): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => toJsonWithExtraKeys(v, extras)).join(',')}]`;
  const entries: Array<[string, unknown]> = [...(extras.get(value) ?? []), ...Object.entries(value)];
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonWithExtraKeys(v, extras)}`).join(',')}}`;
}

/** Every object of a JSON value, depth first, in document order. */
function objectsOf(value: unknown, out: Doc[] = []): Doc[] {
  if (Array.isArray(value)) for (const v of value) objectsOf(v, out);
  else if (isObject(value)) {
    out.push(value);
    for (const v of Object.values(value)) objectsOf(v, out);
  }
  return out;
}

/** Raw text with duplicate keys: the documented "two StringEquals blocks" mistake, or any key repeated. */
export function duplicateKeyTextArb(doc: Doc, allowHuge = true): fc.Arbitrary<string> {
  const splitBlocks = fc.nat().map((which) => {
    const copy = clone(doc);
    const extras = new Map<object, Array<[string, unknown]>>();
    const statement = pick(statementsOf(copy), which);
    const condition = statement?.Condition;
    if (isObject(condition)) {
      for (const [operator, block] of Object.entries(condition)) {
        if (!isObject(block)) continue;
        const keys = Object.keys(block);
        if (keys.length < 2) continue;
        // {"StringEquals": {sub}, "StringEquals": {aud}}: JSON.parse keeps only the second block.
        const [first, ...rest] = keys;
        extras.set(condition, [[operator, { [first as string]: block[first as string] }]]);
        condition[operator] = Object.fromEntries(rest.map((k) => [k, block[k]]));
        break;
      }
    }
    return toJsonWithExtraKeys(copy, extras);
  });
  const repeatKey = fc
    .tuple(fc.nat(), fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant('sts.amazonaws.com')), fc.nat(3))
    .map(([o, k, alt, times]) => {
      const copy = clone(doc);
      const target = pick(objectsOf(copy), o);
      const extras = new Map<object, Array<[string, unknown]>>();
      const key = target ? pick(Object.keys(target), k) : undefined;
      if (target && key !== undefined)
        extras.set(
          target,
          Array.from({ length: times + 1 }, () => [key, alt]),
        );
      return toJsonWithExtraKeys(copy, extras);
    });
  // Thousands of repeats of one key (a generated or concatenated document gone wrong).
  const manyRepeats = fc.integer({ min: 1_000, max: 20_000 }).map((count) => {
    const extras = new Map<object, Array<[string, unknown]>>();
    const copy = clone(doc);
    extras.set(
      copy,
      Array.from({ length: count }, (_v, i): [string, unknown] => ['Version', i]),
    );
    return toJsonWithExtraKeys(copy, extras);
  });
  return allowHuge
    ? fc.oneof({ arbitrary: splitBlocks, weight: 3 }, { arbitrary: repeatKey, weight: 3 }, manyRepeats)
    : fc.oneof(splitBlocks, repeatKey);
}

/** The forms a valid document arrives in: parsed object, compact or pretty text, URL-encoded once or twice. */
export function encodedFormArb(doc: Doc): fc.Arbitrary<string | Doc> {
  const text = JSON.stringify(doc);
  return fc
    .constantFrom<() => string | Doc>(
      () => doc,
      () => text,
      () => JSON.stringify(doc, null, 2),
      () => JSON.stringify(doc, null, '\t').replace(/\n/g, '\r\n'),
      () => `\n  ${text}\n`,
      () => rfc3986(text),
      () => rfc3986(rfc3986(text)),
      () => encodeURIComponent(JSON.stringify(doc, null, 4)),
    )
    .map((make) => make());
}

/** Text mutations: truncated, garbled, badly encoded, wrapped, commented. */
export function garbledTextArb(text: string): fc.Arbitrary<string> {
  const at = fc.nat({ max: Math.max(0, text.length) });
  return fc.oneof(
    at.map((i) => text.slice(0, i)),
    fc.tuple(at, awkwardStringArb).map(([i, s]) => `${text.slice(0, i)}${s}${text.slice(i)}`),
    fc.tuple(at, fc.integer({ min: 1, max: 5 })).map(([i, n]) => `${text.slice(0, i)}${text.slice(i + n)}`),
    fc
      .tuple(at, fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', '%', '\n'))
      .map(([i, c]) => `${text.slice(0, i)}${c}${text.slice(i + 1)}`),
    fc
      .constantFrom(
        () => rfc3986(text).slice(0, -1),
        () => `${rfc3986(text)}%E0%A4%A`,
        () => rfc3986(text).replace('%22', '%ZZ'),
        () => rfc3986(text).replace(/%([0-9A-F]{2})/g, (_m, h: string) => `%${h.toLowerCase()}`),
        () => encodeURIComponent(text).replace(/%20/g, '+'),
        () => text.replace(/[{}"]/g, (c) => encodeURIComponent(c)),
        () => rfc3986(rfc3986(rfc3986(rfc3986(text)))),
        () => `\uFEFF${text}`,
        () => text.replace(/}$/, ',}'),
        () => `// trust policy\n${text}`,
        () => text.replace(/"/g, "'"),
        () => JSON.stringify(text),
        () => `[${text}]`,
        () => text.slice(1),
        () => `${text}${text}`,
        () => `{"Role":{"AssumeRolePolicyDocument":${text}}}`,
        () => '{}',
        () => 'null',
        () => '%',
      )
      .map((make) => attempt(make, text)),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Trust-policy inputs
// ---------------------------------------------------------------------------------------------------------------

/** A role's trust policy in any form `parseTrustPolicy` may meet: valid, other kinds, mutated, raw text. */
export function policyInputArb(world: PolicyWorld, options: { allowHuge?: boolean } = {}): fc.Arbitrary<unknown> {
  const allowHuge = options.allowHuge ?? true;
  const targets = world.clusters.map((c) => targetFor(c, world.accountId));
  const valid = validIrsaPolicyArb(targets);
  const mixed = mixedPolicyArb(world);
  const base = fc.oneof({ arbitrary: valid, weight: 2 }, mixed);
  const mutated = base.chain((doc) => mutatedDocArb(doc, world, allowHuge));
  return fc.oneof(
    { arbitrary: valid.chain(encodedFormArb), weight: 3 },
    { arbitrary: mixed.chain(encodedFormArb), weight: 2 },
    { arbitrary: mutated.chain(encodedFormArb), weight: 6 },
    {
      arbitrary: base.chain((doc) => duplicateKeyTextArb(doc, allowHuge)).chain((t) => fc.constantFrom(t, rfc3986(t))),
      weight: 2,
    },
    { arbitrary: mutated.chain((doc) => duplicateKeyTextArb(doc, allowHuge)), weight: 1 },
    { arbitrary: base.chain((doc) => garbledTextArb(JSON.stringify(doc))), weight: 2 },
    { arbitrary: mutated.chain((doc) => garbledTextArb(JSON.stringify(doc))), weight: 1 },
  );
}

/** A world of 1–3 clusters for policies outside a snapshot. */
export const policyWorldArb: fc.Arbitrary<PolicyWorld> = fc
  .tuple(partitionArb, accountIdArb)
  .chain(([partition, accountId]) =>
    fc
      .array(fc.tuple(accountIdArb, fc.constantFrom('prod', 'dev', 'ml')), { minLength: 1, maxLength: 3 })
      .chain((owners) => fc.tuple(...owners.map(([owner, name]) => clusterArb(partition, owner, name))))
      .map((clusters) => ({ partition, accountId, clusters })),
  );

/** Any trust-policy input, with its own world of clusters. */
export const trustPolicyInputArb: fc.Arbitrary<unknown> = policyWorldArb.chain((world) => policyInputArb(world));

/** Only valid IRSA policies, in every form they arrive in. */
export const validTrustPolicyInputArb: fc.Arbitrary<{ doc: Doc; input: string | Doc }> = policyWorldArb
  .chain((world) => validIrsaPolicyArb(world.clusters.map((c) => targetFor(c, world.accountId))))
  .chain((doc) => encodedFormArb(doc).map((input) => ({ doc, input })));

// ---------------------------------------------------------------------------------------------------------------
// Estate snapshots
// ---------------------------------------------------------------------------------------------------------------

interface AccountPlan {
  readonly accountId: string;
  readonly clusters: readonly GenCluster[];
  readonly roleNames: readonly string[];
}

interface EstatePlan {
  readonly partition: string;
  readonly accounts: readonly AccountPlan[];
  /** Clusters that no longer exist (deleted, recreated with a new issuer): stale trust and orphaned providers. */
  readonly ghosts: readonly GenCluster[];
}

const ROLE_NAMES = ['lbc', 'ebs-csi', 'app', 'ci', 'admin', 'pod-identity'];

const estatePlanArb: fc.Arbitrary<EstatePlan> = partitionArb.chain((partition) =>
  fc
    .uniqueArray(accountIdArb, { minLength: 1, maxLength: 4 })
    .chain((ids) =>
      fc.record({
        accounts: fc.tuple(
          ...ids.map((accountId) =>
            fc.record({
              accountId: fc.constant(accountId),
              clusters: fc
                .uniqueArray(fc.constantFrom('prod', 'staging', 'dev', 'ml', 'edge'), { maxLength: 3 })
                .chain((names) => fc.tuple(...names.map((n) => clusterArb(partition, accountId, n)))),
              roleNames: fc.uniqueArray(fc.constantFrom(...ROLE_NAMES), { maxLength: 4 }),
            }),
          ),
        ),
        ghosts: fc
          .array(fc.tuple(fc.constantFrom(...ids), fc.constantFrom('old', 'prod')), { maxLength: 2 })
          .chain((owners) => fc.tuple(...owners.map(([owner, name]) => clusterArb(partition, owner, name)))),
      }),
    )
    .map(({ accounts, ghosts }) => ({ partition, accounts, ghosts })),
);

function roleArnOf(partition: string, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:role/${name}`;
}

function clusterSnapshotArb(c: GenCluster): fc.Arbitrary<ClusterSnapshot> {
  return fc
    .record({
      issuer: fc.oneof(
        { arbitrary: fc.constant<string | null>(c.issuer), weight: 12 },
        fc.constantFrom<string | null>(null, `${c.issuer}/`, c.issuer.replace('https://', 'HTTPS://'), c.hostPath),
      ),
      status: fc.constantFrom('ACTIVE', 'ACTIVE', 'CREATING', 'UPDATING'),
      extras: fc.boolean(),
    })
    .map(({ issuer, status, extras }) => ({
      name: c.name,
      region: c.region,
      status: issuer === null ? 'CREATING' : status,
      oidcIssuer: issuer,
      ...(extras
        ? {
            version: '1.31',
            platformVersion: 'eks.12',
            arn: `arn:${c.partition}:eks:${c.region}:${c.accountId}:cluster/${c.name}`,
            tags: { team: 'platform' },
          }
        : {}),
    }));
}

function providerSnapshotArb(
  partition: string,
  accountId: string,
  c: GenCluster | undefined,
): fc.Arbitrary<OidcProviderSnapshot> {
  const host = c?.hostPath ?? `oidc.eks.us-east-1.amazonaws.com/id/${'F'.repeat(32)}`;
  const url = fc.oneof(
    { arbitrary: fc.constant(host), weight: 10 },
    fc.constantFrom(
      `https://${host}`,
      `${host}/`,
      host.replace('.com/', '.com:443/'),
      host.replace(/oidc\.eks\.([a-z0-9-]+)\./, 'oidc.$1.eks.'),
      host.replace(/\/id\/(.*)$/, (_m, id: string) => `/id/${id.toLowerCase()}`),
      host.toUpperCase(),
      GITHUB,
      'accounts.google.com',
      'oidc.eks.us-west-2.amazonaws.com',
      `${host}😀`,
    ),
  );
  const tls = fc.record(
    {
      host: fc.constant(host.split('/')[0] ?? host),
      topCaThumbprint: thumbprintArb,
      leafThumbprint: thumbprintArb,
      publiclyTrusted: fc.boolean(),
      checkedAt: fc.constant('2025-01-01T00:00:00Z'),
      error: fc.constantFrom('timeout', 'ECONNREFUSED'),
    },
    { requiredKeys: ['host'] },
  );
  return fc
    .record(
      {
        url,
        clientIds: fc.oneof(
          { arbitrary: fc.constant([STS_AUDIENCE]), weight: 6 },
          fc.constantFrom<string[]>([], ['sts.amazonaws.com.cn'], ['my-audience'], [STS_AUDIENCE, 'vault']),
        ),
        thumbprints: fc.oneof(
          { arbitrary: fc.array(thumbprintArb, { maxLength: 2 }), weight: 6 },
          fc.array(thumbprintArb, { minLength: 6, maxLength: 7 }),
          fc.array(fc.constantFrom('not-a-thumbprint', '', 'ABC', '9E99A48A9960B14926BB7F3B02E22DA2B0AB7280'), {
            minLength: 1,
            maxLength: 3,
          }),
        ),
        tls,
        tags: fc.constant({ 'alpha.eksctl.io/cluster-name': c?.name ?? 'unknown' }),
        createDate: fc.constant('2024-05-01T00:00:00Z'),
      },
      { requiredKeys: ['url', 'clientIds', 'thumbprints'] },
    )
    .map((p) => ({ ...p, arn: providerArnFor(partition, accountId, p.url) }));
}

function roleSnapshotArb(plan: EstatePlan, account: AccountPlan, name: string): fc.Arbitrary<RoleSnapshot> {
  const estateClusters = plan.accounts.flatMap((a) => a.clusters);
  const world: PolicyWorld = {
    partition: plan.partition,
    accountId: account.accountId,
    // Mostly the clusters of the role's own account, sometimes any cluster, including the ghosts.
    clusters: account.clusters.length > 0 ? account.clusters : [...estateClusters, ...plan.ghosts],
  };
  const everyCluster = [...estateClusters, ...plan.ghosts];
  const worldArb =
    everyCluster.length === 0
      ? fc.constant(world)
      : fc.oneof(
          { arbitrary: fc.constant(world), weight: 3 },
          fc.subarray(everyCluster, { minLength: 1 }).map((clusters) => ({ ...world, clusters })),
        );
  return fc
    .record({
      trustPolicy: worldArb.chain((w) =>
        fc.oneof({ arbitrary: policyInputArb(w, { allowHuge: false }), weight: 30 }, policyInputArb(w)),
      ),
      extras: fc.boolean(),
    })
    .map(({ trustPolicy, extras }) => ({
      arn: roleArnOf(plan.partition, account.accountId, name),
      name,
      trustPolicy: asSchemaTrustPolicy(trustPolicy),
      ...(extras ? { path: '/', tags: { owner: 'team' }, createDate: '2024-01-01T00:00:00Z' } : {}),
    }));
}

/** The snapshot schema takes a string or an object: anything else (arrays, null, numbers) is kept as its JSON text. */
export function asSchemaTrustPolicy(value: unknown): string | Doc {
  // The schema bounds a trust policy to MAX_TRUST_POLICY_TEXT characters (as text, or an object as JSON): deeper or
  // longer generated documents are cut there (and then exercise the analyzer as garbled text).
  if (isObject(value) && JSON.stringify(value).length <= MAX_TRUST_POLICY_TEXT) return value;
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
  return text.slice(0, MAX_TRUST_POLICY_TEXT);
}

function roleArnChoicesArb(plan: EstatePlan, account: AccountPlan): fc.Arbitrary<string> {
  const existing = plan.accounts.flatMap((a) => a.roleNames.map((n) => roleArnOf(plan.partition, a.accountId, n)));
  const own = account.roleNames.map((n) => roleArnOf(plan.partition, account.accountId, n));
  return fc.oneof(
    {
      arbitrary:
        own.length > 0 ? fc.constantFrom(...own) : fc.constant(roleArnOf(plan.partition, account.accountId, 'lbc')),
      weight: 6,
    },
    {
      arbitrary: existing.length > 0 ? fc.constantFrom(...existing) : fc.constant('arn:aws:iam::111111111111:role/x'),
      weight: 2,
    },
    fc.tuple(accountIdArb, fc.constantFrom(...ROLE_NAMES)).map(([id, n]) => roleArnOf(plan.partition, id, n)),
    fc.constantFrom(
      '',
      ' ',
      'role/lbc',
      'arn:aws:iam::123:role/lbc',
      `arn:aws:iam::${account.accountId}:role/`,
      `arn:aws-cn:iam::${account.accountId}:role/lbc`,
      `arn:${plan.partition}:iam::${account.accountId}:role/lbc `,
      `arn:${plan.partition}:iam::${account.accountId}:user/lbc`,
      `arn:${plan.partition}:iam::${account.accountId}:role/path/lbc`,
      'arn:aws:iam::111111111111:role/😀',
    ),
  );
}

function serviceAccountArb(plan: EstatePlan, account: AccountPlan): fc.Arbitrary<ServiceAccountSnapshot> {
  const where = fc.oneof(
    {
      arbitrary: account.clusters.length > 0 ? fc.constantFrom(...account.clusters) : fc.constant(undefined),
      weight: 5,
    },
    fc.constant(undefined),
  );
  return fc
    .record(
      {
        where,
        namespace: namespaceArb,
        name: saNameArb,
        roleArn: roleArnChoicesArb(plan, account),
        audience: fc.constantFrom(STS_AUDIENCE, 'vault', 'my-audience'),
        source: fc.constantFrom<'addon' | 'kubernetes' | 'declared'>('addon', 'kubernetes', 'declared'),
        addon: fc.constantFrom('vpc-cni', 'aws-ebs-csi-driver'),
      },
      { requiredKeys: ['where', 'namespace', 'name'] },
    )
    .map(({ where: c, ...rest }) => ({
      cluster: c?.name ?? 'unknown-cluster',
      region: c?.region ?? 'us-east-1',
      ...rest,
    }));
}

function associationArb(plan: EstatePlan, account: AccountPlan): fc.Arbitrary<PodIdentityAssociationSnapshot> {
  const where = account.clusters.length > 0 ? fc.constantFrom(...account.clusters) : fc.constant(undefined);
  return fc
    .record(
      {
        where,
        namespace: namespaceArb,
        serviceAccount: saNameArb,
        // An association always names a role (the schema requires a non-empty ARN).
        roleArn: roleArnChoicesArb(plan, account).map((a) => a || ' '),
        targetRoleArn: roleArnChoicesArb(plan, account).map((a) => a || ' '),
        associationId: fc.constant('a-0123456789abcdef0'),
        disableSessionTags: fc.boolean(),
      },
      { requiredKeys: ['where', 'namespace', 'serviceAccount', 'roleArn'] },
    )
    .map(({ where: c, ...rest }) => ({
      cluster: c?.name ?? 'unknown-cluster',
      region: c?.region ?? 'us-east-1',
      ...rest,
    }));
}

const collectionArb: fc.Arbitrary<CollectionStatus> = fc.record(
  {
    status: fc.constantFrom<'complete' | 'partial' | 'unreachable'>('complete', 'partial', 'unreachable'),
    regions: fc.subarray(ALL_REGIONS),
    errors: fc.array(
      fc.record(
        {
          operation: fc.constantFrom('eks:ListClusters', 'iam:ListRoles', 'sts:AssumeRole'),
          region: fc.constantFrom(...ALL_REGIONS),
          code: fc.constantFrom('AccessDenied', 'Throttling'),
          message: fc.constantFrom('Rate exceeded', 'not authorized'),
        },
        { requiredKeys: ['operation', 'code', 'message'] },
      ),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['status'] },
);

function accountSnapshotArb(plan: EstatePlan, account: AccountPlan): fc.Arbitrary<AccountSnapshot> {
  const providerClusters: Array<GenCluster | undefined> = [
    ...plan.accounts.flatMap((a) => a.clusters),
    ...plan.ghosts,
    undefined,
  ];
  return fc
    .record(
      {
        name: fc.constantFrom('prod', 'sandbox'),
        collection: collectionArb,
        quotas: fc.record(
          {
            oidcProvidersPerAccount: fc.integer({ min: 1, max: 100 }),
            trustPolicyLength: fc.integer({ min: 1, max: 4096 }),
          },
          { requiredKeys: [] },
        ),
        clusters: fc.tuple(...account.clusters.map(clusterSnapshotArb)),
        providers: fc.oneof(
          // Usually one provider per own cluster (the working setup), plus a few others.
          {
            arbitrary: fc.tuple(
              fc.tuple(...account.clusters.map((c) => providerSnapshotArb(plan.partition, account.accountId, c))),
              fc.array(
                fc
                  .constantFrom(...providerClusters)
                  .chain((c) => providerSnapshotArb(plan.partition, account.accountId, c)),
                { maxLength: 2 },
              ),
            ),
            weight: 3,
          },
          fc.tuple(
            fc.constant([]),
            fc.array(
              fc
                .constantFrom(...providerClusters)
                .chain((c) => providerSnapshotArb(plan.partition, account.accountId, c)),
              { maxLength: 4 },
            ),
          ),
        ),
        roles: fc.tuple(...account.roleNames.map((n) => roleSnapshotArb(plan, account, n))),
        serviceAccounts: fc.array(serviceAccountArb(plan, account), { maxLength: 3 }),
        podIdentityAssociations: fc.array(associationArb(plan, account), { maxLength: 2 }),
      },
      { requiredKeys: ['clusters', 'providers', 'roles'] },
    )
    .map(({ providers, ...rest }) => {
      // Provider ARNs are unique within an account (IAM keys providers by URL).
      const byArn = new Map<string, OidcProviderSnapshot>();
      for (const p of [...providers[0], ...providers[1]]) if (!byArn.has(p.arn)) byArn.set(p.arn, p);
      return { accountId: account.accountId, ...rest, oidcProviders: [...byArn.values()] };
    });
}

/** Schema-valid estate snapshots: 1–4 accounts with clusters, providers, roles, workloads and collection status. */
export const snapshotArb: fc.Arbitrary<EstateSnapshot> = estatePlanArb.chain((plan) =>
  fc
    .record({
      accounts: fc.tuple(...plan.accounts.map((a) => accountSnapshotArb(plan, a))),
      generatedAt: fc.option(fc.constant('2025-06-01T12:00:00Z'), { nil: undefined }),
    })
    .map(({ accounts, generatedAt }) => ({
      schemaVersion: 1 as const,
      partition: plan.partition,
      ...(generatedAt ? { generatedAt, generator: 'arbitraries' } : {}),
      accounts,
    })),
);
