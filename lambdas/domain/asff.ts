/**
 * Findings in the AWS Security Finding Format (ASFF), as Security Hub's BatchImportFindings takes them, and each
 * finding's life between two sweeps (new, still present, resolved, suppressed). Pure: no SDK, no I/O. The shapes
 * follow the published API model (@aws-sdk/client-securityhub's schema: test/unit/domain/asff.test.ts validates
 * every finding this module makes against it).
 *
 * Who imports: with a custom integration's default product (`product/<account>/default`), BatchImportFindings must
 * be called by the account the finding names in `AwsAccountId`. The hub imports the whole organization's findings
 * into its own account, so `AwsAccountId` and the product are the hub's (the importer) and the member account a
 * finding is about is in its resource ARN, `ProductFields` and `Resources[0].Details.Other`.
 */
import { parseArn } from './arn';
import type { Finding, Severity } from './finding';
import { isPartition } from './partitions';

/** The documented bounds (API reference, AwsSecurityFinding and members) this module keeps within. */
export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  recommendationText: 512,
  resourceType: 256,
  resourceRegion: 16,
  severityOriginal: 64,
  fieldKey: 128,
  productFieldValue: 2048,
  otherValue: 1024,
  fieldEntries: 50,
  types: 50,
  resources: 32,
  /** Findings per BatchImportFindings request. */
  batch: 100,
  /** Bytes of one finding (240 KB). */
  findingBytes: 240 * 1024,
} as const;

export const ASFF_SCHEMA_VERSION = '2018-10-08';

/** Where a finding stands between the previous sweep of its account and this one. */
export type FindingLife = 'new' | 'present' | 'resolved' | 'suppressed';

/** One finding and its life: what an import sends. */
export interface FindingTransition {
  readonly finding: Finding;
  readonly life: FindingLife;
  /** When the finding was first seen (kept from the first sighting while it stays). */
  readonly firstSeenAt: string;
}

/** The importer: the account and region whose Security Hub receives the findings, and its partition. */
export interface AsffContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** Now (ISO 8601): UpdatedAt and LastObservedAt. */
  readonly now: string;
  /** The console link of the plan that fixes a finding, by finding id: its Recommendation.Url. */
  readonly planLinks?: ReadonlyMap<string, string>;
}

export type AsffWorkflowStatus = 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';
export type AsffRecordState = 'ACTIVE' | 'ARCHIVED';
export type AsffSeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** The members of AwsSecurityFinding this module writes (a subset of the API's shape). */
export interface AsffFinding {
  readonly SchemaVersion: string;
  readonly Id: string;
  readonly ProductArn: string;
  readonly ProductName: string;
  readonly CompanyName: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Types: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt: string;
  readonly LastObservedAt?: string;
  readonly Severity: { readonly Label: AsffSeverityLabel; readonly Original: string };
  readonly FindingProviderFields: {
    readonly Severity: { readonly Label: AsffSeverityLabel; readonly Original: string };
    readonly Types: readonly string[];
  };
  readonly Title: string;
  readonly Description: string;
  readonly Remediation: { readonly Recommendation: { readonly Text: string; readonly Url?: string } };
  readonly SourceUrl?: string;
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Resources: readonly AsffResource[];
  readonly RecordState: AsffRecordState;
  /** Absent for a finding still present: Security Hub keeps what a person set (NOTIFIED, SUPPRESSED...). */
  readonly Workflow?: { readonly Status: AsffWorkflowStatus };
}

export interface AsffResource {
  readonly Type: string;
  readonly Id: string;
  readonly Partition?: 'aws' | 'aws-cn' | 'aws-us-gov';
  readonly Region?: string;
  readonly Details: { readonly Other: Readonly<Record<string, string>> };
}

/** ARNs are at most 2048 characters (IAM); a longer resource id is cut there. */
const RESOURCE_ID_MAX = 2048;

const SEVERITY_LABEL: Readonly<Record<Severity, AsffSeverityLabel>> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFORMATIONAL',
};

