import { roleAccountId, WEBHOOK_ROLE_ARN } from '../../arn';
import { firstOf } from '../../brief';
import type { ClusterRef } from '../../estate-index';
import { ROLE_ARN_ANNOTATION } from '../../kube-annotations';
import type {
  KubeContainer,
  KubeObjectRef,
  KubePod,
  KubernetesKind,
  KubernetesSnapshot,
  KubeServiceAccount,
  WebhookEnvName,
} from '../../snapshot';
import type { AnalysisContext } from '../context';

/** The pods of one workload (one owner in one namespace, or one pod without an owner), as findings name them. */
export interface PodGroupEvidence {
  readonly namespace: string;
  /** The controller that owns the pods (ReplicaSet, StatefulSet...); absent for a bare pod. */
  readonly owner?: { readonly kind: string; readonly name: string };
  /** The first pods, by name, and how many there are. */
  readonly pods: readonly string[];
  readonly podCount: number;
}

/** One cluster whose Kubernetes objects were read (completely or in part): what every cluster-side rule reads. */
export class KubeClusterScope {
  readonly kube: KubernetesSnapshot;
  /** arn:<partition>:eks:<region>:<account>:cluster/<name>: the resource of findings that involve no role. */
  readonly clusterArn: string;
  private readonly serviceAccounts = new Map<string, KubeServiceAccount>();
  private readonly podsBySa = new Map<string, KubePod[]>();
  private readonly podIdentity: ReadonlyMap<string, string>;

  constructor(
    readonly cluster: ClusterRef,
    readonly ctx: AnalysisContext,
    kube: KubernetesSnapshot,
  ) {
    this.kube = kube;
    const c = cluster.cluster;
    this.clusterArn = c.arn ?? `arn:${ctx.index.partition}:eks:${c.region}:${cluster.accountId}:cluster/${c.name}`;
    for (const sa of kube.serviceAccounts ?? []) {
      const key = objectKey(sa.namespace, sa.name);
      if (!this.serviceAccounts.has(key)) this.serviceAccounts.set(key, sa);
    }
    for (const pod of kube.pods ?? []) {
      const key = objectKey(pod.namespace, pod.serviceAccountName);
      const list = this.podsBySa.get(key);
      if (list) list.push(pod);
      else this.podsBySa.set(key, [pod]);
    }
    const associations = new Map<string, string>();
    for (const { accountId, association: a } of ctx.index.associations) {
      if (accountId === cluster.accountId && a.cluster === c.name && a.region === c.region)
        associations.set(objectKey(a.namespace, a.serviceAccount), a.roleArn);
    }
    this.podIdentity = associations;
  }

  /**
   * Whether every object of `kind` was read and understood: only then may something be concluded missing from it.
   * A complete read says so for every kind; a partial one for the kinds without an error (a connection error
   * leaves no kind complete).
   */
  kindComplete(kind: KubernetesKind): boolean {
    if (this.kube.status === 'complete') return true;
    if (this.kube.status !== 'partial') return false;
    return !(this.kube.errors ?? []).some((e) => e.kind === kind || e.kind === 'connection');
  }

  /**
   * Whether the pod identity webhook is known to be absent: its MutatingWebhookConfiguration is not there, and those
   * were listed completely. Null state (not listed) or a partial list concludes nothing.
   */
  get webhookMissing(): boolean {
    return this.kube.podIdentityWebhook?.configured === false && this.kindComplete('mutatingwebhookconfigurations');
  }

  serviceAccount(namespace: string, name: string): KubeServiceAccount | undefined {
    return this.serviceAccounts.get(objectKey(namespace, name));
  }

  allServiceAccounts(): IterableIterator<KubeServiceAccount> {
    return this.serviceAccounts.values();
  }

  allPods(): readonly KubePod[] {
    return this.kube.pods ?? [];
  }

  podsOf(namespace: string, name: string): readonly KubePod[] {
    return this.podsBySa.get(objectKey(namespace, name)) ?? [];
  }

  /** The role of the Pod Identity association of this service account, when it has one. */
  podIdentityRole(namespace: string, name: string): string | undefined {
    return this.podIdentity.get(objectKey(namespace, name));
  }

  /** The draft fields of a finding on the cluster (no role involved). */
  onCluster(kubernetesObject: KubeObjectRef, ...discriminator: readonly string[]) {
    return {
      accountId: this.cluster.accountId,
      resourceArn: this.clusterArn,
      resourceType: 'cluster' as const,
      cluster: this.cluster,
      kubernetesObject,
      discriminator: this.discriminator(discriminator),
    };
  }

