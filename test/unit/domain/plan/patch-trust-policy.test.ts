import { TrustPolicyPatch } from '../../../../lambdas/domain/plan/patch-trust-policy';

const ISSUER = 'oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
const OTHER = 'oidc.eks.eu-west-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210';

/** A document parsed from JSON text, as the reader does: "__proto__" keys are own data properties. */
function parsed(condition: string, extra = ''): Record<string, unknown> {
  return JSON.parse(
    `{"Version":"2012-10-17","__proto__":{"Doc":"level"},"Statement":[{"Effect":"Allow"${extra},"Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/${ISSUER}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":${condition}}]}`,
  );
}

const own = (value: unknown, key: string) =>
  value !== null && typeof value === 'object' && Object.hasOwn(value as object, key);

describe('TrustPolicyPatch with "__proto__" keys (JSON text parsed with JSON.parse)', () => {
  const condition = `{"StringEquals":{"__proto__":"kept","${ISSUER}:sub":"system:serviceaccount:a:b","${ISSUER}:aud":"sts.amazonaws.com"},"__proto__":{"k":"v"}}`;

  it.each<[string, (p: TrustPolicyPatch) => unknown]>([
    ['renameConditionKey', (p) => p.renameConditionKey(0, `${ISSUER}:sub`, `${OTHER}:sub`)],
    ['replaceKeyPrefix', (p) => p.replaceKeyPrefix(0, ISSUER, OTHER)],
    ['setValues', (p) => p.setValues(0, `${ISSUER}:sub`, ['system:serviceaccount:a:c'], 'test')],
    ['addValue', (p) => p.addValue(0, 'StringEquals', `${ISSUER}:sub`, 'system:serviceaccount:a:c')],
    ['moveKey', (p) => p.moveKey(0, `${ISSUER}:sub`, 'StringEquals', 'StringLike')],
    ['addCondition', (p) => p.addCondition(0, 'StringEquals', 'aws:SourceAccount', '111111111111')],
    ['split', (p) => p.split(0, (s) => [s, structuredClone(s)], 'test')],
  ])('%s keeps every "__proto__" key, in place, with its value', (_name, edit) => {
    // Given a document with "__proto__" at the top, in the Condition and in an operator block
    const patch = new TrustPolicyPatch(parsed(condition));
    // When the edit is made
    expect(edit(patch)).toBeTruthy();
    const after = patch.result() as Record<string, unknown>;
    // Then every "__proto__" key is still an own property with its value, and the text names each
    const text = JSON.stringify(after);
    expect(text).toContain('"__proto__":{"Doc":"level"}');
    expect(text).toContain('"__proto__":"kept"');
    expect(text).toContain('"__proto__":{"k":"v"}');
    expect(own(after, '__proto__')).toBe(true);
    for (const s of after.Statement as Array<{ Condition: Record<string, unknown> }>) {
      expect(own(s.Condition, '__proto__')).toBe(true);
      // No value became a prototype (Object.prototype, of whichever realm structuredClone used, has hasOwnProperty)
      const proto = Object.getPrototypeOf(s.Condition);
      expect(Object.getOwnPropertyNames(proto)).toContain('hasOwnProperty');
    }
  });

  it('renames a key that is itself "__proto__", and never reports a rename it did not make', () => {
    const patch = new TrustPolicyPatch(
      parsed(`{"StringEquals":{"__proto__":"x","${ISSUER}:aud":"sts.amazonaws.com"}}`),
    );
    // A key that is absent is not found, even though every object inherits "__proto__"
    expect(patch.renameConditionKey(0, 'aws:absent', '__proto__')).toBe(false);
    expect(patch.renameConditionKey(0, '__proto__', 'aws:SourceAccount')).toBe(true);
    expect(JSON.stringify(patch.result())).toContain(`"StringEquals":{"aws:SourceAccount":"x","${ISSUER}:aud"`);
    const empty = new TrustPolicyPatch(parsed(`{"StringEquals":{"${ISSUER}:aud":"sts.amazonaws.com"}}`));
    expect(empty.renameConditionKey(0, '__proto__', 'aws:SourceAccount')).toBe(false);
    expect(empty.setValues(0, '__proto__', ['x'], 'test')).toBe(false);
    expect(empty.changes).toEqual([]);
  });

  it('adds a "__proto__" condition key as data, not as a prototype', () => {
    const patch = new TrustPolicyPatch(parsed(`{"StringEquals":{"${ISSUER}:aud":"sts.amazonaws.com"}}`));
    expect(patch.addCondition(0, 'StringEquals', '__proto__', 'v')).toBe(true);
    expect(JSON.stringify(patch.result())).toContain(`"${ISSUER}:aud":"sts.amazonaws.com","__proto__":"v"`);
  });
});
