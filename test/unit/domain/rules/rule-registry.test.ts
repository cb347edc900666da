import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RULE_CATALOG } from '../../../../lambdas/domain/rules/catalog';
import { RULES, STATEMENT_CHECKS } from '../../../../lambdas/domain/rules/rule-registry';

// One file per rule: lambdas/domain/rules/<group>/<id in lower case>-<what it finds>.ts declares its meta, its
// evidence type and its check; the registry lists them, and the catalog and RuleId are derived from it.

const RULES_DIR = join(__dirname, '../../../../lambdas/domain/rules');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [relative(RULES_DIR, join(dir, e.name))],
  );
}

describe('the rule registry', () => {
  it('holds each rule once, and the catalog is exactly its rules in its order', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...RULE_CATALOG.keys()]).toEqual(ids);
  });

  it('finds every rule in its own file, named by its id', () => {
    // Given the files under lambdas/domain/rules
    const files = filesUnder(RULES_DIR);
    for (const { id } of RULES) {
      // Then exactly one file is named after each rule, and it declares that rule
      const mine = files.filter((f) => f.split('/').at(-1)?.startsWith(`${id.toLowerCase()}-`));
      expect({ id, files: mine.length }).toEqual({ id, files: 1 });
      const declared = require(join(RULES_DIR, mine[0] as string)) as Record<string, { id?: string }>;
      expect(Object.values(declared).some((v) => v?.id === id)).toBe(true);
    }
  });

  it('shows only meta in the catalog, not the checks', () => {
    for (const meta of RULE_CATALOG.values()) {
      expect(Object.keys(meta).sort()).toEqual(
        [
          'id',
          'severity',
          'title',
          'explanation',
          'remediation',
          'references',
          ...(meta.podError ? ['podError'] : []),
        ].sort(),
      );
    }
  });

  it('runs the statement checks of the registry, in its order', () => {
    const statementRules = RULES.filter((r) => r.checkStatement !== undefined);
    expect(STATEMENT_CHECKS).toEqual(statementRules.map((r) => r.checkStatement));
    expect(statementRules.map((r) => r.id)).toEqual([
      'IRSA-002',
      'IRSA-010',
      'IRSA-011',
      'IRSA-012',
      'IRSA-013',
      'IRSA-014',
      'IRSA-015',
      'IRSA-017',
      'IRSA-018',
      'IRSA-019',
      'IRSA-020',
      'IRSA-021',
      'IRSA-044',
    ]);
  });
});
