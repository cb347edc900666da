import {
  type EvalDecision,
  evaluateTrustPolicy,
  type TrustRequest,
  WEB_IDENTITY_ACTION,
} from '../trust-policy/evaluate';
import type { Statement, TrustPolicy } from '../trust-policy/model';
import { parseTrustPolicy } from '../trust-policy/parse-trust-policy';
import { minify } from './patch-trust-policy';
import type { ProbeOutcome, Proof, TrustDocument } from './plan-model';
import { type AccountedFor, accountFor, providerUrl, subKeyOf } from './proof/accounting';
import { exactNewlyAllowed } from './proof/exact-difference';

/** A request the plan exists to allow: a workload (provider + subject). */
export interface IntendedRequest {
  readonly providerArn: string;
  readonly sub: string;
  readonly aud: string;
  readonly why: string;
}

/**
 * The kinds of access a plan may knowingly add beyond named workloads. A plan whose proof finds a newly allowed
 * request of one of these classes is propose-only unless configuration allows that class.
 * - `wildcard-meant`: a `:sub` pattern written under StringEquals that was meant as a wildcard (IRSA-017);
 * - `dropped-duplicate`: a value IAM silently dropped as a duplicate key, brought back by the merge (IRSA-022);
 * - `any-service-account`: a subject constraint that lets any service account in (a `*` pattern);
 * - `pod-identity-action`: an action the EKS Pod Identity principal needs (PI-050).
 */
export type WideningClass = 'wildcard-meant' | 'dropped-duplicate' | 'any-service-account' | 'pod-identity-action';

/** Access a plan knowingly adds beyond named workloads (e.g. a wildcard that was meant as one), said out loud. */
export interface DeclaredWidening {
  readonly class: WideningClass;
  readonly why: string;
  readonly principal?: string;
  readonly action?: string;
  readonly providerArn?: string;
  /** IAM wildcard pattern over the subject. */
  readonly subPattern?: string;
}

export interface ProofInput {
  readonly before: TrustDocument;
  readonly after: TrustDocument;
  readonly intended: readonly IntendedRequest[];
  readonly declared: readonly DeclaredWidening[];
  readonly quota: number;
  /** Provider ARNs of the estate worth probing (other clusters' providers in the role's account). */
  readonly otherProviders: readonly string[];
  /** The exact check's work budget for this proof (default DEFAULT_EXACT_BUDGET); over it, the proof is undecided. */
  readonly budget?: number;
}

const ATTACKER_AUDIENCE = 'attacker.example.com';

/**
 * Proves a trust-policy change: every intended request is allowed after it (unless an untouched explicit Deny keeps
 * denying it, which is said), and no request denied before is allowed after unless the plan accounts for it. Two
 * independent checks: the exact difference (proof/exact-difference.ts: every newly allowed class of requests, one
 * witness each, or undecided) and a probe set around every workload, provider and principal either document names
 * (no truncation). The proof holds only when both find nothing undeclared and the exact check is decided.
 */
