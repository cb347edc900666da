/**
 * The write-ahead audit (issue 12, point 3), against the emulator with the real DynamoDB state store, through the
 * apply step and the console's rollback: faults injected after the IAM write and before its audit record (apply and
 * rollback), a second rollback racing the first at two points of its writes (through the fault proxy's hooks), and
 * a provider created by one run while a later run's applied change names it.
 */
import { randomUUID } from 'node:crypto';
import { GetOpenIDConnectProviderCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { EMULATOR_CREDENTIALS, seedClients } from '../../../emulator/seed';
import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';
import { RegistryFixWriter } from '../../../lambdas/adapters/registry-fix-writer';
import type { ChangeView } from '../../../lambdas/api/views';
import { DEFAULT_APPROVERS_GROUP, rollback, rollbackIdOf } from '../../../lambdas/workflow/approver-actions';
import { applyPlanStep } from '../../../lambdas/workflow/plan-steps';
import {
  failingAuditPut,
  memberAccount,
  roleWithPlan,
  storePlan,
  trustDoc,
  trustOf,
  useAuditHarness,
} from '../../support/audit-faults';
import { testPlan } from '../../support/test-plan';
import { HUB } from '../../support/workflow-estate';
import { endpointUrl } from '../emulator-env';

const alice = { id: 'alice', groups: [DEFAULT_APPROVERS_GROUP] };
const bob = { id: 'bob', groups: [DEFAULT_APPROVERS_GROUP] };
const h = useAuditHarness('w', 12);

const apply = (d: typeof h.hub.deps, runId: string, planId: string, approvedBy = 'alice') =>
  applyPlanStep(d, { runId, planId, approval: { approvedBy } });

describe('apply: the audit put fails after the IAM write', () => {
  it('the retry leaves a complete, rollback-able record instead of "already-applied" with none', async () => {
    // Given a role and an approved plan for it
    const a = await memberAccount();
    const { plan, roleName, before, after } = await roleWithPlan(endpointUrl(), a);
    await storePlan(h.hub.deps.store, 'run-a1', plan);

    // When the apply step writes IAM and its audit put then fails
    await expect(apply({ ...h.hub.deps, store: failingAuditPut(h.hub.deps.store) }, 'run-a1', plan.id)).rejects.toThrow(
      /injected/,
    );
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(after);

    // And the step is retried
    const retried = await apply(h.hub.deps, 'run-a1', plan.id);

    // Then the retry reports the change applied, with its record: what it replaced, what it wrote, who approved
    expect(retried).toMatchObject({ status: 'applied', changeId: `run-a1.${plan.id}` });
    const record = await h.hub.deps.store.getAudit(`run-a1.${plan.id}`);
    expect(record).toMatchObject({
      kind: 'apply',
      replaced: before,
      wrote: after,
      approvedBy: 'alice',
      writes: ['iam:UpdateAssumeRolePolicy'],
    });
    // And the change can be rolled back from it
    await rollback(h.deps, alice, `run-a1.${plan.id}`);
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);
  });
});

describe('rollback: the audit put fails after the IAM write', () => {
  it('records the rollback once, by the person whose write it was; someone else meanwhile is refused', async () => {
    // Given an applied change
    const a = await memberAccount();
    const { plan, roleName, before } = await roleWithPlan(endpointUrl(), a);
    await storePlan(h.hub.deps.store, 'run-r1', plan);
    await apply(h.hub.deps, 'run-r1', plan.id);
    const changeId = `run-r1.${plan.id}`;

    // When alice's rollback writes IAM and its audit put then fails
    const crashing = { ...h.deps, store: failingAuditPut(h.hub.deps.store) };
    await expect(rollback(crashing, alice, changeId, 'undo')).rejects.toThrow(/injected/);
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);

    // Then bob, asking meanwhile, is refused, naming alice, and records nothing
    await expect(rollback(h.deps, bob, changeId)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      message: expect.stringContaining('alice'),
    });
    // And alice's retry completes her record: the write she made, not a no-op
    const view = await rollback(h.deps, alice, changeId);
    expect(view.rolledBackBy).toMatchObject({
      changeId: rollbackIdOf(changeId),
      kind: 'rollback',
      approvedBy: 'alice',
      writes: ['iam:UpdateAssumeRolePolicy'],
      wrote: before,
      rollsBack: changeId,
    });
    const rollbacks = (await h.hub.deps.store.listAudit()).filter((r) => r.rollsBack === changeId);
    expect(rollbacks.map((r) => r.approvedBy)).toEqual(['alice']);
  });
});

