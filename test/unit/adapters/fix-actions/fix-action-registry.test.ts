import { AwsClientFactory } from '../../../../lambdas/adapters/aws-clients';
import { applyPlan, FIX_ACTIONS, holdsState } from '../../../../lambdas/adapters/fix-actions/fix-action-registry';
import { sameJson } from '../../../../lambdas/adapters/fix-actions/update-trust-policy';
import { APPLIED_ACTIONS, FIX_ACTION_IAM } from '../../../../lambdas/domain/fix-action-iam';
import { PLAN_ACTIONS } from '../../../../lambdas/domain/plan/plan-model';
import { testPlan } from '../../../support/test-plan';

const plan = testPlan;

describe('applyPlan guards (no AWS call is made)', () => {
  // An endpoint nothing listens on: any call would fail with a connection error, not the typed errors below
  const options = {
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'AKIAEXAMPLE000000000', secretAccessKey: 's' },
    maxAttempts: 1,
  };

  it('refuses read-only (scanner) credentials', async () => {
    await expect(applyPlan(new AwsClientFactory(options), plan({}))).rejects.toMatchObject({
      name: 'PlanNotApplicableError',
    });
  });

  it('refuses propose-only plans and actions that are never automatic', async () => {
    const writer = new AwsClientFactory({ ...options, access: 'write' });
    await expect(
      applyPlan(writer, plan({ applicable: false, proposeOnlyReason: 'owned by CloudFormation' })),
    ).rejects.toThrow(/propose-only \(owned by CloudFormation\)/);
    await expect(
      applyPlan(
        writer,
        plan({
          action: 'delete-oidc-provider',
          before: { url: 'oidc.eks.us-west-2.amazonaws.com/id/X', clientIds: [], thumbprints: [] },
          after: null,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'PlanNotApplicableError',
      message: expect.stringContaining('never applied automatically'),
    });
  });
});

describe('sameJson', () => {
  it('ignores object key order but not array order, types or extra keys', () => {
    expect(sameJson({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: '1' }, { a: 1 })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson([], {})).toBe(false);
  });
});

describe('the fix-action registry', () => {
  const modules = Object.entries(FIX_ACTIONS);

  it('holds only plan actions, each module under its own action, with its declared IAM', () => {
    for (const [key, fix] of modules) {
      expect(PLAN_ACTIONS).toContain(key);
      expect(fix.action).toBe(key);
      expect(fix.iam).toBe(FIX_ACTION_IAM[fix.action]);
    }
  });

  it('is exactly the applied actions: the propose-only ones are not in it', () => {
    expect(Object.keys(FIX_ACTIONS).sort()).toEqual([...APPLIED_ACTIONS].sort());
    expect(APPLIED_ACTIONS).not.toContain('delete-oidc-provider');
    expect(APPLIED_ACTIONS).not.toContain('update-service-account');
  });

  it('judges states through each action: a text or a foreign shape is not a state, absent is only absent', () => {
    const doc = { Version: '2012-10-17', Statement: [] };
    const provider = {
      url: 'oidc.eks.us-west-2.amazonaws.com/id/A',
      clientIds: ['sts.amazonaws.com'],
      thumbprints: [],
    };
    expect(holdsState('update-trust-policy', { Statement: [], Version: '2012-10-17' }, doc)).toBe(true);
    expect(holdsState('update-trust-policy', JSON.stringify(doc), doc)).toBe(false);
    expect(holdsState('update-trust-policy', null, null)).toBe(true);
    expect(holdsState('update-trust-policy', null, doc)).toBe(false);
    expect(holdsState('add-client-id', { ...provider, url: `https://${provider.url}/` }, provider)).toBe(true);
    expect(holdsState('add-client-id', doc, provider)).toBe(false);
    expect(holdsState('create-oidc-provider', null, null)).toBe(true);
    expect(holdsState('delete-oidc-provider', null, null)).toBe(false);
  });
});
