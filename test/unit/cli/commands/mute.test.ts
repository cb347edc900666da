import { groupPlans } from '../../../../cli/commands/approvals';
import { parseExpiry, renderSuppression } from '../../../../cli/commands/mute';
import { displayWidth } from '../../../../cli/render/wrap-text';
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

describe('renderSuppression (mute list in table format)', () => {
  const suppression = {
    id: 'c0ffee00-1111-2222-3333-444455556666',
    ruleId: 'IRSA-015',
    accountId: '111111111111',
    resource: 'arn:aws:iam::111111111111:role/a-rather-long-role-name-for-the-legacy-payments-service',
    reason: 'legacy app \u001b[31mstill on the old issuer\u202e until the migration',
    createdBy: 'alice',
    createdAt: '2030-01-01T00:00:00.000Z',
    expiresAt: '2030-02-01T00:00:00.000Z',
  };

  it('wraps each suppression to the width under its id, escaping what it shows', () => {
    for (const width of [40, 80, 200]) {
      const lines = renderSuppression(suppression, { color: false, width });
      for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      expect(lines.slice(1).every((l) => l.startsWith('    '))).toBe(true);
      const text = lines.join('\n');
      for (const c of ['\u001b', '\u202e']) expect(text).not.toContain(c);
      expect(text.replace(/\n */g, '')).toContain(suppression.resource);
      expect(text).toContain('\\e[31m');
    }
    // Wide enough, the suppression is its two lines.
    expect(renderSuppression(suppression, { color: false, width: 300 })).toHaveLength(2);
    expect(renderSuppression(suppression, { color: false, width: 80 })[0]).toMatch(
      /^c0ffee00-1111-2222-3333-444455556666 {2}rule IRSA-015, account 111111111111,$/,
    );
  });
});
