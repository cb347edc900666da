import { FIX_ORDER, type Fixer, ok, statementIndexOf } from './fixer';

/** IRSA-013: a condition key names another issuer than the statement's provider; rename it to the expected key. */
export const irsa013RenameKeyPrefix: Fixer<'IRSA-013'> = {
  rule: 'IRSA-013',
  order: FIX_ORDER.keys,
  role: (finding, { patch }) => {
    const { conditionKey, expectedKey } = finding.evidence;
    return ok(
      patch.renameConditionKey(statementIndexOf(finding), conditionKey, expectedKey),
      `"${expectedKey}" is already present; merge the two by hand`,
    );
  },
};
