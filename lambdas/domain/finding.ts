export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Whether `severity` is at least as bad as `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) <= severityRank(threshold);
}

import type { EvidenceOf, RuleId } from './rules/catalog';
import type { KubeObjectRef } from './snapshot';

export type { EvidenceOf, RuleId } from './rules/catalog';

export type ResourceType = 'role' | 'oidc-provider' | 'cluster' | 'account' | 'service-account';

/**
 * A finding of rule `R`. Without `R`, a union discriminated on `ruleId`: testing the id types the evidence, as in
 * `if (f.ruleId === 'IRSA-012') f.evidence.candidates`.
 */
export type Finding<R extends RuleId = RuleId> = { readonly [K in R]: FindingOf<K> }[R];

/** The fields of a finding of one rule; `Finding<R>` is the form to use. */
export interface FindingOf<R extends RuleId> {
  /** Stable: the same input gives the same id. */
  readonly id: string;
  readonly ruleId: R;
  readonly severity: Severity;
  readonly accountId: string;
  /** The IAM resource a fix would touch: the role, or the provider ARN (computed even when the provider is missing). */
  readonly resourceArn: string;
  readonly resourceType: ResourceType;
  readonly cluster?: string;
  readonly region?: string;
  /** The Kubernetes object the finding is about, for findings from cluster data. */
  readonly kubernetesObject?: KubeObjectRef;
  readonly title: string;
  readonly message: string;
  /** The error a pod sees because of this fault, when it causes one. */
  readonly podError?: string;
  readonly remediation: string;
  readonly references: readonly string[];
  readonly evidence: EvidenceOf<R>;
  /** Set when a suppression (mutelist entry) covers the finding: recorded, not planned, not counted as open. */
  readonly suppressed?: FindingSuppression;
  /**
   * When the workflow first saw the finding (ISO 8601), kept from sweep to sweep while it stays (the ASFF CreatedAt
   * and FirstObservedAt); absent from analyses outside the workflow.
   */
  readonly firstSeenAt?: string;
}

/** The suppression that covers a finding: its id, the reason a person gave, and until when. */
export interface FindingSuppression {
  readonly by: string;
  readonly reason: string;
  readonly until: string;
}

export interface AnalysisSummary {
  readonly accounts: number;
  readonly clusters: number;
  readonly oidcProviders: number;
  readonly roles: number;
  readonly irsaRoles: number;
  readonly findingsBySeverity: Readonly<Record<Severity, number>>;
}

export interface AnalysisResult {
  readonly findings: readonly Finding[];
  readonly summary: AnalysisSummary;
}

/**
 * Two independent 32-bit FNV-1a style hashes over UTF-16 code units, as 16 hex digits: a stable id without any
 * I/O or crypto import. Both multipliers must be odd, or early characters stop mattering.
 */
export function stableId(...parts: readonly string[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  const text = parts.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}
