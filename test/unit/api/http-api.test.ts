import { type ApiEvent, callerFromClaims, groupsOf, handleApiRequest, pageOf } from '../../../lambdas/api/http-api';
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

  it("adds the groups a federated identity provider sent (custom:groups), as SAML's list or a comma list", () => {
    // Given a person signed in through the organization's provider, in a pool group too
    const claims = {
      'cognito:username': 'IdentityCenter_bob',
      'cognito:groups': '[eu-west-1_Pool_IdentityCenter readers]',
      'custom:groups': '[irsa-doctor-approvers, platform]',
    };
    // Then both lists count, once each
    expect(callerFromClaims(claims)?.groups).toEqual([
      'eu-west-1_Pool_IdentityCenter',
      'readers',
      'irsa-doctor-approvers',
      'platform',
    ]);
    expect(callerFromClaims({ sub: 'x', 'custom:groups': 'a,b', 'cognito:groups': '[a]' })?.groups).toEqual(['a', 'b']);
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
      store: { pagePendingApprovals: () => Promise.reject(new Error('secret internals')) },
    } as unknown as ConsoleDeps;
    const out = await handleApiRequest(broken, event('GET', '/api/plans', approver), {
      allowedOrigins: [],
      onError: (e) => errors.push(e),
    });
    expect(out.statusCode).toBe(500);
    expect(String(out.body)).not.toContain('secret internals');
    expect(errors).toHaveLength(1);
  });

  it('answers 400 to a bad page or suppression before any store call', async () => {
    const post = (rawPath: string, body: unknown): ApiEvent => ({
      ...event('POST', rawPath, approver),
      headers: { 'content-type': 'application/json', 'x-irsa-doctor-request': '1' },
      body: JSON.stringify(body),
    });
    const answer = async (e: ApiEvent) => {
      const out = await handleApiRequest(deps, e, { allowedOrigins: [] });
      return { status: out.statusCode, error: JSON.parse(String(out.body)).error };
    };
    for (const query of ['limit=0x10', 'limit=-1', 'limit=1e3', 'cursor=']) {
      expect(await answer({ ...event('GET', '/api/plans', approver), rawQueryString: query })).toEqual({
        status: 400,
        error: 'InvalidPageError',
      });
    }
    const future = new Date(Date.now() + 86_400_000).toISOString();
    for (const body of [
      { reason: 'r', expiresAt: future },
      { ruleId: 'IRSA-015', expiresAt: future },
      { ruleId: 'IRSA-015', reason: 'r', expiresAt: 'tomorrow' },
      { ruleId: 'IRSA-015', reason: 'r', expiresAt: future, createdBy: 'mallory' },
      { resource: 'arn:aws:iam::1:role/*x', reason: 'r', expiresAt: future },
    ]) {
      expect(await answer(post('/api/suppressions', body))).toEqual({ status: 400, error: 'InvalidPayloadError' });
    }
  });
});

describe('pageOf', () => {
  it('reads limit and cursor from the query string', () => {
    expect(pageOf({ rawQueryString: 'limit=20&cursor=abc_-' })).toEqual({ limit: 20, cursor: 'abc_-' });
    expect(pageOf({ rawQueryString: '' })).toEqual({});
    expect(pageOf({})).toEqual({});
    expect(() => pageOf({ rawQueryString: 'limit=ten' })).toThrow(/limit must be a whole number/);
  });
});
