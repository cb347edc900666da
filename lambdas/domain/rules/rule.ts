import type { Severity } from '../finding';
import type { StatementScope } from './irsa-statement/statement-scope';

/**
 * What a person needs to know about a rule: what it means, what the pod sees, what fixes it. Ids IRSA-0xx and
 * PI-0xx follow the team's failure-mode catalog; DOC-0xx (unreadable or invalid documents) and SWEEP-0xx
 * (collection gaps) are this tool's own.
 */
export interface RuleMeta<R extends string = string> {
  readonly id: R;
  readonly severity: Severity;
  readonly title: string;
  readonly explanation: string;
  /** Template of the error a pod sees; `{issuer}` is replaced with the cluster's issuer URL. */
  readonly podError?: string;
  readonly remediation: string;
  readonly references: readonly string[];
}

/** Type only: the key under which a rule declares its evidence type. Never present at run time. */
declare const evidenceType: unique symbol;
export type EvidenceKey = typeof evidenceType;

/** One rule as its file declares it: its meta, its evidence type and, for a statement rule, its check. */
export interface Rule<R extends string = string, E = unknown> extends RuleMeta<R> {
  readonly [evidenceType]?: E;
  /**
   * Checks one IRSA Allow statement. Statement checks run in registry order, in one pass over each statement,
   * from a scope computed once for it.
   */
  readonly checkStatement?: (scope: StatementScope) => void;
}

/**
 * Declares a rule whose findings carry evidence `E`: `defineRule<MyEvidence>()({ id: 'IRSA-0xx', ... })`. The id
 * stays a literal type, so the rule id list and each rule's evidence type are derived from the registry.
 */
export function defineRule<E>() {
  return <const R extends string>(rule: RuleMeta<R> & Pick<Rule, 'checkStatement'>): Rule<R, E> => rule;
}
