import type { AnalysisResult, Finding } from '../../lambdas/domain/finding';
import { RULE_CATALOG } from '../../lambdas/domain/rules/catalog';
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
 * Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF), and the ones it can
 * but a reader should not be handed raw: DEL, C1 controls, the bidirectional overrides and isolates ("Trojan
 * Source"), the line and paragraph separators. Each is written as a visible escape (`\x1b`, `\u{202e}`), the way
 * the table shows them: a CI page shows the name as it is, and the document stays well-formed.
 */
const NOT_IN_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this expression's purpose
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16).padStart(4, '0')}}`;
}

/** Element text: `&`, `<`, `>` escaped (so `]]>` cannot end anything), the characters above made visible. */
export function text(value: string): string {
  return value
    .replace(NOT_IN_XML, visible)
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** An attribute value in double quotes: as text, and quotes, tabs and line breaks as character references. */
export function attr(value: string): string {
  return text(value).replace(/["\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}
