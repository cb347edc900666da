/** The pure pieces of the console's sign-in: recognizing the provider's callback, and the ID token's time left. */
import { idTokenSecondsLeft, isSignInCallback, redirectUriFor } from '../../../../console/src/session-claims';

const jwt = (payload: object) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

describe('isSignInCallback', () => {
  it('is the provider sending the browser back: a state with a code or an error', () => {
    expect(isSignInCallback('?code=abc&state=s1')).toBe(true);
    expect(isSignInCallback('?error=access_denied&error_description=no&state=s1')).toBe(true);
    expect(isSignInCallback('?code=abc')).toBe(false);
    expect(isSignInCallback('')).toBe(false);
    expect(isSignInCallback('?state=s1')).toBe(false);
  });
});

describe('idTokenSecondsLeft', () => {
  it("counts to the token's exp; undefined without a token or an exp", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(idTokenSecondsLeft(jwt({ exp: now / 1000 + 30 }), now)).toBe(30);
    expect(idTokenSecondsLeft(jwt({ exp: now / 1000 - 1 }), now)).toBe(-1);
    expect(idTokenSecondsLeft(jwt({}), now)).toBeUndefined();
    expect(idTokenSecondsLeft(undefined, now)).toBeUndefined();
  });
});

describe('redirectUriFor', () => {
  it('keeps the configured URI on its own origin, and comes back to another registered origin there', () => {
    expect(redirectUriFor('https://d1.cloudfront.net/', 'https://d1.cloudfront.net')).toBe(
      'https://d1.cloudfront.net/',
    );
    expect(redirectUriFor('https://approvals.example.com/', 'https://d1.cloudfront.net')).toBe(
      'https://d1.cloudfront.net/',
    );
    expect(redirectUriFor('not a url', 'http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787/');
  });
});
