import type { Finding } from '../../lambdas/domain/finding';
import type { Plan } from '../../lambdas/domain/plan/plan-model';
import { escapeControls } from '../../lambdas/shared/text';

/**
 * The AWS CLI's `--output text` style: one record per line, tab-separated, the record type first, in a fixed
 * column order (documented in the README and below), "None" for an absent value as the AWS CLI prints it. A tab,
 * newline or other control character inside a value is shown as a visible escape (`\t`, `\n`, `\e`...), so a line
 * is always one record with the same number of columns, and no name can move the cursor or reorder text.
 *
 *   FINDING  severity ruleId status accountId region cluster resourceType resourceArn kubernetesObject findingId title
 *   PLAN     id action APPLY|PROPOSE risk accountId region cluster resourceArn ruleIds dependsOn
 *
 * `status` is `open` or `suppressed`; `kubernetesObject` is `Kind/namespace/name` (`Kind/name` without a
 * namespace); `ruleIds` and `dependsOn` are comma-separated.
 */
export function findingTextLine(f: Finding): string {
  const k = f.kubernetesObject;
  return line([
    'FINDING',
    f.severity,
    f.ruleId,
    f.suppressed ? 'suppressed' : 'open',
    f.accountId,
    f.region,
    f.cluster,
    f.resourceType,
    f.resourceArn,
    k ? [k.kind, k.namespace, k.name].filter((p) => p !== undefined).join('/') : undefined,
    f.id,
    f.title,
  ]);
}

export function planTextLine(p: Plan): string {
  return line([
    'PLAN',
    p.id,
    p.action,
    p.applicable ? 'APPLY' : 'PROPOSE',
    p.risk.level,
    p.accountId,
    p.region,
    p.cluster,
    p.resourceArn,
    p.ruleIds.join(','),
    p.dependsOn.length > 0 ? p.dependsOn.join(',') : undefined,
  ]);
}

export function renderFindingsText(findings: readonly Finding[]): string {
  return findings.map((f) => `${findingTextLine(f)}\n`).join('');
}

export function renderPlansText(plans: readonly Plan[], findings: readonly Finding[]): string {
  return [...plans.map(planTextLine), ...findings.map(findingTextLine)].map((l) => `${l}\n`).join('');
}

function line(values: ReadonlyArray<string | undefined>): string {
  return values.map((v) => (v === undefined || v === '' ? 'None' : escapeControls(v))).join('\t');
}
