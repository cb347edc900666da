import { OUTPUT_FORMATS, PLAN_OUTPUT_FORMATS, parseOutputFormat } from '../../../../cli/render/output-formats';
import { UsageError } from '../../../../lambdas/shared/errors';

describe('parseOutputFormat', () => {
  it('takes the seven formats in any case', () => {
    expect(OUTPUT_FORMATS).toEqual(['table', 'json', 'yaml', 'text', 'markdown', 'sarif', 'junit', 'asff']);
    expect(parseOutputFormat('SARIF')).toBe('sarif');
    expect(parseOutputFormat('Json')).toBe('json');
  });

  it('refuses anything else with a UsageError naming the choices', () => {
    expect(() => parseOutputFormat('report.json')).toThrow(UsageError);
    expect(() => parseOutputFormat('report.json')).toThrow(
      /--output must be one of table, json, yaml, text, markdown, sarif, junit, asff; got "report.json"/,
    );
  });

  it('points a findings format asked of plan at analyze', () => {
    expect(PLAN_OUTPUT_FORMATS).not.toContain('sarif');
    expect(() => parseOutputFormat('junit', PLAN_OUTPUT_FORMATS)).toThrow(/analyze --output junit/);
  });
});
