import { createSign, generateKeyPairSync } from 'node:crypto';
import { verifyWithJwks } from '../../../lambdas/adapters/probe-signature';

const ISSUER = 'https://oidc.eks.us-west-2.amazonaws.com/id/ABC';
const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = (k: typeof key, kid: string) => ({
  ...k.publicKey.export({ format: 'jwk' }),
  kid,
  alg: 'RS256',
  use: 'sig',
});

function sign(payload: object, k = key, kid = 'k1'): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'RS256', kid })}.${b64(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(k.privateKey).toString('base64url')}`;
}

const claims = {
  iss: ISSUER,
  sub: 'system:serviceaccount:ns:app',
  aud: ['sts.amazonaws.com'],
  exp: Date.now() / 1000 + 600,
};

describe('verifyWithJwks', () => {
  it("verifies a token signed with one of the API server's keys", () => {
    const out = verifyWithJwks(sign(claims), ISSUER, { keys: [jwk(other, 'k0'), jwk(key, 'k1')] }, 'k1');
    expect(out).toEqual({ verified: true, detail: "verified with the API server's key k1 (/openid/v1/jwks)" });
  });

  it('does not verify a token signed with another key, a tampered payload, or keys that are not a JWKS', () => {
    expect(verifyWithJwks(sign(claims, other, 'k1'), ISSUER, { keys: [jwk(key, 'k1')] }).verified).toBe(false);
    const [h, , s] = sign(claims).split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:ns:admin' })).toString('base64url')}.${s}`;
    expect(verifyWithJwks(tampered, ISSUER, { keys: [jwk(key, 'k1')] }).verified).toBe(false);
    expect(verifyWithJwks(sign(claims), ISSUER, { keys: [jwk(other, 'k2')] }).verified).toBe(false);
    for (const junk of [null, 'keys', { keys: 'x' }, { keys: [{ kty: 'RSA' }] }]) {
      expect(verifyWithJwks(sign(claims), ISSUER, junk).verified).toBe(false);
    }
  });
});
