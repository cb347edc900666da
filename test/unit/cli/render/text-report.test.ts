import { findingTextLine, planTextLine } from '../../../../cli/render/text-report';
import type { Finding } from '../../../../lambdas/domain/finding';
import { analyzed, exampleEstate, HOSTILE } from '../../../support/report-fixture';
import { testPlan } from '../../../support/test-plan';

describe('text lines (the AWS CLI text style)', () => {
  const finding = analyzed(exampleEstate()).findings.find((f) => f.kubernetesObject === undefined) as Finding;

  it('writes a finding as FINDING and 11 tab-separated columns in the documented order', () => {
    const k8s = { ...finding, kubernetesObject: { kind: 'ServiceAccount', namespace: 'ns', name: 'sa' } } as Finding;
    expect(findingTextLine(k8s).split('\t')).toEqual([
      'FINDING',
      finding.severity,
      finding.ruleId,
      'open',
      finding.accountId,
      finding.region ?? 'None',
      finding.cluster ?? 'None',
      finding.resourceType,
      finding.resourceArn,
      'ServiceAccount/ns/sa',
      finding.id,
      finding.title,
    ]);
  });

  it('keeps a hostile value inside its column', () => {
    const line = findingTextLine({ ...finding, title: HOSTILE } as Finding);
    expect(line.split('\t')).toHaveLength(12);
    expect(line).not.toContain('\n');
    expect(line.split('\t')[11]).toContain('\\t\\n\\r end');
  });

  it('writes a plan as PLAN and 10 columns', () => {
    const cells = planTextLine(testPlan({})).split('\t');
    expect(cells).toHaveLength(11);
    expect(cells[0]).toBe('PLAN');
    expect(['APPLY', 'PROPOSE']).toContain(cells[3]);
  });
});
