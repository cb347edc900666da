import type { Finding } from '../../lambdas/domain/finding';
import type { Plan, PlanResult } from '../../lambdas/domain/plan/plan-model';
import { escapeControls as esc } from '../../lambdas/shared/text';
import { code, fence, md } from './findings';
import { type Style, styleFor } from './style';
import type { Terminal } from './terminal';
import { renderDiff } from './terminal-diff';
import { type Paint, wrapText } from './wrap-text';

function counts(result: PlanResult): string {
  const applicable = result.plans.filter((p) => p.applicable).length;
  return `${result.plans.length} plan(s): ${applicable} to apply after approval, ${result.plans.length - applicable} proposed only`;
}

/** Where a plan's detail lines start: after the APPLY/PROPOSE column. */
const DETAIL = 9;

/**
 * One block per plan, providers first (the order they must be applied in): what, why, the diff of the document
 * (+/- lines, changed words marked with colour), the proof and the risk in a line each; wrapped to the terminal.
 */
export function renderPlansTable(result: PlanResult, terminal: Terminal): string {
  const style = styleFor(terminal);
  const width = terminal.width;
  const lines = [
    ...wrapText(counts(result), width, { prefix: style.bold('IRSA Doctor: '), indent: 2, paint: style.bold }),
    '',
  ];
  if (result.plans.length === 0) lines.push('Nothing to fix.');
  for (const [i, p] of result.plans.entries()) {
    if (i > 0) lines.push('');
    lines.push(...planBlock(p, style, width));
  }
  for (const f of result.findings) {
    lines.push(
      '',
      ...wrapText(`${f.ruleId} ${esc(f.message)}`, width, { prefix: `${style.severity(f.severity)} `, indent: DETAIL }),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The proof in one line of counts (its sentences are in -o markdown and -o json). */
export function proofLine(proof: NonNullable<Plan['proof']>): string {
  const allowed = proof.intended.filter((r) => r.after === 'Allow').length;
  const exact = proof.exact.decided
    ? `${proof.exact.classes} new class(es) (${proof.exact.undeclared} undeclared)`
    : `exact check undecided (${esc(proof.exact.reason ?? 'no reason given')})`;
  const probes = `${proof.probes.evaluated} probes (${proof.probes.undeclaredNewlyAllowed.length} undeclared, ${proof.probes.newlyDenied} newly denied)`;
  const size = `${proof.size.minifiedLength}/${proof.size.quota} chars`;
  return `proof ${proof.holds ? 'holds' : 'DOES NOT HOLD'}: ${allowed}/${proof.intended.length} intended allowed, ${exact}, ${probes}, ${size}`;
}

function planBlock(p: Plan, style: Style, width: number): string[] {
  const tag = p.applicable ? style.bold('APPLY   ') : style.dim('PROPOSE ');
  const detail = (text: string, paint?: Paint) => wrapText(text, width, { prefix: ' '.repeat(DETAIL), paint });
  // Every value that can come from the snapshot is escaped (esc): names can carry terminal escape sequences.
  const where = p.cluster ? `  (${esc(p.cluster)}, ${esc(p.region ?? '')})` : '';
  const lines = wrapText(`${p.action.padEnd(22)} ${p.ruleIds.join(',')}  ${esc(p.resourceArn)}${where}`, width, {
    prefix: `${tag} `,
    indent: DETAIL,
  });
  lines.push(...detail(esc(p.rationale, true)));
  if (p.diff) lines.push(...renderDiff(p.diff, style, { width, indent: DETAIL, resource: p.resourceArn }));
  if (p.proof) lines.push(...detail(proofLine(p.proof), style.dim));
  lines.push(
    ...detail(`risk ${p.risk.level}${p.risk.notes.length > 0 ? `: ${esc(p.risk.notes.join(' '))}` : ''}`, style.dim),
  );
  if (!p.applicable && p.proposeOnlyReason)
    lines.push(...detail(`propose only: ${esc(p.proposeOnlyReason)}`, style.dim));
  if (p.dependsOn.length > 0) lines.push(...detail(`after plan(s) ${esc(p.dependsOn.join(', '))}`, style.dim));
  lines.push(...detail(`id ${esc(p.id)}`, style.dim));
  return lines;
}

/** What an approver reads: for each plan, the finding, the evidence, the diff, the proof and the risk. */
export function renderPlansMarkdown(result: PlanResult, analyzed: readonly Finding[]): string {
  const byId = new Map(analyzed.map((f) => [f.id, f]));
  const out = ['# IRSA Doctor: fix plans', '', counts(result), ''];
  result.plans.forEach((p, i) => {
    out.push(...planSection(p, i + 1, byId));
  });
  if (result.findings.length > 0) {
    out.push('## Findings raised while planning', '');
    for (const f of result.findings) out.push(`- **${f.ruleId}** (${f.severity}): ${md(f.message)}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

function planSection(p: Plan, n: number, findings: ReadonlyMap<string, Finding>): string[] {
  const status = p.applicable ? 'apply after approval' : `propose only: ${md(p.proposeOnlyReason ?? '')}`;
  const out = [
    `## ${n}. ${p.action} ${code(p.resourceArn)}`,
    '',
    `${status} · account ${md(p.accountId)}${p.cluster ? ` · cluster ${md(p.cluster)} (${md(p.region ?? '')})` : ''} · risk **${p.risk.level}** · plan ${code(p.id)}${p.dependsOn.length > 0 ? ` · after ${p.dependsOn.map((d) => code(d)).join(', ')}` : ''}`,
    '',
    '### Findings',
    '',
  ];
  const fixed = p.findingIds.map((id) => findings.get(id)).filter((f) => f !== undefined);
  out.push(...findingLines(fixed));
  out.push('', '### Change', '', md(p.rationale), '');
  if (p.diff) out.push(fence(p.diff, 'diff'), '');
  if (p.owner) out.push(`Owned by **${p.owner.tool}** (${md(p.owner.evidence)}): ${md(p.owner.howToChange)}`, '');
  if (p.proof) out.push(...proofLines(p.proof));
  out.push('### Risk', '', ...p.risk.notes.map((note) => `- ${md(note)}`), '');
  return out;
}

/** Each finding the plan fixes (with what the pod sees), then their evidence in a collapsed block. */
function findingLines(fixed: readonly Finding[]): string[] {
  const out: string[] = [];
  for (const f of fixed) {
    out.push(`- **${f.ruleId}** (${f.severity}) ${md(f.title)}: ${md(f.message)}`);
    if (f.podError) out.push('', '  What the pod sees:', '', indent(fence(f.podError)), '');
  }
  const evidence = fixed.map((f) => ({ ruleId: f.ruleId, evidence: f.evidence }));
  if (evidence.length > 0) {
    out.push(
      '',
      '<details><summary>Evidence</summary>',
      '',
      fence(JSON.stringify(evidence, null, 2), 'json'),
      '',
      '</details>',
    );
  }
  return out;
}

function proofLines(proof: NonNullable<Plan['proof']>): string[] {
  const out = ['### Proof', '', ...proof.summary.map((s) => `- ${md(s)}`), ''];
  out.push('| request | before | after | why |', '| --- | --- | --- | --- |');
  // Newly allowed rows: a witness of a class the exact check found (source 'exact') or a probe request ('probe').
  for (const r of [...proof.intended, ...proof.probes.newlyAllowed, ...proof.probes.undeclaredNewlyAllowed]) {
    const why =
      r.declaredBy ?? `NOT DECLARED (${r.source === 'exact' ? 'witness of a newly allowed class' : 'probe request'})`;
    out.push(
      `| ${md(r.principal)} ${md(r.action)}${r.sub ? ` sub=${md(r.sub)}` : ''}${r.aud ? ` aud=${md(r.aud)}` : ''} | ${r.before} | ${r.after} | ${md(why)} |`,
    );
  }
  out.push('');
  return out;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
