import { type ProbeReport, renderProbeJson, renderProbeTable } from '../../../../cli/render/probe-report';
import type { Terminal } from '../../../../cli/render/terminal';
import { displayWidth } from '../../../../cli/render/wrap-text';

/** No colour, and wide enough that no line of the fixture wraps. */
const PLAIN: Terminal = { color: false, width: 200 };

const report = (extra: Partial<ProbeReport> = {}): ProbeReport => ({
  verdict: 'deny',
  cluster: { name: 'prod', region: 'us-west-2', source: 'snapshot s.json' },
  kubernetes: { context: 'ctx', server: 'https://k' },
  serviceAccount: {
    namespace: 'ns',
    name: 'app',
    roleArn: 'arn:aws:iam::111111111111:role/app',
    audience: 'sts.amazonaws.com',
  },
  wrote: 'one TokenRequest (a 600 s token for audience sts.amazonaws.com); nothing else',
  token: {
    issuer: 'https://i',
    subject: 'system:serviceaccount:ns:app',
    audience: ['sts.amazonaws.com'],
    signature: { verified: false, detail: 'not checked' },
  },
  checks: [
    { id: 'service-account', status: 'pass', detail: 'exists' },
    { id: 'trust', status: 'fail', detail: 'denied \u001b[31mred\u202e', fix: 'allow it' },
    { id: 'role', status: 'skip', detail: 'not read' },
  ],
  ...extra,
});

describe('probe rendering', () => {
  it('lists each check with its status and fix, and the verdict last', () => {
    const text = renderProbeTable(report(), PLAIN);
    expect(text).toContain('  PASS  service-account');
    expect(text).toContain('  FAIL  trust');
    expect(text).toContain('fix: allow it');
    expect(text).toContain('  SKIP  role');
    expect(text.trimEnd().split('\n').pop()).toBe('Verdict: DENY');
  });

  it('escapes control and bidi characters that come from the cluster or AWS', () => {
    const text = renderProbeTable(report(), PLAIN);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u202e');
    expect(text).toContain('\\e[31mred');
  });

  it("flags an STS success the verdict denies, and prints STS's exact error otherwise", () => {
    const accepted = renderProbeTable(
      report({
        assume: { ok: true, arn: 'arn:aws:sts::111111111111:assumed-role/app/s', account: '111111111111', userId: 'u' },
      }),
      PLAIN,
    );
    expect(accepted).toContain('caller identity arn:aws:sts::111111111111:assumed-role/app/s');
    expect(accepted).toContain('STS accepted a token the verdict denies');
    const refused = renderProbeTable(
      report({
        assume: {
          ok: false,
          operation: 'sts:AssumeRoleWithWebIdentity',
          code: 'AccessDenied',
          message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
        },
      }),
      PLAIN,
    );
    expect(refused).toContain(
      'sts:AssumeRoleWithWebIdentity failed: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity',
    );
    expect(refused).not.toContain('STS accepted');
  });

  it.each([40, 80])('wraps to %i columns under each column, losing nothing', (width) => {
    const text = renderProbeTable(
      report({
        assume: {
          ok: false,
          operation: 'sts:AssumeRoleWithWebIdentity',
          code: 'AccessDenied',
          message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity on arn:aws:iam::111111111111:role/app',
        },
      }),
      { color: false, width },
    );
    const lines = text.trimEnd().split('\n');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
    // A check's detail and fix continue under the detail column (26), after the status and the check id.
    const fail = lines.findIndex((l) => l.startsWith('  FAIL  trust'));
    expect(lines[fail + 1]).toMatch(/^ {26}\S/);
    expect(text.replace(/\n */g, ' ')).toContain('Not authorized to perform sts:AssumeRoleWithWebIdentity on');
    expect(text.replace(/\n */g, '')).toContain('arn:aws:iam::111111111111:role/app');
    expect(lines.pop()).toBe('Verdict: DENY');
  });

  it('prints the report as JSON, whole', () => {
    expect(JSON.parse(renderProbeJson(report()))).toEqual(report());
  });
});
