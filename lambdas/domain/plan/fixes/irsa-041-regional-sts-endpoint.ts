import { FIX_ORDER, type Fixer } from './fixer';
import { controllerOf, manifestDiff, proposeKubernetesChange, restartCommand, sh } from './kube-plan';

/** IRSA-041: pods use the global STS endpoint; propose the regional one. */
export const irsa041RegionalStsEndpoint: Fixer<'IRSA-041'> = {
  rule: 'IRSA-041',
  order: FIX_ORDER.additions,
  serviceAccount: (f, ctx) => {
    const w = f.evidence.workload;
    const controller = controllerOf(w.owner);
    const restart = restartCommand(w.namespace, w.owner, w.pods);
    proposeKubernetesChange(f, ctx, {
      why: 'Make the pods use the regional STS endpoint (AWS_STS_REGIONAL_ENDPOINTS=regional), reachable through a VPC endpoint.',
      commands: controller
        ? [`kubectl set env ${controller} -n ${sh(w.namespace)} AWS_STS_REGIONAL_ENDPOINTS=regional`]
        : [`# edit the pod's manifest as the diff shows, then: ${restart.command}`],
      manifest: manifestDiff(
        `pod template of ${controller ?? `pod ${w.pods[0] ?? ''}`}`,
        ['spec:', '  containers:', '  - env:', '    - name: AWS_STS_REGIONAL_ENDPOINTS'],
        f.evidence.AWS_STS_REGIONAL_ENDPOINTS ? [`      value: ${f.evidence.AWS_STS_REGIONAL_ENDPOINTS}`] : [],
        ['      value: regional'],
      ),
      notes: [
        ...(f.evidence.stsRegionalAnnotation !== undefined
          ? [
              `Also set eks.amazonaws.com/sts-regional-endpoints: "true" on the service account (now "${f.evidence.stsRegionalAnnotation}").`,
            ]
          : []),
      ],
    });
  },
};
