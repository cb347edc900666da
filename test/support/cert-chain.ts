/**
 * Generates throw-away X.509 chains for TLS tests (ECDSA P-256 via WebCrypto: fast), plus a local HTTPS server
 * that presents them. Nothing here touches the network beyond 127.0.0.1.
 */
import 'reflect-metadata';
import { createHash, KeyObject, webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface GeneratedCert {
  readonly pem: string;
  readonly der: Buffer;
  /** SHA-1 of the DER, computed here with node:crypto (independent of the code under test). */
  readonly sha1: string;
  readonly keys: CryptoKeyPair;
  readonly name: string;
}

export interface GeneratedChain {
  readonly root: GeneratedCert;
  readonly intermediate?: GeneratedCert;
  readonly leaf: GeneratedCert;
  /** The leaf's private key, PEM (PKCS#8). */
  readonly leafKeyPem: string;
}

let serial = 1;

async function makeCert(name: string, issuer: GeneratedCert | undefined, ca: boolean): Promise<GeneratedCert> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 24 * 3600_000);
  const extensions: x509.Extension[] = ca
    ? [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ]
    : [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
        ]),
      ];
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  const subject = `CN=${name}`;
  const serialNumber = (serial++).toString(16).padStart(2, '0');
  const cert = issuer
    ? await x509.X509CertificateGenerator.create({
        serialNumber,
        subject,
        issuer: issuer.name,
        notBefore,
        notAfter,
        signingAlgorithm: ALG,
        publicKey: keys.publicKey,
        signingKey: issuer.keys.privateKey,
        extensions,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber,
        name: subject,
        notBefore,
        notAfter,
        signingAlgorithm: ALG,
        keys,
        extensions,
      });
  const der = Buffer.from(cert.rawData);
  return {
    pem: cert.toString('pem'),
    der,
    sha1: createHash('sha1').update(der).digest('hex'),
    keys,
    name: subject,
  };
}

/** root -> leaf, or root -> intermediate -> leaf when `levels` is 3. The leaf is valid for localhost and 127.0.0.1. */
export async function generateChain(levels: 2 | 3, label = 'irsa-doctor test'): Promise<GeneratedChain> {
  const root = await makeCert(`${label} root CA`, undefined, true);
  const intermediate = levels === 3 ? await makeCert(`${label} intermediate CA`, root, true) : undefined;
  const leaf = await makeCert('localhost', intermediate ?? root, false);
  const leafKeyPem = KeyObject.from(leaf.keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { root, intermediate, leaf, leafKeyPem };
}

export interface OidcTestServer {
  readonly server: Server;
  readonly port: number;
  readonly issuer: string;
  /** TLS handshakes completed so far (the server's 'secureConnection' event). */
  secureConnections(): number;
  close(): Promise<void>;
}

/**
 * An HTTPS server on 127.0.0.1 (ephemeral port) presenting `sentChain` (leaf first) and serving an OIDC discovery
 * document whose jwks_uri points back to itself. `discovery: false` answers 404 for the discovery document.
 */
export async function startOidcServer(options: {
  keyPem: string;
  sentChain: readonly GeneratedCert[];
  discovery?: boolean;
}): Promise<OidcTestServer> {
  let port = 0;
  let handshakes = 0;
  const sockets = new Set<TLSSocket>();
  const server = createServer(
    { key: options.keyPem, cert: options.sentChain.map((c) => c.pem).join('\n') },
    (req, res) => {
      if (req.url === '/.well-known/openid-configuration' && options.discovery !== false) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: `https://localhost:${port}`, jwks_uri: `https://localhost:${port}/keys` }));
      } else if (req.url === '/keys') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: [] }));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      }
    },
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    handshakes++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    issuer: `https://localhost:${port}`,
    secureConnections: () => handshakes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
