import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonDiff, prettyWithDuplicates } from '../../../../lambdas/domain/plan/diff';
import { parseTrustPolicy } from '../../../../lambdas/domain/trust-policy/parse-trust-policy';

const plainJson = (text: string) => {
  const read = parseTrustPolicy(text);
  return read.ok && !read.quirks.some((q) => q.kind === 'duplicate-key' || q.kind === 'url-encoded');
};

describe('prettyWithDuplicates', () => {
  it('prints JSON text exactly as JSON.stringify(value, null, 2) does when no key repeats', () => {
    // Given every trust policy of the example estate, and values of every JSON kind
    const estate = JSON.parse(readFileSync(join(__dirname, '../../../../examples/estate.json'), 'utf8'));
    const texts: string[] = [
      '{"a":[],"b":{},"c":[1,2.5,-3e2,true,false,null],"d":"q\\"u\\u00e9","e":{"f":[{"g":"h"}]}}',
      '{"__proto__":{"x":1},"y":"z"}',
    ];
    for (const a of estate.accounts) {
      for (const r of a.roles) {
        const text = decodeURIComponent(r.trustPolicy);
        if (plainJson(text)) texts.push(text);
      }
    }
    expect(texts.length).toBeGreaterThan(20);
    // Then the printout equals JSON.stringify's for each
    for (const text of texts) expect(prettyWithDuplicates(text)).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });

  it('prints a repeated key each time it is written, so a diff shows the shadowed value', () => {
    const text = '{"Statement":[{"Effect":"Deny"}],"Statement":[{"Effect":"Allow"}]}';
    expect(prettyWithDuplicates(text)).toContain('"Effect": "Deny"');
    const diff = jsonDiff('r', JSON.parse(text), JSON.parse(text), text);
    expect(diff.split('\n').filter((l) => l.startsWith('-') && l.includes('"Effect": "Deny"'))).toHaveLength(1);
    expect(jsonDiff('r', JSON.parse(text), JSON.parse(text))).not.toContain('Deny');
  });

  it('is undefined for text that is not JSON', () => {
    expect(prettyWithDuplicates('')).toBeUndefined();
  });
});
