import { ROLE_ARN_ANNOTATION } from '../../kube-annotations';
import { FIX_ORDER, type Fixer } from './fixer';
import { annotateCommand, manifestDiff, proposeKubernetesChange, restartsOf, yaml } from './kube-plan';

/** KUBE-003: the role trusts the service account, which does not carry the role; propose annotating it. */
export const kube003AnnotateTrustedServiceAccount: Fixer<'KUBE-003'> = {
  rule: 'KUBE-003',
  order: FIX_ORDER.additions,
  serviceAccount: (f, ctx) => {
    const { namespace, name, roleArn: current } = f.evidence.serviceAccount;
    const restarts = ctx.lookups ? restartsOf(ctx.lookups.podsOf(f, namespace, name)) : [];
    proposeKubernetesChange(f, ctx, {
      why:
        current === undefined
          ? `Annotate service account ${namespace}/${name} with role ${f.resourceArn}, which trusts it, then recreate its pods.`
          : `Service account ${namespace}/${name} names ${current}; point it at ${f.resourceArn} only if this role is the one meant (else remove the subject from the role's trust), then recreate its pods.`,
      commands: [
        annotateCommand(namespace, name, ROLE_ARN_ANNOTATION, f.resourceArn),
        ...restarts.map((r) => r.command),
      ],
      manifest: manifestDiff(
        `ServiceAccount ${namespace}/${name}`,
        ['metadata:', `  name: ${yaml(name)}`, `  namespace: ${yaml(namespace)}`, '  annotations:'],
        current === undefined ? [] : [`    eks.amazonaws.com/role-arn: ${yaml(current)}`],
        [`    eks.amazonaws.com/role-arn: ${yaml(f.resourceArn)}`],
      ),
      notes: [
        ...restarts.flatMap((r) => (r.note ? [r.note] : [])),
        ...(current === undefined ? [] : [`The pods switch from ${current} to ${f.resourceArn}.`]),
      ],
      risk: current === undefined ? 'low' : 'medium',
    });
  },
};
