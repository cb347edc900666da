/**
 * Live TLS check of an OIDC issuer's JWKS host: which certificates the server sends, their SHA-1 thumbprints, and
 * whether the chain verifies against the public root store. Feeds `OidcProviderSnapshot.tls` for rule IRSA-004.
 *
 * Procedure (AWS, "Obtain the thumbprint for an OpenID Connect identity provider"): read
 * `<issuer>/.well-known/openid-configuration`, take the `jwks_uri` host, run `openssl s_client -showcerts` against it
 * and take the LAST certificate printed, i.e. the top certificate of the chain the server sent (the top
 * intermediate, or the root when the server sends it). eksctl does the same (`PeerCertificates[n-1]`).
 *
 * "The chain the server sent": `socket.getPeerX509Certificate()` and its `issuerCertificate` links. On Node 20 and 22
 * that list is exactly the certificates of the server's Certificate message, in wire order (leaf first), with no
 * certificate added from the local trust store and none dropped or reordered (verified by the unit tests: a server
 * sending leaf + intermediate yields two certificates even when the client trusts the root). By contrast,
 * `getPeerCertificate(true)` re-links certificates by issuer and appends the trust store's root when it finds one,
 * which is the "top as Node builds it" that CDK's handler takes, not what IAM sees. Caveat: Node builds that list by
 * popping the peer chain, so `getPeerX509Certificate()` is called exactly once per connection.
 *
 * Never throws: every failure (bad URL, DNS, refused, timeout, TLS error) comes back as an observation with `error`.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import type { ClientRequest } from 'node:http';
import { get as httpsGet } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates, type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { TlsObservation } from '../domain/snapshot';

export interface ObserveIssuerTlsOptions {
  /** Budget for the whole observation (discovery + TLS handshake), in milliseconds. Default 5000. */
  readonly timeoutMs?: number;
  /**
   * Extra CA certificates (PEM) the chain may verify against, besides the public root store. For tests and private
   * CAs the caller knows IAM trusts; `publiclyTrusted` then means "verifies against public roots or these".
   */
  readonly trustedCa?: string | Buffer | Array<string | Buffer>;
  /** Read the discovery document to find the `jwks_uri` host (default true); false checks the issuer host. */
  readonly fetchDiscovery?: boolean;
}

export const DEFAULT_TLS_TIMEOUT_MS = 5000;
const MAX_DISCOVERY_BYTES = 1024 * 1024;
const MAX_CHAIN_LENGTH = 32;

interface Endpoint {
  readonly hostname: string;
  readonly port: number;
}

