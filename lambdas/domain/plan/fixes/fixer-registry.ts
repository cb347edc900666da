import type { FindingOf, RuleId } from '../../finding';
import type {
  ClusterFixContext,
  Fixer,
  Outcome,
  ProviderFixContext,
  RoleFixContext,
  ServiceAccountFixContext,
} from './fixer';
import { irsa001CreateProvider } from './irsa-001-create-provider';
import { irsa002OwnAccountProvider } from './irsa-002-own-account-provider';
import { irsa003AddStsAudience } from './irsa-003-add-sts-audience';
import { irsa004UpdateThumbprint } from './irsa-004-update-thumbprint';
import { irsa005DeleteProvider } from './irsa-005-delete-provider';
import { irsa010AllowWebIdentity } from './irsa-010-allow-web-identity';
import { irsa011SetProvider } from './irsa-011-set-provider';
import { irsa012RepointStaleProvider } from './irsa-012-repoint-stale-provider';
import { irsa013RenameKeyPrefix } from './irsa-013-rename-key-prefix';
import { irsa014FixClaim } from './irsa-014-fix-claim';
import { irsa015TrimSubject } from './irsa-015-trim-subject';
import { irsa016AdmitWorkload } from './irsa-016-admit-workload';
import { irsa017UseStringLike } from './irsa-017-use-string-like';
import { irsa018NarrowSubject } from './irsa-018-narrow-subject';
import { irsa019AddAud } from './irsa-019-add-aud';
import { irsa020SetStsAudience } from './irsa-020-set-sts-audience';
import { irsa021SplitByIssuer } from './irsa-021-split-by-issuer';
import { irsa022MergeDuplicates } from './irsa-022-merge-duplicates';
import { irsa030AnnotateServiceAccount } from './irsa-030-annotate-service-account';
import { irsa031AddClusterStatement } from './irsa-031-add-cluster-statement';
import { irsa032RestartPods } from './irsa-032-restart-pods';
import { irsa033RestoreWebhook } from './irsa-033-restore-webhook';
import { irsa034SetFsGroup } from './irsa-034-set-fs-group';
import { irsa035RemoveCredentialEnv } from './irsa-035-remove-credential-env';
import { irsa036AddCustomAudience } from './irsa-036-add-custom-audience';
import { irsa037SetTokenExpiration } from './irsa-037-set-token-expiration';
import { irsa038AdmitAddon } from './irsa-038-admit-addon';
import { irsa040RegionalSts } from './irsa-040-regional-sts';
import { irsa041RegionalStsEndpoint } from './irsa-041-regional-sts-endpoint';
import { irsa044ProviderPartition } from './irsa-044-provider-partition';
import { kube001CreateAccessEntry } from './kube-001-create-access-entry';
import { kube002CreateServiceAccount } from './kube-002-create-service-account';
import { kube003AnnotateTrustedServiceAccount } from './kube-003-annotate-trusted-service-account';
import { pi050AddPodIdentityAction } from './pi-050-add-pod-identity-action';
import { pi055PinSourceAccount } from './pi-055-pin-source-account';

/** The registry's type: under each rule id, only that rule's fixer (Fixer<R> carries `rule: R`). */
export type FixerRegistry = { readonly [R in RuleId]?: Fixer<R> };

/**
 * The one table of fixes, by rule. A rule absent from it is reported, not patched: its findings on a role are left
 * for a person with the rule's remediation.
 */
export const FIXERS: FixerRegistry = {
  'IRSA-001': irsa001CreateProvider,
  'IRSA-002': irsa002OwnAccountProvider,
  'IRSA-003': irsa003AddStsAudience,
  'IRSA-004': irsa004UpdateThumbprint,
  'IRSA-005': irsa005DeleteProvider,
  'IRSA-010': irsa010AllowWebIdentity,
  'IRSA-011': irsa011SetProvider,
  'IRSA-012': irsa012RepointStaleProvider,
  'IRSA-013': irsa013RenameKeyPrefix,
  'IRSA-014': irsa014FixClaim,
  'IRSA-015': irsa015TrimSubject,
  'IRSA-016': irsa016AdmitWorkload,
  'IRSA-017': irsa017UseStringLike,
  'IRSA-018': irsa018NarrowSubject,
  'IRSA-019': irsa019AddAud,
  'IRSA-020': irsa020SetStsAudience,
  'IRSA-021': irsa021SplitByIssuer,
  'IRSA-022': irsa022MergeDuplicates,
  'IRSA-030': irsa030AnnotateServiceAccount,
  'IRSA-031': irsa031AddClusterStatement,
  'IRSA-032': irsa032RestartPods,
  'IRSA-033': irsa033RestoreWebhook,
  'IRSA-034': irsa034SetFsGroup,
  'IRSA-035': irsa035RemoveCredentialEnv,
  'IRSA-036': irsa036AddCustomAudience,
  'IRSA-037': irsa037SetTokenExpiration,
  'IRSA-038': irsa038AdmitAddon,
  'IRSA-040': irsa040RegionalSts,
  'IRSA-041': irsa041RegionalStsEndpoint,
  'IRSA-044': irsa044ProviderPartition,
  'PI-050': pi050AddPodIdentityAction,
  'PI-055': pi055PinSourceAccount,
  'KUBE-001': kube001CreateAccessEntry,
  'KUBE-002': kube002CreateServiceAccount,
  'KUBE-003': kube003AnnotateTrustedServiceAccount,
};

/** The fixer registered for a rule; undefined when the rule is reported, not patched. */
export function fixerOf<R extends RuleId>(rule: R): Fixer<R> | undefined {
  return FIXERS[rule];
}

/** Patches a role for one finding with its rule's fixer; undefined when the rule has no role fix. */
export function fixRole<R extends RuleId>(finding: FindingOf<R>, ctx: RoleFixContext): Outcome | undefined {
  return fixerOf(finding.ruleId)?.role?.(finding, ctx);
}

/** Plans for one provider's findings of one rule with the rule's fixer (nothing when it has no provider fix). */
export function fixProvider<R extends RuleId>(
  rule: R,
  findings: ReadonlyArray<FindingOf<R>>,
  ctx: ProviderFixContext,
): void {
  fixerOf(rule)?.provider?.(findings, ctx);
}

/** Plans for a cluster finding with its rule's fixer (nothing when it has no cluster fix). */
export function fixCluster<R extends RuleId>(finding: FindingOf<R>, ctx: ClusterFixContext): void {
  fixerOf(finding.ruleId)?.cluster?.(finding, ctx);
}

/** Proposes the Kubernetes-side plan of a service-account finding with its rule's fixer. */
export function fixServiceAccount<R extends RuleId>(finding: FindingOf<R>, ctx: ServiceAccountFixContext): void {
  fixerOf(finding.ruleId)?.serviceAccount?.(finding, ctx);
}
