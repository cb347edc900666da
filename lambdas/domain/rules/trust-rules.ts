import { correctSwappedEksHost, issuerKey, parseArn, parseEksIssuer, stripScheme } from '../arn';
import { briefCondition } from '../brief';
import type { ClusterRef, RoleRef } from '../estate-index';
import type { Severity } from '../finding';
import { DEFAULT_AUDIENCE } from '../snapshot';
import {
  classifyStatement,
  type IssuerCondition,
  isOverBroadSubject,
  isWellFormedSubject,
  KNOWN_CLAIMS,
  normalizeSubject,
  type StatementView,
} from '../trust-policy/classify';
import { isNegatedOperator } from '../trust-policy/conditions';
import { evaluateTrustPolicy, WEB_IDENTITY_ACTION, webIdentityRequest } from '../trust-policy/evaluate';
import type { Quirk, ReadResult, TrustPolicy } from '../trust-policy/model';
import { invalidCharacterSample, parseTrustPolicy } from '../trust-policy/parse-trust-policy';
import { hasWildcard, wildcardMatch } from '../trust-policy/wildcard';
import { type AnalysisContext, type RoleAnalysis, statementEvidence, statementLabel } from './context';

/** Reads and classifies one role's trust policy; records which clusters and providers it uses (each once). */
/**
 * The longest trust policy (minified) the analyzer evaluates. IAM's quota on trust policy length (ACLSizePerRole,
 * Service Quotas L-C07B4B0D) defaults to 2,048 and AWS documents 4,096 as its maximum; some reports say 8,192. A
 * longer document cannot be one IAM holds, and evaluating one per workload would cost workloads x document size:
 * it is reported (DOC-001) and not evaluated.
 */
export const MAX_EVALUATED_TRUST_POLICY = 8192;

/** How many candidate clusters a stale-provider finding lists (its evidence counts the rest). */
const MAX_CANDIDATES = 20;

export function readRole(ref: RoleRef, ctx: AnalysisContext): RoleAnalysis {
  const parsed = parseTrustPolicy(ref.role.trustPolicy, { skipCharacterCheck: true });
  const read: ReadResult =
    parsed.ok && parsed.minifiedLength > MAX_EVALUATED_TRUST_POLICY
      ? {
          ok: false,
          kind: 'too-large',
          message: `the trust policy is ${parsed.minifiedLength} characters minified, more than IAM holds (the quota's documented maximum is 4,096; ${MAX_EVALUATED_TRUST_POLICY} is the most any report gives), so it is not evaluated`,
          quirks: parsed.quirks,
          excerpt: parsed.decodedText.length > 300 ? `${parsed.decodedText.slice(0, 300)}…` : parsed.decodedText,
        }
      : parsed;
  const views = read.ok ? read.policy.statements.map(classifyStatement) : [];
  const targets: Array<ClusterRef | undefined> = [];
  let irsa = ctx.index.serviceAccountsByRole.has(ref.role.arn);
  // Most roles use one cluster and one provider: the lists are only made when needed.
  let used: ClusterRef[] | undefined;
  let named: string[] | undefined;
  for (const view of views) {
    if (view.kind !== 'irsa') continue;
    irsa = true;
    const target = resolveTarget(view, ctx);
    if (target) {
      targets[view.statement.index] = target;
      if (view.statement.effect === 'Allow' && !used?.includes(target)) {
        if (used) used.push(target);
        else used = [target];
        ctx.markClusterUse(target, ref.accountId, ref.role.arn);
      }
    }
    for (const p of view.providers) {
      if (named?.includes(p.arn)) continue;
      if (named) named.push(p.arn);
      else named = [p.arn];
      ctx.addProviderReference(p.arn, ref.role.arn);
    }
  }
  return { ref, read, views, irsa, targets, findingsByStatement: [] };
}

function resolveTarget(view: StatementView, ctx: AnalysisContext): ClusterRef | undefined {
  for (const p of view.providers) {
    const found = ctx.index.clustersByKey.get(p.key)?.[0];
    if (found) return found;
  }
  for (const c of view.issuerConditions) {
    const found = ctx.index.clustersByKey.get(c.prefixKey)?.[0];
    if (found) return found;
  }
  return undefined;
}