/** Namespace/category/classifier (the ASFF types taxonomy): IRSA faults are configuration checks of IAM. */
const FINDING_TYPES = ['Software and Configuration Checks/AWS Security Best Practices/IRSA'] as const;

export const ASFF_PRODUCT_NAME = 'IRSA Doctor';
export const ASFF_COMPANY_NAME = 'IRSA Doctor';

/** The custom integration's product: `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`. */
export function asffProductArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/**
 * The ASFF id of a finding: the importer's product and the finding's own stable id, so the next sweep's import of
 * the same fault updates the same Security Hub finding.
 */
export function asffId(ctx: Pick<AsffContext, 'partition' | 'region' | 'accountId'>, finding: Finding): string {
  return clip(`${asffProductArn(ctx.partition, ctx.region, ctx.accountId)}/irsa-doctor/${finding.id}`, ASFF_LIMITS.id);
}

/**
 * Each finding's life from the account's previous recorded findings (undefined: never swept) to this sweep's:
 * open and not before -> new; open and before -> present (first sighting kept); suppressed now -> suppressed;
 * before (open or suppressed) and gone now -> resolved. A finding that is suppressed now and was open before keeps
 * its first sighting too.
 */
export function findingTransitions(
  previous: readonly Finding[] | undefined,
  current: readonly Finding[],
  now: string,
): FindingTransition[] {
  const before = new Map((previous ?? []).map((f) => [f.id, f]));
  const seen = new Set(current.map((f) => f.id));
  const out: FindingTransition[] = current.map((finding) => {
    const was = before.get(finding.id);
    const firstSeenAt = was?.firstSeenAt ?? (was ? now : (finding.firstSeenAt ?? now));
    const life: FindingLife = finding.suppressed ? 'suppressed' : was && !was.suppressed ? 'present' : 'new';
    return { finding, life, firstSeenAt };
  });
  for (const [id, finding] of before) {
    if (!seen.has(id)) out.push({ finding, life: 'resolved', firstSeenAt: finding.firstSeenAt ?? now });
  }
  return out;
}

/** The ASFF finding of one transition, every string within its documented bound. */
export function toAsff(transition: FindingTransition, ctx: AsffContext): AsffFinding {
  const { finding: f, life, firstSeenAt } = transition;
  const severity = { Label: SEVERITY_LABEL[f.severity], Original: clip(f.severity, ASFF_LIMITS.severityOriginal) };
  const url = ctx.planLinks?.get(f.id);
  const workflow = workflowOf(life);
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: asffId(ctx, f),
    ProductArn: asffProductArn(ctx.partition, ctx.region, ctx.accountId),
    ProductName: ASFF_PRODUCT_NAME,
    CompanyName: ASFF_COMPANY_NAME,
    GeneratorId: clip(`irsa-doctor/${f.ruleId}`, ASFF_LIMITS.generatorId),
    AwsAccountId: ctx.accountId,
    Types: [...FINDING_TYPES],
    CreatedAt: firstSeenAt,
    UpdatedAt: ctx.now,
    FirstObservedAt: firstSeenAt,
    // A resolved finding was last observed by an earlier sweep: not now.
    ...(life === 'resolved' ? {} : { LastObservedAt: ctx.now }),
    Severity: severity,
    FindingProviderFields: { Severity: severity, Types: [...FINDING_TYPES] },
    Title: nonEmpty(clip(oneLine(`${f.ruleId} ${f.title}`), ASFF_LIMITS.title), f.ruleId),
    Description: nonEmpty(clip(f.message, ASFF_LIMITS.description), `${f.ruleId} (no description given)`),
    Remediation: {
      Recommendation: {
        Text: nonEmpty(clip(f.remediation, ASFF_LIMITS.recommendationText), 'See the finding in IRSA Doctor.'),
        ...(url ? { Url: url } : {}),
      },
    },
    ...(f.references[0] ? { SourceUrl: f.references[0] } : {}),
    ProductFields: fieldMap(productFields(f, life), ASFF_LIMITS.productFieldValue),
    Resources: [resourceOf(f)],
    RecordState: life === 'resolved' ? 'ARCHIVED' : 'ACTIVE',
    ...(workflow ? { Workflow: { Status: workflow } } : {}),
  };
}

