import type { KubePod } from '../../snapshot';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import { byWorkload, type KubeClusterScope, type PodGroupEvidence, podRef, workloadText } from './kube-scope';

export interface CredentialEnvEvidence {
  /** The containers that set credential variables, and which (names only; values are never read). */
  readonly containers: ReadonlyArray<{ readonly name: string; readonly variables: readonly string[] }>;
  /** How the pods are meant to get credentials: IRSA or Pod Identity. */
  readonly via: 'irsa' | 'pod-identity';
  readonly workload: PodGroupEvidence;
}

/**
 * IRSA-035 (the part cluster data shows): containers of pods meant to use IRSA or Pod Identity set credential
 * variables that every SDK's default chain reads first (AWS_ACCESS_KEY_ID...) or that pick a profile (AWS_PROFILE).
 */
export function checkCredentialEnv(
  scope: KubeClusterScope,
  roleArn: string,
  via: CredentialEnvEvidence['via'],
  pods: readonly KubePod[],
): void {
  const withEnv = pods.filter((pod) => containersWithEnv(pod).length > 0);
  for (const { first, evidence } of byWorkload(withEnv)) {
    const containers = containersWithEnv(first);
    scope.ctx.emit({
      ruleId: 'IRSA-035',
      ...scope.onRole(
        roleArn,
        podRef(first),
        evidence.namespace,
        evidence.owner?.kind ?? '',
        evidence.owner?.name ?? first.name,
      ),
      message: `${workloadText(evidence)} on cluster ${scope.cluster.cluster.name} should use role ${roleArn} through ${
        via === 'irsa' ? 'IRSA' : 'Pod Identity'
      }, but container(s) ${containers.map((c) => `${c.name} (${c.variables.join(', ')})`).join(', ')} set credential variables that the SDKs' default chains read before ${
        via === 'irsa' ? 'web identity' : 'container credentials'
      }: the role is not used.`,
      evidence: { containers, via, workload: evidence },
    });
  }
}

function containersWithEnv(pod: KubePod): Array<{ name: string; variables: string[] }> {
  return (pod.containers ?? []).flatMap((c) =>
    c.credentialEnv && c.credentialEnv.length > 0 ? [{ name: c.name, variables: [...c.credentialEnv] }] : [],
  );
}

export const IRSA_035 = defineRule<CredentialEnvEvidence>()({
  id: 'IRSA-035',
  severity: 'high',
  title: 'Other credentials win over the role',
  explanation:
    'The SDKs look for credentials in a fixed order: static keys in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) come first, before web identity and container credentials, and AWS_PROFILE selects a profile. A container that sets them keeps using those credentials, not the role (EKS user guide: credentials earlier in the chain "will continue to be used").',
  podError:
    'User: arn:aws:iam::<account>:user/<name> is not authorized to perform: <action> (the calls are made with the static keys, not the role)',
  remediation:
    'Remove the credential variables from the container (kubectl set env <kind>/<name> -n <namespace> AWS_ACCESS_KEY_ID- AWS_SECRET_ACCESS_KEY- ...), and the Secret they come from when nothing else uses it.',
  references: [DOC.irsaMinimumSdk, DOC.sdkCredentialChain],
});
