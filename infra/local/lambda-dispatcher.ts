/**
 * The other end of the emulator's Lambda: an HTTP server on 127.0.0.1 in this process that runs the real handlers.
 * The launcher (emulator/launch.py, patch n1) forwards every invocation of a function whose environment names
 * IRSA_DOCTOR_DISPATCH_URL to that URL as a JSON POST; the URL's path names the local hub and the step, so several
 * local hubs (each with its own tables) share one server. The answer is `{payload}` or, for a thrown error,
 * `{errored: true, errorType, errorMessage}`: the launcher hands the error to Step Functions under its name, so a
 * Catch on `PlanRejected` or `StalePlanError` matches as in AWS.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StepHandler = (event: unknown) => Promise<unknown>;

export interface LambdaDispatcher {
  /** Registers a hub's handlers (step name -> handler); returns the base URL its functions are given. */
  register(hubId: string, handlers: Readonly<Record<string, StepHandler>>): string;
  unregister(hubId: string): void;
  /** Invocations answered so far (all hubs). */
  readonly invocations: number;
}

/** The answer the launcher expects. */
type Answer = { payload: unknown } | { errored: true; errorType: string; errorMessage: string };

const MAX_EVENT_BYTES = 6 * 1024 * 1024; // Lambda's synchronous payload limit

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_EVENT_BYTES) throw new Error(`event larger than ${MAX_EVENT_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function failure(err: unknown): Answer {
  const error = err instanceof Error ? err : new Error(String(err));
  return { errored: true, errorType: error.name || 'Error', errorMessage: error.message };
}

class HttpLambdaDispatcher implements LambdaDispatcher {
  private readonly hubs = new Map<string, Readonly<Record<string, StepHandler>>>();
  invocations = 0;

  constructor(
    server: Server,
    private readonly base: string,
  ) {
    server.on('request', (request, response) => {
      this.answer(request).then(
        (answer) => {
          const body = JSON.stringify(answer);
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          response.end(body);
        },
        (err) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(String(err));
        },
      );
    });
  }

  register(hubId: string, handlers: Readonly<Record<string, StepHandler>>): string {
    if (!/^[A-Za-z0-9-]+$/.test(hubId)) throw new Error(`dispatcher: hub id ${JSON.stringify(hubId)} is not URL-safe`);
    this.hubs.set(hubId, handlers);
    return `${this.base}/${hubId}`;
  }

  unregister(hubId: string): void {
    this.hubs.delete(hubId);
  }

  private async answer(request: IncomingMessage): Promise<Answer> {
    const [, hubId = '', step = ''] = (request.url ?? '').split('/');
    const handler = request.method === 'POST' ? this.hubs.get(hubId)?.[decodeURIComponent(step)] : undefined;
    let event: unknown;
    try {
      const body = await readBody(request);
      event = body ? JSON.parse(body) : {};
    } catch (err) {
      return failure(err);
    }
    if (!handler) {
      return { errored: true, errorType: 'HandlerNotFound', errorMessage: `no handler for ${request.url}` };
    }
    this.invocations++;
    try {
      return { payload: (await handler(event)) ?? null };
    } catch (err) {
      return failure(err);
    }
  }
}

let shared: Promise<LambdaDispatcher> | undefined;

/**
 * The process's dispatcher, started on first use on a free loopback port. It does not keep the process alive
 * (unref), so a test file or the demo exits once its own work is done.
 */
export function sharedDispatcher(): Promise<LambdaDispatcher> {
  shared ??= new Promise<LambdaDispatcher>((resolve, reject) => {
    const server = createServer();
    server.keepAliveTimeout = 1000;
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      const { port } = server.address() as AddressInfo;
      resolve(new HttpLambdaDispatcher(server, `http://127.0.0.1:${port}`));
    });
  });
  return shared;
}
