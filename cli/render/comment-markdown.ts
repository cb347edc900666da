import { type AnalysisResult, type Finding, SEVERITIES } from '../../lambdas/domain/finding';
import { clip, escapeControls as esc } from '../../lambdas/shared/text';
import { type CollectionReport, collectionReport, findingCounts } from './collection';
import { code, fence, md } from './findings';
import { groupFindings } from './group';
import { renderPlansMarkdown } from './plans';
import type { PlansReportInput, ReportContext } from './report';

/** A GitHub comment (issue, pull request, discussion) holds at most 65,536 characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/**
 * The findings as a GitHub comment: the summary first (counts by severity, a one-line verdict, how completely the
 * estate was read), then one collapsed `<details>` block per account and cluster with its findings. Beyond the
 * limit, the report is cut at a finding boundary and ends with a line saying how many findings were left out and
 * how to get the full report. The length is counted in UTF-16 code units, never fewer than GitHub's characters.
 */
export function renderFindingsComment(
  result: AnalysisResult,
  ctx: ReportContext,
  limit: number = GITHUB_COMMENT_LIMIT,
): string {
  const body = new Budget(limit, summarySection(result, ctx));
  let shown = 0;
  for (const section of sections(result.findings)) {
    // Without a limit (a file, not a comment) each finding's evidence comes too, collapsed.
    const added = addSection(body, section, !Number.isFinite(limit));
    shown += added;
    if (added < section.findings.length) break;
  }
  const left = result.findings.length - shown;
  if (left > 0) body.add(truncationLine(left, ctx));
  return body.text();
}

/** One collapsed block per account and cluster, worst first. */
function sections(
  findings: readonly Finding[],
): Array<{ readonly title: string; readonly findings: readonly Finding[] }> {
  return groupFindings(findings).flatMap((group) =>
    group.clusters.map((c) => ({
      title: c.cluster
        ? `Account ${html(group.accountId)} · cluster ${html(c.cluster)} (${html(c.region ?? '')})`
        : `Account ${html(group.accountId)} · account-wide`,
      findings: c.findings,
    })),
  );
}

/** Adds a section's findings while they fit (the block closed either way); returns how many were added. */
function addSection(
  body: Budget,
  section: { readonly title: string; readonly findings: readonly Finding[] },
  evidence: boolean,
): number {
  const open = `<details><summary>${section.title}: ${html(countLine(section.findings))}</summary>\n\n`;
  const close = '</details>\n\n';
  const blocks = section.findings.map((f) => findingBlock(f, evidence));
  if (!body.fits(open + (blocks[0] ?? '') + close)) return 0;
  body.add(open);
  let added = 0;
  for (const block of blocks) {
    if (!body.fits(block + close)) break;
    body.add(block);
    added++;
  }
  body.add(close);
  return added;
}

