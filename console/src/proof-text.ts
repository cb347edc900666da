/**
 * The proof's counts in one sentence, each named for what it counts: the exact check's newly allowed classes (one
 * witness each, `source: 'exact'`) and the probe requests (`source: 'probe'`), which
 * `probes.undeclaredNewlyAllowed` lists together.
 */
import type { Proof } from '../../lambdas/domain/plan/plan-model';

export function proofCounts(proof: Proof): string {
  const probeFound = proof.probes.undeclaredNewlyAllowed.filter((o) => o.source !== 'exact').length;
  const exact = proof.exact.decided
    ? `Exact check: ${proof.exact.classes} class(es) of requests newly allowed, ${proof.exact.undeclared} of them not accounted for by the plan (one witness each in the table)`
    : `Exact check undecided (${proof.exact.reason ?? 'no reason given'}); ${proof.exact.undeclared} class(es) found not accounted for so far`;
  return (
    `${exact}. ${proof.probes.evaluated} probe request(s): ${probeFound} newly allowed that the plan does not account for, ` +
    `${proof.probes.newlyDenied} newly denied. Size ${proof.size.minifiedLength} of ${proof.size.quota} characters.`
  );
}
