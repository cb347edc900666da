import { renderAsff } from '../../../../cli/render/asff-report';
import { renderFindingsReport } from '../../../../cli/render/report';
import { asffProductArn } from '../../../../lambdas/domain/asff';
import { validateBatchImportFindings } from '../../../support/asff-model';
import {
  analyzed,
  EMPTY_ESTATE,
  exampleEstate,
  hostileFindings,
  reportContext,
  withSuppressed,
} from '../../../support/report-fixture';

interface Body {
  Findings: {
    Id: string;
    AwsAccountId: string;
    ProductArn: string;
    CreatedAt: string;
    RecordState: string;
    Workflow?: { Status: string };
    ProductFields: Record<string, string>;
  }[];
}

describe('renderAsff', () => {
  const snapshot = exampleEstate();
  const result = analyzed(snapshot);
  const ctx = reportContext(snapshot);

  it('is a BatchImportFindings body valid against the API model, one finding per finding', () => {
    const body = JSON.parse(renderAsff(result, ctx)) as Body;
    expect(body.Findings).toHaveLength(result.findings.length);
    expect(validateBatchImportFindings({ Findings: body.Findings.slice(0, 100) })).toEqual([]);
    expect(new Set(body.Findings.map((f) => f.Id)).size).toBe(body.Findings.length);
  });

  it("files each finding under its own account's default product (the caller must be that account)", () => {
    const body = JSON.parse(renderAsff(result, ctx)) as Body;
    for (const [i, f] of body.Findings.entries()) {
      const finding = result.findings[i];
      expect(f.AwsAccountId).toBe(finding?.accountId);
      expect(f.ProductArn).toBe(asffProductArn('aws', finding?.region ?? 'us-east-1', f.AwsAccountId));
      expect([f.CreatedAt, f.RecordState, f.Workflow?.Status]).toEqual([ctx.generatedAt, 'ACTIVE', 'NEW']);
    }
  });

  it('marks suppressed findings SUPPRESSED', () => {
    const body = JSON.parse(renderAsff(withSuppressed(result, 2), ctx)) as Body;
    expect(body.Findings.map((f) => f.Workflow?.Status).slice(0, 3)).toEqual(['SUPPRESSED', 'SUPPRESSED', 'NEW']);
  });

  it('keeps hostile text valid, and an empty estate gives no findings', () => {
    const hostile = { ...result, findings: hostileFindings(result.findings) };
    const body = JSON.parse(renderAsff(hostile, ctx)) as Body;
    expect(validateBatchImportFindings({ Findings: body.Findings.slice(0, 100) })).toEqual([]);
    expect(JSON.stringify(body)).not.toMatch(/\\u0000|\\ud800/);
    expect(JSON.parse(renderAsff(analyzed(EMPTY_ESTATE), reportContext(EMPTY_ESTATE)))).toEqual({ Findings: [] });
  });

  it('is what the report module renders for --output asff', () => {
    expect(renderFindingsReport(result, 'asff', ctx)).toBe(renderAsff(result, ctx));
  });
});
