import { groupPlans } from '../../../../cli/commands/approvals';
import { parseExpiry } from '../../../../cli/commands/mute';
import type { PlanSummary } from '../../../../lambdas/api/views';

describe('parseExpiry (mute add --expires)', () => {
  const now = new Date('2030-01-01T12:00:00.000Z');

  it('reads days from now, a date (start of that day, UTC) and a UTC time', () => {
    expect(parseExpiry('30d', now)).toBe('2030-01-31T12:00:00.000Z');
    expect(parseExpiry('7', now)).toBe('2030-01-08T12:00:00.000Z');
    expect(parseExpiry('2031-01-31', now)).toBe('2031-01-31T00:00:00.000Z');
    expect(parseExpiry('2031-01-31T08:30:00Z', now)).toBe('2031-01-31T08:30:00.000Z');
  });

  it('refuses what is not one of those, naming the forms it takes', () => {
    for (const text of ['soon', '30 days', '2031-01-31T08:30:00+02:00', '2031-13-45', '-3d', '']) {
      expect(() => parseExpiry(text, now)).toThrow(/is not a number of days \(30d\), a date .* or a UTC time/);
    }
  });
});

describe('groupPlans (approvals list over several pages)', () => {
  const plan = (planId: string, accountId: string, cluster?: string): PlanSummary =>
    ({ planId, accountId, ...(cluster ? { cluster, region: 'us-west-2' } : {}) }) as PlanSummary;

  it('groups the plans of every page by account and cluster, in page order within a group', () => {
    const groups = groupPlans([plan('p1', '2'), plan('p2', '1', 'prod'), plan('p3', '2'), plan('p4', '1', 'prod')]);
    expect(groups.map((g) => [g.accountId, g.cluster, g.plans.map((p) => p.planId)])).toEqual([
      ['1', 'prod (us-west-2)', ['p2', 'p4']],
      ['2', '(account-wide)', ['p1', 'p3']],
    ]);
  });
});
