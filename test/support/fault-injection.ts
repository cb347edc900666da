/**
 * Fault injection for planner property tests: a small, valid IRSA estate (account 111111111111, one or two clusters
 * with their providers, one role, a known service account that uses the role on cluster one), 0–3 unrelated
 * statements around the IRSA statement, and exactly ONE catalog fault injected into it.
 *
 * Everything a test needs to judge the planner's fix is returned as plain data next to the snapshot: the intended
 * subject, the unrelated statements in document order, and what the fault's fix may legitimately newly allow (a
 * wildcard meant as one, a value hidden by a duplicate key, the service account on a second cluster).
 *
 * Deterministic for a given fast-check seed: no Math.random, no clock.
 */
import fc from 'fast-check';
import type { EstateSnapshot } from '../../lambdas/domain/snapshot';
import { issuerIdArb } from './arbitraries';
import { account, type BuiltCluster, cluster, estate, provider, role, sa, serviceAccount } from './estate-builder';

export type Doc = Record<string, unknown>;

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';
export const WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';
export const STS_AUDIENCE = 'sts.amazonaws.com';
export const GITHUB_ISSUER = 'token.actions.githubusercontent.com';
export const GITHUB_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB_ISSUER}`;

/** The faults, each with the catalog rule it must be reported (and fixed) as. */
export const FAULTS = {
  'wrong-action': 'IRSA-010',
  'service-principal': 'IRSA-011',
  'provider-other-account': 'IRSA-002',
  'wrong-partition': 'IRSA-044',
  'key-prefix-typo': 'IRSA-013',
  'claim-typo': 'IRSA-014',
  'aud-sub-swapped': 'IRSA-014',
  'stray-space': 'IRSA-015',
  'wrong-namespace': 'IRSA-016',
  'wildcard-under-equals': 'IRSA-017',
  'missing-aud': 'IRSA-019',
  'wrong-aud': 'IRSA-020',
  'merged-clusters': 'IRSA-021',
  'duplicate-sub': 'IRSA-022',
  'second-cluster-untrusted': 'IRSA-031',
} as const;

export type FaultKind = keyof typeof FAULTS;
export const FAULT_KINDS = Object.keys(FAULTS) as FaultKind[];

/** A cluster as plain data (printable in a counterexample). */
export interface ClusterInfo {
  readonly name: string;
  readonly region: string;
  /** Issuer without scheme: provider URL and condition-key prefix. */
  readonly hostPath: string;
  /** The provider ARN in the role's account. */
  readonly providerArn: string;
}

export interface FaultCase {
  readonly fault: FaultKind;
  readonly ruleId: string;
  readonly snapshot: EstateSnapshot;
  readonly roleArn: string;
  readonly one: ClusterInfo;
  /** Cluster two: in the estate when `twoInEstate`, else only a provider ARN to probe with. */
  readonly two: ClusterInfo;
  readonly twoInEstate: boolean;
  readonly namespace: string;
  readonly name: string;
  /** system:serviceaccount:<namespace>:<name>: the known service account, on cluster one. */
  readonly subject: string;
  /** The same service account on cluster two (IRSA-021 and IRSA-031 only). */
  readonly onTwo: boolean;
  /** The unrelated statements, in document order. */
  readonly extras: readonly Doc[];
  /** Principals and contexts the unrelated statements name, for probes. */
  readonly extraPrincipals: readonly { readonly type: 'Service' | 'AWS'; readonly id: string }[];
  readonly externalIds: readonly string[];
  /** Namespace an extra Deny statement targets (never the service account's). */
  readonly denyNamespace: string;
  readonly wrongNamespace: string;
  /** IRSA-017: the wildcard pattern written under StringEquals. */
  readonly wildcard?: string;
  /** IRSA-022: the :sub value JSON parsers drop (the first of the repeated key). */
  readonly dropped?: string;
  /** IRSA-022: the :sub value they keep. */
  readonly kept?: string;
  /** IRSA-013: the mistyped condition-key prefix. */
  readonly typoHost?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------------------

const NAMESPACES = ['default', 'team-a', 'payments', 'data', 'kube-system'] as const;
const NAMES = ['app', 'sync', 'worker-1', 'ebs-csi-controller-sa', 'api.v2'] as const;
const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const namespaceArb = fc.oneof({ arbitrary: fc.constantFrom(...NAMESPACES), weight: 4 }, label);
const nameArb = fc.oneof({ arbitrary: fc.constantFrom(...NAMES), weight: 4 }, label);

const info = (c: BuiltCluster): ClusterInfo => ({
  name: c.snapshot.name,
  region: c.snapshot.region,
  hostPath: c.hostPath,
  providerArn: c.providerArn(),
});

/** Makes `id` differ from every id in `taken` (flips its last hex digit until it does). */
function distinctId(id: string, taken: readonly string[]): string {
  let out = id;
  while (taken.includes(out)) {
    const last = Number.parseInt(out.slice(-1), 16);
    out = `${out.slice(0, -1)}${((last + 1) % 16).toString(16).toUpperCase()}`;
  }
  return out;
}

/** A namespace that differs from every one in `taken` (suffixing a digit). */
function distinctNamespace(ns: string, taken: readonly string[]): string {
  let out = ns;
  for (let i = 2; taken.includes(out); i++) out = `${ns}${i}`;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Unrelated statements
// ---------------------------------------------------------------------------------------------------------------

type ExtraSpec =
  | { kind: 'service'; service: string; condition: 'none' | 'source-ip' | 'source-account'; sid: boolean }
  | { kind: 'aws'; who: 'root' | 'bare' | 'role'; account: string; tag: boolean; externalId?: string }
  | { kind: 'github'; repo: string; like: boolean }
  | { kind: 'deny-namespace'; star: boolean }
  | { kind: 'deny-tag-session'; principal: 'star' | 'aws-star'; condition: boolean };

const extraSpecArb: fc.Arbitrary<ExtraSpec> = fc.oneof(
  fc.record({
    kind: fc.constant('service' as const),
    service: fc.constantFrom('ec2.amazonaws.com', 'lambda.amazonaws.com'),
    condition: fc.constantFrom('none' as const, 'source-ip' as const, 'source-account' as const),
    sid: fc.boolean(),
  }),
  fc.record(
    {
      kind: fc.constant('aws' as const),
      who: fc.constantFrom('root' as const, 'bare' as const, 'role' as const),
      account: fc.constantFrom(OTHER_ACCOUNT, '333333333333', ACCOUNT),
      tag: fc.boolean(),
      externalId: fc.constantFrom('ext-1234', 'Partner!42'),
    },
    { requiredKeys: ['kind', 'who', 'account', 'tag'] },
  ),
  fc.record({
    kind: fc.constant('github' as const),
    repo: fc.constantFrom('org/app', 'org/*', 'octo/infra'),
    like: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('deny-namespace' as const), star: fc.boolean() }),
  fc.record({
    kind: fc.constant('deny-tag-session' as const),
    principal: fc.constantFrom('star' as const, 'aws-star' as const),
    condition: fc.boolean(),
  }),
);

function serviceStatement(spec: Extract<ExtraSpec, { kind: 'service' }>): Doc {
  return {
    ...(spec.sid ? { Sid: 'AllowService' } : {}),
    Effect: 'Allow',
    Principal: { Service: spec.service },
    Action: 'sts:AssumeRole',
    ...(spec.condition === 'source-ip'
      ? { Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] } } }
      : spec.condition === 'source-account'
        ? { Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } }
        : {}),
  };
}

function awsStatement(spec: Extract<ExtraSpec, { kind: 'aws' }>): Doc {
  const who =
    spec.who === 'root'
      ? `arn:aws:iam::${spec.account}:root`
      : spec.who === 'bare'
        ? spec.account
        : `arn:aws:iam::${spec.account}:role/ops`;
  return {
    Effect: 'Allow',
    Principal: { AWS: who },
    Action: spec.tag ? ['sts:AssumeRole', 'sts:TagSession'] : 'sts:AssumeRole',
    ...(spec.externalId ? { Condition: { StringEquals: { 'sts:ExternalId': spec.externalId } } } : {}),
  };
}

function buildExtra(spec: ExtraSpec, one: ClusterInfo, denyNamespace: string): Doc {
  switch (spec.kind) {
    case 'service':
      return serviceStatement(spec);
    case 'aws':
      return awsStatement(spec);
    case 'github':
      return {
        Effect: 'Allow',
        Principal: { Federated: GITHUB_PROVIDER },
        Action: WEB_IDENTITY,
        Condition: {
          StringEquals: { [`${GITHUB_ISSUER}:aud`]: STS_AUDIENCE },
          [spec.like ? 'StringLike' : 'StringEquals']: {
            [`${GITHUB_ISSUER}:sub`]: `repo:${spec.repo}:ref:refs/heads/main`,
          },
        },
      };
    case 'deny-namespace':
      return {
        Sid: 'DenyOtherNamespace',
        Effect: 'Deny',
        Principal: spec.star ? '*' : { Federated: one.providerArn },
        Action: WEB_IDENTITY,
        Condition: { StringLike: { [`${one.hostPath}:sub`]: `system:serviceaccount:${denyNamespace}:*` } },
      };
    case 'deny-tag-session':
      return {
        Effect: 'Deny',
        Principal: spec.principal === 'star' ? '*' : { AWS: '*' },
        Action: 'sts:TagSession',
        ...(spec.condition ? { Condition: { StringNotEquals: { 'aws:PrincipalAccount': ACCOUNT } } } : {}),
      };
    default:
      return {};
  }
}

function extraPrincipalsOf(spec: ExtraSpec): Array<{ type: 'Service' | 'AWS'; id: string }> {
  if (spec.kind === 'service') return [{ type: 'Service', id: spec.service }];
  if (spec.kind === 'aws') {
    const root = `arn:aws:iam::${spec.account}:root`;
    return spec.who === 'role'
      ? [{ type: 'AWS', id: `arn:aws:iam::${spec.account}:role/ops` }]
      : [{ type: 'AWS', id: root }];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------------------------
// The IRSA statement and the faults
// ---------------------------------------------------------------------------------------------------------------

interface StatementShape {
  readonly sid: boolean;
  /** Operator of the :sub key (a literal subject either way, so both are valid). */
  readonly subOperator: 'StringEquals' | 'StringLike';
  readonly audFirst: boolean;
  readonly subAsArray: boolean;
  readonly audAsArray: boolean;
  readonly federatedAsArray: boolean;
  readonly actionAsArray: boolean;
}

const shapeArb: fc.Arbitrary<StatementShape> = fc.record({
  sid: fc.boolean(),
  subOperator: fc.constantFrom('StringEquals' as const, 'StringEquals' as const, 'StringLike' as const),
  audFirst: fc.boolean(),
  subAsArray: fc.boolean(),
  audAsArray: fc.boolean(),
  federatedAsArray: fc.boolean(),
  actionAsArray: fc.boolean(),
});

const list = (value: string, asArray: boolean): string | string[] => (asArray ? [value] : value);

/** The condition element: :sub under its operator, :aud under StringEquals (one block when both are StringEquals). */
function conditions(
  shape: StatementShape,
  subKey: string,
  sub: unknown,
  audKey: string | undefined,
  aud: unknown,
  operator: string = shape.subOperator,
): Doc {
  const subEntry: Doc = { [subKey]: sub };
  if (audKey === undefined) return { [operator]: subEntry };
  const audEntry: Doc = { [audKey]: aud };
  if (operator === 'StringEquals') {
    return { StringEquals: shape.audFirst ? { ...audEntry, ...subEntry } : { ...subEntry, ...audEntry } };
  }
  return shape.audFirst
    ? { StringEquals: audEntry, [operator]: subEntry }
    : { [operator]: subEntry, StringEquals: audEntry };
}

interface FaultInputs {
  readonly fault: FaultKind;
  readonly shape: StatementShape;
  readonly one: ClusterInfo;
  readonly two: ClusterInfo;
  readonly subject: string;
  readonly namespace: string;
  readonly name: string;
  readonly wrongNamespace: string;
  readonly typoHost: string;
  readonly servicePrincipal: string;
  readonly wrongPartition: string;
  readonly strayForm: number;
  readonly wildcard: string;
  readonly duplicate: { readonly other: string; readonly saFirst: boolean };
  readonly mergedSingleProvider: boolean;
  readonly mergedOrder: readonly number[];
}

/**
 * The IRSA statement with the fault in it, as an object, plus (IRSA-022) its JSON text with the repeated key.
 * Apart from the fault, the statement is the valid reference statement for cluster one and the known subject.
 */
function faultyStatement(x: FaultInputs): { statement: Doc; text?: string } {
  const { shape, one, two, subject } = x;
  const subKey = `${one.hostPath}:sub`;
  const audKey = `${one.hostPath}:aud`;
  const sub = list(subject, shape.subAsArray);
  const aud = list(STS_AUDIENCE, shape.audAsArray);
  let federated: unknown = list(one.providerArn, shape.federatedAsArray);
  let principal: Doc = { Federated: federated };
  let action: unknown = list(WEB_IDENTITY, shape.actionAsArray);
  let condition = conditions(shape, subKey, sub, audKey, aud);
  let text: string | undefined;
  switch (x.fault) {
    case 'wrong-action':
      action = shape.actionAsArray ? ['sts:AssumeRole'] : 'sts:AssumeRole';
      break;
    case 'service-principal':
      principal = { Service: x.servicePrincipal };
      break;
    case 'provider-other-account':
      federated = list(one.providerArn.replace(`::${ACCOUNT}:`, `::${OTHER_ACCOUNT}:`), shape.federatedAsArray);
      principal = { Federated: federated };
      break;
    case 'wrong-partition':
      federated = list(one.providerArn.replace(/^arn:aws:/, `arn:${x.wrongPartition}:`), shape.federatedAsArray);
      principal = { Federated: federated };
      break;
    case 'key-prefix-typo':
      condition = conditions(shape, `${x.typoHost}:sub`, sub, audKey, aud);
      break;
    case 'claim-typo':
      condition = conditions(shape, `${one.hostPath}:subject`, sub, audKey, aud);
      break;
    case 'aud-sub-swapped':
      condition = conditions(shape, subKey, aud, audKey, sub);
      break;
    case 'stray-space': {
      const forms = [
        `system:serviceaccount: ${x.namespace}:${x.name}`,
        `system:serviceaccount:${x.namespace}: ${x.name}`,
        `${subject} `,
        ` ${subject}`,
      ];
      condition = conditions(
        shape,
        subKey,
        list(forms[x.strayForm % forms.length] ?? subject, shape.subAsArray),
        audKey,
        aud,
      );
      break;
    }
    case 'wrong-namespace':
      condition = conditions(shape, subKey, list(sa(x.wrongNamespace, x.name), shape.subAsArray), audKey, aud);
      break;
    case 'wildcard-under-equals':
      condition = conditions(shape, subKey, list(x.wildcard, shape.subAsArray), audKey, aud, 'StringEquals');
      break;
    case 'missing-aud':
      condition = conditions(shape, subKey, sub, undefined, undefined);
      break;
    case 'wrong-aud':
      condition = conditions(shape, subKey, sub, audKey, list('sts.amazonaws.com.cn', shape.audAsArray));
      break;
    case 'merged-clusters': {
      const entries: Array<[string, unknown]> = [
        [subKey, sub],
        [audKey, aud],
        [`${two.hostPath}:sub`, sub],
        [`${two.hostPath}:aud`, aud],
      ];
      const ordered = x.mergedOrder.map((i) => entries[i]).filter((e): e is [string, unknown] => e !== undefined);
      condition = { StringEquals: Object.fromEntries(ordered) };
      federated = x.mergedSingleProvider
        ? list(one.providerArn, shape.federatedAsArray)
        : [one.providerArn, two.providerArn];
      principal = { Federated: federated };
      break;
    }
    case 'duplicate-sub':
      condition = conditions(shape, subKey, x.duplicate.saFirst ? x.duplicate.other : subject, audKey, aud);
      break;
    case 'second-cluster-untrusted':
      break;
    default:
      break;
  }
  const statement: Doc = {
    ...(shape.sid ? { Sid: 'IRSA' } : {}),
    Effect: 'Allow',
    Principal: principal,
    Action: action,
    Condition: condition,
  };
  if (x.fault === 'duplicate-sub') {
    const first = x.duplicate.saFirst ? subject : x.duplicate.other;
    const plain = JSON.stringify(statement);
    const at = `${JSON.stringify(subKey)}:`;
    // The only occurrence of the :sub key in this statement's text: repeat it, the dropped value first.
    text = plain.replace(at, `${at}${JSON.stringify(first)},${at}`);
  }
  return text === undefined ? { statement } : { statement, text };
}

// ---------------------------------------------------------------------------------------------------------------
// The case
// ---------------------------------------------------------------------------------------------------------------

const WILDCARD_FORMS = 4;
const SAME_NAME = 'same-as-one';

function wildcardFor(namespace: string, name: string, form: number): string {
  switch (form % WILDCARD_FORMS) {
    case 0:
      return `system:serviceaccount:${namespace}:*`;
    case 1:
      return `system:serviceaccount:${namespace}:${name.slice(0, Math.max(1, name.length - 2))}*`;
    case 2:
      return `system:serviceaccount:${namespace}:${name.slice(0, -1)}?`;
    default:
      return `system:serviceaccount:${namespace}:*${name.slice(-1)}`;
  }
}

/** The trust policy as IAM stores it: the document, or (IRSA-022) its text with the repeated key; encoded or not. */
function trustAsStored(
  doc: Doc,
  written: { statements: readonly Doc[]; statement: Doc; text: string | undefined; single: boolean },
  encoding: string,
): string | Doc {
  const { statements, statement, text, single } = written;
  if (text !== undefined) {
    const parts = statements.map((s) => (s === statement ? text : JSON.stringify(s)));
    const body = single ? text : `[${parts.join(',')}]`;
    const raw = `{"Version":"2012-10-17","Statement":${body}}`;
    return encoding === 'encoded' ? encodeURIComponent(raw) : raw;
  }
  if (encoding === 'object') return doc;
  return encoding === 'encoded' ? encodeURIComponent(JSON.stringify(doc)) : JSON.stringify(doc);
}

/** The repeated `:sub` key of IRSA-022: IAM keeps the last value written, the other is dropped. */
function duplicateOutcome(saFirst: boolean, subject: string, otherSubject: string): { dropped: string; kept: string } {
  return saFirst ? { dropped: subject, kept: otherSubject } : { dropped: otherSubject, kept: subject };
}

/** A service account other than `subject` (in another namespace when the generated one is the same). */
function otherSubjectThan(subject: string, namespace: string, [otherNamespace, otherName]: [string, string]): string {
  const s = sa(otherNamespace, otherName);
  return s === subject ? sa(distinctNamespace(otherNamespace, [namespace]), otherName) : s;
}

/** One case: the estate with exactly one fault in the role's IRSA statement (or, for IRSA-031, in the estate). */
export const faultCaseArb: fc.Arbitrary<FaultCase> = fc
  .record({
    fault: fc.constantFrom(...FAULT_KINDS),
    oneName: fc.constantFrom('prod', 'one', 'blue'),
    // Cluster names are unique per account and region only: `prod` in two regions is common.
    twoName: fc.constantFrom('staging', 'two', 'green', SAME_NAME),
    oneRegion: fc.constantFrom('us-west-2', 'us-east-1'),
    twoRegion: fc.constantFrom('eu-west-1', 'us-west-2'),
    oneId: issuerIdArb,
    twoId: issuerIdArb,
    typoId: issuerIdArb,
    withTwo: fc.boolean(),
    roleName: fc.constantFrom('app-irsa', 'sync', 'eks-workload'),
    namespace: namespaceArb,
    name: nameArb,
    wrongNamespace: namespaceArb,
    denyNamespace: namespaceArb,
    shape: shapeArb,
    extras: fc.array(extraSpecArb, { maxLength: 3 }),
    extrasBefore: fc.nat({ max: 3 }),
    encoding: fc.constantFrom('encoded' as const, 'text' as const, 'object' as const),
    statementAsObject: fc.boolean(),
    servicePrincipal: fc.constantFrom('eks.amazonaws.com', 'ec2.amazonaws.com', 'sts.amazonaws.com'),
    wrongPartition: fc.constantFrom('aws-cn', 'aws-us-gov'),
    strayForm: fc.nat({ max: 3 }),
    wildcardForm: fc.nat({ max: WILDCARD_FORMS - 1 }),
    duplicateOther: fc.tuple(namespaceArb, nameArb),
    duplicateSaFirst: fc.boolean(),
    mergedSingleProvider: fc.boolean(),
    mergedOrder: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
  })
  .map((g): FaultCase => {
    const fault = g.fault;
    const needsTwo = fault === 'merged-clusters' || fault === 'second-cluster-untrusted';
    const twoInEstate = g.withTwo || needsTwo;
    const oneBuilt = cluster({ name: g.oneName, region: g.oneRegion, accountId: ACCOUNT, id: g.oneId });
    const twoName = g.twoName === SAME_NAME ? g.oneName : g.twoName;
    const twoRegion = twoName === g.oneName && g.twoRegion === g.oneRegion ? 'eu-west-1' : g.twoRegion;
    const twoBuilt = cluster({
      name: twoName,
      region: twoRegion,
      accountId: ACCOUNT,
      id: distinctId(g.twoId, [g.oneId]),
    });
    const one = info(oneBuilt);
    const two = info(twoBuilt);
    const typoHost = `oidc.eks.${g.oneRegion}.amazonaws.com/id/${distinctId(g.typoId, [g.oneId, twoBuilt.id])}`;
    const subject = sa(g.namespace, g.name);
    const wrongNamespace = distinctNamespace(g.wrongNamespace, [g.namespace]);
    const denyNamespace = distinctNamespace(g.denyNamespace, [g.namespace]);
    const otherSubject = otherSubjectThan(subject, g.namespace, g.duplicateOther);
    const wildcard = wildcardFor(g.namespace, g.name, g.wildcardForm);
    const { statement, text } = faultyStatement({
      fault,
      shape: fault === 'wildcard-under-equals' ? { ...g.shape, subOperator: 'StringEquals' } : g.shape,
      one,
      two,
      subject,
      namespace: g.namespace,
      name: g.name,
      wrongNamespace,
      typoHost,
      servicePrincipal: g.servicePrincipal,
      wrongPartition: g.wrongPartition,
      strayForm: g.strayForm,
      wildcard,
      duplicate: { other: otherSubject, saFirst: g.duplicateSaFirst },
      mergedSingleProvider: g.mergedSingleProvider,
      mergedOrder: g.mergedOrder,
    });

    // IAM wants Sids unique within a policy: a repeated kind of statement gets a numbered Sid.
    const extras = g.extras
      .map((spec) => buildExtra(spec, one, denyNamespace))
      .map((s, i, all) =>
        typeof s.Sid === 'string' && all.findIndex((o) => o.Sid === s.Sid) !== i ? { ...s, Sid: `${s.Sid}${i}` } : s,
      );
    const split = Math.min(g.extrasBefore, extras.length);
    const statements = [...extras.slice(0, split), statement, ...extras.slice(split)];
    const single = statements.length === 1 && g.statementAsObject;
    const doc: Doc = { Version: '2012-10-17', Statement: single ? statement : statements };
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${g.roleName}`;

    const trust = trustAsStored(doc, { statements, statement, text, single }, g.encoding);

    const onTwo = needsTwo;
    const snapshot = estate([
      account(ACCOUNT, {
        clusters: twoInEstate ? [oneBuilt.snapshot, twoBuilt.snapshot] : [oneBuilt.snapshot],
        oidcProviders: twoInEstate ? [provider(oneBuilt), provider(twoBuilt)] : [provider(oneBuilt)],
        roles: [role(ACCOUNT, g.roleName, trust, { encode: false })],
        serviceAccounts: [
          serviceAccount(oneBuilt, g.namespace, g.name, roleArn),
          ...(onTwo ? [serviceAccount(twoBuilt, g.namespace, g.name, roleArn)] : []),
        ],
      }),
    ]);
    const duplicate = fault === 'duplicate-sub' ? duplicateOutcome(g.duplicateSaFirst, subject, otherSubject) : {};
    return {
      fault,
      ruleId: FAULTS[fault],
      snapshot,
      roleArn,
      one,
      two,
      twoInEstate,
      namespace: g.namespace,
      name: g.name,
      subject,
      onTwo,
      extras,
      extraPrincipals: g.extras.flatMap(extraPrincipalsOf),
      externalIds: g.extras.flatMap((s) => (s.kind === 'aws' && s.externalId ? [s.externalId] : [])),
      denyNamespace,
      wrongNamespace,
      ...(fault === 'wildcard-under-equals' ? { wildcard } : {}),
      ...duplicate,
      ...(fault === 'key-prefix-typo' ? { typoHost } : {}),
    };
  });
