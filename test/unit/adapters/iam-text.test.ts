import { decodePolicyText } from '../../../lambdas/adapters/iam-text';

describe('decodePolicyText', () => {
  it('decodes what IAM URL-encodes and leaves plain JSON alone', () => {
    const doc = '{"Version":"2012-10-17","Statement":[{"Sid":"a b%"}]}';
    expect(decodePolicyText(encodeURIComponent(doc))).toBe(doc);
    expect(decodePolicyText(doc)).toBe(doc);
  });

  it('returns text that does not decode as it came, instead of throwing', () => {
    expect(decodePolicyText('%7B%E0%A4%A')).toBe('%7B%E0%A4%A');
  });
});
