import { FIX_ORDER, type Fixer } from './fixer';
import { controllerOf, manifestDiff, proposeKubernetesChange, restartCommand, sh } from './kube-plan';

/** IRSA-035: containers set credential variables that win over the role; propose removing them. */
export const irsa035RemoveCredentialEnv: Fixer<'IRSA-035'> = {
  rule: 'IRSA-035',
  order: FIX_ORDER.additions,
  serviceAccount: (f, ctx) => {
    const w = f.evidence.workload;
    const controller = controllerOf(w.owner);
    const commands = controller
      ? f.evidence.containers.map(
          (c) =>
            `kubectl set env ${controller} -n ${sh(w.namespace)} -c ${sh(c.name)} ${c.variables.map((v) => `${v}-`).join(' ')}`,
        )
      : [`# edit the pod's manifest as the diff shows, then: ${restartCommand(w.namespace, w.owner, w.pods).command}`];
    proposeKubernetesChange(f, ctx, {
      why: `Remove the credential variables so the SDKs reach ${f.evidence.via === 'irsa' ? 'web identity (IRSA)' : "Pod Identity's container credentials"}; remove the Secret they come from when nothing else uses it.`,
      commands,
      manifest: manifestDiff(
        `pod template of ${controller ?? `pod ${w.pods[0] ?? ''}`}`,
        ['spec:', '  containers:'],
        f.evidence.containers.flatMap((c) => [`  - name: ${c.name}`, ...c.variables.map((v) => `      - name: ${v}`)]),
        [],
      ),
      notes: controller ? ['kubectl set env changes the pod template and rolls the pods.'] : [],
      risk: 'medium',
    });
  },
};
