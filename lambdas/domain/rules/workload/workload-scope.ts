import { roleAccountId } from '../../arn';
import { briefCondition } from '../../brief';
import type { ClusterRef, ServiceAccountRef } from '../../estate-index';
import { DEFAULT_AUDIENCE, type KubeObjectRef, type ServiceAccountSnapshot } from '../../snapshot';
import type { StatementView } from '../../trust-policy/classify';
import { subjectFor } from '../../trust-policy/classify';
import { type Evaluation, evaluateTrustPolicy, webIdentityRequest } from '../../trust-policy/evaluate';
import type { TrustPolicy } from '../../trust-policy/model';
import type { AnalysisContext, RoleAnalysis } from '../context';
import type { EvaluationEvidence, ServiceAccountEvidence } from '../evidence';

/** One service account that names a role: what every workload check reads, computed once. */
export class WorkloadScope {
  readonly sa: ServiceAccountSnapshot;
  /** The cluster it runs on, when the snapshot has it. */
  readonly cluster: ClusterRef | undefined;
  /** Its token subject: system:serviceaccount:<namespace>:<name>. */
  readonly subject: string;
  readonly subjectEvidence: ServiceAccountEvidence;
  /** The draft field naming the service account, when it was read from the cluster's Kubernetes API. */
  readonly objectRef: { readonly kubernetesObject?: KubeObjectRef };
  /**
   * Tells this workload's findings on one resource apart: its subject, and for a service account read from a cluster
   * also the cluster (the same namespace and name on two clusters are two workloads).
   */
  readonly discriminator: string;

  constructor(
    readonly ref: ServiceAccountRef,
    readonly roleArn: string,
    readonly ctx: AnalysisContext,
  ) {
    this.sa = ref.serviceAccount;
    this.cluster = ctx.index.clusterByName(ref.accountId, this.sa.cluster, this.sa.region);
    this.subject = subjectFor(this.sa.namespace, this.sa.name);
    this.subjectEvidence = { subject: this.subject, serviceAccount: this.sa };
    this.objectRef = ref.kube
      ? { kubernetesObject: { kind: 'ServiceAccount', namespace: this.sa.namespace, name: this.sa.name } }
      : {};
    this.discriminator = ref.kube ? JSON.stringify([this.subject, this.sa.cluster, this.sa.region]) : this.subject;
  }

  /** "Add-on x, service account ns/name on cluster c (region)", capitalized: how messages name the workload. */
  who(): string {
    const sa = this.sa;
    const text = `${sa.source === 'addon' && sa.addon ? `add-on ${sa.addon}, ` : ''}service account ${sa.namespace}/${sa.name} on cluster ${sa.cluster} (${sa.region})`;
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
}

/** A workload on a known cluster whose role was read: its request evaluated against the role's trust policy. */
export class EvaluatedWorkload {
  readonly roleAccount: string;
  /** The audience its tokens carry (eks.amazonaws.com/audience, else sts.amazonaws.com). */
  readonly audience: string;
  readonly providerArn: string;
  readonly result: Evaluation;
  /** The evaluation as evidence: per workload it quotes the policy, never copies it (a condition may list thousands). */
  readonly evaluation: EvaluationEvidence;
  private targetingViews: StatementView[] | undefined;

  constructor(
    readonly w: WorkloadScope,
    readonly cluster: ClusterRef,
    readonly analysis: RoleAnalysis,
    policy: TrustPolicy,
  ) {
    this.roleAccount = roleAccountId(w.roleArn) ?? '';
    this.audience = w.sa.audience ?? DEFAULT_AUDIENCE;
    this.providerArn = w.ctx.expectedProviderArn(this.roleAccount, cluster);
    const request = webIdentityRequest(this.providerArn, cluster.hostPath, { sub: w.subject, aud: this.audience });
    this.result = evaluateTrustPolicy(policy, request);
    this.evaluation = {
      decision: this.result.decision,
      explanation: this.result.explanation,
      failedCondition: briefCondition(this.result.failedCondition),
    };
  }

  /** The draft fields of a finding on the role, for this workload. */
  onRole() {
    return {
      accountId: this.roleAccount,
      resourceArn: this.w.roleArn,
      resourceType: 'role' as const,
      cluster: this.cluster,
      ...this.w.objectRef,
      discriminator: this.w.discriminator,
    };
  }

  /** The role's IRSA Allow statements that name this cluster (by provider or key prefix). */
  targeting(): readonly StatementView[] {
    const key = this.cluster.key;
    this.targetingViews ??= this.analysis.views.filter(
      (v) =>
        v.kind === 'irsa' &&
        v.statement.effect === 'Allow' &&
        (v.providers.some((p) => p.key === key) || v.issuerConditions.some((c) => c.prefixKey === key)),
    );
    return this.targetingViews;
  }
}
