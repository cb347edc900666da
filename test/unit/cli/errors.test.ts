import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { generateChain, startOidcServer } from '../../support/cert-chain';
import { captureIo } from '../../support/cli-io';
import { account, cluster, irsaStatement, policy, provider, role, sa } from '../../support/estate-builder';

const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-cli-errors-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const MB20 = 20 * 1024 * 1024;

/** A loopback HTTP server answering with `handler`; closed after the test. */
async function serve(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function expectOneLine(stderr: string) {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toContain('internal error');
}

describe('irsa-doctor reports network and configuration errors in one line, exit 2', () => {
  const token = { IRSA_DOCTOR_TOKEN: 'header.payload.signature' };

  it('fails when the console port is closed (ECONNREFUSED)', async () => {
    const port = await closedPort();
    const cli = captureIo('', { env: token });
    const code = await main(['approvals', 'list', '--console-url', `http://127.0.0.1:${port}`], cli.io);
    expect(code).toBe(2);
    expectOneLine(cli.err());
    expect(cli.err()).toContain(`cannot reach http://127.0.0.1:${port}/config.json: connection refused (ECONNREFUSED)`);
  });

  it('fails when the console host does not resolve (DNS)', async () => {
    const cli = captureIo('', { env: token });
    const code = await main(['approvals', 'list', '--console-url', 'https://irsa-doctor-console.invalid'], cli.io);
    expect(code).toBe(2);
    expectOneLine(cli.err());
    expect(cli.err()).toMatch(
      /cannot reach https:\/\/irsa-doctor-console\.invalid\/config\.json: .*\((ENOTFOUND|EAI_AGAIN)\)/,
    );
  });

  it('fails when the console presents a certificate no root vouches for (TLS)', async () => {
    const chain = await generateChain(2);
    const tls = await startOidcServer({ keyPem: chain.leafKeyPem, sentChain: [chain.leaf] });
    try {
      const cli = captureIo('', { env: token });
      const code = await main(['approvals', 'list', '--console-url', `https://localhost:${tls.port}`], cli.io);
      expect(code).toBe(2);
      expectOneLine(cli.err());
      expect(cli.err()).toMatch(/cannot reach https:\/\/localhost:\d+\/config\.json: TLS: .+\(\w+\)/);
    } finally {
      await tls.close();
    }
  });

  it('fails when the console accepts the connection and never answers (timeout)', async () => {
    const silent = await serve(() => {});
    try {
      const cli = captureIo('', { env: { ...token, IRSA_DOCTOR_TIMEOUT_MS: '300' } });
      const code = await main(['approvals', 'list', '--console-url', silent.url], cli.io);
      expect(code).toBe(2);
      expectOneLine(cli.err());
      expect(cli.err()).toContain('no answer within 0.3 s (timeout)');
    } finally {
      await silent.close();
    }
  });

  it.each([
    [
      'an HTML page',
      'text/html',
      '<html><body>Sign in</body></html>',
      /config\.json answered 200 with a body that is not JSON/,
    ],
    ['JSON without the fields', 'application/json', '{"hello":"world"}', /is not an IRSA Doctor console configuration/],
    [
      'an API URL that is not a URL',
      'application/json',
      '{"clientId":"c","cognitoEndpoint":"/x","apiUrl":"::nope"}',
      /names an API URL that is not a URL/,
    ],
  ])('fails when config.json is %s', async (_what, type, body, expected) => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    });
    try {
      const cli = captureIo('', { env: token });
      const code = await main(['approvals', 'list', '--console-url', server.url], cli.io);
      expect(code).toBe(2);
      expectOneLine(cli.err());
      expect(cli.err()).toMatch(expected);
    } finally {
      await server.close();
    }
  });

  it('fails when the API closes the connection mid-request', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/config.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ clientId: 'c', cognitoEndpoint: '/cognito', apiUrl: '' }));
      } else req.socket.destroy();
    });
    try {
      const cli = captureIo('', { env: token });
      const code = await main(['approvals', 'list', '--console-url', server.url], cli.io);
      expect(code).toBe(2);
      expectOneLine(cli.err());
      expect(cli.err()).toContain(`cannot reach ${server.url}/api/plans?limit=100:`);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['not a URL', ['--console-url', 'not a url'], /--console-url not a url is not a URL/],
    ['plain http to another host', ['--console-url', 'http://example.com'], /must be https:\/\//],
    ['no console URL at all', [], /no console URL/],
  ])('fails when the console URL is %s', async (_what, args, expected) => {
    const cli = captureIo('', { env: token });
    expect(await main(['approvals', 'list', ...args], cli.io)).toBe(2);
    expectOneLine(cli.err());
    expect(cli.err()).toMatch(expected);
  });

  it.each([
    ['missing', undefined, /not signed in: run "irsa-doctor login"/],
    ['empty', '\n', /is empty/],
    ['not a token', 'two words\n', /does not hold a token/],
  ])('fails when the token file is %s', async (_what, content, expected) => {
    const tokenFile = join(dir, `token-${_what}`);
    if (content !== undefined) writeFileSync(tokenFile, content);
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ clientId: 'c', cognitoEndpoint: '/cognito' }));
    });
    try {
      const cli = captureIo('', { env: {} });
      const code = await main(['approvals', 'list', '--console-url', server.url, '--token-file', tokenFile], cli.io);
      expect(code).toBe(2);
      expectOneLine(cli.err());
      expect(cli.err()).toMatch(expected);
    } finally {
      await server.close();
    }
  });
});

