import type { briefCondition } from '../brief';
import type {
  CollectionError,
  PodIdentityAssociationSnapshot,
  ServiceAccountSnapshot,
  TlsObservation,
} from '../snapshot';
import type { ConditionTrace, EvalDecision } from '../trust-policy/evaluate';
import type { Quirk, ReadFailureKind } from '../trust-policy/model';

/**
 * What each rule hands on with its finding, as the JSON of a finding carries it (`evidence`). Each shape is written
 * from what the rule's check emits; the planner reads them back through `EvidenceOf<R>` (lambdas/domain/finding.ts).
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

// ---- account and collection -------------------------------------------------------------------------------------

export interface UnreachableAccountEvidence {
  readonly errors: readonly CollectionError[];
}

export interface PartlyReadAccountEvidence {
  readonly errors: readonly CollectionError[];
  /** The regions whose clusters were listed; null when every region that matters was read. */
  readonly regions: readonly string[] | null;
}

export interface ProviderQuotaEvidence {
  /** How many OIDC providers the account has. */
  readonly providers: number;
  readonly quota: number;
  /** ARNs of the providers whose issuer matches no scanned cluster. */
  readonly orphans: readonly string[];
}

// ---- OIDC providers ---------------------------------------------------------------------------------------------

export interface MissingProviderEvidence {
  /** The cluster's issuer URL, with https://. */
  readonly issuer: string;
  readonly expectedProviderArn: string;
  readonly clusterAccountId: string;
  /** The first few roles of the account that trust the cluster, and how many there are. */
  readonly usedBy: readonly string[];
  readonly usedByCount: number;
  /** Providers of the account whose URL is the issuer spelled differently (IRSA-006). */
  readonly nearMatchProviders?: readonly string[];
}

export interface ProviderAudienceEvidence {
  readonly clientIds: readonly string[];
  /** The audience the provider must list. */
  readonly missing: string;
}

export interface ThumbprintEvidence {
  readonly thumbprints: readonly string[];
  readonly tls: TlsObservation | null;
}

export interface OrphanProviderEvidence {
  readonly url: string;
  readonly region: string;
  /** The first few roles that still trust the provider, and how many there are. */
  readonly referencedBy: readonly string[];
  readonly referencedByCount: number;
  readonly safeToDelete: boolean;
}

export interface ProviderUrlEvidence {
  readonly url: string;
  /** The cluster's issuer URL, with https://. */
  readonly issuer: string;
  readonly referencedBy: readonly string[];
}

// ---- documents --------------------------------------------------------------------------------------------------

export interface UnreadableDocumentEvidence {
  readonly failure: ReadFailureKind;
  readonly excerpt: string;
}

export interface InvalidDocumentEvidence {
  readonly problems: readonly Quirk[];
}

export type DuplicateKeyQuirk = Extract<Quirk, { readonly kind: 'duplicate-key' }>;

export interface DuplicateKeysEvidence {
  readonly duplicates: readonly DuplicateKeyQuirk[];
}

/** The role's trust policy is at or over its quota, or has no room for another cluster's statement (analysis). */
export interface PolicySizeEvidence {
  readonly minifiedLength: number;
  readonly quota: number;
  readonly headroom: number;
  /** What another cluster's statement would cost (0 when the room left is plainly enough). */
  readonly nextStatementEstimate: number;
}

/** The fixed trust policy would exceed the quota (planning). */
export interface FixedPolicySizeEvidence {
  /** The length of the fixed document, minified. */
  readonly minifiedLength: number;
  readonly quota: number;
  /** The most the quota can be raised to. */
  readonly maximumQuota: number;
}

// ---- IRSA statements --------------------------------------------------------------------------------------------

export interface ActionEvidence extends StatementEvidence {
  readonly actions: readonly string[] | null;
  readonly notActions: readonly string[] | null;
}

/** The statement's principal is not Federated (a service, an AWS principal, a NotPrincipal, none). */
export interface PrincipalTypeEvidence extends StatementEvidence {
  readonly principalTypes: readonly string[];
  /** The provider ARN the statement must trust, when its target cluster is known. */
  readonly expectedFederated?: string;
}

/** The statement's Federated values that are no provider ARN (a bare URL, a wildcard, empty). */
export interface FederatedValueEvidence extends StatementEvidence {
  readonly federated: readonly string[];
  readonly expectedFederated?: string;
}

export interface ProviderAccountEvidence extends StatementEvidence {
  /** The provider ARN the statement trusts. */
  readonly federated: string;
  readonly providerAccount: string;
  /** The provider ARN in the role's account, when the target cluster is known. */
  readonly expectedFederated?: string;
}

export interface ProviderPartitionEvidence extends StatementEvidence {
  readonly federated: string;
  readonly partition: string;
  readonly expectedPartition: string;
}

