import type { AssumeOutcome } from '../../lambdas/adapters/probe-aws';
import type { SignatureCheck } from '../../lambdas/adapters/probe-signature';
import type { ProbeCheck, ProbeVerdict } from '../../lambdas/domain/probe/probe-verdict';
import type { TokenDecoding } from '../../lambdas/domain/probe/token-claims';
import { escapeControls as esc } from '../../lambdas/shared/text';
import { type Style, styleFor } from './style';
import type { Terminal } from './terminal';
import { type Paint, wrapText } from './wrap-text';

/** Everything one probe found, as `--format json` prints it (the token itself is never part of it). */
export interface ProbeReport {
  readonly verdict: ProbeVerdict['verdict'];
  readonly cluster: {
    readonly name: string;
    readonly region: string;
    readonly accountId?: string;
    readonly oidcIssuer?: string | null;
    /** Where the cluster's issuer, the role and the providers were read: a snapshot file or AWS. */
    readonly source: string;
  };
  readonly kubernetes: { readonly context: string; readonly server: string };
  readonly serviceAccount: {
    readonly namespace: string;
    readonly name: string;
    readonly roleArn?: string;
    readonly audience: string;
  };
  /** What the probe wrote: one TokenRequest, nothing else. */
  readonly wrote: string;
  readonly token?: {
    readonly issuer?: string;
    readonly subject?: string;
    readonly audience: readonly string[];
    readonly expiresAt?: string;
    readonly issuedAt?: string;
    /** Checked against the API server's /openid/v1/jwks when the identity may read it; informational only. */
    readonly signature: { readonly verified: boolean; readonly detail: string };
  };
  readonly checks: readonly ProbeCheck[];
  readonly trust?: ProbeVerdict['trust'];
  readonly assume?: AssumeOutcome | { readonly ok: false; readonly operation: 'skipped'; readonly message: string };
}

export function tokenSummary(token: TokenDecoding, signature: SignatureCheck | undefined): ProbeReport['token'] {
  if (!token.ok) return undefined;
  const c = token.claims;
  const iso = (s: number | undefined) =>
    s !== undefined && Number.isFinite(s * 1000) && Math.abs(s * 1000) <= 8.64e15
      ? new Date(s * 1000).toISOString()
      : undefined;
  const expiresAt = iso(c.exp);
  const issuedAt = iso(c.iat);
  return {
    ...(c.iss !== undefined ? { issuer: c.iss } : {}),
    ...(c.sub !== undefined ? { subject: c.sub } : {}),
    audience: c.aud,
    ...(expiresAt ? { expiresAt } : {}),
    ...(issuedAt ? { issuedAt } : {}),
    signature: signature ?? { verified: false, detail: 'not checked' },
  };
}

export function renderProbeJson(report: ProbeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const STATUS_LABEL = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

/** What a person reads at a terminal, wrapped to its width. Every value from the cluster or AWS is escaped (esc). */
export function renderProbeTable(report: ProbeReport, terminal: Terminal): string {
  const style = styleFor(terminal);
  const width = terminal.width;
  const line = (text: string, paint?: Paint, indent = 2) => wrapText(text, width, { indent, paint });
  const sa = report.serviceAccount;
  const lines: string[] = [
    ...line(
      `IRSA Doctor probe: service account ${esc(sa.namespace)}/${esc(sa.name)} on cluster ${esc(report.cluster.name)} (${esc(report.cluster.region)})`,
      style.bold,
    ),
    ...line(
      `Kubernetes context ${esc(report.kubernetes.context)} (${esc(report.kubernetes.server)}); AWS side from ${esc(report.cluster.source)}`,
      style.dim,
    ),
    ...line(`Wrote: ${esc(report.wrote)}`, style.dim),
  ];
  if (report.token) {
    const t = report.token;
    lines.push(
      ...line(
        `Token: iss ${esc(t.issuer ?? '(none)')}, sub ${esc(t.subject ?? '(none)')}, aud ${esc(t.audience.join(', ') || '(none)')}, expires ${t.expiresAt ?? '(never)'}`,
      ),
      ...line(
        `  signature: ${esc(t.signature.detail)} (not part of the verdict: STS verifies it against the issuer's keys)`,
        undefined,
        4,
      ),
    );
  }
  lines.push('', ...report.checks.flatMap((check) => checkLines(check, style, width)));
  if (report.trust) lines.push('', ...trustLines(report.trust).flatMap((l) => line(l, undefined, 4)));
  if (report.assume) lines.push('', ...line(assumeLine(report.assume), undefined, 4));
  if (report.assume?.ok && report.verdict === 'deny') {
    lines.push(
      ...line(
        '  note: STS accepted a token the verdict denies. An emulator (moto) does not evaluate trust policies; on AWS this means the evaluation missed something: please report it.',
        style.dim,
        8,
      ),
    );
  }
  lines.push('', style.bold(`Verdict: ${report.verdict.toUpperCase()}`));
  return `${lines.join('\n')}\n`;
}

/** Where a check's detail starts: after its status and its id. */
const CHECK_DETAIL = 26;

function checkLines(check: ProbeCheck, style: Style, width: number): string[] {
  const label = STATUS_LABEL[check.status];
  const shown = check.status === 'fail' ? style.bold(label) : check.status === 'skip' ? style.dim(label) : label;
  const lines = wrapText(esc(check.detail), width, {
    prefix: `  ${shown}  ${check.id.padEnd(17)} `,
    indent: CHECK_DETAIL,
  });
  if (check.fix) {
    lines.push(...wrapText(`fix: ${esc(check.fix)}`, width, { prefix: ' '.repeat(CHECK_DETAIL), paint: style.dim }));
  }
  return lines;
}

function trustLines(trust: NonNullable<ProbeReport['trust']>): string[] {
  const context = Object.entries(trust.request.context)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`)
    .join(', ');
  const lines = [
    `Trust policy: ${trust.decision}: ${esc(trust.explanation)}`,
    `  request: Federated ${esc(trust.request.principal.id)}, ${trust.request.action}, ${esc(context)}`,
  ];
  const f = trust.failedCondition;
  if (f)
    lines.push(
      `  failed condition: ${esc(f.operator)} ${esc(f.key)} ${esc(JSON.stringify(f.values))}: ${esc(f.reason)}`,
    );
  return lines;
}

function assumeLine(assume: NonNullable<ProbeReport['assume']>): string {
  if (assume.ok) return `Assumed (--assume): caller identity ${esc(assume.arn)} (account ${esc(assume.account)})`;
  if (!('code' in assume)) return `Assume (--assume): not attempted: ${esc(assume.message)}`;
  return `Assume (--assume): ${assume.operation} failed: ${esc(assume.code)}: ${esc(assume.message)}`;
}
