import type { IacOwner } from './plan-model';

/**
 * Tells from tags which infrastructure-as-code tool owns a role or provider. Such resources are never changed in
 * place (the tool would revert the change, or fight it): the plan says what to change in the tool instead.
 */
export function iacOwner(
  tags: Readonly<Record<string, string>> | undefined,
  what: 'role' | 'provider',
): IacOwner | undefined {
  if (!tags) return undefined;
  const keys = Object.keys(tags);
  const stack = tags['aws:cloudformation:stack-name'];
  const eksctl = keys.find((k) => k.startsWith('alpha.eksctl.io/') || k.startsWith('eksctl.cluster.k8s.io/'));
  if (eksctl || stack?.startsWith('eksctl-')) {
    return {
      tool: 'eksctl',
      evidence: eksctl ? `tag ${eksctl}` : `CloudFormation stack ${stack}`,
      ...(stack ? { stack } : {}),
      howToChange:
        what === 'role'
          ? 'Change the iamServiceAccounts entry in the eksctl ClusterConfig (namespace, name, roleOnly) and run `eksctl update iamserviceaccount` (or recreate it with `eksctl create iamserviceaccount --override-existing-serviceaccounts`).'
          : 'Run `eksctl utils associate-iam-oidc-provider --cluster <name> --approve`.',
    };
  }
  const cdk = keys.find((k) => k.toLowerCase().includes('cdk'));
  if (stack && cdk) {
    return {
      tool: 'cdk',
      evidence: `CloudFormation stack ${stack} and tag ${cdk}`,
      stack,
      howToChange:
        what === 'role'
          ? 'Change the role in the CDK app (e.g. `new iam.Role(..., { assumedBy: new iam.OpenIdConnectPrincipal(provider).withConditions(...) })` or `eks.ServiceAccount`) and deploy it.'
          : 'Use `eks.OpenIdConnectProvider` (or `iam.OidcProviderNative`) in the CDK app and deploy it.',
    };
  }
  if (stack) {
    return {
      tool: 'cloudformation',
      evidence: `tag aws:cloudformation:stack-name=${stack}`,
      stack,
      howToChange:
        what === 'role'
          ? `Update AssumeRolePolicyDocument of the role in stack ${stack} to the document shown, and update the stack.`
          : `Update the AWS::IAM::OIDCProvider in stack ${stack} and update the stack.`,
    };
  }
  const terraform = keys.find(
    (k) =>
      /terraform|^tf[:_-]/i.test(k) ||
      (/^(managed[-_ ]?by|provisioner|iac)$/i.test(k) && /terraform|opentofu/i.test(tags[k] ?? '')),
  );
  if (terraform) {
    return {
      tool: 'terraform',
      evidence: `tag ${terraform}=${tags[terraform] ?? ''}`,
      howToChange:
        what === 'role'
          ? 'Change the trust in the Terraform code (e.g. terraform-aws-modules iam-role-for-service-accounts: `oidc_providers = { ... namespace_service_accounts = [...] }`, one entry per cluster) and apply it.'
          : 'Change the `aws_iam_openid_connect_provider` resource (client_id_list, url) and apply it.',
    };
  }
  return undefined;
}
