import type { AnalysisResult, Finding } from '../../lambdas/domain/finding';
import { escapeControls as esc } from '../../lambdas/shared/text';
import { groupFindings } from './group';
import { type Style, styleFor } from './style';
import type { Terminal } from './terminal';
import { type Paint, wrapSpans, wrapText } from './wrap-text';

function summaryLine(result: AnalysisResult): string {
  const s = result.summary;
  const counts = Object.entries(s.findingsBySeverity)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  return `${s.accounts} account(s), ${s.clusters} cluster(s), ${s.oidcProviders} OIDC provider(s), ${s.roles} role(s) of which ${s.irsaRoles} use IRSA; findings: ${counts}`;
}

/** What a person reads at a terminal: grouped by account and cluster, worst first, wrapped to its width. */
export function renderFindingsTable(result: AnalysisResult, terminal: Terminal): string {
  const style = styleFor(terminal);
  const width = terminal.width;
  const lines: string[] = [
    ...wrapText(summaryLine(result), width, { prefix: style.bold('IRSA Doctor: '), indent: 2, paint: style.bold }),
    '',
  ];
  if (result.findings.length === 0) {
    lines.push('No findings: every IRSA setup in the snapshot checks out.');
    return `${lines.join('\n')}\n`;
  }
  for (const group of groupFindings(result.findings)) {
    // Every value from the snapshot is escaped (esc): a name can carry terminal escape sequences or bidi overrides.
    lines.push(...wrapText(`Account ${esc(group.accountId)}`, width, { indent: 2, paint: style.bold }));
    for (const c of group.clusters) {
      const where = c.cluster ? `Cluster ${esc(c.cluster)} (${esc(c.region ?? '')})` : 'Account-wide';
      lines.push(...wrapText(where, width, { prefix: '  ', indent: 4 }));
      for (const f of c.findings) lines.push(...tableFinding(f, style, width));
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** Where a finding's detail lines start: under its rule id, after the severity column. */
const DETAIL = 13;

/** One finding's lines of the table, each wrapped with hanging indentation under the rule id. */
function tableFinding(f: Finding, style: Style, width: number): string[] {
  const detail = (text: string, paint?: Paint) => wrapText(text, width, { prefix: ' '.repeat(DETAIL), paint });
  const lines = wrapSpans(
    [{ text: `${f.ruleId}  ${esc(f.title)}` }, ...(f.suppressed ? [{ text: ' [suppressed]', paint: style.dim }] : [])],
    width,
    { prefix: `    ${style.severity(f.severity)} `, indent: DETAIL },
  );
  if (f.suppressed) lines.push(...detail(suppressedLine(f.suppressed), style.dim));
  lines.push(...detail(esc(f.resourceArn), style.dim));
  lines.push(...detail(esc(f.message)));
  if (f.podError) lines.push(...detail(`pod sees: ${esc(f.podError.replace(/\s*\n\s*/g, ' | '))}`, style.dim));
  lines.push(...detail(`fix: ${esc(f.remediation)}`, style.dim));
  return lines;
}

/** "suppressed by <id> until <date>: <reason>" (escaped). */
function suppressedLine(s: NonNullable<Finding['suppressed']>): string {
  return `suppressed by ${esc(s.by)} until ${esc(s.until)}: ${esc(s.reason)}`;
}

/** Escapes what would otherwise be read as Markdown or HTML, and control characters (shown as visible escapes). */
export function md(text: string): string {
  return esc(text).replace(/[\\`*_{}[\]<>|#]/g, (c) => `\\${c}`);
}

/** Inline code: controls escaped, and fenced with more backticks than the text holds. */
export function code(text: string): string {
  const safe = esc(text);
  const longest = Math.max(0, ...[...safe.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return longest > 0 ? `${ticks} ${safe} ${ticks}` : `${ticks}${safe}${ticks}`;
}

/** A fenced block: its lines kept, controls in them escaped. */
export function fence(text: string, lang = ''): string {
  const safe = esc(text, true);
  const longest = Math.max(2, ...[...safe.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${safe}\n${ticks}`;
}
