/**
 * Whether the hub can read an EKS cluster's Kubernetes API as the member scanner role, from what DescribeCluster
 * says (pure). The hub's Lambda runs outside every cluster's VPC, so it reaches only a public endpoint open to any
 * address; the scanner role is let in by an EKS access entry, which exists only in the `API` and
 * `API_AND_CONFIG_MAP` authentication modes (IRSA Doctor never edits `aws-auth`). A cluster the hub cannot read
 * is `unreadable` with the reason and the fix, never read as empty: no "missing" finding comes from it.
 */
import type { KubernetesSnapshot } from '../snapshot';

/** The view policy the scanner role's access entry is associated with, cluster-wide; nothing wider. */
export const EKS_VIEW_POLICY_ARN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';

/** The view policy's ARN in a partition (access policy ARNs carry the cluster's partition). */
export function eksViewPolicyArn(partition: string): string {
  return EKS_VIEW_POLICY_ARN.replace('arn:aws:', `arn:${partition}:`);
}

/** The EKS authentication modes (DescribeCluster `accessConfig.authenticationMode`). */
export const ACCESS_ENTRY_MODES: readonly string[] = ['API', 'API_AND_CONFIG_MAP'];

/** What DescribeCluster says about reaching and entering a cluster's API. */
export interface EksEndpointFacts {
  readonly name: string;
  readonly region: string;
  readonly status: string;
  readonly endpoint?: string;
  /** `certificateAuthority.data`: base64 of the PEM bundle. */
  readonly certificateAuthority?: string;
  readonly endpointPublicAccess?: boolean;
  readonly endpointPrivateAccess?: boolean;
  readonly publicAccessCidrs?: readonly string[];
  readonly authenticationMode?: string;
}

/** Why a cluster is unreadable, as `errors[0].code`. */
export type UnreadableCode =
  | 'NoEndpoint'
  | 'PrivateEndpoint'
  | 'RestrictedEndpoint'
  | 'ConfigMapOnly'
  | 'NoAccessEntry'
  | 'Unreachable'
  | 'ReadFailed';

export interface UnreadableCause {
  readonly code: UnreadableCode;
  readonly reason: string;
  readonly fix: string;
}

const OTHER_WAYS =
  'or read it from a machine that can reach it (irsa-doctor scan --kubeconfig) or from `kubectl get ... -o json` output (--kube-objects)';

/** The cause that keeps the hub from reading the cluster, or undefined when it may try. */
export function eksReadBlocker(facts: EksEndpointFacts, scannerRoleArn?: string): UnreadableCause | undefined {
  if (!facts.endpoint) {
    return {
      code: 'NoEndpoint',
      reason: `DescribeCluster gave no API endpoint for ${facts.name} (status ${facts.status})`,
      fix: 'wait until the cluster is ACTIVE and scan again',
    };
  }
  if (facts.endpointPublicAccess === false) {
    return {
      code: 'PrivateEndpoint',
      reason: 'the API endpoint is private only, and the hub runs outside the cluster VPC',
      fix: `enable public endpoint access restricted to the hub's egress addresses (publicAccessCidrs), ${OTHER_WAYS}`,
    };
  }
  const cidrs = facts.publicAccessCidrs;
  if (cidrs !== undefined && !cidrs.includes('0.0.0.0/0')) {
    return {
      code: 'RestrictedEndpoint',
      reason: `the public API endpoint accepts only ${cidrs.slice(0, 10).join(', ')}${cidrs.length > 10 ? ', ...' : ''}, which need not include the hub's address`,
      fix: `add the hub's egress address to publicAccessCidrs, ${OTHER_WAYS}`,
    };
  }
  if (facts.authenticationMode === 'CONFIG_MAP') {
    return {
      code: 'ConfigMapOnly',
      reason:
        'the cluster authenticates from the aws-auth ConfigMap only, so an access entry cannot let the scanner role in',
      fix: `switch to API_AND_CONFIG_MAP and add an access entry${scannerRoleArn ? ` for ${scannerRoleArn}` : ''} with ${EKS_VIEW_POLICY_ARN} (IRSA Doctor never edits aws-auth)`,
    };
  }
  return undefined;
}

/** The cause when the API server refused the scanner role's token (401). */
export function noAccessEntry(scannerRoleArn?: string): UnreadableCause {
  const who = scannerRoleArn ?? 'the scanner role';
  return {
    code: 'NoAccessEntry',
    reason: `the API server rejected the token of ${who} (401 Unauthorized): it has no access entry on this cluster`,
    fix: `create an access entry for ${who} (type STANDARD) associated with ${EKS_VIEW_POLICY_ARN}, scope cluster: approve the create-access-entry plan`,
  };
}

/** An `unreadable` cluster side: nothing read, the cause recorded (reason, fix, and its code in errors). */
export function unreadableKubernetes(
  cause: UnreadableCause,
  options: { readonly message?: string; readonly readAs?: string; readonly readAt?: string } = {},
): KubernetesSnapshot {
  return {
    status: 'unreadable',
    source: 'api',
    reason: cause.reason,
    fix: cause.fix,
    ...(options.readAt ? { readAt: options.readAt } : {}),
    ...(options.readAs ? { readAs: options.readAs } : {}),
    errors: [{ kind: 'connection', code: cause.code, message: (options.message ?? cause.reason).slice(0, 2048) }],
    serviceAccounts: [],
    pods: [],
    podIdentityWebhook: null,
  };
}
