export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Whether `severity` is at least as bad as `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) <= severityRank(threshold);
}

export type ResourceType = 'role' | 'oidc-provider' | 'cluster' | 'account' | 'service-account';

export interface Finding {
  /** Stable: the same input gives the same id. */
  readonly id: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly accountId: string;
  /** The IAM resource a fix would touch: the role, or the provider ARN (computed even when the provider is missing). */
  readonly resourceArn: string;
  readonly resourceType: ResourceType;
  readonly cluster?: string;
  readonly region?: string;
  readonly title: string;
  readonly message: string;
  /** The error a pod sees because of this fault, when it causes one. */
  readonly podError?: string;
  readonly remediation: string;
  readonly references: readonly string[];
  readonly evidence: Readonly<Record<string, unknown>>;
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
