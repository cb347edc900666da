import type { Either, StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import type { StatementScope } from './statement-scope';

/** The statement's principal is not Federated (a service, an AWS principal, a NotPrincipal, none). */
export interface PrincipalTypeEvidence extends StatementEvidence {
  readonly principalTypes: readonly string[];
  /** The provider ARN the statement must trust, when its target cluster is known. */
  readonly expectedFederated?: string;
}

/** The statement's Federated values that are no provider ARN (a bare URL, a wildcard, empty). */
export interface FederatedValueEvidence extends StatementEvidence {
  readonly federated: readonly string[];
  readonly expectedFederated?: string;
}

function expectedFederated(s: StatementScope): { expectedFederated?: string } {
  return s.target ? { expectedFederated: s.expectedFederated(s.target) } : {};
}

/** IRSA-011: the principal's type or value cannot match a pod's web-identity request. */
function checkPrincipal(s: StatementScope): void {
  const { view } = s;
  if (view.federatedValues.length === 0 || view.statement.notPrincipal) {
    const types = view.otherPrincipalTypes.length > 0 ? view.otherPrincipalTypes.join(', ') : 'none';
    s.emit(
      'IRSA-011',
      `${s.at()} checks EKS token claims but its principal is ${view.statement.notPrincipal ? 'a NotPrincipal' : types}, not Federated: a pod's web-identity request never matches.`,
      { principalTypes: view.otherPrincipalTypes, ...expectedFederated(s) },
    );
    return;
  }
  const isBad = (v: string) => v.includes('*') || v.trim() === '' || !view.providers.some((p) => p.arn === v);
  const badFederated =
    view.providers.length === view.federatedValues.length && !view.federatedValues.some((v) => v.includes('*'))
      ? []
      : view.federatedValues.filter(isBad);
  if (badFederated.length === 0) return;
  s.emit(
    'IRSA-011',
    `${s.at()}: Federated ${badFederated.map((v) => JSON.stringify(v)).join(', ')} is not a provider ARN (bare URL, wildcard or empty).`,
    { federated: badFederated, ...expectedFederated(s) },
  );
}

export const IRSA_011 = defineRule<Either<PrincipalTypeEvidence, FederatedValueEvidence>>()({
  id: 'IRSA-011',
  severity: 'high',
  title: 'IRSA statement uses the wrong principal type or value',
  explanation:
    'A web-identity request comes from a Federated principal: the provider ARN. Service or AWS principals, a bare issuer URL, a wildcard or an empty value never match it.',
  podError: ACCESS_DENIED,
  remediation: 'Set Principal to {"Federated": "<provider ARN of the cluster>"}.',
  references: [DOC.lbcWebIdentity, DOC.associate],
  checkStatement: checkPrincipal,
});
