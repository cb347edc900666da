import { createServer } from 'node:net';
import { createThumbprintObserver, observeIssuerTls } from '../../../lambdas/adapters/oidc-thumbprint';
import { analyzeEstate } from '../../../lambdas/domain/analyze-estate';
import { type GeneratedChain, generateChain, type OidcTestServer, startOidcServer } from '../../support/cert-chain';
import { account, cluster, estate, provider } from '../../support/estate-builder';

const HEX40 = /^[0-9a-f]{40}$/;

describe('observeIssuerTls against a local HTTPS issuer', () => {
  let two: GeneratedChain;
  let three: GeneratedChain;
  const servers: OidcTestServer[] = [];

  beforeAll(async () => {
    two = await generateChain(2, 'two-level');
    three = await generateChain(3, 'three-level');
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function serve(chain: GeneratedChain, sent: 'leaf+root' | 'leaf+intermediate', discovery = true) {
    const sentChain =
      sent === 'leaf+root'
        ? [chain.leaf, chain.root]
        : [chain.leaf, ...(chain.intermediate ? [chain.intermediate] : [])];
    const server = await startOidcServer({ keyPem: chain.leafKeyPem, sentChain, discovery });
    servers.push(server);
    return server;
  }

  it('two-level chain: the top CA is the root the server sends, and the leaf is told apart', async () => {
    // Given a server sending leaf + root (root CA -> leaf)
    const server = await serve(two, 'leaf+root');

    // When observing its issuer
    const observation = await observeIssuerTls(server.issuer, { timeoutMs: 5000 });

    // Then the thumbprints are the SHA-1s of the DER the test generated, and a test CA is not publicly trusted
    expect(observation.error).toBeUndefined();
    expect(observation.host).toBe(`localhost:${server.port}`);
    expect(observation.topCaThumbprint).toBe(two.root.sha1);
    expect(observation.leafThumbprint).toBe(two.leaf.sha1);
    expect(observation.topCaThumbprint).toMatch(HEX40);
    expect(observation.publiclyTrusted).toBe(false);
    expect(Number.isNaN(Date.parse(observation.checkedAt ?? ''))).toBe(false);
  });

  it('two-level chain: publiclyTrusted is true when the caller trusts the root', async () => {
    // Given the same kind of server, and the caller trusting its root
    const server = await serve(two, 'leaf+root');

    // When observing with trustedCa = the root
    const observation = await observeIssuerTls(server.issuer, { trustedCa: two.root.pem });

    // Then the chain verifies
    expect(observation.error).toBeUndefined();
    expect(observation.publiclyTrusted).toBe(true);
    expect(observation.topCaThumbprint).toBe(two.root.sha1);
  });

  it('three-level chain: the top CA is the intermediate, the last certificate the server sends', async () => {
    // Given root -> intermediate -> leaf, where the server sends leaf + intermediate but NOT the root
    const server = await serve(three, 'leaf+intermediate');
    const intermediate = three.intermediate;
    if (!intermediate) throw new Error('generateChain(3) returned no intermediate');

    // When observing it, even while trusting the root (so Node could append the root from its trust store)
    const observation = await observeIssuerTls(server.issuer, { trustedCa: [three.root.pem] });

    // Then topCaThumbprint is the intermediate's SHA-1: AWS's manual procedure (irsa-failure-modes.md §3.2) takes
    // the LAST certificate `openssl s_client -showcerts` prints, i.e. the top of the chain the server sent, which
    // here is the intermediate; the root the client trusts locally must not be taken (that is CDK's behaviour)
    expect(observation.error).toBeUndefined();
    expect(observation.topCaThumbprint).toBe(intermediate.sha1);
    expect(observation.topCaThumbprint).not.toBe(three.root.sha1);
    expect(observation.leafThumbprint).toBe(three.leaf.sha1);
    expect(observation.publiclyTrusted).toBe(true);
  });

  it('three-level chain without trustedCa is not publicly trusted', async () => {
    // Given the three-level server
    const server = await serve(three, 'leaf+intermediate');

    // When observing with only the public root store
    const observation = await observeIssuerTls(server.issuer);

    // Then the chain does not verify
    expect(observation.publiclyTrusted).toBe(false);
    expect(observation.topCaThumbprint).toBe(three.intermediate?.sha1);
  });

  it('a thumbprint list holding only the leaf SHA-1 is reported by IRSA-004', async () => {
    // Given a live observation and a provider whose only thumbprint is the leaf's
    const server = await serve(two, 'leaf+root');
    const observation = await observeIssuerTls(server.issuer);
    const leafSha1 = observation.leafThumbprint ?? '';
    expect(leafSha1).toBe(two.leaf.sha1);
    const c = cluster({ name: 'prod', region: 'eu-west-1', accountId: '111122223333' });
    const snapshot = estate([
      account('111122223333', {
        clusters: [c.snapshot],
        oidcProviders: [{ ...provider(c, { thumbprints: [leafSha1] }), tls: observation }],
      }),
    ]);

    // When analyzing the estate
    const { findings } = analyzeEstate(snapshot);

    // Then IRSA-004 names the leaf thumbprint as the wrong one, and the untrusted chain makes it matter
    const irsa004 = findings.filter((f) => f.ruleId === 'IRSA-004');
    expect(irsa004).toHaveLength(1);
    expect(irsa004[0]?.message).toContain(`leaf certificate's (${leafSha1})`);
    expect(irsa004[0]?.message).toContain(two.root.sha1);
    expect(irsa004[0]?.severity).toBe('high');
  });

  it('falls back to the issuer host and records the error when discovery answers 404', async () => {
    // Given a server with no discovery document
    const server = await serve(two, 'leaf+root', false);

    // When observing
    const observation = await observeIssuerTls(`${server.issuer}/id/EXAMPLE`);

    // Then the issuer host itself was checked, and the discovery failure is recorded
    expect(observation.host).toBe(`localhost:${server.port}`);
    expect(observation.topCaThumbprint).toBe(two.root.sha1);
    expect(observation.leafThumbprint).toBe(two.leaf.sha1);
    expect(observation.error).toMatch(
      /discovery https:\/\/localhost:\d+\/id\/EXAMPLE\/\.well-known\/openid-configuration/,
    );
    expect(observation.error).toContain('HTTP 404');
  });

  it('a closed port yields an observation with an error, without throwing, within the timeout', async () => {
    // Given a port nothing listens on
    const port = await freePort();
    const timeoutMs = 2000;

    // When observing it
    const started = Date.now();
    const observation = await observeIssuerTls(`https://127.0.0.1:${port}/id/X`, { timeoutMs });

    // Then an error naming the host and the reason comes back in time
    expect(Date.now() - started).toBeLessThan(timeoutMs + 500);
    expect(observation.host).toBe(`127.0.0.1:${port}`);
    expect(observation.topCaThumbprint).toBeUndefined();
    expect(observation.error).toContain(`TLS check of 127.0.0.1:${port} failed`);
    expect(observation.error).toContain('ECONNREFUSED');
  });

  it('a server that never answers the handshake times out with an error', async () => {
    // Given a plain TCP server that accepts and stays silent
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      // When observing with a short timeout
      const started = Date.now();
      const observation = await observeIssuerTls(`https://127.0.0.1:${port}`, { timeoutMs: 400 });

      // Then the whole observation ends within the budget, reporting a timeout
      expect(Date.now() - started).toBeLessThan(1400);
      expect(observation.error).toMatch(/timed out/);
      expect(observation.error).toContain(`127.0.0.1:${port}`);
    } finally {
      silent.close();
    }
  });

  it('the cached observer connects once per host for two calls', async () => {
    // Given an observer and an issuer
    const server = await serve(two, 'leaf+root');
    const observer = createThumbprintObserver({ timeoutMs: 5000 });

    // When observing two issuers on the same host
    const first = await observer.observe(`${server.issuer}/id/A`);
    const afterFirst = await settledCount(server, 2);
    const second = await observer.observe(`${server.issuer}/id/B`);
    const afterSecond = await settledCount(server, 3);

    // Then the second call reuses the first result: no new TLS connection (the first made one for discovery and
    // one for the chain)
    expect(afterFirst).toBe(2);
    expect(afterSecond).toBe(afterFirst);
    expect(second).toBe(first);
    expect(first.topCaThumbprint).toBe(two.root.sha1);
  });

  it('an invalid issuer URL is an observation with an error', async () => {
    // Given a URL that is not https
    // When observing it
    const observation = await observeIssuerTls('http://127.0.0.1:1/');

    // Then nothing is thrown
    expect(observation.error).toMatch(/invalid issuer URL/);
  });
});

/**
 * The server emits 'secureConnection' when it processes the client's Finished message, which can come after the
 * client has its result and closed; wait (bounded) until `target` handshakes are seen, then report the count.
 */
async function settledCount(server: OidcTestServer, target: number): Promise<number> {
  const until = Date.now() + 300;
  while (server.secureConnections() < target && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return server.secureConnections();
}

function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
