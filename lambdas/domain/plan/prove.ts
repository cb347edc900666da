import {
  type EvalDecision,
  evaluateTrustPolicy,
  type TrustRequest,
  WEB_IDENTITY_ACTION,
} from '../trust-policy/evaluate';
import type { TrustPolicy } from '../trust-policy/model';
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
  if (!beforeRead.ok || !afterRead.ok) {
    return {
      intended: [],
      probes: { evaluated: 0, newlyAllowed: [], undeclaredNewlyAllowed: [], newlyDenied: 0 },
      exact: { decided: false, reason: 'the documents could not be read', classes: 0, undeclared: 0, work: 0 },
      size,
      holds: false,
      summary: ['the documents could not be read, so nothing could be proven'],
    };
  }
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

  const probes = probeRequests(before, after, input);
  let probeNewlyAllowed = 0;
  let probeUndeclared = 0;
  let newlyDenied = 0;
  for (const request of probes) {
    const b = decide(before, request);
    const a = decide(after, request);
    if (b !== 'Allow' && a === 'Allow') {
      probeNewlyAllowed++;
      const by = accountFor(request, input.intended, input.declared);
      if (!by) {
        probeUndeclared++;
        // The exact check should have reported this request's class; shown anyway, whatever it said.
        if (probeUndeclared <= 20) undeclared.push(outcomeOf(request, b, a, undefined, 'probe'));
      }
    } else if (b === 'Allow' && a !== 'Allow') newlyDenied++;
  }

  const stillDenied = intended.filter(
    (i) => i.after !== 'Allow' && !(i.after === 'ExplicitDeny' && i.before === 'ExplicitDeny'),
  );
  const holds =
    stillDenied.length === 0 && exact.decided && exactUndeclared === 0 && probeUndeclared === 0 && size.withinQuota;
  const summary: string[] = [];
  const fixed = intended.filter((i) => i.before !== 'Allow' && i.after === 'Allow').length;
  summary.push(
    `${intended.length} intended request(s): ${fixed} go from denied to allowed, ${intended.filter((i) => i.before === 'Allow' && i.after === 'Allow').length} stay allowed${stillDenied.length > 0 ? `, ${stillDenied.length} still denied` : ''}.`,
  );
  const explicit = intended.filter((i) => i.after === 'ExplicitDeny' && i.before === 'ExplicitDeny').length;
  if (explicit > 0)
    summary.push(`${explicit} intended request(s) stay denied by an explicit Deny the plan does not touch (IRSA-024).`);
  if (exact.decided) {
    summary.push(
      `Exact check over every request (principal, action, every condition key's values or absence): ${
        exact.classes.length === 0
          ? 'nothing is newly allowed'
          : `${exact.classes.length} class(es) of requests newly allowed, ${exactUndeclared === 0 ? 'each accounted for by a named workload or a declared widening' : `${exactUndeclared} NOT accounted for (witness: ${witnessText(undeclared[0])})`}`
      }.`,
    );
  } else {
    summary.push(
      `The exact check could not decide (${exact.reason}), so no widening can be ruled out${exactUndeclared > 0 ? `; it already found ${exactUndeclared} class(es) NOT accounted for (witness: ${witnessText(undeclared[0])})` : ''}.`,
    );
  }
  summary.push(
    `${probes.length} probe request(s) (other service accounts, namespaces, providers, audiences, actions, principals): ${
      probeUndeclared === 0 ? 'none' : probeUndeclared
    } newly allowed without a declared reason${probeNewlyAllowed - probeUndeclared > 0 ? `; ${probeNewlyAllowed - probeUndeclared} newly allowed as declared` : ''}; ${newlyDenied} newly denied.`,
  );
  summary.push(
    `Minified size ${minifiedLength} of ${input.quota} characters${size.withinQuota ? '' : ': OVER THE QUOTA'}.`,
  );
  return {
    intended,
    probes: { evaluated: probes.length, newlyAllowed, undeclaredNewlyAllowed: undeclared, newlyDenied },
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
      const block = s.principal ?? s.notPrincipal;
      for (const [type, values] of Object.entries(block?.byType ?? {})) {
        for (const value of values) {
          if (type === 'Federated') {
            if (value.includes(':oidc-provider/')) providers.add(value);
          } else if (type === 'Service' || type === 'AWS') {
            for (const action of [...(s.actions ?? []), 'sts:AssumeRole', 'sts:TagSession']) {
              if (!action.includes('*')) others.push({ principal: { type, id: value }, action, context: {} });
            }
          }
        }
      }
      for (const c of s.conditions) {
        const claim = c.keyLower.slice(c.keyLower.lastIndexOf(':') + 1).trim();
        for (const v of c.values) {
          if (claim.startsWith('sub')) subjects.add(v.replace(/\s+/g, '').replace(/[*?]/g, 'x'));
          else if (claim.startsWith('aud')) audiences.add(v);
        }
      }
    }
  }
  for (const p of input.otherProviders) providers.add(p);
  for (const s of [...subjects]) {
    const m = /^system:serviceaccount:([^:]*):(.*)$/.exec(s);
    if (m) {
      subjects.add(`system:serviceaccount:${m[1]}:other-sa`);
      subjects.add(`system:serviceaccount:other-ns:${m[2]}`);
    }
  }
  subjects.add('system:serviceaccount:default:default');
  subjects.add('system:serviceaccount:kube-system:attacker');
  const probes: TrustRequest[] = [];
  const subjectList = [...subjects];
  for (const provider of providers) {
    for (const sub of subjectList) {
      for (const aud of audiences) {
        probes.push(webIdentity(provider, sub, aud));
      }
      // Session tags ride on web-identity tokens and need sts:TagSession (sts:AssumeRole is never asked of a
      // Federated principal, so probing it would only report meaningless changes).
      probes.push(webIdentity(provider, sub, 'sts.amazonaws.com', 'sts:TagSession'));
    }
  }
  const seen = new Set<string>();
  for (const o of others) {
    const key = `${o.principal.type}|${o.principal.id}|${o.action}`;
    if (!seen.has(key)) {
      seen.add(key);
      probes.push(o);
    }
  }
  return probes;
}
