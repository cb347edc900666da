import { type Finding, stableId } from '../../finding';
import type { KubePod } from '../../snapshot';
import type { ServiceAccountFixContext } from './fixer';

/** A token for a shell command line: as is when plainly safe, else single-quoted (names from a cluster may be odd). */
export function sh(value: string): string {
  return /^[A-Za-z0-9._/:=@+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A YAML scalar: as is when plainly safe, else double-quoted JSON (valid YAML). */
export function yaml(value: string): string {
  return /^[A-Za-z0-9._/:@-]+$/.test(value) &&
    !/^[\d.]+$/.test(value) &&
    !/^(true|false|null|yes|no|on|off|~)$/i.test(value)
    ? value
    : JSON.stringify(value);
}

export function annotateCommand(namespace: string, name: string, key: string, value: string): string {
  return `kubectl annotate serviceaccount -n ${sh(namespace)} ${sh(name)} ${sh(`${key}=${value}`)} --overwrite`;
}

/**
 * How to recreate a workload's pods: `kubectl rollout restart` of the controller (a ReplicaSet's Deployment by the
 * pod-template-hash convention: the ReplicaSet is named <deployment>-<hash>), else delete the pods (a Job's or a
 * custom controller's are recreated by it; a pod without an owner is not).
 */
/** The controller to edit for a workload's pod template (a ReplicaSet's Deployment by name), when there is one. */
export function controllerOf(owner: KubePod['owner']): string | undefined {
  if (!owner) return undefined;
  if (owner.kind === 'ReplicaSet') {
    const dash = owner.name.lastIndexOf('-');
    return `deployment/${sh(dash > 0 ? owner.name.slice(0, dash) : owner.name)}`;
  }
  if (owner.kind === 'StatefulSet' || owner.kind === 'DaemonSet' || owner.kind === 'Deployment')
    return `${owner.kind.toLowerCase()}/${sh(owner.name)}`;
  return undefined;
}

/** The restart commands of the workloads whose pods run as a service account (from the pods read). */
export function restartsOf(pods: readonly KubePod[]): RestartCommand[] {
  const byOwner = new Map<string, { namespace: string; owner: KubePod['owner']; pods: string[] }>();
  for (const p of pods) {
    const key = p.owner
      ? JSON.stringify([p.namespace, p.owner.kind, p.owner.name])
      : JSON.stringify([p.namespace, '', p.name]);
    const group = byOwner.get(key);
    if (group) group.pods.push(p.name);
    else byOwner.set(key, { namespace: p.namespace, owner: p.owner, pods: [p.name] });
  }
  const seen = new Set<string>();
  return [...byOwner.values()]
    .map((g) => restartCommand(g.namespace, g.owner, g.pods))
    .filter((r) => !seen.has(r.command) && seen.add(r.command) !== undefined);
}

export function restartCommand(namespace: string, owner: KubePod['owner'], pods: readonly string[]): RestartCommand {
  const ns = sh(namespace);
  const kind = owner?.kind;
  if (owner && kind === 'ReplicaSet') {
    const dash = owner.name.lastIndexOf('-');
    const deployment = dash > 0 ? owner.name.slice(0, dash) : owner.name;
    return {
      command: `kubectl rollout restart deployment/${sh(deployment)} -n ${ns}`,
      note: `Deployment ${deployment} is inferred from ReplicaSet ${owner.name} by the pod-template-hash convention (<deployment>-<hash>); check it with kubectl get replicaset -n ${ns} ${sh(owner.name)} -o jsonpath='{.metadata.ownerReferences[0].name}'.`,
    };
  }
  if (owner && (kind === 'StatefulSet' || kind === 'DaemonSet' || kind === 'Deployment'))
    return { command: `kubectl rollout restart ${kind.toLowerCase()}/${sh(owner.name)} -n ${ns}` };
  const del = `kubectl delete pod -n ${ns} ${pods.map(sh).join(' ')}`;
  return owner
    ? { command: del, note: `The pods are owned by ${owner.kind} ${owner.name}, which recreates them.` }
    : { command: del, note: 'The pod has no controller: recreate it from its manifest after deleting it.' };
}

export interface RestartCommand {
  readonly command: string;
  readonly note?: string;
}

/** What a Kubernetes-side plan says: the commands in order, the manifest change as a diff, and why. */
export interface KubeChange {
  readonly commands: readonly string[];
  readonly manifest: string;
  readonly why: string;
  readonly notes?: readonly string[];
  readonly risk?: 'low' | 'medium' | 'high';
}

/**
 * Proposes the plan of a cluster-side finding: never applicable, since the workflow never writes to a cluster.
 * The commands go in the rationale and the manifest change in the diff.
 */
export function proposeKubernetesChange(f: Finding, ctx: ServiceAccountFixContext, change: KubeChange): void {
  ctx.propose({
    id: stableId('plan', 'update-service-account', f.accountId, f.resourceArn, f.id),
    ruleIds: [f.ruleId],
    findingIds: [f.id],
    accountId: f.accountId,
    resourceArn: f.resourceArn,
    ...(f.cluster ? { cluster: f.cluster, region: f.region } : {}),
    action: 'update-service-account',
    before: null,
    after: null,
    diff: change.manifest,
    rationale: `${change.why} Run against cluster ${f.cluster ?? '?'} (${f.region ?? '?'}), in order:\n${change.commands.map((c) => `  ${c}`).join('\n')}\nOr change the manifest as the diff shows and apply it.`,
    requiresApproval: true,
    applicable: false,
    proposeOnlyReason: 'a Kubernetes change: the workflow never writes to a cluster',
    risk: {
      level: change.risk ?? 'low',
      notes: [...(change.notes ?? []), 'Pods pick the change up only when recreated.'],
    },
    dependsOn: [],
  });
}

/** A manifest diff: the unchanged context lines, then the removed and added ones. */
export function manifestDiff(
  title: string,
  context: readonly string[],
  removed: readonly string[],
  added: readonly string[],
): string {
  return [
    `--- ${title} (as read)`,
    `+++ ${title} (proposed)`,
    ...context.map((l) => ` ${l}`),
    ...removed.map((l) => `-${l}`),
    ...added.map((l) => `+${l}`),
    '',
  ].join('\n');
}
