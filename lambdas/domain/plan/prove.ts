import { parseArn } from '../arn';
import { type Decision, evaluateTrustPolicy, type TrustRequest, WEB_IDENTITY_ACTION } from '../trust-policy/evaluate';
import type { TrustPolicy } from '../trust-policy/model';
import { readTrustPolicy } from '../trust-policy/read-trust-policy';
import { wildcardMatch } from '../trust-policy/wildcard';
import { minify } from './patch-trust-policy';
import type { ProbeOutcome, Proof, TrustDocument } from './plan';

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
}

const ATTACKER_AUDIENCE = 'attacker.example.com';
const MAX_SUBJECTS = 12;
const MAX_PROVIDERS = 6;

/**
 * Proves a trust-policy change: every intended request is allowed after it (unless an untouched explicit Deny keeps
 * denying it, which is said), and no probe request denied before is allowed after unless the plan declares why.
 */
export function proveTrustChange(input: ProofInput): Proof {
  const beforeRead = readTrustPolicy(input.before);
  const afterRead = readTrustPolicy(input.after);
  const minifiedLength = minify(input.after).length;
  const size = { minifiedLength, quota: input.quota, withinQuota: minifiedLength <= input.quota };
  if (!beforeRead.ok || !afterRead.ok) {
    return {
      intended: [],
      probes: { evaluated: 0, newlyAllowed: [], undeclaredNewlyAllowed: [], newlyDenied: 0 },
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

  const probes = probeRequests(before, after, input);
  const newlyAllowed: ProbeOutcome[] = [];
  const undeclared: ProbeOutcome[] = [];
  let newlyDenied = 0;
  for (const request of probes) {
    const b = decide(before, request);
    const a = decide(after, request);
    if (b !== 'Allow' && a === 'Allow') {
      const by = accountedFor(request, input);
      const outcome: ProbeOutcome = {
        ...describe(request),
        before: b,
        after: a,
        ...(by ? { declaredBy: by.why, ...(by.wideningClass ? { wideningClass: by.wideningClass } : {}) } : {}),
      };
      (by ? newlyAllowed : undeclared).push(outcome);
    } else if (b === 'Allow' && a !== 'Allow') newlyDenied++;
  }

  const stillDenied = intended.filter(
    (i) => i.after !== 'Allow' && !(i.after === 'ExplicitDeny' && i.before === 'ExplicitDeny'),
  );
  const holds = stillDenied.length === 0 && undeclared.length === 0 && size.withinQuota;
  const summary: string[] = [];
  const fixed = intended.filter((i) => i.before !== 'Allow' && i.after === 'Allow').length;
  summary.push(
    `${intended.length} intended request(s): ${fixed} go from denied to allowed, ${intended.filter((i) => i.before === 'Allow' && i.after === 'Allow').length} stay allowed${stillDenied.length > 0 ? `, ${stillDenied.length} still denied` : ''}.`,
  );
  const explicit = intended.filter((i) => i.after === 'ExplicitDeny' && i.before === 'ExplicitDeny').length;
  if (explicit > 0)
    summary.push(`${explicit} intended request(s) stay denied by an explicit Deny the plan does not touch (IRSA-024).`);
  summary.push(
    `${probes.length} probe request(s) (other service accounts, namespaces, providers, audiences, actions, principals): ${
      undeclared.length === 0 ? 'none' : undeclared.length
    } newly allowed without a declared reason${newlyAllowed.length > 0 ? `; ${newlyAllowed.length} newly allowed as declared` : ''}; ${newlyDenied} newly denied.`,
  );
  summary.push(
    `Minified size ${minifiedLength} of ${input.quota} characters${size.withinQuota ? '' : ': OVER THE QUOTA'}.`,
  );
  return {
    intended,
    probes: { evaluated: probes.length, newlyAllowed, undeclaredNewlyAllowed: undeclared, newlyDenied },
    size,
    holds,
    summary,
  };
}

function decide(policy: TrustPolicy, request: TrustRequest): Decision {
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

function providerUrl(arn: string): string {
  const parsed = parseArn(arn);
  return parsed?.resource.startsWith('oidc-provider/') ? parsed.resource.slice('oidc-provider/'.length) : arn;
}

function describe(request: TrustRequest, intended?: IntendedRequest): Omit<ProbeOutcome, 'before' | 'after'> {
  const ctx = request.context;
  const sub = Object.entries(ctx).find(([k]) => k.endsWith(':sub'))?.[1];
  const aud = Object.entries(ctx).find(([k]) => k.endsWith(':aud'))?.[1];
  return {
    principal: `${request.principal.type} ${request.principal.id}`,
    action: request.action,
    ...(typeof sub === 'string' ? { sub } : {}),
    ...(typeof aud === 'string' ? { aud } : {}),
    ...(intended ? { declaredBy: intended.why } : {}),
  };
}

/** Why a newly allowed request is acceptable, or undefined when nothing in the plan says so. */
function accountedFor(
  request: TrustRequest,
  input: ProofInput,
): { why: string; wideningClass?: WideningClass } | undefined {
  const { sub } = describe(request);
  if (request.principal.type === 'Federated' && request.action === WEB_IDENTITY_ACTION) {
    const named = input.intended.find((i) => i.providerArn === request.principal.id && i.sub === sub);
    if (named) return { why: named.why };
  }
  for (const d of input.declared) {
    if (d.principal !== undefined && d.principal !== request.principal.id) continue;
    if (d.action !== undefined && d.action !== request.action) continue;
    if (d.providerArn !== undefined && d.providerArn !== request.principal.id) continue;
    if (d.subPattern !== undefined && (sub === undefined || !wildcardMatch(d.subPattern, sub))) continue;
    return { why: d.why, wideningClass: d.class };
  }
  return undefined;
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
          else if (claim.startsWith('aud') && audiences.size < 5) audiences.add(v);
        }
      }
    }
  }
  for (const p of input.otherProviders) if (providers.size < MAX_PROVIDERS) providers.add(p);
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
  const subjectList = [...subjects].slice(0, MAX_SUBJECTS * 3);
  for (const provider of [...providers].slice(0, MAX_PROVIDERS)) {
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
