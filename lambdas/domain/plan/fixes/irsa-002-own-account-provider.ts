import { providerArn, providerUrlFromArn } from '../../arn';
import { FIX_ORDER, type Fixer, ok, statementIndexOf } from './fixer';

/** IRSA-002: the statement trusts a provider in another account; trust the same issuer's provider in this one. */
export const irsa002OwnAccountProvider: Fixer<'IRSA-002'> = {
  rule: 'IRSA-002',
  order: FIX_ORDER.principal,
  role: (finding, { patch, role, lookups }) => {
    const { federated: from, expectedFederated } = finding.evidence;
    const to = expectedFederated ?? providerArn(lookups.partition, role.accountId, providerUrlFromArn(from) ?? '');
    return ok(patch.replaceFederated(statementIndexOf(finding), from, to), 'statement not found');
  },
};