describe('two rollbacks of one change at once', () => {
  it.each([
    ['after the first rollback wrote (the racer finds the resource restored)', 'iam:UpdateAssumeRolePolicy', 1],
    ['between the first rollback read and its write (both find what the change wrote)', 'iam:GetRole', 1],
  ] as const)('exactly one writer is recorded, with its author: the racer comes %s', async (_when, op, n) => {
    // Given an applied change, and rollbacks whose IAM calls go through the fault h.proxy
    const a = await memberAccount();
    const { plan, roleName, before } = await roleWithPlan(endpointUrl(), a);
    await storePlan(h.hub.deps.store, 'run-c1', plan);
    await apply(h.hub.deps, 'run-c1', plan.id);
    const changeId = `run-c1.${plan.id}`;
    const writers = new AwsClientFactory({
      endpoint: h.proxy.url,
      roleName: 'IrsaDoctorRemediator',
      hubAccountId: HUB,
      credentials: EMULATOR_CREDENTIALS,
      access: 'write',
    });
    const proxied = { ...h.deps, fixes: new RegistryFixWriter(writers) };

    // When bob's rollback runs to its end at that point of alice's
    h.proxy.reset();
    let racer: Promise<ChangeView | Error> | undefined;
    h.proxy.setHooks({
      after: async (operation, count) => {
        if (racer || operation !== op || count !== n) return;
        racer = rollback(proxied, bob, changeId, 'me too').catch((e: Error) => e);
        await racer;
      },
    });
    const first = await rollback(proxied, alice, changeId, 'undo').catch((e: Error) => e);
    h.proxy.setHooks(undefined);
    const second = await racer;

    // Then the policy is restored, one of them wrote, and the other was refused naming the writer
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);
    const outcomes = [first, second];
    const views = outcomes.filter((o): o is ChangeView => !(o instanceof Error));
    const refusals = outcomes.filter((o): o is Error => o instanceof Error);
    expect(views).toHaveLength(1);
    expect(refusals).toHaveLength(1);
    const writer = (views[0] as ChangeView).rolledBackBy;
    expect(writer?.writes).toEqual(['iam:UpdateAssumeRolePolicy']);
    expect(refusals[0]).toMatchObject({
      name: 'RollbackRefusedError',
      message: expect.stringContaining(writer?.approvedBy ?? '?'),
    });
    // And the audit log holds exactly that writer's record
    const rollbacks = (await h.hub.deps.store.listAudit()).filter((r) => r.rollsBack === changeId);
    expect(rollbacks.map((r) => [r.approvedBy, r.writes])).toEqual([
      [writer?.approvedBy, ['iam:UpdateAssumeRolePolicy']],
    ]);
    expect(await h.hub.deps.store.getAudit(rollbackIdOf(changeId))).toMatchObject({ approvedBy: writer?.approvedBy });
  });
});

/** A fresh account where run `runId` created an EKS provider through the apply step (audited, rollback-able). */
async function createdProvider(runId: string) {
  const a = await memberAccount();
  const issuer = `oidc.eks.us-west-2.amazonaws.com/id/${randomUUID().replace(/-/g, '').toUpperCase()}`;
  const providerArn = `arn:aws:iam::${a}:oidc-provider/${issuer}`;
  const create = testPlan({
    id: `create-${randomUUID().slice(0, 6)}`,
    accountId: a,
    resourceArn: providerArn,
    action: 'create-oidc-provider',
    before: null,
    after: { url: issuer, clientIds: ['sts.amazonaws.com'], thumbprints: [] },
  });
  await storePlan(h.hub.deps.store, runId, create);
  await apply(h.hub.deps, runId, create.id);
  return { a, providerArn, create };
}

describe('rollback dependents across runs', () => {
  it('does not delete a provider created by one run while a later run applied a trust policy naming it', async () => {
    // Given run A created a provider, and run B (no dependsOn: another run) pointed a role's trust at it
    const { a, providerArn, create } = await createdProvider('run-A');
    const { plan: repoint, roleName } = await roleWithPlan(endpointUrl(), a, trustDoc('Irsa', providerArn));
    await storePlan(h.hub.deps.store, 'run-B', repoint);
    await apply(h.hub.deps, 'run-B', repoint.id);
    const exists = async () =>
      seedClients(endpointUrl(), a)
        .iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }))
        .then(
          () => true,
          (e: Error) => {
            if (e instanceof NoSuchEntityException) return false;
            throw e;
          },
        );

    // When the provider's creation is rolled back
    // Then it is refused, naming run B's change, and the provider stays
    await expect(rollback(h.deps, alice, `run-A.${create.id}`)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'dependents',
      message: expect.stringContaining(`run-B.${repoint.id}`),
    });
    expect(await exists()).toBe(true);

    // And once run B's change is rolled back, the provider can be deleted
    await rollback(h.deps, alice, `run-B.${repoint.id}`);
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(trustDoc('Before'));
    const view = await rollback(h.deps, alice, `run-A.${create.id}`);
    expect(view.rolledBackBy?.writes).toEqual(['iam:DeleteOpenIDConnectProvider']);
    expect(await exists()).toBe(false);
  });

  it('also counts a record from before the resource index whose written document names the provider', async () => {
    // Given run A created a provider, and a record of another run (written before the index: no intent, no names)
    // whose trust policy names it
    const { a, providerArn, create } = await createdProvider('run-A2');
    await h.hub.deps.store.putAudit({
      changeId: `run-old.${randomUUID().slice(0, 6)}`,
      kind: 'apply',
      runId: 'run-old',
      planId: 'p-old',
      accountId: a,
      resourceArn: `arn:aws:iam::${a}:role/legacy`,
      action: 'update-trust-policy',
      replaced: trustDoc('Before'),
      wrote: trustDoc('Irsa', providerArn),
      writes: ['iam:UpdateAssumeRolePolicy'],
      approvedBy: 'carol',
      appliedAt: new Date().toISOString(),
    });

    // When the provider's creation is rolled back
    // Then it is refused, and the provider stays
    await expect(rollback(h.deps, alice, `run-A2.${create.id}`)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'dependents',
      message: expect.stringContaining('run-old.'),
    });
    await expect(
      seedClients(endpointUrl(), a).iam.send(
        new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }),
      ),
    ).resolves.toMatchObject({ ClientIDList: ['sts.amazonaws.com'] });
  });
});
