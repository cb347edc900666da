import { FIX_ORDER, type Fixer, ok, statementIndexOf } from './fixer';
import { keyUnderCurrentProvider } from './statement-prefix';

/**
 * IRSA-019: the statement does not pin :aud; add `<issuer>:aud` = the role's audience (sts.amazonaws.com unless
 * its workloads share another). The issuer is the statement's provider after the principal fixes of this plan
 * (an IRSA-012 repoint), so the key matches the requests the new provider's tokens make.
 */
export const irsa019AddAud: Fixer<'IRSA-019'> = {
  rule: 'IRSA-019',
  order: FIX_ORDER.additions,
  role: (finding, { patch, views, lookups, role }) => {
    const idx = statementIndexOf(finding);
    const suggested = finding.evidence.suggestedKey;
    const key = keyUnderCurrentProvider(patch, idx, views[idx]?.providers[0]?.url, suggested, 'aud');
    return ok(
      key !== undefined && patch.addCondition(idx, 'StringEquals', key, lookups.roleAudience(role.role.arn)),
      'the statement has no known issuer',
    );
  },
};
