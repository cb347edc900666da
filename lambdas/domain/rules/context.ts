import { providerArn } from '../arn';
import type { ClusterRef, EstateIndex, RoleRef } from '../estate-index';
import { type Finding, type ResourceType, type Severity, stableId } from '../finding';
import { DEFAULT_AUDIENCE, DEFAULT_TRUST_POLICY_QUOTA } from '../snapshot';
import type { StatementView } from '../trust-policy/classify';
import type { ReadResult } from '../trust-policy/model';
import { ruleMeta } from './catalog';

export interface AnalysisOptions {
  /** Trust-policy length quota when the snapshot does not carry the account's live value. Default 2,048. */
  readonly trustPolicyQuota?: number;
}

/** A role's trust policy read once and classified statement by statement; shared by every rule. */
export interface RoleAnalysis {
  readonly ref: RoleRef;
  readonly read: ReadResult;
  readonly views: readonly StatementView[];
  /** Has an IRSA statement, or a known workload names it. */
  readonly irsa: boolean;
  /** Statement index → the cluster the statement is meant for (from its provider ARN, else its key prefixes). */
  readonly targets: ReadonlyMap<number, ClusterRef>;
}

export interface FindingDraft {
  readonly ruleId: string;
  readonly accountId: string;
  readonly resourceArn: string;
  readonly resourceType: ResourceType;
  readonly cluster?: ClusterRef;
  readonly message: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  /** Overrides the rule's default severity (e.g. info when a fault is latent). */
  readonly severity?: Severity;
  /** Distinguishes several findings of one rule on one resource (a statement index, a subject...). */
  readonly discriminator?: string;
}

export class AnalysisContext {
  private readonly byId = new Map<string, Finding>();
  /** Role ARN + statement index → number of findings on that statement. */
  private readonly statementFindings = new Map<string, number>();
  readonly roleAnalyses = new Map<string, RoleAnalysis>();
  /** Cluster issuer key → accounts whose roles (or known workloads) use the cluster through IRSA. */
  readonly clusterUse = new Map<string, Map<string, string[]>>();
  /** Provider ARN → roles that name it as a Federated principal. */
  readonly providerReferences = new Map<string, string[]>();

  constructor(
    readonly index: EstateIndex,
    readonly options: AnalysisOptions,
  ) {}

  emit(draft: FindingDraft, statementIndex?: number): void {
    const meta = ruleMeta(draft.ruleId);
    const id = stableId(draft.ruleId, draft.resourceArn, draft.discriminator ?? '');
    if (this.byId.has(id)) return;
    const cluster = draft.cluster;
    const podError = meta.podError?.replace('{issuer}', cluster ? `https://${cluster.hostPath}` : '<issuer>');
    this.byId.set(id, {
      id,
      ruleId: draft.ruleId,
      severity: draft.severity ?? meta.severity,
      accountId: draft.accountId,
      resourceArn: draft.resourceArn,
      resourceType: draft.resourceType,
      ...(cluster ? { cluster: cluster.cluster.name, region: cluster.cluster.region } : {}),
      title: meta.title,
      message: draft.message,
      ...(podError ? { podError } : {}),
      remediation: meta.remediation,
      references: meta.references,
      evidence: draft.evidence,
    });
    if (statementIndex !== undefined) {
      const key = `${draft.resourceArn}#${statementIndex}`;
      this.statementFindings.set(key, (this.statementFindings.get(key) ?? 0) + 1);
    }
  }

  findingsOnStatement(roleArn: string, statementIndex: number): number {
    return this.statementFindings.get(`${roleArn}#${statementIndex}`) ?? 0;
  }

  findings(): Finding[] {
    return [...this.byId.values()];
  }

  markClusterUse(cluster: ClusterRef, accountId: string, by: string): void {
    let accounts = this.clusterUse.get(cluster.key);
    if (!accounts) {
      accounts = new Map();
      this.clusterUse.set(cluster.key, accounts);
    }
    const users = accounts.get(accountId);
    if (users) {
      if (!users.includes(by)) users.push(by);
    } else accounts.set(accountId, [by]);
  }

  addProviderReference(arn: string, roleArn: string): void {
    const list = this.providerReferences.get(arn);
    if (list) {
      if (!list.includes(roleArn)) list.push(roleArn);
    } else this.providerReferences.set(arn, [roleArn]);
  }

  trustPolicyQuota(accountId: string): number {
    return (
      this.index.accounts.get(accountId)?.quotas?.trustPolicyLength ??
      this.options.trustPolicyQuota ??
      DEFAULT_TRUST_POLICY_QUOTA
    );
  }

  /** The provider ARN a role in `accountId` must trust for `cluster`. */
  expectedProviderArn(accountId: string, cluster: ClusterRef): string {
    return providerArn(this.index.partition, accountId, cluster.hostPath);
  }

  expectedAudience(): string {
    return DEFAULT_AUDIENCE;
  }
}

export function statementLabel(view: StatementView): string {
  return view.statement.sid ? `#${view.statement.index} (${view.statement.sid})` : `#${view.statement.index}`;
}

export function statementEvidence(view: StatementView): Record<string, unknown> {
  return {
    statementIndex: view.statement.index,
    ...(view.statement.sid ? { sid: view.statement.sid } : {}),
    statement: view.statement.raw,
  };
}
