/**
 * The EKS bearer token, made as `aws eks get-token` makes it (awscli `customizations/eks/get_token.py`): the prefix
 * `k8s-aws-v1.` and the base64url (no padding) of a presigned STS `GetCallerIdentity` GET URL whose signed headers
 * include `x-k8s-aws-id: <cluster name>`, with `X-Amz-Expires=60`. EKS (aws-iam-authenticator) calls that URL to learn
 * who the caller is, and accepts the token for about 15 minutes after signing; the CLI reports 14 minutes, as here.
 *
 * The STS endpoint is the regional one of the cluster's region and partition, resolved by the SDK's own STS endpoint
 * rules (sts.us-east-1.amazonaws.com, sts.cn-north-1.amazonaws.com.cn, ...): the pinned AWS CLI (botocore's default
 * `sts_regional_endpoints = regional`) signs for the regional endpoint too, us-east-1 included.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The header that binds the token to one cluster. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** Lifetime of the presigned URL (seconds), as the CLI signs it. */
export const PRESIGN_EXPIRES_SECONDS = 60;
/** How long the token is used for after signing: EKS accepts it for 15 minutes; the CLI says 14. */
export const TOKEN_LIFETIME_MS = 14 * 60 * 1000;

export interface EksTokenOptions {
  /** The cluster's name (what `x-k8s-aws-id` carries). */
  readonly clusterName: string;
  /** The cluster's region: the STS endpoint and the signing region. */
  readonly region: string;
  /** Whose identity the token carries (the member scanner role's credentials). */
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** An STS endpoint override (the emulator); the SDK's regional endpoint otherwise. */
  readonly endpoint?: string;
  /** The signing clock (tests). */
  readonly now?: () => Date;
}

export interface EksToken {
  readonly token: string;
  /** When to stop using it (signing time + 14 minutes). */
  readonly expiresAt: Date;
}

/** SHA-256 (and HMAC-SHA-256 with a secret) for the signer, from node:crypto. */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The STS endpoint the token is signed for: the override, else the SDK's regional endpoint of `region`. */
export function stsEndpoint(region: string, endpoint?: string): URL {
  if (endpoint) return new URL(endpoint);
  const sts = new STSClient({ region });
  const resolved = sts.config.endpointProvider({
    Region: region,
    UseFIPS: false,
    UseDualStack: false,
    UseGlobalEndpoint: false,
  });
  sts.destroy();
  return new URL(resolved.url.href);
}

/** The presigned `GetCallerIdentity` URL that the token encodes. */
export async function presignedCallerIdentityUrl(options: EksTokenOptions): Promise<string> {
  const url = stsEndpoint(options.region, options.endpoint);
  const signer = new SignatureV4({
    service: 'sts',
    region: options.region,
    credentials: options.credentials,
    sha256: NodeSha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const path = url.pathname === '' ? '/' : url.pathname;
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path,
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: url.host, [CLUSTER_ID_HEADER]: options.clusterName },
    },
    {
      expiresIn: PRESIGN_EXPIRES_SECONDS,
      signingDate: (options.now ?? (() => new Date()))(),
      // x-k8s-aws-id must stay a signed header, not be hoisted into the query string.
      unhoistableHeaders: new Set([CLUSTER_ID_HEADER]),
    },
  );
  const query = Object.entries(signed.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : v === null ? [] : [[k, v]]))
    .map(([k, v]) => `${encodeURIComponent(k as string)}=${encodeURIComponent(v as string)}`)
    .join('&');
  return `${url.protocol}//${url.host}${path}?${query}`;
}

/** The bearer token for the cluster's Kubernetes API, for the identity of `credentials`. */
export async function eksBearerToken(options: EksTokenOptions): Promise<EksToken> {
  const now = (options.now ?? (() => new Date()))();
  const url = await presignedCallerIdentityUrl({ ...options, now: () => now });
  const token = EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
  return { token, expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS) };
}

/** The presigned URL inside a token (its inverse), or undefined when it is not one. */
export function decodeEksToken(token: string): URL | undefined {
  if (!token.startsWith(EKS_TOKEN_PREFIX)) return undefined;
  const body = token.slice(EKS_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) return undefined;
  try {
    return new URL(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