export interface RoleArnPartitionEvidence extends ServiceAccountEvidence {
  readonly expectedPartition: string;
}

/** The provider ARN differs from a known cluster's issuer only in spelling (case, trailing slash, port). */
export interface ProviderSpellingEvidence extends StatementEvidence {
  readonly federated: string;
  readonly expectedFederated: string;
}

/** A cluster a stale provider may have meant, and why it is a candidate. */
export interface CandidateCluster {
  readonly cluster: string;
  readonly region: string;
  readonly accountId: string;
  /** The cluster's issuer, without https://. */
  readonly issuer: string;
  readonly why: string;
}

/** The provider names an issuer no scanned cluster has. */
export interface StaleProviderEvidence extends StatementEvidence {
  readonly federated: string;
  readonly providerExists: boolean;
  /** At most 20, best evidence first. */
  readonly candidates: readonly CandidateCluster[];
  /** Present when more clusters than those listed are candidates. */
  readonly moreCandidates?: true;
  /** False when the provider's region was not scanned, so the finding is unconfirmed. */
  readonly verified: boolean;
}

export interface KeyPrefixEvidence extends StatementEvidence {
  readonly conditionKey: string;
  readonly expectedKey: string;
}

/** A condition key names a claim no token carries. */
export interface ClaimTypoEvidence extends StatementEvidence {
  readonly kind: 'claim-typo';
  readonly conditionKey: string;
  /** The claim as written (after the last colon). */
  readonly claim: string;
  /** The claim it was probably meant to be. */
  readonly suggestion?: 'sub' | 'aud';
}

/** A service-account subject is written under the :aud key. */
export interface AudHoldsSubjectEvidence extends StatementEvidence {
  readonly kind: 'aud-holds-subject';
  readonly conditionKey: string;
  readonly values: readonly string[];
}

/** The audience sts.amazonaws.com is written under the :sub key. */
export interface SubHoldsAudienceEvidence extends StatementEvidence {
  readonly kind: 'sub-holds-audience';
  readonly conditionKey: string;
  readonly values: readonly string[];
}

/**
 * Service-account subjects are written under :aud and the statement has no :sub key. IAM compares :aud with the
 * token's audience, so no token matches and nobody can assume the role. The fix moves `subjects` to `subKey`.
 */
export interface SubjectUnderAudNoSubEvidence extends StatementEvidence {
  readonly kind: 'subject-under-aud-no-sub';
  /** The :aud key holding the subjects, as written. */
  readonly conditionKey: string;
  /** That condition's operator as written (e.g. StringEquals). */
  readonly operator: string;
  /** Every value of the :aud key. */
  readonly values: readonly string[];
  /** The values that are service-account subjects. */
  readonly subjects: readonly string[];
  /** `<the same prefix>:sub`: the key the subjects belong under (the statement has none). */
  readonly subKey: string;
}

export type ClaimEvidence =
  | ClaimTypoEvidence
  | AudHoldsSubjectEvidence
  | SubHoldsAudienceEvidence
  | SubjectUnderAudNoSubEvidence;

export interface SubjectFormEvidence extends StatementEvidence {
  readonly conditionKey: string;
  readonly value: string;
  /** The value with its stray whitespace removed, when it has some. */
  readonly withoutWhitespace?: string;
}

export interface LiteralWildcardEvidence extends StatementEvidence {
  readonly conditionKey: string;
  /** The operator as written (e.g. StringEquals). */
  readonly operator: string;
  readonly value: string;
}

/** No :sub condition at all. */
export interface NoSubjectEvidence extends StatementEvidence {
  /** The statement's Condition element as written, null when it has none. */
  readonly conditions: unknown;
}

/** :sub patterns that span namespaces. */
export interface BroadSubjectEvidence extends StatementEvidence {
  readonly patterns: readonly string[];
}

export interface NoAudienceEvidence extends StatementEvidence {
  /** `<issuer>:aud` under the statement's provider prefix, when it is known. */
  readonly suggestedKey?: string;
}

export interface AudienceValueEvidence extends StatementEvidence {
  readonly conditionKey: string;
  readonly values: readonly string[];
  readonly expected: string;
}

/** One issuer a statement merging clusters holds: the cluster when it is known, else the issuer alone. */
export type MergedIssuer =
  | { readonly issuer: string; readonly cluster: string; readonly region: string; readonly accountId: string }
  | { readonly issuer: string };

export interface MergedClustersEvidence extends StatementEvidence {
  readonly issuers: readonly MergedIssuer[];
}

/** A subject a statement is meant for, denied on evaluation although no other rule explains why. */
export interface StatementDenialEvidence extends StatementEvidence {
  readonly subject: string;
  readonly decision: EvalDecision;
  readonly explanation: string;
  readonly failedCondition: BriefCondition | null;
}

