/**
 * Givens shared by the unit tests of the workflow steps, over the fakes: a plan stored as the analysis stores it
 * (with its findings and its content hash), an approval waiting on a task token, a change applied and recorded.
 */
import type { Finding } from '../../../lambdas/domain/finding';
import type { Plan, UpdateTrustPolicyPlan } from '../../../lambdas/domain/plan/plan-model';
import type { PlanRecord, PlanStatus } from '../../../lambdas/ports/state-store';
import { planContentHash } from '../../../lambdas/workflow/run-steps';
import { testPlan } from '../test-plan';
import type { Fakes } from './fake-deps';

export const ROLE = 'arn:aws:iam::111111111111:role/app';
export const PROVIDER_ARN = 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC';

/** A trust policy with one statement of this Sid (documents compare by content). */
export const trust = (sid: string) => ({
  Version: '2012-10-17',
  Statement: [{ Sid: sid, Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity' }],
});

/** A finding a plan fixes (stored with the run's findings: part of what the approver is shown). */
export const findingFor = (id: string, resourceArn = ROLE): Finding =>
  ({
    id,
    ruleId: 'IRSA-015',
    severity: 'high',
    accountId: '111111111111',
    resourceArn,
    resourceType: 'role',
    title: `finding ${id}`,
    message: 'the :sub value has a trailing space',
    remediation: 'remove the space',
    references: [],
    evidence: {},
  }) as unknown as Finding;

/** A trust-policy plan from `trust('Before')` to `trust('After')` on ROLE, fixing finding f-<id>. */
export const trustPlan = (id = 'plan-1', overrides: Partial<Omit<UpdateTrustPolicyPlan, 'action'>> = {}): Plan =>
  testPlan({
    id,
    findingIds: [`f-${id}`],
    before: trust('Before'),
    after: trust('After'),
    diff: '- Before\n+ After',
    rationale: 'fix the subject',
    ...overrides,
  });

/** Stores the run's findings and the plan's record (content hash over both), as analysis does. */
export async function givenPlan(
  fakes: Pick<Fakes, 'store' | 'clock'>,
  runId: string,
  plan: Plan,
  options: { status?: PlanStatus; findings?: Finding[]; wave?: number } = {},
): Promise<PlanRecord> {
  const findings = options.findings ?? plan.findingIds.map((id) => findingFor(id, plan.resourceArn));
  await fakes.store.putFindings(runId, findings);
  const record: PlanRecord = {
    runId,
    planId: plan.id,
    plan,
    contentHash: planContentHash(plan, await fakes.store.listFindings(runId)),
    status: options.status ?? 'proposed',
    wave: options.wave ?? 0,
    updatedAt: fakes.clock.iso(),
  };
  await fakes.store.putPlans([record]);
  return record;
}

/** A run record, as start-run writes it. */
export async function givenRun(fakes: Pick<Fakes, 'store' | 'clock'>, runId: string, dryRun = false) {
  await fakes.store.putRun({
    runId,
    executionId: `arn:exec:${runId}`,
    mode: 'sweep',
    trigger: 'test',
    dryRun,
    startedAt: fakes.clock.iso(),
    targets: ['111111111111'],
    regions: ['us-west-2'],
    status: 'running',
  });
}

/** A plan waiting for approval: its record, an approval request on a task token the callbacks fake will accept. */
export async function givenWaitingPlan(fakes: Fakes, runId: string, plan: Plan, timeoutSeconds = 3600) {
  const record = await givenPlan(fakes, runId, plan, { status: 'awaiting-approval' });
  const taskToken = fakes.callbacks.issue();
  await fakes.store.putApproval({
    runId,
    planId: plan.id,
    taskToken,
    contentHash: record.contentHash,
    requestedAt: fakes.clock.iso(),
    expiresAt: new Date(fakes.clock.now().getTime() + timeoutSeconds * 1000).toISOString(),
  });
  return { record, taskToken };
}
