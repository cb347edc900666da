import type { StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { DOC, NO_PROVIDER } from '../rule-docs';
import type { StatementScope } from './statement-scope';

export interface ProviderAccountEvidence extends StatementEvidence {
  /** The provider ARN the statement trusts. */
  readonly federated: string;
  readonly providerAccount: string;
  /** The provider ARN in the role's account, when the target cluster is known. */
  readonly expectedFederated?: string;
}

/** IRSA-002: the Federated provider is in another account than the role. */
function checkProviderAccount(s: StatementScope): void {
  const { accountId } = s.role.ref;
  for (const p of s.view.providers) {
    if (p.accountId === accountId) continue;
    s.emit(
      'IRSA-002',
      `${s.at()} trusts ${p.arn}, a provider in account ${p.accountId}; the provider must be in the role's account ${accountId}.`,
      {
        federated: p.arn,
        providerAccount: p.accountId,
        expectedFederated: s.target ? s.expectedFederated(s.target) : undefined,
      },
      { discriminator: p.arn },
    );
  }
}

export const IRSA_002 = defineRule<ProviderAccountEvidence>()({
  id: 'IRSA-002',
  severity: 'high',
  title: 'Role trusts an OIDC provider in another account',
  explanation:
    "The OIDC identity provider and the role must be in the same account. A Federated principal naming another account's provider never matches a token: STS looks the provider up in the role's own account.",
  podError: NO_PROVIDER,
  remediation:
    "Create a provider for the same issuer URL in the role's account and point the Federated principal at it, or chain from a role in the cluster's account.",
  references: [DOC.idpFed, DOC.crossAccount],
  checkStatement: checkProviderAccount,
});
