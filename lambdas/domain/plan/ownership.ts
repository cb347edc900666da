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
  const seen: OwnerTags = { tags, keys: Object.keys(tags), stack: tags['aws:cloudformation:stack-name'] };
  // In this order: eksctl and the CDK deploy through CloudFormation too, and say so in their own tags.
  return (
    eksctlOwner(seen, what) ?? cdkOwner(seen, what) ?? cloudFormationOwner(seen, what) ?? terraformOwner(seen, what)
  );
}

interface OwnerTags {
  readonly tags: Readonly<Record<string, string>>;
  readonly keys: readonly string[];
  /** The CloudFormation stack that created the resource, if any. */
  readonly stack: string | undefined;
}

function eksctlOwner({ keys, stack }: OwnerTags, what: 'role' | 'provider'): IacOwner | undefined {
  const eksctl = keys.find((k) => k.startsWith('alpha.eksctl.io/') || k.startsWith('eksctl.cluster.k8s.io/'));
  if (!eksctl && !stack?.startsWith('eksctl-')) return undefined;
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

function cdkOwner({ keys, stack }: OwnerTags, what: 'role' | 'provider'): IacOwner | undefined {
  const cdk = keys.find((k) => k.toLowerCase().includes('cdk'));
  if (!stack || !cdk) return undefined;
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

function cloudFormationOwner({ stack }: OwnerTags, what: 'role' | 'provider'): IacOwner | undefined {
  if (!stack) return undefined;
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

function terraformOwner({ tags, keys }: OwnerTags, what: 'role' | 'provider'): IacOwner | undefined {
  const terraform = keys.find(
    (k) =>
      /terraform|^tf[:_-]/i.test(k) ||
      (/^(managed[-_ ]?by|provisioner|iac)$/i.test(k) && /terraform|opentofu/i.test(tags[k] ?? '')),
  );
  if (!terraform) return undefined;
  return {
    tool: 'terraform',
    evidence: `tag ${terraform}=${tags[terraform] ?? ''}`,
    howToChange:
      what === 'role'
        ? 'Change the trust in the Terraform code (e.g. terraform-aws-modules iam-role-for-service-accounts: `oidc_providers = { ... namespace_service_accounts = [...] }`, one entry per cluster) and apply it.'
        : 'Change the `aws_iam_openid_connect_provider` resource (client_id_list, url) and apply it.',
  };
}
