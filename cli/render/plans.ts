import type { Finding } from '../../lambdas/domain/finding';
import type { Plan, PlanResult } from '../../lambdas/domain/plan/plan-model';
import { escapeControls as esc } from '../../lambdas/shared/text';
import { code, fence, md } from './findings';
import type { Style } from './style';

/**
 * The JSON output, `JSON.stringify({ plans, findings }, null, 2)` and a newline byte for byte, piece by piece (one
 * plan or finding at a time): a hundred thousand roles give about 100 MB of JSON, and built as one string it (with
 * the copies a write makes) was the CLI plan's peak memory.
 */
export function* renderPlansJsonChunks(result: PlanResult): Generator<string> {
  const lists: Array<[string, readonly unknown[]]> = [
    ['plans', result.plans],
    ['findings', result.findings],
  ];
  yield '{';
  for (const [at, [key, items]] of lists.entries()) {
    yield `${at > 0 ? ',' : ''}\n  ${JSON.stringify(key)}: ${items.length === 0 ? '[]' : '['}`;
    if (items.length === 0) continue;
    for (const [i, item] of items.entries()) {
      // Nested two levels deep: every line of the item's own indented form moves right by four spaces.
      yield `${i > 0 ? ',' : ''}\n    ${JSON.stringify(item, null, 2).replace(/\n/g, '\n    ')}`;
    }
    yield '\n  ]';
  }
  yield '\n}\n';
}

function counts(result: PlanResult): string {
  const applicable = result.plans.filter((p) => p.applicable).length;
  return `${result.plans.length} plan(s): ${applicable} to apply after approval, ${result.plans.length - applicable} proposed only`;
}

/** One block per plan, providers first (the order they must be applied in). */
export function renderPlansTable(result: PlanResult, style: Style): string {
  const lines = [style.bold(`IRSA Doctor: ${counts(result)}`), ''];
  if (result.plans.length === 0) lines.push('Nothing to fix.');
  for (const p of result.plans) {
    const tag = p.applicable ? style.bold('APPLY   ') : style.dim('PROPOSE ');
    // Every value that can come from the snapshot is escaped (esc): names can carry terminal escape sequences.
    lines.push(
      `${tag} ${p.action.padEnd(22)} ${p.ruleIds.join(',')}  ${esc(p.resourceArn)}${p.cluster ? `  (${esc(p.cluster)}, ${esc(p.region ?? '')})` : ''}`,
    );
    lines.push(`         ${esc(p.rationale)}`);
    if (p.proof) lines.push(...p.proof.summary.map((s) => `         ${style.dim(`proof: ${esc(s)}`)}`));
    if (!p.applicable && p.proposeOnlyReason)
      lines.push(`         ${style.dim(`propose only: ${esc(p.proposeOnlyReason)}`)}`);
    if (p.dependsOn.length > 0) lines.push(`         ${style.dim(`after plan(s) ${esc(p.dependsOn.join(', '))}`)}`);
    lines.push(`         ${style.dim(`id ${esc(p.id)}, risk ${p.risk.level}`)}`);
  }
  for (const f of result.findings) lines.push('', `${style.severity(f.severity)} ${f.ruleId} ${esc(f.message)}`);
  return `${lines.join('\n')}\n`;
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
