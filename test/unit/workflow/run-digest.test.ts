import type { AccountRunSummary } from '../../../lambdas/ports/state-store';
import { runDigest } from '../../../lambdas/workflow/run-digest';

const summary = (accountId: string, parts: Partial<AccountRunSummary> = {}): AccountRunSummary => ({
  runId: 'r1',
  accountId,
  collection: 'complete',
  findings: 0,
  bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
  newFindings: 0,
  resolvedFindings: 0,
  suppressed: 0,
  plans: 0,
  started: 0,
  proposeOnly: 0,
  rememberedRejections: 0,
  waitingElsewhere: 0,
  ...parts,
});

describe('the run digest', () => {
  it('sums the accounts’ summaries, names unreachable and failed accounts, links the console', () => {
    const digest = runDigest({
      runId: 'r1',
      dryRun: false,
      targets: ['111111111111', '222222222222', '333333333333', '444444444444'],
      consoleUrl: 'https://console.example//',
      summaries: [
        summary('111111111111', {
          findings: 5,
          bySeverity: { critical: 1, high: 2, medium: 1, low: 1, info: 0 },
          newFindings: 2,
          resolvedFindings: 1,
          suppressed: 3,
          plans: 4,
          started: 2,
          proposeOnly: 1,
          rememberedRejections: 1,
        }),
        summary('222222222222', {
          findings: 2,
          bySeverity: { critical: 0, high: 1, medium: 0, low: 0, info: 1 },
          newFindings: 2,
          plans: 1,
          started: 1,
          waitingElsewhere: 2,
        }),
        summary('333333333333', {
          collection: 'unreachable',
          findings: 1,
          bySeverity: { critical: 0, high: 1, medium: 0, low: 0, info: 0 },
        }),
      ],
    });
    expect(digest.counts).toEqual({
      accounts: 4,
      analyzed: 3,
      findings: 8,
      bySeverity: { critical: 1, high: 4, medium: 1, low: 1, info: 1 },
      newFindings: 4,
      resolvedFindings: 1,
      suppressed: 3,
      plans: 5,
      plansWaiting: 4,
      started: 3,
      proposeOnly: 1,
      rememberedRejections: 1,
      waitingElsewhere: 2,
      partial: [],
      unreachable: ['333333333333'],
      failed: ['444444444444'],
    });
    expect(digest.subject).toBe('IRSA Doctor: 8 findings, 1 critical, 4 plans to review, 2 accounts not analyzed');
    expect(digest.text.split('\n')).toEqual([
      'Run r1: 3 of 4 accounts analyzed.',
      "Findings: 8 open (1 critical, 4 high, 1 medium, 1 low, 1 info); 4 new, 1 resolved since each account's previous run.",
      'Suppressed: 3 (mutelist: irsa-doctor mute list).',
      'Plans: 4 waiting for approval or their dependencies (3 started); 1 propose-only (a person writes the change).',
      'Not proposed again: 1 rejected before (remembered), 2 still open in an earlier run.',
      'Unreachable accounts (1): 333333333333',
      'Accounts whose analysis failed (1; see the execution history): 444444444444',
      'Review plans: https://console.example/#/plans',
      'History: https://console.example/#/history',
    ]);
  });

  it('cuts long account lists', () => {
    const targets = Array.from({ length: 25 }, (_, i) => String(100000000000 + i));
    const digest = runDigest({ runId: 'r', dryRun: true, targets, summaries: [] });
    expect(digest.counts.failed).toHaveLength(25);
    expect(digest.text).toContain('100000000019 and 5 more');
    expect(digest.text).toContain('(dry run: nothing will be written)');
    expect(digest.text).toContain('Review plans: irsa-doctor approvals list');
  });
});
