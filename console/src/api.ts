/** Calls to the approval API: Bearer token on every call; POSTs are JSON with the anti-CSRF header. */
import type { ConsoleConfig } from './auth';
import { token } from './auth';

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
  const t = token();
  if (!t) throw new ApiError(401, 'Unauthorized', 'please sign in');
  const headers: Record<string, string> = { authorization: `Bearer ${t}` };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    headers['x-irsa-doctor-request'] = '1';
  }
  const res = await fetch(`${config.apiUrl.replace(/\/+$/, '')}${path}`, {
    method,
    headers,
    ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
  });
  const out = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!res.ok) throw new ApiError(res.status, out.error ?? 'Error', out.message ?? `request failed (${res.status})`);
  return out as T;
}

export const seg = encodeURIComponent;