describe('irsa-doctor keeps errors about huge values short', () => {
  it('fails with a short error naming the path and length when a snapshot holds a 20 MB value', async () => {
    // Given a snapshot whose role name is 20 MB
    const c = cluster({ name: 'prod', region: 'us-west-2', accountId: '111111111111' });
    const big = role('111111111111', 'app', policy(irsaStatement(c, sa('ns', 'app'))));
    const snapshot = {
      schemaVersion: 1,
      partition: 'aws',
      accounts: [account('111111111111', { roles: [{ ...big, name: 'n'.repeat(MB20) }] })],
    };
    const path = file('huge.json', JSON.stringify(snapshot));
    // When it is analyzed
    const cli = captureIo();
    const code = await main(['analyze', '--snapshot', path], cli.io);
    // Then the error is short: the path, the first characters, the length
    expect(code).toBe(2);
    expect(cli.err().length).toBeLessThan(600);
    expect(cli.err()).toContain('$.accounts[0].roles[0].name');
    expect(cli.err()).toContain(`(${MB20} characters) is longer than 64 characters`);
  });

  it('fails with a short error when the snapshot is not JSON and its first line is 20 MB', async () => {
    const path = file('garbled.json', `{"schemaVersion": 1, "x": ${'9'.repeat(MB20)}z}`);
    const cli = captureIo();
    expect(await main(['analyze', '--snapshot', path], cli.io)).toBe(2);
    expect(cli.err().length).toBeLessThan(600);
    expect(cli.err()).toMatch(/is not valid JSON/);
  });
});

describe('irsa-doctor escapes control characters in what people read', () => {
  const EVIL = ['\u001b[31m', '\r', '\u202e'];
  function evilEstate() {
    const c = cluster({ name: 'prod', region: 'us-west-2', accountId: '111111111111' });
    // A service account whose namespace and name carry an escape sequence, a carriage return and a bidi override,
    // naming a role that trusts someone else: its finding quotes both names.
    const trust = role('111111111111', 'app', policy(irsaStatement(c, sa('other', 'x\u202eexe.txt'))));
    return {
      schemaVersion: 1,
      partition: 'aws',
      accounts: [
        account('111111111111', {
          clusters: [c.snapshot],
          oidcProviders: [provider(c)],
          roles: [trust],
          serviceAccounts: [
            {
              cluster: 'prod',
              region: 'us-west-2',
              namespace: 'evil\u001b[31mred',
              name: 'sa\rOK all good',
              roleArn: trust.arn,
            },
          ],
        }),
      ],
    };
  }

  it.each(['table'])('escapes them in analyze --output %s', async (format) => {
    const path = file(`evil-${format}.json`, JSON.stringify(evilEstate()));
    const cli = captureIo('', { tty: true });
    await main(['analyze', '--snapshot', path, '--output', format], cli.io);
    // Only the CLI's own colour codes are raw escapes; every value is shown escaped.
    const withoutStyle = cli
      .out()
      .replace(new RegExp(`${String.fromCharCode(27)}\\[(1|2|22|31|33|35|36|39)m`, 'g'), '');
    for (const raw of EVIL) expect(withoutStyle).not.toContain(raw);
    expect(cli.out()).toMatch(/evil\\{1,2}e\\?\[31mred/);
    expect(cli.out()).toContain('sa\\rOK all good');
    expect(cli.out()).toContain('\\u{202e}');
  });

  it.each(['markdown', 'text', 'junit'])('lets none of them through raw in analyze --output %s', async (format) => {
    const path = file(`evil-${format}.json`, JSON.stringify(evilEstate()));
    const cli = captureIo('', { tty: true });
    await main(['analyze', '--snapshot', path, '--output', format], cli.io);
    expect(cli.out()).toMatch(/IRSA-015/);
    for (const raw of EVIL) expect(cli.out()).not.toContain(raw);
  });

  it('escapes them in plan --output table', async () => {
    const path = file('evil-plan.json', JSON.stringify(evilEstate()));
    const cli = captureIo();
    await main(['plan', '--snapshot', path], cli.io);
    for (const raw of EVIL) expect(cli.out()).not.toContain(raw);
  });

  it('escapes them in the CLI error output', async () => {
    const cli = captureIo();
    expect(await main(['analyze', '--snapshot', join(dir, 'no\u001b[2Jsuch\r\u202efile.json')], cli.io)).toBe(2);
    for (const raw of EVIL) expect(cli.err()).not.toContain(raw);
    expect(cli.err()).toContain('no\\e[2Jsuch\\r\\u{202e}file.json');
    expect(cli.err()).not.toContain('\u001b[2J');
  });
});
