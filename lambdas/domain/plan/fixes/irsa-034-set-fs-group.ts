import { FIX_ORDER, type Fixer } from './fixer';
import { controllerOf, manifestDiff, proposeKubernetesChange, restartCommand, sh } from './kube-plan';

/** IRSA-034: non-root containers cannot read the token before 1.19; propose the pod's fsGroup. */
export const irsa034SetFsGroup: Fixer<'IRSA-034'> = {
  rule: 'IRSA-034',
  order: FIX_ORDER.additions,
  serviceAccount: (f, ctx) => {
    const w = f.evidence.workload;
    // The user the first non-root container runs as, as its group too; 65534 (nobody) when only runAsNonRoot says so.
    const group = f.evidence.containers.find((c) => c.runAsUser !== undefined)?.runAsUser ?? 65534;
    const controller = controllerOf(w.owner);
    const patch = JSON.stringify({ spec: { template: { spec: { securityContext: { fsGroup: group } } } } });
    proposeKubernetesChange(f, ctx, {
      why: `Set securityContext.fsGroup: ${group} on the pods (a group the containers run with), so the projected token is readable; or upgrade the cluster to Kubernetes 1.19 or later.`,
      commands: controller
        ? [`kubectl patch ${controller} -n ${sh(w.namespace)} --type merge -p ${sh(patch)}`]
        : [
            `# edit the pod's manifest as the diff shows, then: ${restartCommand(w.namespace, w.owner, w.pods).command}`,
          ],
      manifest: manifestDiff(
        `pod template of ${controller ?? `pod ${w.pods[0] ?? ''}`}`,
        ['spec:', '  securityContext:'],
        [],
        [`    fsGroup: ${group}`],
      ),
      notes: controller ? ['Patching the pod template rolls the pods.'] : [],
    });
  },
};