/** A workload denied by the role although a statement names its cluster and subject, or explicitly denied. */
export interface WorkloadDenialEvidence extends ServiceAccountEvidence {
  readonly evaluation: EvaluationEvidence;
}

// ---- workloads --------------------------------------------------------------------------------------------------

export interface MissingRoleEvidence extends ServiceAccountEvidence {
  readonly roleExists: false;
}

export interface UntrustedClusterEvidence extends ServiceAccountEvidence {
  readonly roleExists: true;
  readonly expectedFederated: string;
  /** The first providers the role trusts, and how many when more. */
  readonly trusts: readonly string[];
  readonly trustsCount?: number;
  readonly evaluation: EvaluationEvidence;
}

export interface SubjectNotAllowedEvidence extends ServiceAccountEvidence {
  /** The first subjects the role allows for the cluster, and how many when more. */
  readonly allowedSubjects: readonly string[];
  readonly allowedSubjectCount?: number;
  /** The first statement that names the cluster. */
  readonly statementIndex: number | undefined;
  readonly evaluation: EvaluationEvidence;
}

/** The provider does not list the audience the service account asks for. */
export interface ProviderCustomAudienceEvidence extends ServiceAccountEvidence {
  readonly audience: string;
  readonly clientIds: readonly string[];
}

/** The role's :aud condition does not allow the audience the service account asks for. */
export interface RoleCustomAudienceEvidence extends ServiceAccountEvidence {
  readonly audience: string;
  readonly evaluation: EvaluationEvidence;
}

// ---- Pod Identity -----------------------------------------------------------------------------------------------

export interface DeniedAction {
  readonly action: string;
  readonly explanation: string;
}

export interface AssociationEvidence {
  readonly association: PodIdentityAssociationSnapshot;
}

export interface AssociationDeniedEvidence extends AssociationEvidence {
  readonly denied: readonly DeniedAction[];
}

/** PI-055: the Pod Identity statement, and what else it lets in (absent for the standard trust, an info finding). */
export interface PodIdentityTrustEvidence extends StatementEvidence {
  readonly alsoTrusted?: readonly string[];
}

export interface DualIdentityEvidence extends AssociationEvidence {
  readonly irsaRoleArn: string | undefined;
}

/** Rule id to the evidence its findings carry. Its keys must be exactly the catalog's ids (checked below). */
export interface RuleEvidence {
  'IRSA-001': MissingProviderEvidence;
  'IRSA-002': ProviderAccountEvidence;
  'IRSA-003': ProviderAudienceEvidence;
  'IRSA-004': ThumbprintEvidence;
  'IRSA-005': OrphanProviderEvidence;
  'IRSA-006': ProviderUrlEvidence;
  'IRSA-007': ProviderQuotaEvidence;
  'IRSA-010': ActionEvidence;
  'IRSA-011': Either<PrincipalTypeEvidence, FederatedValueEvidence>;
  'IRSA-012': Either<ProviderSpellingEvidence, StaleProviderEvidence>;
  'IRSA-013': KeyPrefixEvidence;
  'IRSA-014': ClaimEvidence;
  'IRSA-015': SubjectFormEvidence;
  'IRSA-016': SubjectNotAllowedEvidence;
  'IRSA-017': LiteralWildcardEvidence;
  'IRSA-018': Either<NoSubjectEvidence, BroadSubjectEvidence>;
  'IRSA-019': NoAudienceEvidence;
  'IRSA-020': AudienceValueEvidence;
  'IRSA-021': MergedClustersEvidence;
  'IRSA-022': DuplicateKeysEvidence;
  'IRSA-023': Either<PolicySizeEvidence, FixedPolicySizeEvidence>;
  'IRSA-024': Either<StatementDenialEvidence, WorkloadDenialEvidence>;
  'IRSA-030': ServiceAccountEvidence;
  'IRSA-031': MissingRoleEvidence | UntrustedClusterEvidence;
  'IRSA-036': Either<ProviderCustomAudienceEvidence, RoleCustomAudienceEvidence>;
  'IRSA-038': SubjectNotAllowedEvidence;
  'IRSA-044': Either<ProviderPartitionEvidence, RoleArnPartitionEvidence>;
  'PI-050': AssociationDeniedEvidence;
  'PI-054': Either<AssociationEvidence, AssociationDeniedEvidence>;
  'PI-055': PodIdentityTrustEvidence;
  'PI-056': DualIdentityEvidence;
  'DOC-001': UnreadableDocumentEvidence;
  'DOC-002': InvalidDocumentEvidence;
  'SWEEP-001': UnreachableAccountEvidence;
  'SWEEP-002': PartlyReadAccountEvidence;
}
