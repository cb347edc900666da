import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';
import { applyPlan, sameJson } from '../../../lambdas/adapters/plan-writer';
import { testPlan } from '../../support/test-plan';

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
