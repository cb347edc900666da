import { type ApiEvent, callerFromClaims, groupsOf, handleApiRequest } from '../../../lambdas/api/http-api';
import type { ConsoleDeps } from '../../../lambdas/workflow/approver-actions';

describe('groupsOf', () => {
  it('reads the forms a groups claim arrives in', () => {
    // The HTTP API JWT authorizer renders an array claim as "[a b]"
    expect(groupsOf('[irsa-doctor-approvers readers]')).toEqual(['irsa-doctor-approvers', 'readers']);
    expect(groupsOf('["irsa-doctor-approvers","readers"]')).toEqual(['irsa-doctor-approvers', 'readers']);
    expect(groupsOf(['irsa-doctor-approvers', 7])).toEqual(['irsa-doctor-approvers']);
    expect(groupsOf('irsa-doctor-approvers')).toEqual(['irsa-doctor-approvers']);
    expect(groupsOf('[]')).toEqual([]);
    expect(groupsOf(undefined)).toEqual([]);
    expect(groupsOf(42)).toEqual([]);
  });

  it('does not mistake a group whose name contains another for it', () => {
    expect(groupsOf('[irsa-doctor-approvers-readonly]')).not.toContain('irsa-doctor-approvers');
  });
});

describe('callerFromClaims', () => {
  it('names the caller by user name and e-mail', () => {
    expect(
      callerFromClaims({ 'cognito:username': 'alice', email: 'alice@example.com', 'cognito:groups': '[a]' }),
    ).toEqual({
      id: 'alice <alice@example.com>',
      groups: ['a'],
    });
    expect(callerFromClaims({ sub: 'abc' })).toEqual({ id: 'abc', groups: [] });
    expect(callerFromClaims({})).toBeUndefined();
    expect(callerFromClaims(undefined)).toBeUndefined();
  });
});

describe('handleApiRequest without AWS', () => {
  // Only the paths that fail before any store call: the deps are never touched.
  const deps = { approversGroup: 'irsa-doctor-approvers' } as ConsoleDeps;
  const event = (method: string, rawPath: string, claims?: Record<string, unknown>): ApiEvent => ({
    rawPath,
    headers: {},
    body: '',
    isBase64Encoded: false,
    requestContext: { http: { method }, ...(claims ? { authorizer: { jwt: { claims } } } : {}) },
  });
  const approver = { 'cognito:username': 'alice', 'cognito:groups': '[irsa-doctor-approvers]' };

  it('answers 401 without claims, 403 outside the group, 404 for unknown routes, 400 for bad escapes', async () => {
    expect((await handleApiRequest(deps, event('GET', '/api/plans'), { allowedOrigins: [] })).statusCode).toBe(401);
    const outsider = await handleApiRequest(deps, event('GET', '/api/plans', { 'cognito:username': 'bob' }), {
      allowedOrigins: [],
    });
    expect(outsider.statusCode).toBe(403);
    expect(JSON.parse(String(outsider.body)).message).toContain('irsa-doctor-approvers');
    expect(
      (await handleApiRequest(deps, event('GET', '/api/nothing', approver), { allowedOrigins: [] })).statusCode,
    ).toBe(404);
    expect(
      (await handleApiRequest(deps, event('DELETE', '/api/plans', approver), { allowedOrigins: [] })).statusCode,
    ).toBe(404);
    expect(
      (await handleApiRequest(deps, event('GET', '/api/plans/%E0%A4%A/x', approver), { allowedOrigins: [] }))
        .statusCode,
    ).toBe(400);
  });

  it('answers 500 with no internals when something unexpected fails, and reports the error', async () => {
    const errors: unknown[] = [];
    const broken = {
      approversGroup: 'irsa-doctor-approvers',
      store: { listPendingApprovals: () => Promise.reject(new Error('secret internals')) },
    } as unknown as ConsoleDeps;
    const out = await handleApiRequest(broken, event('GET', '/api/plans', approver), {
      allowedOrigins: [],
      onError: (e) => errors.push(e),
    });
    expect(out.statusCode).toBe(500);
    expect(String(out.body)).not.toContain('secret internals');
    expect(errors).toHaveLength(1);
  });
});
