import type { AnalysisResult, Finding, Severity } from '../../lambdas/domain/finding';
import { stableId } from '../../lambdas/domain/finding';
import { RULE_CATALOG, type RuleMeta } from '../../lambdas/domain/rules/catalog';
import { escapeControls as esc } from '../../lambdas/shared/text';
import { collectionReport } from './collection';
import type { ReportContext } from './report';

/** The schema a SARIF 2.1.0 log names (the OASIS Standard with its errata). */
export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
/** Where the tool is described: its package page (the project has no other public home). */
export const TOOL_INFORMATION_URI = 'https://www.npmjs.com/package/irsa-doctor';

/**
 * GitHub code scanning's `security-severity` (a score from 0.1 to 10: over 9.0 critical, 7.0 to 8.9 high, 4.0 to
 * 6.9 medium, 0.1 to 3.9 low); none for info, which is not a security problem.
 */
const SECURITY_SEVERITY: Readonly<Record<Severity, string | undefined>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  info: undefined,
};

/** SARIF `level`: what must be fixed is an error, what should be is a warning, the rest a note. */
export function sarifLevel(severity: Severity): 'error' | 'warning' | 'note' {
  return severity === 'critical' || severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'note';
}

/** The family of a rule id, as a tag: IRSA-0xx, PI-0xx (Pod Identity), KUBE-0xx, DOC-0xx, SWEEP-0xx. */
const FAMILY_TAG: Readonly<Record<string, string>> = {
  IRSA: 'irsa',
  PI: 'pod-identity',
  KUBE: 'kubernetes',
  DOC: 'policy-document',
  SWEEP: 'collection',
};

/**
 * The report as a SARIF 2.1.0 log: one run, the driver with every rule of the catalog (so a result's rule is
 * always described, and a rule that found nothing is known to have run), and one result per finding.
 *
 * Locations: every result has logical locations (the IAM resource by ARN, the account, the cluster, the Kubernetes
 * object). A physical location is given only when the report comes from a snapshot file: the finding is in that
 * file's data, so the file (without a line: the snapshot is JSON, not source) is where it honestly comes from;
 * GitHub code scanning needs one to accept a result.
 */
export function renderSarif(result: AnalysisResult, ctx: ReportContext) {
  const rules = [...RULE_CATALOG.values()];
  const index = new Map(rules.map((r, i) => [r.id as string, i]));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0' as const,
    runs: [
      {
        tool: {
          driver: {
            name: 'IRSA Doctor',
            version: ctx.toolVersion,
            semanticVersion: ctx.toolVersion,
            informationUri: TOOL_INFORMATION_URI,
            rules: rules.map(sarifRule),
          },
        },
        automationDetails: { id: `irsa-doctor/${ctx.command}/` },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: ctx.generatedAt,
            toolExecutionNotifications: collectionNotifications(ctx),
          },
        ],
        ...(ctx.snapshotFile ? { artifacts: [{ location: { uri: fileUri(ctx.snapshotFile) } }] } : {}),
        results: result.findings.map((f) => sarifResult(f, index.get(f.ruleId) ?? -1, ctx)),
        properties: { collection: collectionReport(ctx.snapshot) },
      },
    ],
  };
}

function sarifRule(rule: RuleMeta) {
  const family = FAMILY_TAG[rule.id.split('-')[0] ?? ''] ?? 'irsa';
  const securitySeverity = SECURITY_SEVERITY[rule.severity];
  const references = rule.references.length > 0 ? `\n\nReferences:\n${rule.references.join('\n')}` : '';
  return {
    id: rule.id,
    name: ruleName(rule.title),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.explanation },
    help: {
      text: `${rule.explanation}\n\nFix: ${rule.remediation}${references}`,
      markdown: `${rule.explanation}\n\n**Fix:** ${rule.remediation}${
        rule.references.length > 0 ? `\n\nReferences:\n${rule.references.map((r) => `- <${r}>`).join('\n')}` : ''
      }`,
    },
    ...(rule.references[0] ? { helpUri: rule.references[0] } : {}),
    defaultConfiguration: { level: sarifLevel(rule.severity) },
    properties: {
      tags: ['security', 'aws-iam', 'eks', family],
      precision: 'very-high',
      'problem.severity': sarifLevel(rule.severity) === 'note' ? 'recommendation' : sarifLevel(rule.severity),
      ...(securitySeverity ? { 'security-severity': securitySeverity } : {}),
      severity: rule.severity,
    },
  };
}

/** A rule's `name`: its title in PascalCase, letters and digits only ("No OIDC provider" -> "NoOidcProvider"). */
export function ruleName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w[0]?.toUpperCase() + w.slice(1).toLowerCase())
    .join('');
}

