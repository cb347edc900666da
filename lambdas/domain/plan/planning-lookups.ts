import type { ClusterRef, EstateIndex, RoleRef } from '../estate-index';
import type { Finding } from '../finding';
import { DEFAULT_AUDIENCE, type KubePod, type KubernetesSnapshot } from '../snapshot';

/**
 * The estate lookups planning asks per finding, over the analysis's EstateIndex: each built once, on first use, so
 * planning stays linear in the estate (a role with many service accounts is indexed once, not once per question).
 */
export class PlanningLookups {
  /** Roles by ARN and provider ARNs by account, built once: plans are made per role of large estates. */
  private readonly roles = new Map<string, RoleRef>();
  private readonly providerArnsByAccount = new Map<string, string[]>();
  /** Known subjects by role, then by cluster and region; audiences by role: built on first use, once per role. */
  private readonly subjectsByRole = new Map<string, Map<string, Set<string>>>();
  private readonly audiencesByRole = new Map<string, string[]>();
  private clustersByName: Map<string, ClusterRef> | undefined;

  constructor(readonly index: EstateIndex) {
    for (const ref of index.roles) this.roles.set(ref.role.arn, ref);
    for (const p of index.providersByArn.values()) {
      const list = this.providerArnsByAccount.get(p.accountId);
      if (list) list.push(p.provider.arn);
      else this.providerArnsByAccount.set(p.accountId, [p.provider.arn]);
    }
  }

  get partition(): string {
    return this.index.partition;
  }

  role(arn: string): RoleRef | undefined {
    return this.roles.get(arn);
  }

  /** The first cluster of the finding's name and region, as a scan of index.clusters finds it. */
  clusterOf(f: Pick<Finding, 'cluster' | 'region'>): ClusterRef | undefined {
    if (!f.cluster || !f.region) return undefined;
    if (!this.clustersByName) {
      this.clustersByName = new Map();
      for (const c of this.index.clusters) {
        const key = JSON.stringify([c.cluster.name, c.cluster.region]);
        if (!this.clustersByName.has(key)) this.clustersByName.set(key, c);
      }
    }
    return this.clustersByName.get(JSON.stringify([f.cluster, f.region]));
  }

  /** The subjects of the known workloads (service accounts) that use a role on one cluster. */
  knownSubjects(roleArn: string, cluster: string, region: string): string[] {
    return [...(this.subjectsOf(roleArn).get(JSON.stringify([cluster, region])) ?? [])];
  }

  /** The clusters (name and region) on which known workloads use a role, in order of first appearance. */
  workloadClusters(roleArn: string): Array<{ cluster: string; region: string }> {
    return [...this.subjectsOf(roleArn).keys()].map((key) => {
      const [cluster, region] = JSON.parse(key) as [string, string];
      return { cluster, region };
    });
  }

  private subjectsOf(roleArn: string): Map<string, Set<string>> {
    let byCluster = this.subjectsByRole.get(roleArn);
    if (!byCluster) {
      byCluster = new Map();
      for (const s of this.index.serviceAccountsByRole.get(roleArn) ?? []) {
        const key = JSON.stringify([s.serviceAccount.cluster, s.serviceAccount.region]);
        const subjects = byCluster.get(key) ?? new Set<string>();
        subjects.add(`system:serviceaccount:${s.serviceAccount.namespace}:${s.serviceAccount.name}`);
        byCluster.set(key, subjects);
      }
      this.subjectsByRole.set(roleArn, byCluster);
    }
    return byCluster;
  }

  /** The distinct audiences of the service accounts that name a role, in order of first appearance. */
  roleAudiences(roleArn: string): string[] {
    let audiences = this.audiencesByRole.get(roleArn);
    if (!audiences) {
      audiences = [
        ...new Set(
          (this.index.serviceAccountsByRole.get(roleArn) ?? []).map(
            (s) => s.serviceAccount.audience ?? DEFAULT_AUDIENCE,
          ),
        ),
      ];
      this.audiencesByRole.set(roleArn, audiences);
    }
    return audiences;
  }

  /** The audience to pin for a role: its workloads' one audience, else sts.amazonaws.com. */
  roleAudience(roleArn: string): string {
    const audiences = this.roleAudiences(roleArn);
    return audiences.length === 1 ? (audiences[0] as string) : DEFAULT_AUDIENCE;
  }

  /** The pods read from a cluster's Kubernetes API that run as a service account (empty when not read). */
  podsOf(f: Pick<Finding, 'cluster' | 'region'>, namespace: string, serviceAccount: string): KubePod[] {
    const kube = this.clusterOf(f)?.cluster.kubernetes;
    return (kube?.pods ?? []).filter((p) => p.namespace === namespace && p.serviceAccountName === serviceAccount);
  }

  /** How the cluster's Kubernetes objects were read; undefined when they were not. */
  kubernetesRead(cluster: ClusterRef): KubernetesSnapshot | undefined {
    return cluster.cluster.kubernetes;
  }

  /** The first provider ARNs of an account (the proof probes them as "other providers"). */
  providersOf(account: string): string[] {
    return (this.providerArnsByAccount.get(account) ?? []).slice(0, 4);
  }
}
