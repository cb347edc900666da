import type { EvidenceKey, RuleMeta } from './rule';
import { RULES } from './rule-registry';

export type { RuleMeta } from './rule';

type RegisteredRule = (typeof RULES)[number];

/** Every rule id, derived from the registry of rule files. */
export type RuleId = RegisteredRule['id'];

/** Rule id to the evidence its findings carry, as the rule's file declares it. */
export type RuleEvidence = {
  readonly [Rule in RegisteredRule as Rule['id']]: Exclude<Rule[EvidenceKey], undefined>;
};
/** The evidence of rule R: a lookup in a mapped type, so a finding type is covariant in its rule. */
export type EvidenceOf<R extends RuleId> = RuleEvidence[R];

/** The rules' meta by id, in catalog order (what `irsa-doctor rules`, the console and the docs list). */
export const RULE_CATALOG: ReadonlyMap<RuleId, RuleMeta<RuleId>> = new Map(
  RULES.map((rule): [RuleId, RuleMeta<RuleId>] => [rule.id, metaOf(rule)]),
);

/** A rule's meta without its check: what is shown of it. */
function metaOf(rule: RegisteredRule): RuleMeta<RuleId> {
  const { id, severity, title, explanation, podError, remediation, references } = rule;
  return { id, severity, title, explanation, ...(podError ? { podError } : {}), remediation, references };
}

export function ruleMeta(id: RuleId): RuleMeta<RuleId> {
  const meta = RULE_CATALOG.get(id);
  if (!meta) throw new Error(`unknown rule id ${id}`);
  return meta;
}
