import { FIX_ORDER, type Fixer } from './fixer';
import { annotateCommand, manifestDiff, proposeKubernetesChange, restartCommand, restartsOf, yaml } from './kube-plan';

/** IRSA-037: the token-expiration annotation is out of range; propose the default (86400). */
export const irsa037SetTokenExpiration: Fixer<'IRSA-037'> = {
  rule: 'IRSA-037',
  order: FIX_ORDER.additions,
  serviceAccount: (f, ctx) => {
    const { namespace, name } = f.evidence.serviceAccount;
    const onPod = f.evidence.on === 'Pod' && f.evidence.workload;
    const restarts = onPod
      ? [
          restartCommand(
            f.evidence.workload?.namespace ?? namespace,
            f.evidence.workload?.owner,
            f.evidence.workload?.pods ?? [],
          ),
        ]
      : ctx.lookups
        ? restartsOf(ctx.lookups.podsOf(f, namespace, name))
        : [];
    proposeKubernetesChange(f, ctx, {
      why: `Set eks.amazonaws.com/token-expiration to 86400 (the default; or any whole number of seconds from 600 to 86400) ${onPod ? 'in the pod template' : `on service account ${namespace}/${name}`}, or remove it.`,
      commands: [
        ...(onPod
          ? ["# edit the pod template's annotation as the diff shows"]
          : [annotateCommand(namespace, name, 'eks.amazonaws.com/token-expiration', '86400')]),
        ...restarts.map((r) => r.command),
      ],
      manifest: manifestDiff(
        onPod ? 'pod template' : `ServiceAccount ${namespace}/${name}`,
        ['metadata:', '  annotations:'],
        [`    eks.amazonaws.com/token-expiration: ${yaml(f.evidence.value)}`],
        ['    eks.amazonaws.com/token-expiration: "86400"'],
      ),
    });
  },
};
