/**
 * The local OpenID provider (oidc-provider) as the console and the CLI use it: the code flow with PKCE through its
 * login page, ID tokens with Cognito's claims that verify against its JWKS, PKCE refused when missing, refresh
 * tokens, and a wrong password refused on the page.
 */
import { createHash, randomBytes } from 'node:crypto';
import { JwtVerifier } from 'aws-jwt-verify';
import { type LocalOidcProvider, startLocalOidcProvider } from '../../../../infra/local/local-oidc-provider';

let provider: LocalOidcProvider;

beforeAll(async () => {
  provider = await startLocalOidcProvider({
    users: [
      { username: 'alice', password: 'Approver-passw0rd!', email: 'alice@example.com', groups: ['approvers'] },
      { username: 'victor', password: 'Viewer-passw0rd!', groups: [] },
    ],
  });
});

afterAll(async () => {
  await provider?.close();
});

function authorizationUrl(params: Record<string, string>): string {
  return `${provider.issuer}/auth?${new URLSearchParams({
    client_id: provider.clientId,
    response_type: 'code',
    scope: provider.scopes,
    redirect_uri: 'http://127.0.0.1:9/callback',
    state: 's1',
    ...params,
  })}`;
}

async function token(body: Record<string, string>) {
  const res = await fetch(`${provider.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: provider.clientId, ...body }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
}

describe('the local OpenID provider', () => {
  it('signs in through its login page with PKCE and issues an ID token with Cognito claims that verifies', async () => {
    const id = await provider.signIn('alice', 'Approver-passw0rd!');
    const verifier = JwtVerifier.create({
      issuer: provider.issuer,
      audience: provider.clientId,
      jwksUri: provider.jwksUri,
    });
    verifier.cacheJwks((await (await fetch(provider.jwksUri)).json()) as never);
    const claims = await verifier.verify(id);
    expect(claims).toMatchObject({
      'cognito:username': 'alice',
      'cognito:groups': ['approvers'],
      email: 'alice@example.com',
      token_use: 'id',
      aud: provider.clientId,
      iss: provider.issuer,
    });
    const viewer = await verifier.verify(await provider.signIn('victor', 'Viewer-passw0rd!'));
    expect(viewer['cognito:groups']).toBeUndefined();
    const auth = provider.requests.filter((r) => r.endpoint === 'authorization').at(-1);
    expect(auth?.params.code_challenge_method).toBe('S256');
    expect(provider.requests.filter((r) => r.endpoint === 'token').at(-1)?.params.code_verifier).toMatch(/^[\w-]{43}$/);
  });

  it('refuses a wrong password on its page', async () => {
    await expect(provider.signIn('alice', 'wrong')).rejects.toThrow(/Incorrect username or password/);
    await expect(provider.signIn('nobody', 'x')).rejects.toThrow(/Incorrect username or password/);
  });

  it('requires PKCE, checks the verifier, and issues a refresh token that rotates', async () => {
    const without = await provider
      .completeLogin(authorizationUrl({}), 'alice', 'Approver-passw0rd!')
      .then((u) => new URL(u));
    expect(without.searchParams.get('error')).toBe('invalid_request');
    expect(without.searchParams.get('error_description')).toMatch(/PKCE/);

    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const back = new URL(
      await provider.completeLogin(
        authorizationUrl({ code_challenge: challenge, code_challenge_method: 'S256' }),
        'alice',
        'Approver-passw0rd!',
      ),
    );
    const code = back.searchParams.get('code') ?? '';
    const redirect = { redirect_uri: 'http://127.0.0.1:9/callback' };
    const wrong = await token({ grant_type: 'authorization_code', code, ...redirect, code_verifier: 'x'.repeat(43) });
    expect(wrong.json.error).toBe('invalid_grant');

    const back2 = new URL(
      await provider.completeLogin(
        authorizationUrl({ code_challenge: challenge, code_challenge_method: 'S256' }),
        'alice',
        'Approver-passw0rd!',
      ),
    );
    const ok = await token({
      grant_type: 'authorization_code',
      code: back2.searchParams.get('code') ?? '',
      ...redirect,
      code_verifier: verifier,
    });
    expect(ok.status).toBe(200);
    expect(ok.json.refresh_token).toBeTruthy();
    // The access token is a JWT with Cognito's access token claims, for the same client
    const access = JwtVerifier.create({
      issuer: provider.issuer,
      audience: provider.clientId,
      jwksUri: provider.jwksUri,
    });
    access.cacheJwks((await (await fetch(provider.jwksUri)).json()) as never);
    expect(await access.verify(ok.json.access_token ?? '')).toMatchObject({
      token_use: 'access',
      client_id: provider.clientId,
      username: 'alice',
      'cognito:groups': ['approvers'],
    });
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: ok.json.refresh_token ?? '' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.id_token).toBeTruthy();
    expect(refreshed.json.refresh_token).not.toBe(ok.json.refresh_token);
  });
});
