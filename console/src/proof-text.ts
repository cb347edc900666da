/**
 * The proof in words: each request the change alters as a sentence ("Before: pods of apps/web could not assume the
 * role (no statement allowed it). After: they can."), listed once (an intended request is also newly allowed), and
 * the proof's counts in one sentence, each named for what it counts: the exact check's newly allowed classes (one
 * witness each, `source: 'exact'`) and the probe requests (`source: 'probe'`), which `probes.undeclaredNewlyAllowed`
 * lists together. Pure: the plan page draws them.
 */
import type { ProbeOutcome, Proof } from '../../lambdas/domain/plan/plan-model';

export function proofCounts(proof: Proof): string {
  const probeFound = proof.probes.undeclaredNewlyAllowed.filter((o) => o.source !== 'exact').length;
  const exact = proof.exact.decided
    ? `Exact check: ${proof.exact.classes} class(es) of requests newly allowed, ${proof.exact.undeclared} of them not accounted for by the plan (one witness each in the list above)`
    : `Exact check undecided (${proof.exact.reason ?? 'no reason given'}); ${proof.exact.undeclared} class(es) found not accounted for so far`;
  return (
    `${exact}. ${proof.probes.evaluated} probe request(s): ${probeFound} newly allowed that the plan does not account for, ` +
    `${proof.probes.newlyDenied} newly denied. Size ${proof.size.minifiedLength} of ${proof.size.quota} characters.`
  );
}

/** One request whose answer the change alters, in words. */
export interface ProofRequest {
  /** "Before: … After: …". */
  readonly sentence: string;
  /** Why it is acceptable ("the workload this plan is for", a declared widening), or that nothing accounts for it. */
  readonly why: string;
  /** False for a newly allowed request nothing in the plan accounts for (the proof does not hold). */
  readonly accounted: boolean;
  /** The request as evaluated: action, principal, sub, aud. */
  readonly raw: string;
}

/** The requests the change alters, each once: the intended ones first, then the declared, then the unaccounted. */
export function proofRequests(proof: Proof): ProofRequest[] {
  const rows = [
    ...proof.intended.map((o) => ({ o, why: 'the workload this plan is for', accounted: true })),
    ...proof.probes.newlyAllowed.map((o) => ({ o, why: o.declaredBy ?? 'declared by the plan', accounted: true })),
    ...proof.probes.undeclaredNewlyAllowed.map((o) => ({
      o,
      why:
        o.source === 'exact'
          ? 'NOT accounted for by the plan (a witness of a newly allowed class of requests)'
          : 'NOT accounted for by the plan (a probe request)',
      accounted: false,
    })),
  ];
  const seen = new Set<string>();
  const out: ProofRequest[] = [];
  for (const { o, why, accounted } of rows) {
    const raw = rawRequest(o);
    if (seen.has(raw)) continue;
    seen.add(raw);
    out.push({ sentence: requestSentence(o), why, accounted, raw });
  }
  return out;
}

/** "Before: pods of apps/web could not assume the role (no statement allowed it). After: they can." */
export function requestSentence(o: ProbeOutcome): string {
  const who = whoAsks(o);
  const what = actionWords(o.action);
  const before = o.before === 'Allow' ? `${who} could ${what}` : `${who} could not ${what} (${denyReason(o.before)})`;
  const after =
    o.after === 'Allow'
      ? o.before === 'Allow'
        ? 'they still can'
        : 'they can'
      : `they ${o.before === 'Allow' ? 'cannot' : 'still cannot'} (${denyReason(o.after)})`;
  return `Before: ${before}. After: ${after}.`;
}

function rawRequest(o: ProbeOutcome): string {
  return `${o.action} by ${o.principal}${o.sub ? ` sub=${o.sub}` : ''}${o.aud ? ` aud=${o.aud}` : ''}`;
}

function whoAsks(o: ProbeOutcome): string {
  const audience = o.aud && o.aud !== 'sts.amazonaws.com' ? ` (audience ${o.aud})` : '';
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(o.sub ?? '');
  if (sa && !`${sa[1]}${sa[2]}`.includes('*')) return `pods of ${sa[1]}/${sa[2]}${audience}`;
  if (o.sub) return `tokens with subject ${o.sub}${audience}`;
  if (o.principal.startsWith('Service pods.eks.amazonaws.com')) return 'EKS Pod Identity';
  if (o.principal.startsWith('Federated ')) return `any token of ${o.principal.slice('Federated '.length)}${audience}`;
  return o.principal;
}

function actionWords(action: string): string {
  switch (action) {
    case 'sts:AssumeRoleWithWebIdentity':
      return 'assume the role with their web identity token';
    case 'sts:AssumeRole':
      return 'assume the role';
    case 'sts:TagSession':
      return 'tag the role session';
    default:
      return `call ${action}`;
  }
}

function denyReason(decision: ProbeOutcome['before']): string {
  return decision === 'ExplicitDeny' ? 'a statement denies it' : 'no statement allowed it';
}
