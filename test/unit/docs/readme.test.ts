import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_CATALOG } from '../../../lambdas/domain/rules/catalog';
import { WORKFLOW_STEPS } from '../../../lambdas/workflow/steps';

const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
const ci = readFileSync(join(__dirname, '../../../.ci/run'), 'utf8');

describe('README', () => {
  it('lists every rule of the catalog with its default severity, and no other', () => {
    const rows = [...readme.matchAll(/^\| ((?:IRSA|PI|DOC|SWEEP|KUBE)-\d{3}) \| (\w+) \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([...RULE_CATALOG.values()].map((r) => [r.id, r.severity]));
  });

  it('lists every workflow step as the step registry declares it, and no other', () => {
    // Given the registry (lambdas/workflow/steps.ts), rendered as the README's table
    const rows = WORKFLOW_STEPS.map(
      (s) =>
        `| \`${s.name}\` | ${s.machine} | ${s.role} | ${s.access.join(', ')} | ${s.timeoutSeconds} s, ${s.memoryMb} MB | ` +
        `${s.description.replace(/^IRSA Doctor: /, '')} |`,
    );
    // When the README's step rows are read
    const inReadme = readme.split('\n').filter((line) => /^\| `[a-z-]+` \| (sweep|remediation) \|/.test(line));
    // Then they are the registry's, in its order
    expect(inReadme).toEqual(rows);
  });

  it('gives the test command that .ci/run runs', () => {
    expect(readme).toContain('npm install && npm test ');
    expect(ci.trim().split('\n').at(-1)).toBe('npm install && npm test');
  });
});