export async function observeIssuerTls(
  issuerUrl: string,
  options: ObserveIssuerTlsOptions = {},
): Promise<TlsObservation> {
  const timeoutMs = positiveOr(options.timeoutMs, DEFAULT_TLS_TIMEOUT_MS);
  const deadline = Date.now() + timeoutMs;
  let issuer: URL;
  try {
    issuer = parseIssuer(issuerUrl);
  } catch (e) {
    return { host: issuerUrl, checkedAt: now(), error: `invalid issuer URL ${JSON.stringify(issuerUrl)}: ${text(e)}` };
  }
  let endpoint: Endpoint = { hostname: issuer.hostname, port: portOf(issuer) };
  let discoveryError: string | undefined;
  if (options.fetchDiscovery !== false) {
    // Discovery gets at most half the budget, so the TLS check of the fallback host always has the other half.
    const discoveryUrl = `${issuer.href.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    try {
      endpoint = await discoverJwksEndpoint(discoveryUrl, Math.max(1, Math.floor(timeoutMs / 2)));
    } catch (e) {
      discoveryError = `discovery ${discoveryUrl} failed (${text(e)}); checked the issuer host instead`;
    }
  }
  const host = hostLabel(endpoint);
  try {
    const chain = await readServedChain(endpoint, Math.max(1, deadline - Date.now()), caList(options.trustedCa));
    const [leaf] = chain.certificates;
    const top = chain.certificates[chain.certificates.length - 1];
    const leafThumbprint = leaf ? sha1(leaf) : undefined;
    // A lone leaf is its own top CA only when self-signed; otherwise the server sent no CA certificate at all.
    const topCaThumbprint =
      top && (chain.certificates.length > 1 || (leaf && isSelfSigned(leaf))) ? sha1(top) : undefined;
    return {
      host,
      ...(topCaThumbprint ? { topCaThumbprint } : {}),
      ...(leafThumbprint ? { leafThumbprint } : {}),
      publiclyTrusted: chain.authorized,
      checkedAt: now(),
      ...(discoveryError ? { error: discoveryError } : {}),
    };
  } catch (e) {
    const tlsError = `TLS check of ${host} failed: ${text(e)}`;
    return { host, checkedAt: now(), error: discoveryError ? `${discoveryError}; ${tlsError}` : tlsError };
  }
}

export interface ThumbprintObserver {
  /** Observes the issuer's TLS once per issuer host (and port) for the lifetime of this observer. */
  observe(issuerUrl: string): Promise<TlsObservation>;
}

/** A per-run cache over `observeIssuerTls`: concurrent and repeated calls for one issuer host share one check. */
export function createThumbprintObserver(options: ObserveIssuerTlsOptions = {}): ThumbprintObserver {
  const cache = new Map<string, Promise<TlsObservation>>();
  return {
    observe(issuerUrl: string): Promise<TlsObservation> {
      let key: string;
      try {
        key = parseIssuer(issuerUrl).host.toLowerCase();
      } catch {
        key = issuerUrl;
      }
      let pending = cache.get(key);
      if (!pending) {
        pending = observeIssuerTls(issuerUrl, options);
        cache.set(key, pending);
      }
      return pending;
    },
  };
}

function parseIssuer(issuerUrl: string): URL {
  const trimmed = issuerUrl.trim();
  // IAM stores provider URLs without the scheme; accept both forms.
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  if (url.protocol !== 'https:') throw new Error(`scheme ${url.protocol} is not https`);
  return url;
}

function discoverJwksEndpoint(discoveryUrl: string, timeoutMs: number): Promise<Endpoint> {
  return new Promise<Endpoint>((resolve, reject) => {
    let settled = false;
    let req: ClientRequest | undefined;
    const finish = (error: Error | undefined, value?: Endpoint) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      if (error || !value) reject(error ?? new Error('no endpoint'));
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    // Discovery only locates the JWKS host, so an untrusted chain must not stop it (observing those is the point).
    try {
      req = httpsGet(
        discoveryUrl,
        { agent: false, rejectUnauthorized: false, headers: { accept: 'application/json' } },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            finish(new Error(`HTTP ${res.statusCode ?? 'status unknown'}`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_DISCOVERY_BYTES) finish(new Error(`document larger than ${MAX_DISCOVERY_BYTES} bytes`));
            else chunks.push(chunk);
          });
          res.on('error', (e) => finish(e));
          res.on('end', () => {
            try {
              finish(undefined, jwksEndpoint(Buffer.concat(chunks).toString('utf8')));
            } catch (e) {
              finish(e instanceof Error ? e : new Error(text(e)));
            }
          });
        },
      );
    } catch (e) {
      finish(e instanceof Error ? e : new Error(text(e)));
      return;
    }
    req.on('error', (e) => finish(e));
  });
}

function jwksEndpoint(body: string): Endpoint {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new Error('the discovery document is not JSON');
  }
  const jwksUri = doc && typeof doc === 'object' ? (doc as Record<string, unknown>).jwks_uri : undefined;
  if (typeof jwksUri !== 'string' || jwksUri === '') throw new Error('the discovery document has no jwks_uri');
  let url: URL;
  try {
    url = new URL(jwksUri);
  } catch {
    throw new Error(`jwks_uri ${JSON.stringify(jwksUri)} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new Error(`jwks_uri ${jwksUri} is not https`);
  return { hostname: url.hostname, port: portOf(url) };
}

interface ServedChain {
  /** Certificates as the server sent them, leaf first. */
  readonly certificates: readonly X509Certificate[];
  readonly authorized: boolean;
}

function readServedChain(endpoint: Endpoint, timeoutMs: number, ca: Array<string | Buffer>): Promise<ServedChain> {
  return new Promise<ServedChain>((resolve, reject) => {
    let settled = false;
    let socket: TLSSocket | undefined;
    const finish = (error: Error | undefined, value?: ServedChain) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error || !value || !socket) socket?.destroy();
      else closeGracefully(socket);
      if (error || !value) reject(error ?? new Error('no certificate'));
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    const hostname = endpoint.hostname.replace(/^\[(.*)\]$/, '$1');
    try {
      socket = tlsConnect({
        host: hostname,
        port: endpoint.port,
        // SNI must be a DNS name; IP literals are sent without it.
        ...(isIP(hostname) ? {} : { servername: hostname }),
        // Observe untrusted chains too; `authorized` still reports whether verification against `ca` succeeded.
        rejectUnauthorized: false,
        ca,
      });
    } catch (e) {
      finish(e instanceof Error ? e : new Error(text(e)));
      return;
    }
    const tls = socket;
    tls.on('error', (e) => finish(e));
    tls.on('close', () => finish(new Error('connection closed before the TLS handshake completed')));
    tls.once('secureConnect', () => {
      const certificates: X509Certificate[] = [];
      // Called once: Node consumes the peer chain while building these objects.
      let cert = tls.getPeerX509Certificate();
      while (cert && certificates.length < MAX_CHAIN_LENGTH) {
        certificates.push(cert);
        cert = cert.issuerCertificate;
      }
      if (certificates.length === 0) finish(new Error('the server sent no certificate'));
      else finish(undefined, { certificates, authorized: tls.authorized });
    });
  });
}

/**
 * Ends a handshaken connection with close_notify + FIN rather than a reset: `destroy()` can drop the client's
 * pending Finished message (TLS 1.3), so the server would log a failed handshake. Destroyed after 1 s regardless.
 */
function closeGracefully(socket: TLSSocket): void {
  const force = setTimeout(() => socket.destroy(), 1000);
  force.unref();
  socket.once('close', () => clearTimeout(force));
  socket.end();
}

/** Node's bundled public (Mozilla) roots, never NODE_EXTRA_CA_CERTS (a TLS-intercepting proxy's CA is not public). */
function caList(trusted: ObserveIssuerTlsOptions['trustedCa']): Array<string | Buffer> {
  const extra = trusted === undefined ? [] : Array.isArray(trusted) ? trusted : [trusted];
  return [...rootCertificates, ...extra];
}

function sha1(cert: X509Certificate): string {
  return createHash('sha1').update(cert.raw).digest('hex');
}

function isSelfSigned(cert: X509Certificate): boolean {
  return cert.subject === cert.issuer && cert.checkIssued(cert);
}

function portOf(url: URL): number {
  return url.port === '' ? 443 : Number(url.port);
}

function hostLabel(endpoint: Endpoint): string {
  return endpoint.port === 443 ? endpoint.hostname : `${endpoint.hostname}:${endpoint.port}`;
}

function positiveOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function now(): string {
  return new Date().toISOString();
}

/** An error as one short line: the snapshot schema bounds `tls.error` (4096 characters; up to three of these). */
function text(e: unknown): string {
  return describe(e).slice(0, 1000);
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}
