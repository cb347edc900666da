import { DEFAULT_AUDIENCE } from '../../snapshot';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { ProviderScope } from './provider-scope';

export interface ProviderAudienceEvidence {
  readonly clientIds: readonly string[];
  /** The audience the provider must list. */
  readonly missing: string;
}

/** IRSA-003: a provider in use does not list sts.amazonaws.com. */
export function checkProviderAudience(p: ProviderScope): void {
  const { clientIds, url } = p.ref.provider;
  if (clientIds.includes(DEFAULT_AUDIENCE)) return;
  const china = clientIds.includes('sts.amazonaws.com.cn');
  p.emit(
    'IRSA-003',
    `Provider ${url} lists audiences ${JSON.stringify(clientIds)} without "${DEFAULT_AUDIENCE}"${
      china ? ' (pod tokens carry sts.amazonaws.com in China regions too)' : ''
    }.`,
    { clientIds, missing: DEFAULT_AUDIENCE },
  );
}

export const IRSA_003 = defineRule<ProviderAudienceEvidence>()({
  id: 'IRSA-003',
  severity: 'critical',
  title: 'OIDC provider does not list the sts.amazonaws.com audience',
  explanation:
    "Pod tokens carry aud=sts.amazonaws.com in every partition (China included). STS refuses a token whose audience is not in the provider's ClientIDList.",
  podError:
    'An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: Incorrect token audience',
  remediation:
    'AddClientIDToOpenIDConnectProvider(ClientID="sts.amazonaws.com"). It is idempotent and keeps existing audiences; do not delete and recreate the provider.',
  references: [DOC.troubleshootIrsa, DOC.invalidToken],
});
