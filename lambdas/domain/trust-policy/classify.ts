import { issuerKey, looksLikeEksIssuer, parseArn, providerUrlFromArn } from '../arn';
import type { ConditionEntry, Statement } from './model';

export const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';
export const KNOWN_CLAIMS = new Set(['sub', 'aud', 'amr', 'azp']);

/** A Federated value that names an OIDC provider ARN. */
export interface FederatedProvider {
  readonly arn: string;
  readonly url: string;
  readonly key: string;
  readonly accountId: string;
  readonly partition: string;
}

/** A condition whose key names an EKS issuer: `<prefix>:<claim>`. */
export interface IssuerCondition {
  readonly entry: ConditionEntry;
  /** Everything before the last colon, as written. */
  readonly prefix: string;
  /** Issuer comparison key of the prefix (for a full-ARN prefix, of the URL inside it). */
  readonly prefixKey: string;
  /** The claim after the last colon, as written (may carry stray whitespace or a typo). */
  readonly claim: string;
  /** Lower-cased and trimmed claim. */
  readonly claimNormal: string;
}

export interface StatementView {
  readonly statement: Statement;
  readonly kind: 'irsa' | 'pod-identity' | 'other';
  readonly federatedValues: readonly string[];
  readonly providers: readonly FederatedProvider[];
  readonly otherPrincipalTypes: readonly string[];
  readonly issuerConditions: readonly IssuerCondition[];
}

/**
 * Sorts a statement into IRSA (names an EKS issuer in its Federated principal or its condition keys),
 * Pod Identity (trusts pods.eks.amazonaws.com) or other. Only IRSA statements get IRSA findings.
 */
export function classifyStatement(statement: Statement): StatementView {
  const block = statement.principal ?? statement.notPrincipal;
  const federatedValues = block?.byType.Federated ?? [];
  const providers: FederatedProvider[] = [];
  for (const value of federatedValues) {
    const url = providerUrlFromArn(value);
    const parsed = parseArn(value);
    if (url !== undefined && parsed) {
      providers.push({
        arn: value,
        url,
        key: issuerKey(url),
        accountId: parsed.accountId,
        partition: parsed.partition,
      });
    }
  }
  const otherPrincipalTypes = block ? Object.keys(block.byType).filter((t) => t !== 'Federated') : [];
  if (block?.wildcard) otherPrincipalTypes.push('*');

  const issuerConditions: IssuerCondition[] = [];
  for (const entry of statement.conditions) {
    const colon = entry.key.lastIndexOf(':');
    if (colon <= 0) continue;
    const prefix = entry.key.slice(0, colon);
    if (!looksLikeEksIssuer(prefix)) continue;
    const claim = entry.key.slice(colon + 1);
    const inner = prefix.startsWith('arn:') ? (providerUrlFromArn(prefix) ?? prefix) : prefix;
    issuerConditions.push({
      entry,
      prefix,
      prefixKey: issuerKey(inner),
      claim,
      claimNormal: claim.trim().toLowerCase(),
    });
  }

  const eksFederated = federatedValues.some((v) => looksLikeEksIssuer(v));
  let kind: StatementView['kind'] = 'other';
  if (eksFederated || issuerConditions.length > 0) kind = 'irsa';
  else if ((block?.byType.Service ?? []).some((s) => s.toLowerCase() === POD_IDENTITY_SERVICE)) kind = 'pod-identity';
  return { statement, kind, federatedValues, providers, otherPrincipalTypes, issuerConditions };
}

const SUBJECT = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const SUBJECT_LIKE = /^system:serviceaccount:[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?:[a-z0-9*?]([-a-z0-9.*?]*[a-z0-9*?])?$/;

/** Whether a :sub value is a well-formed Kubernetes service-account subject (wildcards allowed under StringLike). */
export function isWellFormedSubject(value: string, like: boolean): boolean {
  return (like ? SUBJECT_LIKE : SUBJECT).test(value) && value.length <= 22 + 63 + 1 + 253;
}

/** Whether a :sub pattern lets service accounts of any namespace in (the documented ns:* form is fine). */
export function isOverBroadSubject(value: string): boolean {
  if (!value.startsWith('system:serviceaccount:')) return /^[*?]*$/.test(value) || value === 'system:*';
  const rest = value.slice('system:serviceaccount:'.length);
  const namespace = rest.split(':')[0] ?? '';
  return namespace.includes('*') || namespace.includes('?') || !rest.includes(':');
}

export function subjectFor(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The subject a pod would present if the author's stray whitespace were removed. */
export function normalizeSubject(value: string): string {
  return value.replace(/\s+/g, '');
}
