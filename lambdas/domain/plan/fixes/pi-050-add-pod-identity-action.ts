import type { TrustPolicyPatch } from '../patch-trust-policy';
import { FIX_ORDER, type Fixer, ok, open } from './fixer';

/** PI-050: the pods.eks.amazonaws.com statement misses an action Pod Identity needs; add it, declared. */
export const pi050AddPodIdentityAction: Fixer<'PI-050'> = {
  rule: 'PI-050',
  order: FIX_ORDER.additions,
  role: (finding, { patch, views, declared }) => {
    const pi = views.find((v) => v.kind === 'pod-identity' && v.statement.effect === 'Allow');
    const actions = finding.evidence.denied.map((d) => d.action);
    if (!pi || pi.statement.notActions) return open('the role has no pods.eks.amazonaws.com statement to extend');
    let done = true;
    for (const action of actions) {
      done = addAction(patch, pi.statement.index, action) && done;
      declared.push({
        class: 'pod-identity-action',
        why: `Pod Identity needs ${action} (PI-050)`,
        principal: 'pods.eks.amazonaws.com',
        action,
      });
    }
    return ok(done, 'the statement could not be extended');
  },
};

function addAction(patch: TrustPolicyPatch, index: number, action: string): boolean {
  const s = patch.statement(index);
  if (!s) return false;
  const current = s.Action;
  if (current === action || (Array.isArray(current) && current.includes(action))) return true;
  s.Action = Array.isArray(current) ? [...current, action] : current === undefined ? action : [current, action];
  patch.changes.push(`statement #${index}: Action also allows ${action}`);
  return true;
}