export function proveTrustChange(input: ProofInput): Proof {
  const beforeRead = parseTrustPolicy(input.before);
  const afterRead = parseTrustPolicy(input.after);
  const minifiedLength = minify(input.after).length;
  const size = { minifiedLength, quota: input.quota, withinQuota: minifiedLength <= input.quota };
  if (!beforeRead.ok || !afterRead.ok) return unreadableProof(size);
  const before = beforeRead.policy;
  const after = afterRead.policy;

  const intended: ProbeOutcome[] = input.intended.map((r) => {
    const request = webIdentity(r.providerArn, r.sub, r.aud);
    return { ...describe(request, r), before: decide(before, request), after: decide(after, request) };
  });

  const exact = exactNewlyAllowed(
    before,
    after,
    input.intended,
    input.declared,
    input.budget !== undefined ? { budget: input.budget } : {},
  );
  const newlyAllowed: ProbeOutcome[] = [];
  const undeclared: ProbeOutcome[] = [];
  for (const c of exact.classes) {
    const outcome = outcomeOf(c.request, c.before, c.after, c.accountedFor, 'exact');
    (c.accountedFor ? newlyAllowed : undeclared).push(outcome);
  }
  const exactUndeclared = undeclared.length;
  const probes = compareProbes(before, after, input, undeclared);

  const stillDenied = intended.filter(
    (i) => i.after !== 'Allow' && !(i.after === 'ExplicitDeny' && i.before === 'ExplicitDeny'),
  );
  const holds =
    stillDenied.length === 0 && exact.decided && exactUndeclared === 0 && probes.undeclared === 0 && size.withinQuota;
  const summary = [
    ...intendedSummary(intended, stillDenied.length),
    exactSummary(exact, exactUndeclared, undeclared[0]),
    probeSummary(probes),
    `Minified size ${minifiedLength} of ${input.quota} characters${size.withinQuota ? '' : ': OVER THE QUOTA'}.`,
  ];
  return {
    intended,
    probes: {
      evaluated: probes.evaluated,
      newlyAllowed,
      undeclaredNewlyAllowed: undeclared,
      newlyDenied: probes.newlyDenied,
    },
    exact: {
      decided: exact.decided,
      ...(exact.decided ? {} : { reason: exact.reason }),
      classes: exact.classes.length,
      undeclared: exactUndeclared,
      work: exact.work,
    },
    size,
    holds,
    summary,
  };
}

function unreadableProof(size: Proof['size']): Proof {
  return {
    intended: [],
    probes: { evaluated: 0, newlyAllowed: [], undeclaredNewlyAllowed: [], newlyDenied: 0 },
    exact: { decided: false, reason: 'the documents could not be read', classes: 0, undeclared: 0, work: 0 },
    size,
    holds: false,
    summary: ['the documents could not be read, so nothing could be proven'],
  };
}

/** How the probe set fared: counts, and the undeclared newly allowed probes (first 20) appended to `undeclared`. */
interface ProbeCounts {
  readonly evaluated: number;
  readonly newlyAllowed: number;
  readonly undeclared: number;
  readonly newlyDenied: number;
}

function compareProbes(
  before: TrustPolicy,
  after: TrustPolicy,
  input: ProofInput,
  undeclared: ProbeOutcome[],
): ProbeCounts {
  const probes = probeRequests(before, after, input);
  let newlyAllowed = 0;
  let undeclaredCount = 0;
  let newlyDenied = 0;
  for (const request of probes) {
    const b = decide(before, request);
    const a = decide(after, request);
    if (b !== 'Allow' && a === 'Allow') {
      newlyAllowed++;
      const by = accountFor(request, input.intended, input.declared);
      if (!by) {
        undeclaredCount++;
        // The exact check should have reported this request's class; shown anyway, whatever it said.
        if (undeclaredCount <= 20) undeclared.push(outcomeOf(request, b, a, undefined, 'probe'));
      }
    } else if (b === 'Allow' && a !== 'Allow') newlyDenied++;
  }
  return { evaluated: probes.length, newlyAllowed, undeclared: undeclaredCount, newlyDenied };
}

function intendedSummary(intended: readonly ProbeOutcome[], stillDenied: number): string[] {
  const fixed = intended.filter((i) => i.before !== 'Allow' && i.after === 'Allow').length;
  const stay = intended.filter((i) => i.before === 'Allow' && i.after === 'Allow').length;
  const lines = [
    `${intended.length} intended request(s): ${fixed} go from denied to allowed, ${stay} stay allowed${stillDenied > 0 ? `, ${stillDenied} still denied` : ''}.`,
  ];
  const explicit = intended.filter((i) => i.after === 'ExplicitDeny' && i.before === 'ExplicitDeny').length;
  if (explicit > 0)
    lines.push(`${explicit} intended request(s) stay denied by an explicit Deny the plan does not touch (IRSA-024).`);
  return lines;
}