const INVALID_QUIRKS = new Set<Quirk['kind']>([
  'unknown-operator',
  'prohibited-element',
  'invalid-effect',
  'invalid-value',
  'missing-principal',
  'missing-action',
  'invalid-characters',
  'unknown-element',
]);

/** Whole-role rules: unreadable or invalid documents, duplicate keys, size against the quota. */
export function checkRole(role: RoleAnalysis, ctx: AnalysisContext): void {
  const { ref, read } = role;
  const base = { accountId: ref.accountId, resourceArn: ref.role.arn, resourceType: 'role' as const };
  if (!read.ok) {
    ctx.emit({
      ...base,
      ruleId: 'DOC-001',
      message: `Role ${ref.role.name}: ${read.message}.`,
      evidence: { failure: read.kind, excerpt: read.excerpt },
    });
    return;
  }
  if (!role.irsa) return;
  const odd = invalidCharacterSample(read.decodedText);
  const quirks: readonly Quirk[] =
    odd === undefined ? read.quirks : [...read.quirks, { kind: 'invalid-characters', sample: odd }];
  const invalid = quirks.filter((q) => INVALID_QUIRKS.has(q.kind));
  if (invalid.length > 0) {
    ctx.emit({
      ...base,
      ruleId: 'DOC-002',
      message: `Role ${ref.role.name}: ${invalid.map(describeQuirk).join('; ')}.`,
      evidence: { problems: invalid },
    });
  }
  const duplicates = read.quirks.filter((q) => q.kind === 'duplicate-key');
  if (duplicates.length > 0) {
    ctx.emit({
      ...base,
      ruleId: 'IRSA-022',
      message: `Role ${ref.role.name} repeats ${duplicates
        .map((d) => `"${d.key}" in ${d.path}`)
        .join(', ')}; only the last of each is kept by JSON parsers, so the others are silently ignored.`,
      evidence: { duplicates },
    });
  }
  const quota = ctx.trustPolicyQuota(ref.accountId);
  const headroom = quota - read.minifiedLength;
  // No statement is longer than the whole document: with that much room left, there is room for another.
  const statementSize = headroom >= read.minifiedLength && headroom >= 420 ? 0 : largestIrsaStatement(role);
  if (headroom < statementSize) {
    ctx.emit({
      ...base,
      ruleId: 'IRSA-023',
      message:
        headroom < 0
          ? `Role ${ref.role.name}: the trust policy is ${read.minifiedLength} characters minified, over the ${quota}-character quota.`
          : `Role ${ref.role.name}: the trust policy is ${read.minifiedLength} of ${quota} characters minified; ${headroom} left is not enough for another cluster's statement (about ${statementSize}).`,
      evidence: { minifiedLength: read.minifiedLength, quota, headroom, nextStatementEstimate: statementSize },
    });
  }
}

/** What another cluster's statement would cost: the largest single-cluster IRSA statement the role has. */
function largestIrsaStatement(role: RoleAnalysis): number {
  let largest = 420; // the reference single-cluster statement, minified, with a 64-character subject
  for (const view of role.views) {
    if (view.kind !== 'irsa') continue;
    // A statement merging several clusters (IRSA-021) is not the size of one cluster's statement.
    const issuers = new Set([...view.providers.map((p) => p.key), ...view.issuerConditions.map((c) => c.prefixKey)]);
    if (issuers.size <= 1) largest = Math.max(largest, JSON.stringify(view.statement.raw).length + 1);
  }
  return largest;
}

