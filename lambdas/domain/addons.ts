/**
 * Which Kubernetes service accounts the AWS-managed EKS add-ons run as, and in which namespace. DescribeAddon gives
 * the role (serviceAccountRoleArn) but not the service account; DescribeAddonConfiguration gives the service account
 * names (podIdentityConfiguration) but not the namespace. This table fills both gaps for the add-ons that take an IAM
 * role (EKS user guide, each add-on's page); an add-on's `namespaceConfig` overrides the namespace.
 */
export interface KnownAddon {
  readonly namespace: string;
  readonly serviceAccounts: readonly string[];
}

export const KNOWN_ADDONS: Readonly<Record<string, KnownAddon>> = {
  'vpc-cni': { namespace: 'kube-system', serviceAccounts: ['aws-node'] },
  'aws-ebs-csi-driver': { namespace: 'kube-system', serviceAccounts: ['ebs-csi-controller-sa'] },
  'aws-efs-csi-driver': { namespace: 'kube-system', serviceAccounts: ['efs-csi-controller-sa'] },
  'aws-mountpoint-s3-csi-driver': { namespace: 'kube-system', serviceAccounts: ['s3-csi-driver-sa'] },
  'amazon-cloudwatch-observability': { namespace: 'amazon-cloudwatch', serviceAccounts: ['cloudwatch-agent'] },
  'aws-guardduty-agent': { namespace: 'amazon-guardduty', serviceAccounts: ['aws-guardduty-agent'] },
  adot: { namespace: 'opentelemetry-operator-system', serviceAccounts: ['opentelemetry-operator'] },
};

export const DEFAULT_ADDON_NAMESPACE = 'kube-system';

/**
 * The service accounts of one add-on: the names DescribeAddonConfiguration reported (when it was read), else the
 * table's; the namespace from the add-on's namespaceConfig, else the table's, else kube-system.
 */
export function addonServiceAccounts(
  addonName: string,
  reported: readonly string[] | undefined,
  configuredNamespace: string | undefined,
): { readonly namespace: string; readonly names: readonly string[] } {
  const known = KNOWN_ADDONS[addonName];
  const names = reported && reported.length > 0 ? reported : (known?.serviceAccounts ?? []);
  return { namespace: configuredNamespace || known?.namespace || DEFAULT_ADDON_NAMESPACE, names };
}
