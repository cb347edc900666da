import { FIX_ORDER, type Fixer, ok, open, statementIndexOf } from './fixer';

/** IRSA-044: the provider ARN names another partition; name the estate's partition. */
export const irsa044ProviderPartition: Fixer<'IRSA-044'> = {
  rule: 'IRSA-044',
  order: FIX_ORDER.principal,
  role: (finding, { patch, lookups }) => {
    const from = finding.evidence.federated;
    if (from === undefined) return open('statement not found');
    const to = from.replace(/^arn:[^:]+:/, `arn:${lookups.partition}:`);
    return ok(patch.replaceFederated(statementIndexOf(finding), from, to), 'statement not found');
  },
};
