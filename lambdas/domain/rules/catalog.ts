import { RULES } from './registry';
import type { EvidenceKey, RuleMeta } from './rule';

export type { RuleMeta } from './rule';

type RegisteredRule = (typeof RULES)[number];

/** Every rule id, derived from the registry of rule files. */
export type RuleId = RegisteredRule['id'];

/** The evidence findings of rule `R` carry, as its file declares it. */
export type EvidenceOf<R extends RuleId> = Exclude<Extract<RegisteredRule, { readonly id: R }>[EvidenceKey], undefined>;

/** Rule id to the evidence its findings carry. */
export type RuleEvidence = { readonly [R in RuleId]: EvidenceOf<R> };

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