function describeQuirk(q: Quirk): string {
  switch (q.kind) {
    case 'unknown-operator':
      return `unknown condition operator "${q.operator}" at ${q.path}`;
    case 'prohibited-element':
      return `${q.name} is not allowed in a trust policy (${q.path})`;
    case 'invalid-effect':
      return `Effect must be "Allow" or "Deny", got ${JSON.stringify(q.value)} at ${q.path}`;
    case 'invalid-value':
      return `${q.path} must be ${q.expected}, got ${JSON.stringify(q.value)}`;
    case 'missing-principal':
      return `statement ${q.path} has no Principal`;
    case 'missing-action':
      return `statement ${q.path} has no Action`;
    case 'invalid-characters':
      return `characters IAM does not accept, near "${q.sample}"`;
    case 'unknown-element':
      return `unknown element "${q.name}" in ${q.path}`;
    default:
      return q.kind;
  }
}

type Emit = (
  ruleId: string,
  message: string,
  evidence: Record<string, unknown>,
  discriminator?: string,
  severity?: Severity,
  cluster?: ClusterRef,
) => void;

/** Statement rules for one IRSA Allow statement. */
export function checkIrsaStatement(view: StatementView, role: RoleAnalysis, ctx: AnalysisContext): void {
  const { ref } = role;
  const idx = view.statement.index;
  const target = role.targets[idx];
  const base = {
    accountId: ref.accountId,
    resourceArn: ref.role.arn,
    resourceType: 'role' as const,
    ...(target ? { cluster: target } : {}),
  };
  const at = () => `Role ${ref.role.name}, statement ${statementLabel(view)}`;
  const emit: Emit = (ruleId, message, evidence, discriminator = '', severity, cluster) =>
    ctx.emit(
      {
        ...base,
        ...(cluster ? { cluster } : {}),
        ruleId,
        message,
        evidence: { ...statementEvidence(view, role), ...evidence },
        discriminator: `${idx}:${discriminator}`,
        ...(severity ? { severity } : {}),
      },
      { role, index: idx },
    );

  // IRSA-011: principal type and value.
  const isBad = (v: string) => v.includes('*') || v.trim() === '' || !view.providers.some((p) => p.arn === v);
  const badFederated =
    view.providers.length === view.federatedValues.length && !view.federatedValues.some((v) => v.includes('*'))
      ? []
      : view.federatedValues.filter(isBad);
  if (view.federatedValues.length === 0 || view.statement.notPrincipal) {
    const types = view.otherPrincipalTypes.length > 0 ? view.otherPrincipalTypes.join(', ') : 'none';
    emit(
      'IRSA-011',
      `${at()} checks EKS token claims but its principal is ${view.statement.notPrincipal ? 'a NotPrincipal' : types}, not Federated: a pod's web-identity request never matches.`,
      {
        principalTypes: view.otherPrincipalTypes,
        ...(target ? { expectedFederated: ctx.expectedProviderArn(ref.accountId, target) } : {}),
      },
    );
  } else if (badFederated.length > 0) {
    emit(
      'IRSA-011',
      `${at()}: Federated ${badFederated.map((v) => JSON.stringify(v)).join(', ')} is not a provider ARN (bare URL, wildcard or empty).`,
      {
        federated: badFederated,
        ...(target ? { expectedFederated: ctx.expectedProviderArn(ref.accountId, target) } : {}),
      },
    );
  }

  // IRSA-021: several clusters in one statement.
  const providerKeys = distinct(view.providers, (p) => p.key);
  const knownPrefixKeys = distinct(view.issuerConditions, (c) =>
    providerKeys.has(c.prefixKey) || ctx.index.clustersByKey.has(c.prefixKey) ? c.prefixKey : undefined,
  );
  const merged = providerKeys.size >= 2 || knownPrefixKeys.size >= 2;
  if (merged) {
    const clusterKeys = new Set([...providerKeys, ...knownPrefixKeys]);
    const clusters = [...clusterKeys].map((k) => {
      const c = ctx.index.clustersByKey.get(k)?.[0];
      return c
        ? { issuer: c.hostPath, cluster: c.cluster.name, region: c.cluster.region, accountId: c.accountId }
        : { issuer: k };
    });
    emit(
      'IRSA-021',
      `${at()} holds ${clusterKeys.size} issuers in one statement (${clusters
        .map((c) => ('cluster' in c ? `${c.cluster} in ${c.region}` : c.issuer))
        .join(', ')}); its keys are ANDed, so a token from any one of them is denied.`,
      { issuers: clusters },
    );
  }

  // IRSA-002, IRSA-044, IRSA-012: where the Federated provider points.
  for (const p of view.providers) {
    if (p.accountId !== ref.accountId) {
      emit(
        'IRSA-002',
        `${at()} trusts ${p.arn}, a provider in account ${p.accountId}; the provider must be in the role's account ${ref.accountId}.`,
        {
          federated: p.arn,
          providerAccount: p.accountId,
          expectedFederated: target ? ctx.expectedProviderArn(ref.accountId, target) : undefined,
        },
        p.arn,
      );
    }
    if (p.partition !== ctx.index.partition) {
      emit(
        'IRSA-044',
        `${at()}: the provider ARN ${p.arn} uses partition "${p.partition}" but the account is in "${ctx.index.partition}".`,
        { federated: p.arn, partition: p.partition, expectedPartition: ctx.index.partition },
        p.arn,
      );
    }
    const exact = ctx.index.clustersByHostPath.get(p.url);
    if (exact) continue;
    const sameKey = ctx.index.clustersByKey.get(p.key)?.[0];
    if (sameKey) {
      emit(
        'IRSA-012',
        `${at()} trusts ${p.arn}, which differs from cluster ${sameKey.cluster.name}'s issuer ${sameKey.hostPath} in spelling (case, trailing slash or port); the ARN must match exactly.`,
        { federated: p.arn, expectedFederated: ctx.expectedProviderArn(ref.accountId, sameKey) },
        p.arn,
      );
      continue;
    }
    reportStaleProvider(p.arn, p.url, role, ctx, emit, at());
  }

  // Conditions on issuer keys.
  const expectedPrefix = target?.hostPath ?? view.providers[0]?.url;
  const subConditions: IssuerCondition[] = [];
  const audConditions: IssuerCondition[] = [];
  const expectedLower = target ? target.hostPathLower : expectedPrefix?.toLowerCase();
  for (const c of view.issuerConditions) {
    const mismatch = expectedPrefix !== undefined && c.prefixLower !== expectedLower;
    if (expectedPrefix !== undefined && mismatch && !(merged && knownPrefixKeys.has(c.prefixKey))) {
      const other = ctx.index.clustersByKey.get(c.prefixKey)?.[0];
      emit(
        'IRSA-013',
        `${at()}: condition key "${c.entry.key}" ${prefixProblem(c.prefix, expectedPrefix)}${other ? ` (cluster ${other.cluster.name}'s issuer)` : ''}; the request carries "${expectedPrefix}:${c.claimNormal}".`,
        { conditionKey: c.entry.key, expectedKey: `${expectedPrefix}:${c.claimNormal}` },
        c.entry.key,
      );
    }
    if (c.claim !== c.claimNormal || !KNOWN_CLAIMS.has(c.claimNormal)) {
      const suggestion = c.claimNormal.startsWith('sub') ? 'sub' : c.claimNormal.startsWith('aud') ? 'aud' : undefined;
      emit(
        'IRSA-014',
        `${at()}: condition key "${c.entry.key}" names claim "${c.claim}", which no token carries${suggestion ? `; did you mean :${suggestion}?` : ''}.`,
        {
          kind: 'claim-typo',
          conditionKey: c.entry.key,
          claim: c.claim,
          ...(suggestion ? { suggestion } : {}),
        },
        c.entry.key,
      );
    }
    if (c.claimNormal.startsWith('sub')) subConditions.push(c);
    if (c.claimNormal.startsWith('aud')) audConditions.push(c);
  }

  for (const c of audConditions) {
    const swapped = c.entry.values.filter((v) => v.startsWith('system:serviceaccount'));
    if (swapped.length > 0) {
      emit(
        'IRSA-014',
        `${at()}: the :aud condition holds the subject ${JSON.stringify(swapped[0])}; subjects belong under :sub.`,
        {
          kind: 'aud-holds-subject',
          conditionKey: c.entry.key,
          values: c.entry.values,
        },
        `swap:${c.entry.key}`,
      );
    } else if (
      positive(c) &&
      c.claimNormal === 'aud' &&
      !c.entry.values.some((v) => (isLike(c) ? wildcardMatch(v, DEFAULT_AUDIENCE) : v === DEFAULT_AUDIENCE))
    ) {
      const customAudiences = knownAudiences(role, ctx).filter((a) => a !== DEFAULT_AUDIENCE);
      if (!c.entry.values.some((v) => customAudiences.includes(v))) {
        emit(
          'IRSA-020',
          `${at()}: :aud allows ${JSON.stringify(c.entry.values)}, but pod tokens carry aud "${DEFAULT_AUDIENCE}".`,
          {
            conditionKey: c.entry.key,
            values: c.entry.values,
            expected: DEFAULT_AUDIENCE,
          },
          c.entry.key,
        );
      }
    }
  }

  for (const c of subConditions) {
    if (c.entry.values.includes(DEFAULT_AUDIENCE)) {
      emit(
        'IRSA-014',
        `${at()}: the :sub condition holds the audience "${DEFAULT_AUDIENCE}"; it belongs under :aud.`,
        {
          kind: 'sub-holds-audience',
          conditionKey: c.entry.key,
          values: c.entry.values,
        },
        `swap:${c.entry.key}`,
      );
    }
    if (!positive(c)) continue;
    for (const value of c.entry.values) {
      if (value === DEFAULT_AUDIENCE) continue;
      if (isEquals(c) && hasWildcard(value)) {
        emit(
          'IRSA-017',
          `${at()}: ${c.entry.operatorText} compares ${JSON.stringify(value)} literally; the wildcard matches nothing. Use StringLike for this key.`,
          {
            conditionKey: c.entry.key,
            operator: c.entry.operatorText,
            value,
          },
          `${c.entry.key}=${value}`,
        );
        continue;
      }
      if (isLike(c) && isOverBroadSubject(value)) continue; // reported as IRSA-018 below
      if (!isWellFormedSubject(value, isLike(c))) {
        const normalized = normalizeSubject(value);
        emit(
          'IRSA-015',
          `${at()}: :sub value ${JSON.stringify(value)} is not of the form system:serviceaccount:<namespace>:<name>${normalized !== value && isWellFormedSubject(normalized, isLike(c)) ? ` (stray whitespace: a pod presents ${JSON.stringify(normalized)})` : ''}.`,
          {
            conditionKey: c.entry.key,
            value,
            ...(normalized !== value ? { withoutWhitespace: normalized } : {}),
          },
          `${c.entry.key}=${value}`,
        );
      }
    }
  }

  // IRSA-018: over-broad; IRSA-019: no audience pinned.
  const broad: string[] = [];
  for (const c of subConditions) {
    if (positive(c) && isLike(c)) for (const v of c.entry.values) if (isOverBroadSubject(v)) broad.push(v);
  }
  if (subConditions.length === 0) {
    emit(
      'IRSA-018',
      `${at()} has no :sub condition: every service account of ${target ? `cluster ${target.cluster.name}` : 'the cluster'} can assume this role.`,
      {
        conditions: view.statement.raw.Condition ?? null,
      },
    );
  } else if (broad.length > 0) {
    emit(
      'IRSA-018',
      `${at()}: :sub pattern ${broad.map((b) => JSON.stringify(b)).join(', ')} lets service accounts of any namespace assume this role.`,
      {
        patterns: broad,
      },
    );
  }
  if (audConditions.length === 0) {
    emit('IRSA-019', `${at()} does not pin <issuer>:aud to ${DEFAULT_AUDIENCE}.`, {
      ...(expectedPrefix ? { suggestedKey: `${expectedPrefix}:aud` } : {}),
    });
  }

  // IRSA-010: action.
  if (!statementAllowsWebIdentity(view)) {
    emit(
      'IRSA-010',
      `${at()} allows ${JSON.stringify(view.statement.actions ?? { NotAction: view.statement.notActions })}, not ${WEB_IDENTITY_ACTION}.`,
      {
        actions: view.statement.actions ?? null,
        notActions: view.statement.notActions ?? null,
      },
    );
  }
}

const positive = (c: IssuerCondition) =>
  c.entry.operator !== undefined && !isNegatedOperator(c.entry.operator.base) && c.entry.operator.base !== 'Null';
const isLike = (c: IssuerCondition) => c.entry.operator?.base === 'StringLike';
const isEquals = (c: IssuerCondition) =>
  c.entry.operator?.base === 'StringEquals' || c.entry.operator?.base === 'StringEqualsIgnoreCase';

/** Distinct defined keys of a list: most statements have one, so no Set is built for a single key. */
function distinct<T>(items: readonly T[], key: (item: T) => string | undefined): ReadonlySet<string> {
  let only: string | undefined;
  let set: Set<string> | undefined;
  for (const item of items) {
    const k = key(item);
    if (k === undefined || k === only) continue;
    if (only === undefined) only = k;
    else {
      set ??= new Set([only]);
      set.add(k);
    }
  }
  return set ?? (only === undefined ? EMPTY : new Set([only]));
}
const EMPTY: ReadonlySet<string> = new Set();

function statementAllowsWebIdentity(view: StatementView): boolean {
  const { actions, notActions } = view.statement;
  if (actions) return actions.some((a) => a === WEB_IDENTITY_ACTION || wildcardMatch(a, WEB_IDENTITY_ACTION, true));
  if (notActions) return !notActions.some((a) => wildcardMatch(a, WEB_IDENTITY_ACTION, true));
  return false;
}

function prefixProblem(prefix: string, expected: string): string {
  if (prefix.startsWith('arn:')) return 'uses the full provider ARN as its prefix';
  if (/^https?:\/\//i.test(prefix)) return 'includes the https:// scheme';
  if (!prefix.includes('/id/')) return 'is missing the /id/ path';
  const a = parseEksIssuer(prefix);
  const b = parseEksIssuer(expected);
  if (a && b && a.region !== b.region) return `names region ${a.region} instead of ${b.region}`;
  if (a && b && a.id.toUpperCase() !== b.id.toUpperCase()) return `names provider id ${a.id} instead of ${b.id}`;
  return `does not start with the provider's issuer ${expected}`;
}

function knownAudiences(role: RoleAnalysis, ctx: AnalysisContext): string[] {
  return (ctx.index.serviceAccountsByRole.get(role.ref.role.arn) ?? []).map(
    (s) => s.serviceAccount.audience ?? DEFAULT_AUDIENCE,
  );
}

function reportStaleProvider(
  arn: string,
  url: string,
  role: RoleAnalysis,
  ctx: AnalysisContext,
  emit: Emit,
  at: string,
): void {
  // At most MAX_CANDIDATES are listed, and no more than one past that is looked for: an account may hold thousands
  // of clusters in a region and a role thousands of workloads, and looking through them all for each stale
  // statement would cost statements x clusters. Each source is a list of distinct issuers, made once.
  const candidates: Array<Record<string, string>> = [];
  const refs: ClusterRef[] = [];
  const seen = new Set<string>();
  const add = (c: ClusterRef, why: string): boolean => {
    if (refs.length > MAX_CANDIDATES) return false;
    if (seen.has(c.hostPath)) return true;
    seen.add(c.hostPath);
    refs.push(c);
    if (candidates.length < MAX_CANDIDATES) {
      candidates.push({
        cluster: c.cluster.name,
        region: c.cluster.region,
        accountId: c.accountId,
        issuer: c.hostPath,
        why,
      });
    }
    return true;
  };
  const swapped = correctSwappedEksHost(url);
  if (swapped) {
    for (const c of distinctIssuers(ctx.index.clustersByKey.get(issuerKey(swapped))))
      if (!add(c, 'host written oidc.<region>.eks instead of oidc.eks.<region>')) break;
  }
  const eks = parseEksIssuer(url);
  if (eks) {
    for (const c of distinctIssuers(ctx.index.clustersByIssuerId.get(eks.id.toUpperCase())))
      if (!add(c, `same issuer id, region ${c.cluster.region} instead of ${eks.region}`)) break;
  }
  for (const { cluster: c, why } of workloadClusters(role, ctx)) if (!add(c, why)) break;
  if (eks) {
    // The role's and the provider's accounts, in snapshot order as a scan of every cluster would meet them.
    const accounts = [role.ref.accountId, parseArn(arn)?.accountId ?? role.ref.accountId];
    for (const c of distinctIssuers(ctx.index.clustersInAccounts(accounts, eks.region)))
      if (!add(c, `cluster in ${eks.region}: recreated cluster with a new issuer id?`)) break;
  }
  const more = refs.length > MAX_CANDIDATES;
  const region = eks?.region ?? parseEksIssuer(swapped ?? '')?.region;
  const verifiable = region === undefined || ctx.index.regionScannedAnywhere(region);
  const provider = ctx.index.providersByArn.get(arn);
  emit(
    'IRSA-012',
    `${at} trusts ${arn}, but no cluster in the scanned estate has the issuer https://${stripScheme(url)}${
      candidates.length > 0
        ? `; closest: ${candidates
            .slice(0, 5)
            .map((c) => `${c.cluster} (${c.why})`)
            .join('; ')}${refs.length > 5 ? `; and ${more ? 'more' : `${refs.length - 5} more`}` : ''}`
        : ''
    }${verifiable ? '' : `; region ${region} was not scanned, so this is unconfirmed`}.`,
    {
      federated: arn,
      providerExists: provider !== undefined,
      candidates,
      ...(more ? { moreCandidates: true } : {}),
      verified: verifiable,
    },
    arn,
    verifiable ? undefined : 'info',
    refs.length === 1 ? refs[0] : undefined,
  );
}

/** The clusters of a list with distinct issuers, in order (made once per list). */
const distinctByList = new WeakMap<readonly ClusterRef[], readonly ClusterRef[]>();
function distinctIssuers(list: readonly ClusterRef[] | undefined): readonly ClusterRef[] {
  if (!list) return [];
  let out = distinctByList.get(list);
  if (!out) {
    const seen = new Set<string>();
    out = list.filter((c) => !seen.has(c.hostPath) && seen.add(c.hostPath));
    distinctByList.set(list, out);
  }
  return out;
}

/** The clusters a role's workloads run on, each once with the first workload there (made once per role). */
const workloadClusterCache = new WeakMap<RoleAnalysis, ReadonlyArray<{ cluster: ClusterRef; why: string }>>();
function workloadClusters(
  role: RoleAnalysis,
  ctx: AnalysisContext,
): ReadonlyArray<{ cluster: ClusterRef; why: string }> {
  let out = workloadClusterCache.get(role);
  if (!out) {
    const seen = new Set<string>();
    const list: Array<{ cluster: ClusterRef; why: string }> = [];
    for (const sa of ctx.index.serviceAccountsByRole.get(role.ref.role.arn) ?? []) {
      const c = ctx.index.clusterByName(sa.accountId, sa.serviceAccount.cluster, sa.serviceAccount.region);
      if (!c || seen.has(c.hostPath)) continue;
      seen.add(c.hostPath);
      list.push({
        cluster: c,
        why: `service account ${sa.serviceAccount.namespace}/${sa.serviceAccount.name} on this cluster uses the role`,
      });
    }
    out = list;
    workloadClusterCache.set(role, out);
  }
  return out;
}

/** After the statement rules: evaluate what each statement intends, to catch denials no rule explained. */
export function checkIntendedRequests(role: RoleAnalysis, ctx: AnalysisContext): void {
  if (!role.read.ok) return;
  const policy: TrustPolicy = role.read.policy;
  let hasDeny: boolean | undefined;
  for (const view of role.views) {
    if (view.kind !== 'irsa' || view.statement.effect !== 'Allow') continue;
    const target = role.targets[view.statement.index];
    if (!target || (role.findingsByStatement[view.statement.index] ?? 0) > 0) continue;
    const providerArn = ctx.expectedProviderArn(role.ref.accountId, target);
    let audience: string | undefined;
    let checked = 0;
    for (const c of view.issuerConditions) {
      if (c.claimNormal !== 'sub' || c.entry.operator?.base !== 'StringEquals') continue;
      for (const sub of c.entry.values) {
        if (hasWildcard(sub) || checked++ >= 20) continue;
        audience ??= intendedAudience(view, role, ctx);
        hasDeny ??= policy.statements.some((s) => s.effect === 'Deny');
        const subject = normalizeSubject(sub);
        if (!hasDeny && canonicalStatementAllows(view, target, providerArn, subject, audience)) continue;
        const request = webIdentityRequest(providerArn, target.hostPath, { sub: subject, aud: audience });
        const result = evaluateTrustPolicy(policy, request);
        if (result.decision === 'Allow') continue;
        ctx.emit(
          {
            ruleId: 'IRSA-024',
            accountId: role.ref.accountId,
            resourceArn: role.ref.role.arn,
            resourceType: 'role',
            cluster: target,
            message: `Role ${role.ref.role.name}: statement ${statementLabel(view)} is meant for ${sub} on cluster ${target.cluster.name}, yet the request is ${result.decision === 'ExplicitDeny' ? 'explicitly denied' : 'denied'}: ${result.explanation}.`,
            evidence: {
              ...statementEvidence(view, role),
              subject: sub,
              decision: result.decision,
              explanation: result.explanation,
              failedCondition: briefCondition(result.failedCondition),
            },
            discriminator: `${view.statement.index}:${sub}`,
          },
          { role, index: view.statement.index },
        );
      }
    }
  }
}

/** The audience a known workload of this role asks for, when the statement pins that one; else the default. */
function intendedAudience(view: StatementView, role: RoleAnalysis, ctx: AnalysisContext): string {
  if (!ctx.index.serviceAccountsByRole.has(role.ref.role.arn)) return ctx.expectedAudience();
  const pinned = view.issuerConditions.filter((c) => c.claimNormal === 'aud').flatMap((c) => c.entry.values);
  return knownAudiences(role, ctx).find((a) => pinned.includes(a)) ?? ctx.expectedAudience();
}

/**
 * Decides, without the general evaluator, the common case it would certainly allow: a statement naming exactly the
 * expected provider whose only conditions are plain StringEquals/StringLike on this issuer's :sub and :aud, in a
 * policy without Deny statements. Anything else (qualifiers, IfExists, other keys, variables) returns false, and
 * the caller evaluates in full. test/unit/domain/rules/trust-rules.test.ts checks it agrees with the evaluator.
 */
export function canonicalStatementAllows(
  view: StatementView,
  target: Pick<ClusterRef, 'subKeyLower' | 'audKeyLower'>,
  providerArn: string,
  sub: string,
  aud: string,
): boolean {
  const { statement } = view;
  if (statement.notPrincipal || !view.federatedValues.includes(providerArn)) return false;
  if (!statementAllowsWebIdentity(view)) return false;
  const subKey = target.subKeyLower;
  const audKey = target.audKeyLower;
  for (const entry of statement.conditions) {
    const op = entry.operator;
    if (!op || op.qualifier !== undefined || op.ifExists) return false;
    const value = entry.keyLower === subKey ? sub : entry.keyLower === audKey ? aud : undefined;
    if (value === undefined) return false;
    let matched = false;
    for (const v of entry.values) {
      if (v.includes('${')) return false;
      if (op.base === 'StringEquals' ? v === value : op.base === 'StringLike' ? wildcardMatch(v, value) : false) {
        matched = true;
        break;
      }
    }
    if (op.base !== 'StringEquals' && op.base !== 'StringLike') return false;
    if (!matched) return false;
  }
  return true;
}
