import type { StatementView } from '../../trust-policy/classify';
import type { AnalysisContext, RoleAnalysis } from '../context';
import { STATEMENT_CHECKS } from '../rule-registry';
import { StatementScope } from './statement-scope';

/** Statement rules for one IRSA Allow statement: its scope computed once, then each check in registry order. */
export function checkIrsaStatement(view: StatementView, role: RoleAnalysis, ctx: AnalysisContext): void {
  const scope = new StatementScope(view, role, ctx);
  for (const check of STATEMENT_CHECKS) check(scope);
}