/** NEW on first sighting, RESOLVED when gone, SUPPRESSED when muted; nothing while present (a person's choice stays). */
function workflowOf(life: FindingLife): AsffWorkflowStatus | undefined {
  switch (life) {
    case 'new':
      return 'NEW';
    case 'resolved':
      return 'RESOLVED';
    case 'suppressed':
      return 'SUPPRESSED';
    case 'present':
      return undefined;
  }
}

function productFields(f: Finding, life: FindingLife): Record<string, string> {
  return {
    'irsa-doctor/FindingId': f.id,
    'irsa-doctor/RuleId': f.ruleId,
    'irsa-doctor/AccountId': f.accountId,
    'irsa-doctor/Life': life,
    ...(f.podError ? { 'irsa-doctor/PodError': oneLine(f.podError) } : {}),
    ...(f.suppressed
      ? { 'irsa-doctor/SuppressedBy': f.suppressed.by, 'irsa-doctor/SuppressedUntil': f.suppressed.until }
      : {}),
  };
}

function resourceOf(f: Finding): AsffResource {
  const arn = parseArn(f.resourceArn);
  const partition = arn && isPartition(arn.partition) ? arn.partition : undefined;
  const region = f.region && f.region.length <= ASFF_LIMITS.resourceRegion ? f.region : undefined;
  const object = f.kubernetesObject;
  const other: Record<string, string> = {
    account: f.accountId,
    resourceType: f.resourceType,
    ...(f.cluster ? { cluster: f.cluster } : {}),
    ...(object ? { kubernetesKind: object.kind, kubernetesName: object.name } : {}),
    ...(object?.namespace ? { namespace: object.namespace } : {}),
  };
  return {
    Type: arn?.service === 'iam' && arn.resource.startsWith('role/') ? 'AwsIamRole' : 'Other',
    Id: nonEmpty(clip(f.resourceArn, RESOURCE_ID_MAX), f.accountId),
    ...(partition ? { Partition: partition } : {}),
    ...(region ? { Region: region } : {}),
    Details: { Other: fieldMap(other, ASFF_LIMITS.otherValue) },
  };
}

/** The console link of a plan (the console's hash route, as approval requests give it). */
export function planConsoleLink(consoleUrl: string, runId: string, planId: string): string {
  return `${consoleUrl.replace(/\/+$/, '')}/#/plans/${encodeURIComponent(runId)}/${encodeURIComponent(planId)}`;
}

/** A FieldMap within its bounds: at most 50 entries, keys and values cut, empty values dropped. */
function fieldMap(entries: Record<string, string>, valueLimit: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries).slice(0, ASFF_LIMITS.fieldEntries)) {
    const v = clip(value, valueLimit);
    if (v.trim() !== '') out[clip(key, ASFF_LIMITS.fieldKey)] = v;
  }
  return out;
}

/**
 * At most `max` UTF-16 code units, cut with an ellipsis and never inside a surrogate pair; control characters
 * (other than tab and newline) become spaces, lone surrogates U+FFFD.
 */
export function clip(text: string, max: number): string {
  const clean = text
    .replace(CONTROL_CHARACTERS, ' ')
    // A lone surrogate is not text (UTF-8 cannot carry it): the replacement character instead.
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  if (clean.length <= max) return clean;
  let cut = max - 1;
  const last = clean.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${clean.slice(0, cut)}…`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what clip removes
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The API's NonEmptyString pattern (`.*\S.*`): a blank value is replaced by `fallback`. */
function nonEmpty(text: string, fallback: string): string {
  return text.trim() === '' ? fallback : text;
}

/** Findings split into BatchImportFindings requests: at most 100 per request and at most `maxBytes` of JSON. */
export function asffBatches<T>(findings: readonly T[], maxBytes = 5 * 1024 * 1024): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const f of findings) {
    const size = utf8Length(JSON.stringify(f)) + 1;
    if (current.length > 0 && (current.length >= ASFF_LIMITS.batch || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