function exactSummary(
  exact: ReturnType<typeof exactNewlyAllowed>,
  exactUndeclared: number,
  firstUndeclared: ProbeOutcome | undefined,
): string {
  if (!exact.decided) {
    return `The exact check could not decide (${exact.reason}), so no widening can be ruled out${exactUndeclared > 0 ? `; it already found ${exactUndeclared} class(es) NOT accounted for (witness: ${witnessText(firstUndeclared)})` : ''}.`;
  }
  const accounted =
    exactUndeclared === 0
      ? 'each accounted for by a named workload or a declared widening'
      : `${exactUndeclared} NOT accounted for (witness: ${witnessText(firstUndeclared)})`;
  return `Exact check over every request (principal, action, every condition key's values or absence): ${
    exact.classes.length === 0
      ? 'nothing is newly allowed'
      : `${exact.classes.length} class(es) of requests newly allowed, ${accounted}`
  }.`;
}

function probeSummary(probes: ProbeCounts): string {
  const declared = probes.newlyAllowed - probes.undeclared;
  return `${probes.evaluated} probe request(s) (other service accounts, namespaces, providers, audiences, actions, principals): ${
    probes.undeclared === 0 ? 'none' : probes.undeclared
  } newly allowed without a declared reason${declared > 0 ? `; ${declared} newly allowed as declared` : ''}; ${probes.newlyDenied} newly denied.`;
}

function outcomeOf(
  request: TrustRequest,
  before: EvalDecision,
  after: EvalDecision,
  by: AccountedFor | undefined,
  source: 'exact' | 'probe',
): ProbeOutcome {
  return {
    ...describe(request),
    before,
    after,
    context: request.context,
    source,
    ...(by ? { declaredBy: by.why, ...(by.wideningClass ? { wideningClass: by.wideningClass } : {}) } : {}),
  };
}

function witnessText(o: ProbeOutcome | undefined): string {
  if (!o) return 'none';
  const context = Object.entries(o.context ?? {})
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return `${o.principal} ${o.action}${context ? ` with ${context}` : ' with no condition key'}`;
}

function decide(policy: TrustPolicy, request: TrustRequest): EvalDecision {
  return evaluateTrustPolicy(policy, request).decision;
}

function webIdentity(providerArn: string, sub: string, aud: string, action = WEB_IDENTITY_ACTION): TrustRequest {
  const prefix = providerUrl(providerArn);
  return {
    principal: { type: 'Federated', id: providerArn },
    action,
    context: { [`${prefix}:sub`]: sub, [`${prefix}:aud`]: aud },
  };
}

function describe(request: TrustRequest, intended?: IntendedRequest): Omit<ProbeOutcome, 'before' | 'after'> {
  const entries = Object.entries(request.context);
  const subKey = subKeyOf(request.principal);
  const shown = (v: string | readonly string[] | undefined) =>
    v === undefined ? undefined : typeof v === 'string' ? v : v.length === 1 ? v[0] : JSON.stringify(v);
  const sub = shown(
    (entries.find(([k]) => k.toLowerCase() === subKey) ?? entries.find(([k]) => k.toLowerCase().endsWith(':sub')))?.[1],
  );
  const aud = shown(entries.find(([k]) => k.toLowerCase().endsWith(':aud'))?.[1]);
  return {
    principal: `${request.principal.type} ${request.principal.id}`,
    action: request.action,
    ...(sub !== undefined ? { sub } : {}),
    ...(aud !== undefined ? { aud } : {}),
    ...(intended ? { declaredBy: intended.why } : {}),
  };
}

