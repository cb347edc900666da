import { issuerKey, looksLikeEksIssuer, parseArn, providerUrlFromArn } from '../arn';
import type { ConditionEntry, PrincipalBlock, Statement } from './model';

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
  readonly prefixLower: string;
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
    const provider = federatedProvider(value);
    if (provider) providers.push(provider);
  }
  const otherPrincipalTypes: string[] = [];
  if (block) for (const t in block.byType) if (t !== 'Federated') otherPrincipalTypes.push(t);
  if (block?.wildcard) otherPrincipalTypes.push('*');
  const issuerConditions = issuerConditionsOf(statement.conditions);
  const kind = kindOf(block, federatedValues, issuerConditions);
  return { statement, kind, federatedValues, providers, otherPrincipalTypes, issuerConditions };
}

function issuerConditionsOf(conditions: readonly ConditionEntry[]): IssuerCondition[] {
  const issuerConditions: IssuerCondition[] = [];
  for (const entry of conditions) {
    const key = issuerKeyParts(entry.key);
    if (key) {
      issuerConditions.push({
        entry,
        prefix: key.prefix,
        prefixLower: key.prefixLower,
        prefixKey: key.prefixKey,
        claim: key.claim,
        claimNormal: key.claimNormal,
      });
    }
  }
  return issuerConditions;
}

function kindOf(
  block: PrincipalBlock | undefined,
  federatedValues: readonly string[],
  issuerConditions: readonly IssuerCondition[],
): StatementView['kind'] {
  if (issuerConditions.length > 0 || federatedValues.some((v) => looksLikeEksIssuer(v))) return 'irsa';
  if ((block?.byType.Service ?? []).some((s) => s.toLowerCase() === POD_IDENTITY_SERVICE)) return 'pod-identity';
  return 'other';
}

/*
 * Trust policies of one estate repeat the same few provider ARNs and condition keys thousands of times; their
 * parsed forms are remembered (bounded) instead of being re-parsed per role.
 */
const CACHE_LIMIT = 50_000;
const federatedCache = new Map<string, FederatedProvider | null>();
const keyCache = new Map<string, Omit<IssuerCondition, 'entry'> | null>();

function remember<V>(cache: Map<string, V | null>, key: string, value: V | null): V | undefined {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value ?? undefined;
}

function federatedProvider(value: string): FederatedProvider | undefined {
  const cached = federatedCache.get(value);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = parseArn(value);
  if (parsed?.service !== 'iam' || !parsed.resource.startsWith('oidc-provider/')) {
    remember(federatedCache, value, null);
    return undefined;
  }
  const url = parsed.resource.slice('oidc-provider/'.length);
  return remember(federatedCache, value, {
    arn: value,
    url,
    key: issuerKey(url),
    accountId: parsed.accountId,
    partition: parsed.partition,
  });
}

/** How a condition key names an issuer (`<prefix>:<claim>`), as classifyStatement reads it; undefined when it does not. */
export function issuerConditionKey(key: string): Omit<IssuerCondition, 'entry'> | undefined {
  return issuerKeyParts(key);
}

function issuerKeyParts(key: string): Omit<IssuerCondition, 'entry'> | undefined {
  const cached = keyCache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const colon = key.lastIndexOf(':');
  const prefix = colon > 0 ? key.slice(0, colon) : '';
  if (colon <= 0 || !looksLikeEksIssuer(prefix)) {
    remember(keyCache, key, null);
    return undefined;
  }
  const claim = key.slice(colon + 1);
  const inner = prefix.startsWith('arn:') ? (providerUrlFromArn(prefix) ?? prefix) : prefix;
  return remember(keyCache, key, {
    prefix,
    prefixLower: prefix.toLowerCase(),
    prefixKey: issuerKey(inner),
    claim,
    claimNormal: claim.trim().toLowerCase(),
  });
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
  return /\s/.test(value) ? value.replace(/\s+/g, '') : value;
}
