import { makeHandler } from '../../lambdas/handlers/make-handler';
import type { WorkflowDeps } from '../../lambdas/workflow/deps';
import {
  applyPlanStep,
  preparePlan,
  recordOutcome,
  requestApproval,
  verifyPlan,
} from '../../lambdas/workflow/plan-steps';
import { analyzeAndPlan, checkCluster, collectAccountStep, report, startRun } from '../../lambdas/workflow/run-steps';

/** The same handlers the Lambda functions export (makeHandler: contract validation, logging), over given deps. */
export function stepHandlers(deps: () => WorkflowDeps): Record<string, (event: unknown) => Promise<unknown>> {
  return {
    'start-run': makeHandler('start-run', startRun, deps),
    'check-cluster': makeHandler('check-cluster', checkCluster, deps),
    'collect-account': makeHandler('collect-account', collectAccountStep, deps),
    'analyze-plan': makeHandler('analyze-plan', analyzeAndPlan, deps),
    report: makeHandler('report', report, deps),
    'prepare-plan': makeHandler('prepare-plan', preparePlan, deps),
    'request-approval': makeHandler('request-approval', requestApproval, deps),
    'apply-plan': makeHandler('apply-plan', applyPlanStep, deps),
    'verify-plan': makeHandler('verify-plan', verifyPlan, deps),
    'record-outcome': makeHandler('record-outcome', recordOutcome, deps),
  };
}
