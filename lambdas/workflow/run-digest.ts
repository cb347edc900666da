/**
 * The one notification of a sweep (issue 15): what every account's analysis found, summed from the accounts'
 * summaries. Per-finding and per-plan events stay on EventBridge; people get this digest, once per run.
 */
import { SEVERITIES, type Severity } from '../domain/finding';
import type { ChatCard } from '../ports/notifier';
import type { AccountRunSummary } from '../ports/state-store';

export interface DigestInput {
  readonly runId: string;
  readonly dryRun: boolean;
  /** Every account the run covered (the run record's targets). */
  readonly targets: readonly string[];
  readonly summaries: readonly AccountRunSummary[];
  readonly consoleUrl?: string;
}

/** The digest's numbers (also the run record's summary and the Run Completed event's). */
export interface DigestCounts {
  readonly accounts: number;
  readonly analyzed: number;
  readonly findings: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
  readonly newFindings: number;
  readonly resolvedFindings: number;
  readonly suppressed: number;
  /** Plans proposed in this run (each in its own remediation execution, or propose-only). */
  readonly plans: number;
  /** Plans that wait for a decision or for their dependencies (applicable, proposed). */
  readonly plansWaiting: number;
  readonly started: number;
  readonly proposeOnly: number;
  readonly rememberedRejections: number;
  readonly waitingElsewhere: number;
  readonly partial: readonly string[];
  readonly unreachable: readonly string[];
  /** Accounts whose analysis left no summary (the step failed: see the execution history). */
  readonly failed: readonly string[];
}

const SHOWN = 20;

function list(ids: readonly string[]): string {
  const shown = ids.slice(0, SHOWN).join(', ');
  return ids.length > SHOWN ? `${shown} and ${ids.length - SHOWN} more` : shown;
}

export function digestCounts(input: DigestInput): DigestCounts {
  const sum = (pick: (s: AccountRunSummary) => number) => input.summaries.reduce((n, s) => n + pick(s), 0);
  const analyzed = new Set(input.summaries.map((s) => s.accountId));
  const bySeverity = Object.fromEntries(SEVERITIES.map((sev) => [sev, sum((s) => s.bySeverity[sev] ?? 0)])) as Record<
    Severity,
    number
  >;
  const plans = sum((s) => s.plans);
  const proposeOnly = sum((s) => s.proposeOnly);
  const byCollection = (status: AccountRunSummary['collection']) =>
    input.summaries
      .filter((s) => s.collection === status)
      .map((s) => s.accountId)
      .sort();
  return {
    accounts: new Set([...input.targets, ...analyzed]).size,
    analyzed: analyzed.size,
    findings: sum((s) => s.findings),
    bySeverity,
    newFindings: sum((s) => s.newFindings),
    resolvedFindings: sum((s) => s.resolvedFindings),
    suppressed: sum((s) => s.suppressed),
    plans,
    plansWaiting: plans - proposeOnly,
    started: sum((s) => s.started),
    proposeOnly,
    rememberedRejections: sum((s) => s.rememberedRejections),
    waitingElsewhere: sum((s) => s.waitingElsewhere),
    partial: byCollection('partial'),
    unreachable: byCollection('unreachable'),
    failed: [...new Set(input.targets)].filter((id) => !analyzed.has(id)).sort(),
  };
}

/** The digest: subject, text (one fact a line), the same as a chat card, and its numbers. */
export function runDigest(input: DigestInput): { subject: string; text: string; chat: ChatCard; counts: DigestCounts } {
  const c = digestCounts(input);
  const base = input.consoleUrl?.replace(/\/+$/, '');
  const severityLine = SEVERITIES.map((s) => `${c.bySeverity[s]} ${s}`).join(', ');
  const lines = [
    `Run ${input.runId}${input.dryRun ? ' (dry run: nothing will be written)' : ''}: ${c.analyzed} of ${c.accounts} accounts analyzed.`,
    `Findings: ${c.findings} open (${severityLine}); ${c.newFindings} new, ${c.resolvedFindings} resolved since each account's previous run.`,
    `Suppressed: ${c.suppressed} (mutelist: irsa-doctor mute list).`,
    `Plans: ${c.plansWaiting} waiting for approval or their dependencies (${c.started} started); ${c.proposeOnly} propose-only (a person writes the change).`,
    `Not proposed again: ${c.rememberedRejections} rejected before (remembered), ${c.waitingElsewhere} still open in an earlier run.`,
    ...(c.unreachable.length > 0 ? [`Unreachable accounts (${c.unreachable.length}): ${list(c.unreachable)}`] : []),
    ...(c.partial.length > 0 ? [`Partly read accounts (${c.partial.length}): ${list(c.partial)}`] : []),
    ...(c.failed.length > 0
      ? [`Accounts whose analysis failed (${c.failed.length}; see the execution history): ${list(c.failed)}`]
      : []),
    ...(base
      ? [`Review plans: ${base}/#/plans`, `History: ${base}/#/history`]
      : ['Review plans: irsa-doctor approvals list']),
  ];
  const worst = c.bySeverity.critical > 0 ? `, ${c.bySeverity.critical} critical` : '';
  const subject = `IRSA Doctor: ${c.findings} findings${worst}, ${c.plansWaiting} plans to review${
    c.failed.length + c.unreachable.length > 0
      ? `, ${c.failed.length + c.unreachable.length} accounts not analyzed`
      : ''
  }`;
  return { subject, text: lines.join('\n'), chat: digestCard(input, c, subject, severityLine), counts: c };
}

/** The digest for a chat channel: the same facts, the review links as next steps. */
function digestCard(input: DigestInput, c: DigestCounts, subject: string, severityLine: string): ChatCard {
  const base = input.consoleUrl?.replace(/\/+$/, '');
  const facts: Array<readonly [string, string]> = [
    ['Run', `${input.runId}${input.dryRun ? ' (dry run: nothing will be written)' : ''}`],
    ['Accounts analyzed', `${c.analyzed} of ${c.accounts}`],
    ['Open findings', `${c.findings} (${severityLine})`],
    ['Since the previous run', `${c.newFindings} new, ${c.resolvedFindings} resolved`],
    ['Plans waiting for approval or dependencies', `${c.plansWaiting} (${c.started} started)`],
    ['Propose-only plans', String(c.proposeOnly)],
    ...(c.unreachable.length > 0 ? [['Unreachable accounts', list(c.unreachable)] as const] : []),
    ...(c.partial.length > 0 ? [['Partly read accounts', list(c.partial)] as const] : []),
    ...(c.failed.length > 0 ? [['Accounts whose analysis failed', list(c.failed)] as const] : []),
  ];
  return {
    title: subject,
    summary: `${c.findings} findings, ${c.plansWaiting} plans to review`,
    facts,
    nextSteps: base
      ? [`Review plans: ${base}/#/plans`, `History: ${base}/#/history`]
      : ['Review plans: irsa-doctor approvals list'],
    keywords: [
      'irsa-doctor',
      ...(c.bySeverity.critical > 0 ? ['critical'] : []),
      ...(c.unreachable.length + c.failed.length > 0 ? ['accounts-not-analyzed'] : []),
      ...(input.dryRun ? ['dry-run'] : []),
    ],
    threadId: `irsa-doctor-run-${input.runId}`,
    eventType: 'IrsaDoctorRunDigest',
  };
}
