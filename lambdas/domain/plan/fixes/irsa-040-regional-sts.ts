import { FIX_ORDER, type Fixer } from './fixer';
import { annotateCommand, controllerOf, manifestDiff, proposeKubernetesChange, restartCommand, sh } from './kube-plan';

/** IRSA-040: pods may call STS in another partition; propose regional STS and the cluster's region. */
export const irsa040RegionalSts: Fixer<'IRSA-040'> = {
  rule: 'IRSA-040',
  order: FIX_ORDER.additions,
  serviceAccount: (f, ctx) => {
    const w = f.evidence.workload;
    const region = f.region ?? '<region>';
    const controller = controllerOf(w.owner);
    const sa = f.evidence.serviceAccount;
    const restart = restartCommand(w.namespace, w.owner, w.pods);
    proposeKubernetesChange(f, ctx, {
      why: `Make the pods call ${f.evidence.partition}'s regional STS: AWS_STS_REGIONAL_ENDPOINTS=regional and AWS_REGION/AWS_DEFAULT_REGION=${region} (the cluster's region); upgrade SDKs that ignore them.`,
      commands: [
        ...(controller
          ? [
              `kubectl set env ${controller} -n ${sh(w.namespace)} AWS_STS_REGIONAL_ENDPOINTS=regional AWS_REGION=${sh(region)} AWS_DEFAULT_REGION=${sh(region)}`,
            ]
          : [`# edit the pod's manifest as the diff shows, then: ${restart.command}`]),
        annotateCommand(sa.namespace, sa.name, 'eks.amazonaws.com/sts-regional-endpoints', 'true'),
      ],
      manifest: manifestDiff(
        `pod template of ${controller ?? `pod ${w.pods[0] ?? ''}`}`,
        ['spec:', '  containers:', '  - env:'],
        [],
        [
          '    - name: AWS_STS_REGIONAL_ENDPOINTS',
          '      value: regional',
          '    - name: AWS_REGION',
          `      value: ${region}`,
          '    - name: AWS_DEFAULT_REGION',
          `      value: ${region}`,
        ],
      ),
      notes: controller ? ['kubectl set env changes the pod template and rolls the pods.'] : [],
    });
  },
};
