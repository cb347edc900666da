import type { briefCondition } from '../brief';
import type { ServiceAccountSnapshot } from '../snapshot';
import type { ConditionTrace, EvalDecision } from '../trust-policy/evaluate';
import type { Quirk } from '../trust-policy/model';

/**
 * What rules hand on with their findings, as the JSON of a finding carries it (`evidence`). Each rule declares its
 * evidence type in its own file; the parts several rules share are here, and every rule's evidence type is
 * re-exported below by name. Readers go through `EvidenceOf<R>` (lambdas/domain/finding.ts).
 *
 * A rule that reports from two places has two shapes. When no field tells them apart, `Either<A, B>` lets a reader
 * test any field of either side without narrowing first: a field of one side is absent (undefined) on the other.
 */
export type Either<A, B> = (A & Absent<B, A>) | (B & Absent<A, B>);
type Absent<T, Of> = { readonly [K in Exclude<keyof T, keyof Of>]?: undefined };

// ---- shared parts -----------------------------------------------------------------------------------------------

/** The statement a finding is about, as written, and the reader's quirks in it (stray whitespace, operator case...). */
export interface StatementEvidence {
  readonly statementIndex: number;
  readonly sid?: string;
  readonly statement: Readonly<Record<string, unknown>>;
  readonly quirks?: readonly Quirk[];
}

/** The workload a finding is about: its token subject and the service account record. */
export interface ServiceAccountEvidence {
  readonly subject: string;
  readonly serviceAccount: ServiceAccountSnapshot;
}

/** A condition as evaluation traced it, its values cut to the first few (with their count when longer). */
export type BriefCondition = NonNullable<ReturnType<typeof briefCondition<ConditionTrace>>>;

/** How a workload's request was evaluated against the role's trust policy. */
export interface EvaluationEvidence {
  readonly decision: EvalDecision;
  readonly explanation: string;
  readonly failedCondition: BriefCondition | null;
}

// ---- each rule's evidence, declared in its file ------------------------------------------------------------------

export type { ProviderQuotaEvidence } from './account/irsa-007-provider-quota';
export type { UnreachableAccountEvidence } from './account/sweep-001-account-unreachable';
export type { PartlyReadAccountEvidence } from './account/sweep-002-account-partly-read';
export type { EvidenceOf, RuleEvidence } from './catalog';
export type { UnreadableDocumentEvidence } from './document/doc-001-unreadable-document';
export type { InvalidDocumentEvidence } from './document/doc-002-invalid-document';
export type { DuplicateKeyQuirk, DuplicateKeysEvidence } from './document/irsa-022-duplicate-keys';
export type { FixedPolicySizeEvidence, PolicySizeEvidence } from './document/irsa-023-policy-size';
export type { ProviderAccountEvidence } from './irsa-statement/irsa-002-provider-in-other-account';
export type { ActionEvidence } from './irsa-statement/irsa-010-action-not-web-identity';
export type { FederatedValueEvidence, PrincipalTypeEvidence } from './irsa-statement/irsa-011-principal-not-federated';
export type {
  CandidateCluster,
  ProviderSpellingEvidence,
  StaleProviderEvidence,
} from './irsa-statement/irsa-012-provider-matches-no-cluster';
export type { KeyPrefixEvidence } from './irsa-statement/irsa-013-key-prefix';
export type {
  AudHoldsSubjectEvidence,
  ClaimEvidence,
  ClaimTypoEvidence,
  SubHoldsAudienceEvidence,
  SubjectUnderAudNoSubEvidence,
} from './irsa-statement/irsa-014-claim-misspelled-or-swapped';
export type { SubjectFormEvidence } from './irsa-statement/irsa-015-malformed-subject';
export type { LiteralWildcardEvidence } from './irsa-statement/irsa-017-wildcard-under-string-equals';
export type { BroadSubjectEvidence, NoSubjectEvidence } from './irsa-statement/irsa-018-any-service-account';
export type { NoAudienceEvidence } from './irsa-statement/irsa-019-no-aud';
export type { AudienceValueEvidence } from './irsa-statement/irsa-020-aud-value';
export type { MergedClustersEvidence, MergedIssuer } from './irsa-statement/irsa-021-clusters-merged';
export type { ProviderPartitionEvidence, RoleArnPartitionEvidence } from './irsa-statement/irsa-044-other-partition';
export type {
  AssociationDeniedEvidence,
  AssociationEvidence,
  DeniedAction,
} from './pod-identity/pi-050-pods-service-not-trusted';
export type { PodIdentityTrustEvidence } from './pod-identity/pi-055-over-broad-pod-identity-trust';
export type { DualIdentityEvidence } from './pod-identity/pi-056-irsa-and-pod-identity';
export type { MissingProviderEvidence } from './provider/irsa-001-no-provider';
export type { ProviderAudienceEvidence } from './provider/irsa-003-provider-audience';
export type { ThumbprintEvidence } from './provider/irsa-004-thumbprints';
export type { OrphanProviderEvidence } from './provider/irsa-005-orphan-provider';
export type { ProviderUrlEvidence } from './provider/irsa-006-provider-url';
export type { SubjectNotAllowedEvidence } from './workload/irsa-016-subject-not-allowed';
export type { StatementDenialEvidence, WorkloadDenialEvidence } from './workload/irsa-024-denied-by-something-else';
export type { MissingRoleEvidence, UntrustedClusterEvidence } from './workload/irsa-031-role-missing-or-untrusting';
export type { ProviderCustomAudienceEvidence, RoleCustomAudienceEvidence } from './workload/irsa-036-custom-audience';