  /** The draft fields of a finding that involves a role: the role is the resource, in the role's account. */
  onRole(roleArn: string, kubernetesObject: KubeObjectRef, ...discriminator: readonly string[]) {
    return {
      accountId: roleAccountId(roleArn) ?? this.cluster.accountId,
      resourceArn: roleArn,
      resourceType: 'role' as const,
      cluster: this.cluster,
      kubernetesObject,
      discriminator: this.discriminator(discriminator),
    };
  }

  /** "service account ns/name on cluster c (region)". */
  where(kind: 'service account' | 'pod', namespace: string, name: string): string {
    const c = this.cluster.cluster;
    return `${kind} ${namespace}/${name} on cluster ${c.name} (${c.region})`;
  }

  private discriminator(parts: readonly string[]): string {
    return JSON.stringify([this.cluster.cluster.name, this.cluster.cluster.region, ...parts]);
  }
}

/** A map key for a namespaced object: exact for any characters in either part. */
export function objectKey(namespace: string, name: string): string {
  return JSON.stringify([namespace, name]);
}

export function serviceAccountRef(sa: Pick<KubeServiceAccount, 'namespace' | 'name'>): KubeObjectRef {
  return { kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name };
}

export function podRef(pod: Pick<KubePod, 'namespace' | 'name'>): KubeObjectRef {
  return { kind: 'Pod', namespace: pod.namespace, name: pod.name };
}

/** The service account's `eks.amazonaws.com/role-arn` annotation, when set and not empty. */
export function annotatedRole(sa: KubeServiceAccount | undefined): string | undefined {
  const value = sa?.annotations[ROLE_ARN_ANNOTATION];
  return value === undefined || value === '' ? undefined : value;
}

/** Whether the annotation is a role ARN the webhook accepts (else IRSA-030 reports it, and nothing more is said). */
export function wellFormedRole(roleArn: string | undefined): roleArn is string {
  return roleArn !== undefined && WEBHOOK_ROLE_ARN.test(roleArn);
}

/** The app containers (init containers get the same injection, but the workload's code runs in these). */
export function appContainers(pod: KubePod): readonly KubeContainer[] {
  return (pod.containers ?? []).filter((c) => !c.init);
}

/** The first literal value of an injected variable among the pod's containers (null: set from valueFrom). */
export function envValue(pod: KubePod, name: WebhookEnvName): string | null | undefined {
  let found: string | null | undefined;
  for (const c of pod.containers ?? []) {
    const v = c.awsEnv?.[name];
    if (v !== undefined && found === undefined) found = v;
    if (typeof v === 'string') return v;
  }
  return found;
}

/** Whether the webhook mutated the pod for IRSA: a container has AWS_ROLE_ARN and the token file, or the volume. */
export function irsaInjected(pod: KubePod): boolean {
  if (pod.tokenVolume) return true;
  return (pod.containers ?? []).some(
    (c) => c.awsEnv?.AWS_ROLE_ARN !== undefined && c.awsEnv?.AWS_WEB_IDENTITY_TOKEN_FILE !== undefined,
  );
}

/** The pods grouped by workload (namespace and owner; a pod without an owner alone), in their order. */
export function byWorkload(pods: readonly KubePod[]): Array<{ first: KubePod; evidence: PodGroupEvidence }> {
  const groups = new Map<string, KubePod[]>();
  for (const pod of pods) {
    const key = pod.owner
      ? JSON.stringify([pod.namespace, pod.owner.kind, pod.owner.name])
      : JSON.stringify([pod.namespace, '', pod.name]);
    const list = groups.get(key);
    if (list) list.push(pod);
    else groups.set(key, [pod]);
  }
  return [...groups.values()].map((list) => {
    const first = list[0] as KubePod;
    const names = firstOf(list.map((p) => p.name));
    return {
      first,
      evidence: {
        namespace: first.namespace,
        ...(first.owner ? { owner: { kind: first.owner.kind, name: first.owner.name } } : {}),
        pods: names.items,
        podCount: names.total,
      },
    };
  });
}

/** "deployment/web (pods a, b)" or "pod a": how messages name a workload. */
export function workloadText(group: PodGroupEvidence): string {
  const pods = `${group.pods.join(', ')}${group.podCount > group.pods.length ? ` and ${group.podCount - group.pods.length} more` : ''}`;
  return group.owner
    ? `${group.owner.kind} ${group.namespace}/${group.owner.name} (pod${group.podCount > 1 ? 's' : ''} ${pods})`
    : `pod ${group.namespace}/${pods}`;
}

/** Parses "1.18", "v1.18.9-eks-d1db3c", "1.30+": [major, minor], or undefined. */
export function kubernetesVersion(text: string | undefined): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(text?.trim() ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