function sarifResult(f: Finding, ruleIndex: number, ctx: ReportContext) {
  return {
    ruleId: f.ruleId,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    kind: 'fail' as const,
    level: sarifLevel(f.severity),
    // Text for people: controls and bidi overrides shown as visible escapes, as in the table (data fields keep them).
    message: { text: esc(`${f.title}: ${f.message}\n\nFix: ${f.remediation}`, true) },
    locations: [
      {
        ...(ctx.snapshotFile
          ? { physicalLocation: { artifactLocation: { uri: fileUri(ctx.snapshotFile), index: 0 } } }
          : {}),
        logicalLocations: logicalLocations(f),
      },
    ],
    partialFingerprints: { 'irsaDoctorFinding/v1': fingerprint(f) },
    ...(f.suppressed
      ? {
          suppressions: [
            {
              kind: 'external' as const,
              status: 'accepted' as const,
              justification: esc(
                `${f.suppressed.reason} (suppression ${f.suppressed.by}, until ${f.suppressed.until})`,
              ),
            },
          ],
        }
      : {}),
    properties: {
      findingId: f.id,
      severity: f.severity,
      accountId: f.accountId,
      resourceType: f.resourceType,
      ...(f.region ? { region: f.region } : {}),
      ...(f.cluster ? { cluster: f.cluster } : {}),
      ...(f.podError ? { podError: f.podError } : {}),
      references: f.references,
    },
  };
}

/**
 * What the finding is about, outermost to innermost: the account, the cluster, the Kubernetes namespace and
 * object, and the IAM resource by ARN (the one a fix would change). `parentIndex` is not used: each location
 * is self-contained, with its fully qualified name.
 */
function logicalLocations(f: Finding) {
  const out: Array<{ name: string; fullyQualifiedName: string; kind: string }> = [
    { name: f.accountId, fullyQualifiedName: `aws-account/${f.accountId}`, kind: 'namespace' },
  ];
  if (f.cluster) {
    const qualified = `${f.accountId}/${f.region ?? ''}/${f.cluster}`;
    out.push({ name: f.cluster, fullyQualifiedName: `eks-cluster/${qualified}`, kind: 'module' });
    const k = f.kubernetesObject;
    if (k?.namespace) {
      out.push({ name: k.namespace, fullyQualifiedName: `kubernetes/${qualified}/${k.namespace}`, kind: 'namespace' });
    }
    if (k) {
      const path = [qualified, k.namespace, k.name].filter((p) => p !== undefined).join('/');
      out.push({ name: k.name, fullyQualifiedName: `kubernetes/${k.kind}/${path}`, kind: 'object' });
    }
  }
  out.push({ name: f.resourceArn, fullyQualifiedName: f.resourceArn, kind: 'resource' });
  return out;
}

/**
 * Stable across runs: the finding's id, which the analysis derives from the rule, the resource's ARN and what
 * within the resource it is about (the statement, the condition key, the Kubernetes object), never from the
 * message's wording, counts or the run's time. Hashed again with the version of this scheme.
 */
function fingerprint(f: Finding): string {
  return stableId('irsa-doctor-fingerprint-v1', f.id);
}

/** One notification per account or cluster not read completely: results there may be missing. */
function collectionNotifications(ctx: ReportContext) {
  const c = collectionReport(ctx.snapshot);
  return [
    ...c.incompleteAccounts.map((a) => ({
      level: 'warning' as const,
      message: {
        text: `account ${a.accountId} was ${a.status === 'unreachable' ? 'unreachable' : 'read only in part'}${
          a.errors.length > 0 ? ` (${a.errors.map((e) => `${e.operation}: ${e.code}`).join('; ')})` : ''
        }: its findings may be missing`,
      },
    })),
    ...c.incompleteClusters.map((k) => ({
      level: 'warning' as const,
      message: {
        text: `cluster ${k.cluster} (${k.region}, account ${k.accountId}): Kubernetes side ${k.status}${
          k.reason ? ` (${k.reason})` : ''
        }: cluster-side findings may be missing`,
      },
    })),
  ];
}

/** A relative path as a relative URI reference (forward slashes, percent-encoded); an absolute one as file://. */
function fileUri(path: string): string {
  // A lone surrogate cannot be percent-encoded: it becomes U+FFFD first.
  const slashed = path
    .replace(/\\/g, '/')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const encoded = slashed
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
  if (slashed.startsWith('/')) return `file://${encoded}`;
  return encoded.replace(/^\.\//, '');
}
