/**
 * An HTTP proxy in front of the emulator that counts AWS calls by operation and injects faults: a share of throttling
 * errors, of 5xx responses and of dropped connections, and added latency, per operation or for all. Used by the
 * integration tests (retries, throttling) and by `npm run bench` (calls per sweep, as AWS would bill and throttle
 * them: every attempt counts, retries included).
 *
 * The operation is read from the request as AWS does: `Action=` in a query-protocol body (IAM, STS), the
 * `X-Amz-Target` header (JSON protocol: Organizations), or the method and path (REST: EKS).
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultRule {
  /** Share of requests answered with the service's throttling error (0..1). */
  readonly throttle?: number;
  /** Share answered with a 500/503. */
  readonly serverError?: number;
  /** Share whose connection is dropped without a response. */
  readonly drop?: number;
  /** Milliseconds added before forwarding. */
  readonly latencyMs?: number;
}

export interface FaultProxyOptions {
  /** Where the emulator listens, e.g. http://127.0.0.1:5000. */
  readonly target: string;
  /** Faults for every operation, and per operation ("iam:GetRole", "eks:ListClusters", or a service "iam:*"). */
  readonly faults?: FaultRule;
  readonly faultsByOperation?: Readonly<Record<string, FaultRule>>;
  /** Seed of the fault dice, so a run can be repeated exactly. */
  readonly seed?: number;
}

/**
 * Called around each forwarded request, by operation and its running count: a test waits here to make something
 * happen at an exact point between the calls of the code under test (a concurrent edit, say).
 */
export interface ProxyHooks {
  before?(operation: string, count: number): Promise<void> | void;
  after?(operation: string, count: number): Promise<void> | void;
}

export interface FaultProxy {
  readonly url: string;
  /** Attempts seen per operation ("service:Operation"), faulted ones included. */
  counts(): Record<string, number>;
  /** Faults injected per operation and kind. */
  injected(): Record<string, number>;
  reset(): void;
  setFaults(faults: FaultRule | undefined, byOperation?: Readonly<Record<string, FaultRule>>): void;
  setHooks(hooks: ProxyHooks | undefined): void;
  close(): Promise<void>;
}

const EKS_ROUTES: ReadonlyArray<readonly [string, RegExp, string]> = [
  ['GET', /^\/clusters$/, 'ListClusters'],
  ['POST', /^\/clusters$/, 'CreateCluster'],
  ['GET', /^\/clusters\/[^/]+$/, 'DescribeCluster'],
  ['DELETE', /^\/clusters\/[^/]+$/, 'DeleteCluster'],
  ['GET', /^\/clusters\/[^/]+\/addons$/, 'ListAddons'],
  ['POST', /^\/clusters\/[^/]+\/addons$/, 'CreateAddon'],
  ['GET', /^\/clusters\/[^/]+\/addons\/[^/]+$/, 'DescribeAddon'],
  ['GET', /^\/addons\/configuration-schemas$/, 'DescribeAddonConfiguration'],
  ['GET', /^\/clusters\/[^/]+\/pod-identity-associations$/, 'ListPodIdentityAssociations'],
  ['POST', /^\/clusters\/[^/]+\/pod-identity-associations$/, 'CreatePodIdentityAssociation'],
  ['GET', /^\/clusters\/[^/]+\/pod-identity-associations\/[^/]+$/, 'DescribePodIdentityAssociation'],
];

/** "iam:GetRole" etc., from the signing scope, the body, the target header or the REST route. */
export function operationOf(method: string, path: string, headers: IncomingMessage['headers'], body: string): string {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ''));
  const service = scope?.[1] ?? 'unknown';
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return `${service}:${target.split('.').pop()}`;
  const action = /(?:^|&)Action=([^&]+)/.exec(body);
  if (action?.[1]) return `${service}:${decodeURIComponent(action[1])}`;
  const pathname = path.split('?')[0] ?? path;
  for (const [m, re, name] of EKS_ROUTES) if (m === method && re.test(pathname)) return `${service}:${name}`;
  return `${service}:${method} ${pathname}`;
}

/** mulberry32: small, seedable, good enough for fault dice. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function throttleResponse(res: ServerResponse, headers: IncomingMessage['headers'], body: string): void {
  if (typeof headers['x-amz-target'] === 'string') {
    res.writeHead(400, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-errortype': 'TooManyRequestsException',
    });
    res.end(JSON.stringify({ __type: 'TooManyRequestsException', message: 'Rate exceeded' }));
  } else if (/(?:^|&)Action=/.test(body)) {
    res.writeHead(400, { 'content-type': 'text/xml' });
    res.end(
      '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>',
    );
  } else {
    res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' });
    res.end(JSON.stringify({ message: 'Rate exceeded' }));
  }
}

function serverErrorResponse(res: ServerResponse, headers: IncomingMessage['headers'], body: string): void {
  if (/(?:^|&)Action=/.test(body) && typeof headers['x-amz-target'] !== 'string') {
    res.writeHead(503, { 'content-type': 'text/xml' });
    res.end(
      '<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>Service unavailable</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>',
    );
  } else {
    res.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailableException' });
    res.end(JSON.stringify({ __type: 'ServiceUnavailableException', message: 'Service unavailable' }));
  }
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const dice = random(options.seed ?? 1);
  let faults = options.faults;
  let byOperation = options.faultsByOperation ?? {};
  let hooks: ProxyHooks | undefined;
  const counts = new Map<string, number>();
  const injected = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const method = req.method ?? 'GET';
      const operation = operationOf(method, req.url ?? '/', req.headers, text);
      bump(counts, operation);
      const count = counts.get(operation) ?? 0;
      if (hooks?.before) await hooks.before(operation, count);
      const rule = byOperation[operation] ?? byOperation[`${operation.split(':')[0]}:*`] ?? faults ?? {};
      if (rule.latencyMs) await new Promise((r) => setTimeout(r, rule.latencyMs));
      if (injectFault(operation, rule, req, res, text)) return;
      forward(req, res, body, operation, count);
    });
  });

  /** Rolls the dice once: a throttle, a 5xx or a dropped connection by the rule's odds; true when one was sent. */
  function injectFault(
    operation: string,
    rule: FaultRule,
    req: IncomingMessage,
    res: ServerResponse,
    text: string,
  ): boolean {
    const roll = dice();
    const throttle = rule.throttle ?? 0;
    const serverError = rule.serverError ?? 0;
    const drop = rule.drop ?? 0;
    if (roll < throttle) {
      bump(injected, `${operation} throttle`);
      throttleResponse(res, req.headers, text);
      return true;
    }
    if (roll < throttle + serverError) {
      bump(injected, `${operation} 5xx`);
      serverErrorResponse(res, req.headers, text);
      return true;
    }
    if (roll < throttle + serverError + drop) {
      bump(injected, `${operation} drop`);
      req.socket.destroy();
      return true;
    }
    return false;
  }

  /** Passes the request to the emulator and its response back, after the `after` hook. */
  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, operation: string, count: number): void {
    const upstream = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method ?? 'GET',
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', async () => {
          // The response reaches the caller only after the hook: "after this call, before the caller's next one".
          if (hooks?.after) await hooks.after(operation, count);
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault-proxy: upstream ${options.target} failed: ${err.message}`);
    });
    upstream.end(body);
  }
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b))),
    injected: () => Object.fromEntries([...injected].sort(([a], [b]) => a.localeCompare(b))),
    reset: () => {
      counts.clear();
      injected.clear();
    },
    setHooks: (next) => {
      hooks = next;
    },
    setFaults: (next, nextByOperation) => {
      faults = next;
      byOperation = nextByOperation ?? {};
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