/** Requests to compare before and after: around every workload, provider and principal either document names. */
function probeRequests(before: TrustPolicy, after: TrustPolicy, input: ProofInput): TrustRequest[] {
  const providers = new Set<string>();
  const subjects = new Set<string>();
  const audiences = new Set<string>(['sts.amazonaws.com', ATTACKER_AUDIENCE]);
  const others: TrustRequest[] = [];
  for (const i of input.intended) {
    providers.add(i.providerArn);
    subjects.add(i.sub);
    audiences.add(i.aud);
  }
  for (const policy of [before, after]) {
    for (const s of policy.statements) {
      addNamedProviders(s, providers);
      addOtherPrincipalRequests(s, others);
      addClaimValues(s, subjects, audiences);
    }
  }
  for (const p of input.otherProviders) providers.add(p);
  addNeighbourSubjects(subjects);
  subjects.add('system:serviceaccount:default:default');
  subjects.add('system:serviceaccount:kube-system:attacker');
  return [...webIdentityProbes(providers, [...subjects], audiences), ...distinctRequests(others)];
}

function principalsOf(s: Statement): Array<[string, readonly string[]]> {
  return Object.entries((s.principal ?? s.notPrincipal)?.byType ?? {});
}

/** The OIDC providers the statement names as Federated principals. */
function addNamedProviders(s: Statement, providers: Set<string>): void {
  for (const [type, values] of principalsOf(s)) {
    if (type !== 'Federated') continue;
    for (const value of values) if (value.includes(':oidc-provider/')) providers.add(value);
  }
}

/** A request per Service or AWS principal the statement names and action it may be asked for. */
function addOtherPrincipalRequests(s: Statement, others: TrustRequest[]): void {
  const actions = [...(s.actions ?? []), 'sts:AssumeRole', 'sts:TagSession'].filter((a) => !a.includes('*'));
  for (const [type, values] of principalsOf(s)) {
    if (type !== 'Service' && type !== 'AWS') continue;
    for (const id of values)
      for (const action of actions) others.push({ principal: { type, id }, action, context: {} });
  }
}

/** The subjects (wildcards made concrete) and audiences the statement's conditions name. */
function addClaimValues(s: Statement, subjects: Set<string>, audiences: Set<string>): void {
  for (const c of s.conditions) {
    const claim = c.keyLower.slice(c.keyLower.lastIndexOf(':') + 1).trim();
    for (const v of c.values) {
      if (claim.startsWith('sub')) subjects.add(v.replace(/\s+/g, '').replace(/[*?]/g, 'x'));
      else if (claim.startsWith('aud')) audiences.add(v);
    }
  }
}

/** For each service-account subject, another service account in its namespace and its name in another namespace. */
function addNeighbourSubjects(subjects: Set<string>): void {
  for (const s of [...subjects]) {
    const m = /^system:serviceaccount:([^:]*):(.*)$/.exec(s);
    if (m) {
      subjects.add(`system:serviceaccount:${m[1]}:other-sa`);
      subjects.add(`system:serviceaccount:other-ns:${m[2]}`);
    }
  }
}

function webIdentityProbes(
  providers: Iterable<string>,
  subjects: readonly string[],
  audiences: Iterable<string>,
): TrustRequest[] {
  const probes: TrustRequest[] = [];
  for (const provider of providers) {
    for (const sub of subjects) {
      for (const aud of audiences) {
        probes.push(webIdentity(provider, sub, aud));
      }
      // Session tags ride on web-identity tokens and need sts:TagSession (sts:AssumeRole is never asked of a
      // Federated principal, so probing it would only report meaningless changes).
      probes.push(webIdentity(provider, sub, 'sts.amazonaws.com', 'sts:TagSession'));
    }
  }
  return probes;
}

function distinctRequests(requests: readonly TrustRequest[]): TrustRequest[] {
  const seen = new Set<string>();
  const out: TrustRequest[] = [];
  for (const o of requests) {
    const key = `${o.principal.type}|${o.principal.id}|${o.action}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(o);
    }
  }
  return out;
}
