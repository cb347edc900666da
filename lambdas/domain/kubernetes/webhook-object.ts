/**
 * Whether the pod identity webhook is configured, from the cluster's MutatingWebhookConfigurations. EKS registers
 * it as `pod-identity-webhook` with one webhook named `iam-for-pods.amazonaws.com`; the upstream
 * amazon-eks-pod-identity-webhook deploy files use the same configuration name with a webhook named
 * `pod-identity-webhook.amazonaws.com` (OpenShift: `pod-identity-webhook.aws.mutate.io`). Only names are read: no
 * client config, CA bundle or rules are copied.
 */

import type { KubeWebhookState } from '../snapshot';
import { arrayAt, InvalidField, isObject, type JsonObject, subdomainAt, textAt } from './object-fields';
import { metadataOf } from './service-account-object';

/** The MutatingWebhookConfiguration name EKS gives the pod identity webhook. */
export const EKS_WEBHOOK_CONFIGURATION = 'pod-identity-webhook';
const WEBHOOK_NAME_MARKERS = ['pod-identity-webhook', 'iam-for-pods'] as const;

/** A configuration's name and whether it is the pod identity webhook's. Throws InvalidField when malformed. */
export function webhookConfigurationFrom(item: JsonObject): { name: string; podIdentity: boolean } {
  const name = subdomainAt(metadataOf(item), 'name', 'metadata');
  if (name === EKS_WEBHOOK_CONFIGURATION) return { name, podIdentity: true };
  const webhooks = arrayAt(item, 'webhooks', '$') ?? [];
  const podIdentity = webhooks.some((hook, i) => {
    if (!isObject(hook)) throw new InvalidField(`webhooks[${i}]`, 'must be an object');
    const hookName = textAt(hook, 'name', `webhooks[${i}]`, 253) ?? '';
    return WEBHOOK_NAME_MARKERS.some((marker) => hookName.includes(marker));
  });
  return { name, podIdentity };
}

/** Configured when any configuration is the pod identity webhook's (EKS's name first, else the first by name). */
export function webhookState(configurations: readonly { name: string; podIdentity: boolean }[]): KubeWebhookState {
  const matches = configurations.filter((c) => c.podIdentity).map((c) => c.name);
  if (matches.length === 0) return { configured: false };
  const name = matches.includes(EKS_WEBHOOK_CONFIGURATION) ? EKS_WEBHOOK_CONFIGURATION : [...matches].sort()[0];
  return { configured: true, ...(name === undefined ? {} : { name }) };
}
