import type { AnalysisResult, Finding } from '../../lambdas/domain/finding';
import { RULE_CATALOG } from '../../lambdas/domain/rules/catalog';
import { escapeControls as esc } from '../../lambdas/shared/text';
import { collectionReport } from './collection';
import type { ReportContext } from './report';

/**
 * The report as JUnit XML (the Surefire form Jenkins, GitLab and the GitHub test-report actions read).
 *
 * One `<testsuite>` per rule of the catalog, named "IRSA-001 <title>": a CI test view then lists the checks, a
 * failing rule stands out, and the list of suites is the same from run to run, so Jenkins' history per test
 * works. In each suite, one `<testcase>` per finding (classname = the rule id, name = the resource and where it
 * is): `<failure>` for an open finding (message = the title; body = the message, the fix and what the pod sees),
 * `<skipped>` for a suppressed one (why, by which suppression, until when). A rule with no finding has one passing
 * testcase, "no finding": the rule ran and the estate passed it. Accounts or clusters not read completely are
 * one `<error>` testcase each in a first suite, "collection", so a half-read estate does not show all green.
 */
export function renderJunit(result: AnalysisResult, ctx: ReportContext): string {
  const byRule = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  const suites = [collectionSuite(ctx)];
  for (const rule of RULE_CATALOG.values()) {
    const findings = byRule.get(rule.id) ?? [];
    const cases =
      findings.length === 0
        ? [{ xml: testcase(rule.id, 'no finding', ''), failed: false, skipped: false, error: false }]
        : findings.map((f) => findingCase(f));
    suites.push(suite(`${rule.id} ${rule.title}`, cases, ctx));
  }
  const total = (k: 'tests' | 'failures' | 'errors') => suites.reduce((n, s) => n + s[k], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="IRSA Doctor ${attr(ctx.toolVersion)}" tests="${total('tests')}" failures="${total('failures')}" errors="${total('errors')}">`,
    ...suites.filter((s) => s.tests > 0).map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Case {
  readonly xml: string;
  readonly failed: boolean;
  readonly skipped: boolean;
  readonly error: boolean;
}

interface Suite {
  readonly xml: string;
  readonly tests: number;
  readonly failures: number;
  readonly errors: number;
}

function suite(name: string, cases: readonly Case[], ctx: ReportContext): Suite {
  const failures = cases.filter((c) => c.failed).length;
  const errors = cases.filter((c) => c.error).length;
  const skipped = cases.filter((c) => c.skipped).length;
  const xml = [
    `  <testsuite name="${attr(name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="0" timestamp="${attr(ctx.generatedAt)}">`,
    ...cases.map((c) => c.xml),
    '  </testsuite>',
  ].join('\n');
  return { xml, tests: cases.length, failures, errors };
}

function findingCase(f: Finding): Case {
  const where = [
    f.resourceArn,
    f.cluster ? `cluster ${f.cluster} (${f.region ?? ''})` : `account ${f.accountId}`,
    f.kubernetesObject
      ? `${f.kubernetesObject.kind} ${[f.kubernetesObject.namespace, f.kubernetesObject.name].filter(Boolean).join('/')}`
      : '',
  ]
    .filter((p) => p !== '')
    .join(' · ');
  if (f.suppressed) {
    const why = `suppressed by ${f.suppressed.by} until ${f.suppressed.until}: ${f.suppressed.reason}`;
    return {
      xml: testcase(f.ruleId, where, `      <skipped message="${attr(why)}"/>\n`),
      failed: false,
      skipped: true,
      error: false,
    };
  }
  const body = [
    f.message,
    '',
    `Fix: ${f.remediation}`,
    ...(f.podError ? ['', 'What the pod sees:', f.podError] : []),
    '',
    `Severity: ${f.severity}. Account: ${f.accountId}. Finding id: ${f.id}.`,
    ...(f.references.length > 0 ? ['', ...f.references] : []),
  ].join('\n');
  return {
    xml: testcase(
      f.ruleId,
      where,
      `      <failure message="${attr(f.title)}" type="${attr(`${f.ruleId} ${f.severity}`)}">${text(body)}</failure>\n`,
    ),
    failed: true,
    skipped: false,
    error: false,
  };
}

/** Accounts or clusters read only in part: an error each (the check could not be done), none when complete. */
function collectionSuite(ctx: ReportContext): Suite {
  const c = collectionReport(ctx.snapshot);
  const cases: Case[] = [
    ...c.incompleteAccounts.map((a) => ({
      xml: testcase(
        'collection',
        `account ${a.accountId}`,
        `      <error message="${attr(`account ${a.status}: its findings may be missing`)}" type="${attr(a.status)}">${text(
          a.errors.map((e) => `${e.operation}${e.region ? ` (${e.region})` : ''}: ${e.code}`).join('\n'),
        )}</error>\n`,
      ),
      failed: false,
      skipped: false,
      error: true,
    })),
    ...c.incompleteClusters.map((k) => ({
      xml: testcase(
        'collection',
        `cluster ${k.cluster} (${k.region}) of account ${k.accountId}`,
        `      <error message="${attr(`Kubernetes side ${k.status}: cluster-side findings may be missing`)}" type="${attr(k.status)}">${text(k.reason ?? '')}</error>\n`,
      ),
      failed: false,
      skipped: false,
      error: true,
    })),
  ];
  return suite('collection', cases, ctx);
}

function testcase(classname: string, name: string, inner: string): string {
  const open = `    <testcase classname="${attr(classname)}" name="${attr(name)}" time="0"`;
  return inner === '' ? `${open}/>` : `${open}>\n${inner}    </testcase>`;
}

/**
 * Element text. Controls, DEL, C1 controls, the bidirectional overrides and isolates ("Trojan Source"), the line
 * and paragraph separators and lone surrogates are written as visible escapes, as the table shows them (`\e`,
 * `\x07`, `\u{202e}`): most C0 controls cannot be in XML 1.0 at all, and the rest should not reach a CI page raw.
 * Line breaks stay. U+FFFE and U+FFFF (not XML characters either) too. Then `&`, `<` and `>` are escaped, so `]]>`
 * or markup in a name is text.
 */
export function text(value: string): string {
  return esc(value, true)
    .replace(/[\ufffe\uffff]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`)
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** An attribute value in double quotes: as text, and quotes and line breaks as character references. */
export function attr(value: string): string {
  return text(value).replace(/["\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}
