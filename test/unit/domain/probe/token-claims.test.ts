import fc from 'fast-check';
import { decodeTokenClaims, MAX_TOKEN_CHARS } from '../../../../lambdas/domain/probe/token-claims';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const jwt = (header: unknown, payload: unknown, signature = 'c2ln') => `${b64(header)}.${b64(payload)}.${signature}`;

const HEADER = { alg: 'RS256', kid: 'k1' };
const PAYLOAD = {
  aud: ['sts.amazonaws.com'],
  exp: 1_900_000_000,
  iat: 1_899_999_400,
  nbf: 1_899_999_400,
  iss: 'https://oidc.eks.us-west-2.amazonaws.com/id/ABC',
  'kubernetes.io': { namespace: 'ns', serviceaccount: { name: 'app', uid: 'u' } },
  sub: 'system:serviceaccount:ns:app',
};

describe('decodeTokenClaims', () => {
  it('decodes the claims of a service account token', () => {
    const out = decodeTokenClaims(jwt(HEADER, PAYLOAD));
    expect(out).toEqual({
      ok: true,
      claims: {
        header: { alg: 'RS256', kid: 'k1' },
        iss: PAYLOAD.iss,
        sub: PAYLOAD.sub,
        aud: ['sts.amazonaws.com'],
        exp: 1_900_000_000,
        iat: 1_899_999_400,
        nbf: 1_899_999_400,
        kubernetes: { namespace: 'ns', serviceAccount: 'app' },
      },
    });
  });

  it('takes a single aud string as a list of one, and no aud as an empty list', () => {
    const one = decodeTokenClaims(jwt(HEADER, { ...PAYLOAD, aud: 'vault' }));
    expect(one.ok && one.claims.aud).toEqual(['vault']);
    const { aud: _, ...noAud } = PAYLOAD;
    const none = decodeTokenClaims(jwt(HEADER, noAud));
    expect(none.ok && none.claims.aud).toEqual([]);
  });

  it.each([
    ['not-a-string', 42],
    ['empty', ''],
    ['not-three-parts', 'abc'],
    ['not-three-parts', `${b64(HEADER)}.${b64(PAYLOAD)}`],
    ['not-three-parts', `${jwt(HEADER, PAYLOAD)}.extra`],
    ['bad-base64', `${b64(HEADER)}.pay+load/=.sig`],
    ['bad-base64', `.${b64(PAYLOAD)}.sig`],
    ['bad-base64', `${b64(HEADER)}.${b64(PAYLOAD)}.`],
    ['bad-base64', `${b64(HEADER)}.abcde.sig`],
    ['bad-utf8', `${b64(HEADER)}.${Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64url')}.sig`],
    ['not-json', `${b64(HEADER)}.${b64('{"sub": ')}.sig`],
    ['not-json', `${b64('not json')}.${b64(PAYLOAD)}.sig`],
    ['not-an-object', `${b64(HEADER)}.${b64('[1,2]')}.sig`],
    ['not-an-object', `${b64('null')}.${b64(PAYLOAD)}.sig`],
    ['bad-claim', jwt(HEADER, { ...PAYLOAD, sub: 7 })],
    ['bad-claim', jwt(HEADER, { ...PAYLOAD, iss: ['a'] })],
    ['bad-claim', jwt(HEADER, { ...PAYLOAD, exp: '1900000000' })],
    ['bad-claim', jwt(HEADER, { ...PAYLOAD, aud: ['a', 1] })],
    ['bad-claim', jwt(HEADER, { ...PAYLOAD, aud: { a: 1 } })],
  ])('names the problem %s', (problem, token) => {
    const out = decodeTokenClaims(token);
    expect(out).toMatchObject({ ok: false, problem });
  });

  it('refuses a huge token without decoding it, and never quotes the token in its message', () => {
    const huge = jwt(HEADER, { ...PAYLOAD, pad: 'x'.repeat(MAX_TOKEN_CHARS) });
    const out = decodeTokenClaims(huge);
    expect(out).toMatchObject({ ok: false, problem: 'too-large' });
    expect(!out.ok && out.message.length).toBeLessThan(200);
    const bad = decodeTokenClaims(`${b64(HEADER)}.${b64('{"secret-looking": ')}.sig`);
    expect(!bad.ok && bad.message).not.toContain('secret-looking');
  });

  it('never throws, whatever the string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.array(fc.base64String()).map((p) => p.join('.')),
        ),
        (s) => {
          const out = decodeTokenClaims(s);
          expect(typeof out.ok).toBe('boolean');
        },
      ),
    );
  });
});
