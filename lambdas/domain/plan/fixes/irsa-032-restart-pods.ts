import { FIX_ORDER, type Fixer } from './fixer';
import { proposeKubernetesChange, restartCommand } from './kube-plan';

/** IRSA-032: the pods do not use the role their service account names now; propose recreating them. */
export const irsa032RestartPods: Fixer<'IRSA-032'> = {
  rule: 'IRSA-032',
  order: FIX_ORDER.additions,
  serviceAccount: (f, ctx) => {
    const w = f.evidence.workload;
    const restart = restartCommand(w.namespace, w.owner, w.pods);
    proposeKubernetesChange(f, ctx, {
      why: `Recreate the pods so the pod identity webhook injects ${
        f.evidence.roleArn ? `role ${f.evidence.roleArn}` : 'what the service account names now (no role)'
      } (reason: ${f.evidence.reason}).`,
      commands: [restart.command],
      manifest: '',
      notes: restart.note ? [restart.note] : [],
    });
  },
};
