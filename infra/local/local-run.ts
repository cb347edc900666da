/**
 * One run of the hub's workflow on the emulator's Step Functions, as the demo, the bench and the tests drive it: the
 * sweep execution to its end, then every remediation execution it started (one per plan, Release Dependents
 * starting the dependents) to theirs. The sweep does not wait for approvals; a run is settled when no remediation
 * execution of its plans is running.
 */
import { remediationExecutionName } from '../../lambdas/workflow/plan-steps';
import type { ExecutionRun, WaitOptions } from './emulator-workflow';
import type { WorkflowHub } from './local-hub';

/** The machines of the hub template, by a part of their names there (IrsaDoctorSweep, IrsaDoctorRemediation). */
export const SWEEP_MACHINE = 'Sweep';
export const REMEDIATION_MACHINE = 'Remediation';

export interface RunOutcome {
  readonly sweep: ExecutionRun;
  /** Each remediation execution of the run's plans, ended. */
  readonly remediations: readonly { readonly name: string; readonly arn: string; readonly status: string }[];
}

/** The sweep's execution, ended (the sweep does not wait for approvals). */
export function runSweep(hub: WorkflowHub, input: object, runId: string, options: WaitOptions = {}) {
  return hub.workflow.run(SWEEP_MACHINE, input, runId, options);
}

/** Waits until no remediation execution of the run's plans is running; returns them (none without that machine). */
export async function settleRemediations(hub: WorkflowHub, runId: string, options: WaitOptions = {}) {
  if (!hub.workflow.has(REMEDIATION_MACHINE)) return [];
  return hub.workflow.settle(
    REMEDIATION_MACHINE,
    async () => {
      const names = new Set(
        (await hub.deps.store.listPlans(runId)).map((p) => remediationExecutionName(runId, p.planId)),
      );
      return (name) => names.has(name);
    },
    options,
  );
}

/** The sweep, then its remediations, each to its end. */
export async function runToSettled(
  hub: WorkflowHub,
  input: object,
  runId: string,
  options: WaitOptions = {},
): Promise<RunOutcome> {
  const sweep = await runSweep(hub, input, runId, options);
  return { sweep, remediations: await settleRemediations(hub, runId, options) };
}
