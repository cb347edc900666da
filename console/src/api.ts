/**
 * Calls to the approval API: the ID token as Bearer token on every call (refreshed first when it is about to expire,
 * and once more when the API answers 401); POSTs are JSON with the anti-CSRF header.
 */
import type { ConsoleConfig } from './auth';
import { freshToken } from './auth';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function call<T>(config: ConsoleConfig, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res = await send(config, method, path, body, await freshToken());
  // A token the API refused (revoked, or its clock and ours disagree): refresh once and try again.
  if (res.status === 401) res = await send(config, method, path, body, await freshToken(true));
  const out = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!res.ok) throw new ApiError(res.status, out.error ?? 'Error', out.message ?? `request failed (${res.status})`);
  return out as T;
}

async function send(
  config: ConsoleConfig,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  token: string | undefined,
): Promise<Response> {
  if (!token) throw new ApiError(401, 'Unauthorized', 'please sign in');
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    headers['x-irsa-doctor-request'] = '1';
  }
  return fetch(`${config.apiUrl.replace(/\/+$/, '')}${path}`, {
    method,
    headers,
    ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
  });
}

export const seg = encodeURIComponent;
