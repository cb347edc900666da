import { providerArn } from '../arn';
import type { ClusterRef, EstateIndex, RoleRef } from '../estate-index';
import {
  type EvidenceOf,
  type Finding,
  type FindingOf,
  type ResourceType,
  type RuleId,
  type Severity,
  stableId,
} from '../finding';
import { DEFAULT_AUDIENCE, DEFAULT_TRUST_POLICY_QUOTA, type KubeObjectRef } from '../snapshot';
import type { StatementView } from '../trust-policy/classify';
import type { ReadResult } from '../trust-policy/model';
import { ruleMeta } from './catalog';

export interface AnalysisOptions {
  /** Trust-policy length quota when the snapshot does not carry the account's live value. Default 2,048. */
  readonly trustPolicyQuota?: number;
  /**
   * Skip the statement rules on canonical healthy IRSA statements (rules/irsa-statement/canonical-statement.ts).
   * Default true; false runs every rule on every statement (the tests compare both: the findings are the same).
   */
  readonly statementFastPath?: boolean;
}

/** A role's trust policy read once and classified statement by statement; shared by every rule. */
export interface RoleAnalysis {
  readonly ref: RoleRef;
  readonly read: ReadResult;
  readonly views: readonly StatementView[];
  /** Has an IRSA statement, or a known workload names it. */
  readonly irsa: boolean;
  /** By statement index: the cluster the statement is meant for (from its provider ARN, else its key prefixes). */
  readonly targets: ReadonlyArray<ClusterRef | undefined>;
  /** By statement index: how many findings the statement rules reported on it. */
  readonly findingsByStatement: number[];
}

/** Who uses a cluster or provider: an exact count and the first few role ARNs, for evidence. */
export interface Usage {
  count: number;
  readonly sample: string[];
}

const SAMPLE = 25;

/** What a rule says about one finding; the context adds the rule's meta and the stable id. */
export interface FindingDraft<R extends RuleId = RuleId> {
  readonly ruleId: R;
  readonly accountId: string;
  readonly resourceArn: string;
  readonly resourceType: ResourceType;
  readonly cluster?: ClusterRef;
  /** The Kubernetes object the finding is about (findings from cluster data). */
  readonly kubernetesObject?: KubeObjectRef;
  readonly message: string;
  readonly evidence: EvidenceOf<R>;
  /** Overrides the rule's default severity (e.g. info when a fault is latent). */
  readonly severity?: Severity;
  /** Distinguishes several findings of one rule on one resource (a statement index, a subject...). */
  readonly discriminator?: string;
}

export class AnalysisContext {
  private readonly byId = new Map<string, Finding>();
  /** Analyses of the roles that workloads or Pod Identity associations name (the others are not kept). */
  readonly roleAnalyses = new Map<string, RoleAnalysis>();
  irsaRoles = 0;
  /** Cluster issuer key → account → roles of that account using the cluster through IRSA (each role once). */
  readonly clusterUse = new Map<string, Map<string, Usage>>();
  /** Provider ARN → roles that name it as a Federated principal (each role once). */
  readonly providerReferences = new Map<string, Usage>();

  /** With keepForPlanning: the analyses of roles a statement finding was reported on, for the planner to reuse. */
  private readonly withFindings = new Map<string, RoleAnalysis>();

  constructor(
    readonly index: EstateIndex,
    readonly options: AnalysisOptions,
    private readonly keepForPlanning = false,
  ) {}

  /** Whether canonical healthy statements skip the statement rules (AnalysisOptions.statementFastPath). */
  get fastPath(): boolean {
    return this.options.statementFastPath !== false;
  }

  /** A role's analysis, when it was kept (a workload names it, or keepForPlanning and a finding is on it). */
  analysisOf(roleArn: string): RoleAnalysis | undefined {
    return this.roleAnalyses.get(roleArn) ?? this.withFindings.get(roleArn);
  }

