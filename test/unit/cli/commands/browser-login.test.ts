/** The pure pieces of the CLI's browser sign-in: a token's time left, and the token file's two formats. */
import { parseTokenFile, secondsLeft } from '../../../../cli/commands/browser-login';

const jwt = (payload: object) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

describe('secondsLeft', () => {
  it("counts to the token's exp, negative once expired, undefined without one", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(secondsLeft(jwt({ exp: now / 1000 + 90 }), now)).toBe(90);
    expect(secondsLeft(jwt({ exp: now / 1000 - 5 }), now)).toBe(-5);
    expect(secondsLeft(jwt({ sub: 'a' }), now)).toBeUndefined();
    expect(secondsLeft('not-a-jwt', now)).toBeUndefined();
  });
});

describe('parseTokenFile', () => {
  it('reads the JSON this version writes, and the single ID token line of earlier versions', () => {
    const stored = { idToken: 'a.b.c', refreshToken: 'r', authority: 'https://issuer', clientId: 'c' };
    expect(parseTokenFile(`${JSON.stringify(stored)}\n`)).toEqual(stored);
    expect(parseTokenFile('a.b.c\n')).toBe('a.b.c');
    const { refreshToken: _, ...withoutRefresh } = stored;
    expect(parseTokenFile(JSON.stringify(withoutRefresh))).toEqual(withoutRefresh);
  });

  it('reads JSON that is not a token file as no token', () => {
    expect(parseTokenFile('{"idToken": 7}')).toBe('');
    expect(parseTokenFile('{not json')).toBe('');
  });
});