/** Plans as a comment: the plan markdown, cut before the first plan that would not fit, with the same pointer. */
export function renderPlansComment(
  result: PlansReportInput,
  ctx: ReportContext,
  limit: number = GITHUB_COMMENT_LIMIT,
): string {
  const full = renderPlansMarkdown(result, result.analysis.findings);
  if (full.length <= limit) return full;
  // Each plan's section begins with "\n## <n>. ": cut at the last such boundary that leaves room for the pointer.
  const starts = [...full.matchAll(/\n## \d+\. /g)].map((m) => (m.index ?? 0) + 1);
  const snapshot = ctx.snapshotFile ? clip(ctx.snapshotFile, 200).replace(/`/g, "'") : '<snapshot>';
  const tail = (left: number) =>
    `\n---\n\n*Cut to fit a GitHub comment (${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')} characters): ${left} more plan(s) not shown. The full plans: \`irsa-doctor plan --snapshot ${snapshot} --output markdown --out-file plans.md\`, or \`--output json\`.*\n`;
  let cut = starts[0] ?? 0;
  let shown = 0;
  for (const [i, at] of starts.entries()) {
    if (at + tail(result.plans.length - i).length > limit) break;
    cut = at;
    shown = i;
  }
  return `${full.slice(0, cut)}${tail(result.plans.length - shown)}`;
}

/** Text added while it fits, keeping room for a closing line that is always added. */
class Budget {
  private readonly parts: string[];
  private length: number;
  /** Room kept for the truncation line (at most about 500 characters, its file name clipped to 200). */
  private static readonly RESERVE = 800;

  constructor(
    private readonly limit: number,
    head: string,
  ) {
    this.parts = [head];
    this.length = head.length;
  }

  fits(text: string): boolean {
    return this.length + text.length + Budget.RESERVE <= this.limit;
  }

  add(text: string): void {
    this.parts.push(text);
    this.length += text.length;
  }

  text(): string {
    return this.parts.join('').replace(/\n+$/, '\n');
  }
}

function summarySection(result: AnalysisResult, ctx: ReportContext): string {
  const counts = findingCounts(result.findings);
  const collection = collectionReport(ctx.snapshot);
  const s = result.summary;
  const lines = [
    '## IRSA Doctor',
    '',
    verdict(counts.open, counts.openTotal, counts.suppressedTotal, collection),
    '',
    '| Severity | Open | Suppressed |',
    '| --- | ---: | ---: |',
    ...SEVERITIES.map((sev) => `| ${sev} | ${counts.open[sev]} | ${counts.suppressed[sev]} |`),
    '',
    `${s.accounts} account(s), ${s.clusters} cluster(s), ${s.oidcProviders} OIDC provider(s), ${s.roles} role(s) of which ${s.irsaRoles} use IRSA. ${collectionLine(collection)}`,
    '',
    `<sub>irsa-doctor ${html(ctx.toolVersion)} · ${ctx.command} · ${html(ctx.generatedAt)} · partition ${html(collection.partition)}</sub>`,
    '',
    '',
  ];
  return lines.join('\n');
}

/** One line: what a reviewer must know before anything else. */
function verdict(
  open: Record<string, number>,
  openTotal: number,
  suppressedTotal: number,
  collection: CollectionReport,
): string {
  const incomplete = collection.accounts.partial + collection.accounts.unreachable;
  const caveat =
    incomplete > 0 ? ` ${incomplete} account(s) were not read completely: findings there may be missing.` : '';
  const suppressed = suppressedTotal > 0 ? ` (${suppressedTotal} suppressed)` : '';
  if (openTotal === 0)
    return `**No open findings**${suppressed}: every IRSA setup in the snapshot checks out.${caveat}`;
  const urgent = (open.critical ?? 0) + (open.high ?? 0);
  const worst = SEVERITIES.filter((s) => (open[s] ?? 0) > 0)
    .map((s) => `${open[s]} ${s}`)
    .join(', ');
  return `**${openTotal} open finding(s)**${suppressed}: ${worst}.${urgent > 0 ? ' Pods using these roles fail or are exposed: fix the critical and high ones first.' : ''}${caveat}`;
}

function collectionLine(c: CollectionReport): string {
  const k = c.clusters.kubernetes;
  return `Accounts read: ${c.accounts.complete} complete, ${c.accounts.partial} partial, ${c.accounts.unreachable} unreachable. Clusters' Kubernetes side: ${k.complete} read, ${k.partial} partly, ${k.unreadable} unreadable, ${k.notRead} not read.`;
}

function countLine(findings: readonly Finding[]): string {
  const counts = findingCounts(findings);
  const parts = SEVERITIES.filter((s) => counts.open[s] > 0).map((s) => `${counts.open[s]} ${s}`);
  if (counts.suppressedTotal > 0) parts.push(`${counts.suppressedTotal} suppressed`);
  return parts.join(', ');
}

/** One finding: severity, rule and title; the resource; the message; what the pod sees; the fix; its evidence. */
function findingBlock(f: Finding, evidence: boolean): string {
  const k = f.kubernetesObject;
  const lines = [
    `#### ${f.severity.toUpperCase()} ${f.ruleId}: ${md(f.title)}${f.suppressed ? ' (suppressed)' : ''}`,
    '',
    `${code(f.resourceArn)}${k ? ` · ${k.kind} ${code([k.namespace, k.name].filter(Boolean).join('/'))}` : ''}`,
    '',
  ];
  if (f.suppressed) {
    lines.push(
      `*Suppressed by ${md(f.suppressed.by)} until ${md(f.suppressed.until)}: ${md(f.suppressed.reason)}*`,
      '',
    );
  }
  lines.push(md(f.message), '');
  if (f.podError) lines.push(fence(f.podError), '');
  lines.push(`**Fix:** ${md(f.remediation)}`, '');
  if (evidence) {
    lines.push(
      '<details><summary>Evidence</summary>',
      '',
      fence(JSON.stringify(f.evidence, null, 2), 'json'),
      '',
      '</details>',
      '',
    );
  }
  lines.push('');
  return lines.join('\n');
}

function truncationLine(left: number, ctx: ReportContext): string {
  const command =
    ctx.command === 'scan'
      ? 'irsa-doctor analyze --snapshot <saved snapshot>'
      : `irsa-doctor ${ctx.command} --snapshot ${ctx.snapshotFile ? clip(ctx.snapshotFile, 200) : '<snapshot>'}`;
  return `---\n\n*Cut to fit a GitHub comment (${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')} characters): ${left} more finding(s) not shown. The full report: \`${command.replace(/`/g, "'")} --output markdown --out-file report.md\`, or \`--output json\`.*\n`;
}

/** Text inside an HTML element (`<summary>`): markup characters as entities, controls as visible escapes. */
function html(text: string): string {
  return esc(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
