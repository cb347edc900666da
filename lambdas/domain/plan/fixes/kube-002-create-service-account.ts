import { FIX_ORDER, type Fixer } from './fixer';
import { manifestDiff, proposeKubernetesChange, restartCommand, sh, yaml } from './kube-plan';

/** KUBE-002: the pods' service account does not exist; propose creating it (then annotating it for its role). */
export const kube002CreateServiceAccount: Fixer<'KUBE-002'> = {
  rule: 'KUBE-002',
  order: FIX_ORDER.additions,
  serviceAccount: (f, ctx) => {
    const { namespace, name } = f.evidence.serviceAccount;
    const w = f.evidence.workload;
    const restart = restartCommand(w.namespace, w.owner, w.pods);
    proposeKubernetesChange(f, ctx, {
      why: `Create service account ${namespace}/${name}, which the pods name, and annotate it with the role they should use (eks.amazonaws.com/role-arn), or correct serviceAccountName in the workload.`,
      commands: [
        `kubectl create serviceaccount -n ${sh(namespace)} ${sh(name)}`,
        `kubectl annotate serviceaccount -n ${sh(namespace)} ${sh(name)} eks.amazonaws.com/role-arn=arn:${ctx.partition}:iam::<account>:role/<name> --overwrite`,
        restart.command,
      ],
      manifest: manifestDiff(
        `ServiceAccount ${namespace}/${name}`,
        [],
        [],
        [
          'apiVersion: v1',
          'kind: ServiceAccount',
          'metadata:',
          `  name: ${yaml(name)}`,
          `  namespace: ${yaml(namespace)}`,
          '  annotations:',
          `    eks.amazonaws.com/role-arn: arn:${ctx.partition}:iam::<account>:role/<name>`,
        ],
      ),
      notes: restart.note ? [restart.note] : [],
    });
  },
};
