import { approverSettings } from '../../../lambdas/handlers/approval-api';
import { ENV } from '../../../lambdas/shared/env';

describe('approval-api settings from the environment', () => {
  it('defaults to the approvers group alone and a second approver for high risk', () => {
    expect(approverSettings({})).toEqual({ secondApproval: { risks: ['high'], actions: [] } });
  });

  it('reads the rules the hub stack passes as JSON', () => {
    const settings = approverSettings({
      [ENV.approvers]: JSON.stringify([{ group: 'a', accounts: ['111111111111'] }]),
      [ENV.secondApproval]: JSON.stringify({ risks: [], actions: ['delete-oidc-provider'] }),
    });
    expect(settings).toEqual({
      approvers: [{ group: 'a', accounts: ['111111111111'] }],
      secondApproval: { risks: [], actions: ['delete-oidc-provider'] },
    });
  });

  it.each([
    [{ [ENV.approvers]: '[{' }, /APPROVERS is not valid JSON/],
    [{ [ENV.approvers]: '[{"group":"a","accounts":["1"]}]' }, /APPROVERS: approvers\[0\]\.accounts\[0\]/],
    [{ [ENV.secondApproval]: '{"risks":["severe"]}' }, /SECOND_APPROVAL: secondApproval\.risks\[0\]/],
  ])('fails on a bad value, naming the variable and the field (%j)', (env, message) => {
    expect(() => approverSettings(env)).toThrow(
      expect.objectContaining({ name: 'UsageError', message: expect.stringMatching(message) }),
    );
  });
});
