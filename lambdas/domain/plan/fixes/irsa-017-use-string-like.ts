import { FIX_ORDER, type Fixer, ok, statementIndexOf } from './fixer';
import { letsAnyServiceAccountIn } from './subject-patterns';

/** IRSA-017: a wildcard :sub pattern under StringEquals matches nothing; move it to StringLike, declared. */
export const irsa017UseStringLike: Fixer<'IRSA-017'> = {
  rule: 'IRSA-017',
  order: FIX_ORDER.keys,
  role: (finding, { patch, views, declared }) => {
    const { conditionKey, operator, value } = finding.evidence;
    const idx = statementIndexOf(finding);
    const done = patch.moveKey(idx, conditionKey, operator, 'StringLike');
    const fed = views[idx]?.providers[0]?.arn;
    declared.push({
      class: letsAnyServiceAccountIn(value) ? 'any-service-account' : 'wildcard-meant',
      why: `the pattern "${value}" was meant as a wildcard (IRSA-017)`,
      subPattern: value,
      ...(fed ? { providerArn: fed } : {}),
    });
    return ok(done, 'key not found');
  },
};
