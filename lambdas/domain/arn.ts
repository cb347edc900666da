/** ARN and EKS issuer helpers. Pure string functions; nothing here throws on bad input. */

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  readonly resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  const [, partition, service, region, accountId] = parts;
  if (!partition || !service || region === undefined || accountId === undefined) return undefined;
  return { partition, service, region, accountId, resource: parts.slice(5).join(':') };
}

const OIDC_PROVIDER_PREFIX = 'oidc-provider/';

/** The provider URL (host/path, no scheme) an `oidc-provider` ARN names, or undefined when the ARN is not one. */
export function providerUrlFromArn(arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service !== 'iam' || !parsed.resource.startsWith(OIDC_PROVIDER_PREFIX)) return undefined;
  return parsed.resource.slice(OIDC_PROVIDER_PREFIX.length);
}

export function providerArn(partition: string, accountId: string, urlWithoutScheme: string): string {
  return `arn:${partition}:iam::${accountId}:${OIDC_PROVIDER_PREFIX}${urlWithoutScheme}`;
}

export function roleAccountId(roleArn: string): string | undefined {
  const parsed = parseArn(roleArn);
  return parsed?.service === 'iam' && parsed.resource.startsWith('role/') ? parsed.accountId : undefined;
}

/** Removes trailing slashes with a loop: the /\/+$/ pattern is quadratic on long runs of slashes. */
export function trimTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 47) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Strips `https://` (any case) from an issuer URL; IAM provider URLs and condition-key prefixes carry no scheme. */
export function stripScheme(url: string): string {
  return url.replace(/^https?:\/\//i, '');
}

/**
 * The comparison key for an issuer or provider URL: no scheme, no default port, no trailing slash, lower case.
 * Two URLs with the same key name the same issuer; whether they are spelled exactly alike is a separate question.
 */
export function issuerKey(url: string): string {
  const cached = issuerKeyCache.get(url);
  if (cached !== undefined) return cached;
  const key = computeIssuerKey(url);
  if (issuerKeyCache.size >= 50_000) issuerKeyCache.clear();
  issuerKeyCache.set(url, key);
  return key;
}

/** Estates repeat the same few issuers across thousands of roles: remember their keys. */
const issuerKeyCache = new Map<string, string>();

function computeIssuerKey(url: string): string {
  return trimTrailingSlashes(stripScheme(url.trim()))
    .replace(/^([^/]+):443(?=\/|$)/, '$1')
    .toLowerCase();
}

export interface EksIssuer {
  /** host/path as a provider URL and condition-key prefix spell it, e.g. oidc.eks.us-west-2.amazonaws.com/id/ABC */
  readonly hostPath: string;
  readonly region: string;
  readonly id: string;
  readonly dnsSuffix: string;
}

const EKS_ISSUER =
  /^oidc\.eks\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?|c2s\.ic\.gov|sc2s\.sgov\.gov)\/id\/([A-Za-z0-9]+)$/;
const EKS_ISSUER_SWAPPED = /^oidc\.([a-z0-9-]+)\.eks\.(amazonaws\.com(?:\.cn)?)\/id\/([A-Za-z0-9]+)$/;

/** Parses an EKS issuer (with or without scheme). Case is kept; use issuerKey to compare. */
export function parseEksIssuer(url: string): EksIssuer | undefined {
  const hostPath = trimTrailingSlashes(stripScheme(url.trim()));
  const match = EKS_ISSUER.exec(hostPath.toLowerCase());
  if (!match) return undefined;
  const [, region, dnsSuffix, id] = match;
  if (!region || !dnsSuffix || !id) return undefined;
  return { hostPath, region, id: hostPath.slice(hostPath.length - id.length), dnsSuffix };
}

/** Recognizes the documented host-order typo `oidc.<region>.eks.amazonaws.com` and returns the corrected host/path. */
export function correctSwappedEksHost(url: string): string | undefined {
  const hostPath = trimTrailingSlashes(stripScheme(url.trim()));
  const match = EKS_ISSUER_SWAPPED.exec(hostPath.toLowerCase());
  if (!match) return undefined;
  const [, region, suffix] = match;
  const id = hostPath.slice(hostPath.lastIndexOf('/') + 1);
  return `oidc.eks.${region}.${suffix}/id/${id}`;
}

/** Whether a URL or condition-key prefix looks like it names an EKS issuer at all (loose: for classification). */
export function looksLikeEksIssuer(text: string): boolean {
  const lower = text.toLowerCase();
  return lower.includes('oidc.eks.') || EKS_ISSUER_SWAPPED.test(trimTrailingSlashes(stripScheme(lower)));
}

/** The eks.amazonaws.com/role-arn check the pod identity webhook applies (it only logs, then injects anyway). */
export const WEBHOOK_ROLE_ARN = /^arn:aws[a-z0-9-]*:iam::\d{12}:role\/[\w\-/.@+=,]+$/;
