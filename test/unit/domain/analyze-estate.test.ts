import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeEstate, analyzeForPlanning } from '../../../lambdas/domain/analyze-estate';
import { planEstate, planFromFindings } from '../../../lambdas/domain/plan/plan-estate';
import { parseSnapshot } from '../../../lambdas/shared/schemas';

const example = parseSnapshot(JSON.parse(readFileSync(join(__dirname, '../../../examples/estate.json'), 'utf8')));

describe('analyzeForPlanning (what planning reuses of an analysis)', () => {
  const { result, handle } = analyzeForPlanning(example);

  it('gives the same result as analyzeEstate', () => {
    expect(result).toEqual(analyzeEstate(example));
  });

  it('keeps the read documents of the roles with findings on them, and of no other role', () => {
    const withFindings = new Set(result.findings.filter((f) => f.resourceType === 'role').map((f) => f.resourceArn));
    expect(handle.roles.size).toBeGreaterThan(0);
    for (const arn of handle.roles.keys()) expect(withFindings.has(arn)).toBe(true);
    // Every role with a finding of the IRSA statement checks is kept (the Pod Identity rules and role-level findings
    // do not name the role's analysis when they report; the planner reads those few documents itself).
    const statementFindings = result.findings.filter(
      (f) => f.resourceType === 'role' && f.ruleId.startsWith('IRSA-') && 'statementIndex' in f.evidence,
    );
    expect(statementFindings.length).toBeGreaterThan(10);
    expect(statementFindings.filter((f) => !handle.roles.has(f.resourceArn)).map((f) => f.ruleId)).toEqual([]);
    expect(handle.index.roles.length).toBe(result.summary.roles);
  });

  it('plans the same with the analysis reused as from the findings alone', () => {
    expect(planEstate(example).plans).toEqual(planFromFindings(example, result.findings).plans);
  });
});