  /** Records a finding (once per id). `on` counts it against a statement, for the intended-request pass. */
  emit<R extends RuleId>(draft: FindingDraft<R>, on?: { readonly role: RoleAnalysis; readonly index: number }): void {
    const meta = ruleMeta(draft.ruleId);
    const id = stableId(draft.ruleId, draft.resourceArn, draft.discriminator ?? '');
    if (this.byId.has(id)) return;
    const cluster = draft.cluster;
    const podError = meta.podError?.replace('{issuer}', cluster ? `https://${cluster.hostPath}` : '<issuer>');
    // Built in place, keys in this order, without object spreads (they cost more than the rest of a finding).
    const finding = {
      id,
      ruleId: draft.ruleId,
      severity: draft.severity ?? meta.severity,
      accountId: draft.accountId,
      resourceArn: draft.resourceArn,
      resourceType: draft.resourceType,
    } as { -readonly [K in keyof FindingOf<R>]: FindingOf<R>[K] };
    if (cluster) {
      finding.cluster = cluster.cluster.name;
      finding.region = cluster.cluster.region;
    }
    if (draft.kubernetesObject) finding.kubernetesObject = draft.kubernetesObject;
    finding.title = meta.title;
    finding.message = draft.message;
    if (podError) finding.podError = podError;
    finding.remediation = meta.remediation;
    finding.references = meta.references;
    finding.evidence = draft.evidence;
    // `finding` is the rule's own member of the Finding union; TypeScript cannot see that for a generic R.
    this.byId.set(id, finding as Finding);
    if (on) on.role.findingsByStatement[on.index] = (on.role.findingsByStatement[on.index] ?? 0) + 1;
    if (on && this.keepForPlanning) this.withFindings.set(on.role.ref.role.arn, on.role);
  }

  findings(): Finding[] {
    return [...this.byId.values()];
  }

  /** Records that a role uses a cluster; callers mark each (role, cluster) pair once. */
  markClusterUse(cluster: ClusterRef, accountId: string, by: string): void {
    let accounts = this.clusterUse.get(cluster.key);
    if (!accounts) {
      accounts = new Map();
      this.clusterUse.set(cluster.key, accounts);
    }
    const usage = accounts.get(accountId);
    if (usage) count(usage, by);
    else accounts.set(accountId, { count: 1, sample: [by] });
  }

  /** Records that a role names a provider; callers mark each (role, provider) pair once. */
  addProviderReference(arn: string, roleArn: string): void {
    const usage = this.providerReferences.get(arn);
    if (usage) count(usage, roleArn);
    else this.providerReferences.set(arn, { count: 1, sample: [roleArn] });
  }

  referencesTo(providerArn: string): Usage {
    return this.providerReferences.get(providerArn) ?? { count: 0, sample: [] };
  }

  trustPolicyQuota(accountId: string): number {
    return (
      this.index.accounts.get(accountId)?.quotas?.trustPolicyLength ??
      this.options.trustPolicyQuota ??
      DEFAULT_TRUST_POLICY_QUOTA
    );
  }

  private readonly providerArns = new Map<ClusterRef, Map<string, string>>();

  /** The provider ARN a role in `accountId` must trust for `cluster`. */
  expectedProviderArn(accountId: string, cluster: ClusterRef): string {
    let byAccount = this.providerArns.get(cluster);
    if (!byAccount) {
      byAccount = new Map();
      this.providerArns.set(cluster, byAccount);
    }
    let arn = byAccount.get(accountId);
    if (arn === undefined) {
      arn = providerArn(this.index.partition, accountId, cluster.hostPath);
      byAccount.set(accountId, arn);
    }
    return arn;
  }

  expectedAudience(): string {
    return DEFAULT_AUDIENCE;
  }
}

function count(usage: Usage, roleArn: string): void {
  usage.count++;
  if (usage.sample.length < SAMPLE) usage.sample.push(roleArn);
}

export { statementEvidence, statementLabel } from './irsa-statement/statement-scope';
