import type { ClusterRef, RoleRef } from '../../estate-index';
import type { EvidenceOf, RuleId } from '../../finding';
import { classifyStatement, type StatementView } from '../../trust-policy/classify';
import type { ReadResult } from '../../trust-policy/model';
import {
  decodeTrustText,
  type ParsedTrustText,
  parseDecodedText,
  readParsedPolicy,
} from '../../trust-policy/parse-trust-policy';
import type { AnalysisContext, RoleAnalysis } from '../context';
import { canonicalRole } from '../irsa-statement/canonical-document';
import { canonicalTextRole } from '../irsa-statement/canonical-text';
import { reportUnreadableDocument } from './doc-001-unreadable-document';
import { checkInvalidDocument } from './doc-002-invalid-document';
import { checkDuplicateKeys } from './irsa-022-duplicate-keys';
import { checkPolicySize } from './irsa-023-policy-size';

/**
 * The longest trust policy (minified) the analyzer evaluates. IAM's quota on trust policy length (ACLSizePerRole,
 * Service Quotas L-C07B4B0D) defaults to 2,048 and AWS documents 4,096 as its maximum; some reports say 8,192. A
 * longer document cannot be one IAM holds, and evaluating one per workload would cost workloads x document size:
 * it is reported (DOC-001) and not evaluated.
 */
export const MAX_EVALUATED_TRUST_POLICY = 8192;

/** Reads and classifies one role's trust policy; records which clusters and providers it uses (each once). */
export function readRole(ref: RoleRef, ctx: AnalysisContext): RoleAnalysis {
  const decoded = decodeTrustText(ref.role.trustPolicy);
  const canonicalText = decoded.ok && ctx.fastPath && canonicalTextRole(ref, decoded, MAX_EVALUATED_TRUST_POLICY, ctx);
  if (canonicalText) return canonicalText;
  const parsed = decoded.ok ? parseDecodedText(decoded) : decoded;
  if (parsed.ok && ctx.fastPath) {
    const canonical = canonicalRole(ref, parsed, MAX_EVALUATED_TRUST_POLICY, ctx);
    if (canonical) return canonical;
  }
  const read = parsed.ok ? readDocument(parsed) : parsed;
  const views = read.ok ? read.policy.statements.map(classifyStatement) : [];
  const targets: Array<ClusterRef | undefined> = [];
  const hasIrsaStatement = recordUses(ref, views, targets, ctx);
  const irsa = hasIrsaStatement || ctx.index.serviceAccountsByRole.has(ref.role.arn);
  return { ref, read, views, irsa, targets, findingsByStatement: [] };
}

/** checkInvalidDocument runs the character check, and only on IRSA roles. */
const SKIP_CHARACTER_CHECK = { skipCharacterCheck: true } as const;

/** The document as read, or a read failure when it is longer than IAM holds. */
function readDocument(text: ParsedTrustText): ReadResult {
  const parsed = readParsedPolicy(text, SKIP_CHARACTER_CHECK);
  if (!parsed.ok || parsed.minifiedLength <= MAX_EVALUATED_TRUST_POLICY) return parsed;
  return {
    ok: false,
    kind: 'too-large',
    message: `the trust policy is ${parsed.minifiedLength} characters minified, more than IAM holds (the quota's documented maximum is 4,096; ${MAX_EVALUATED_TRUST_POLICY} is the most any report gives), so it is not evaluated`,
    quirks: parsed.quirks,
    excerpt: parsed.decodedText.length > 300 ? `${parsed.decodedText.slice(0, 300)}…` : parsed.decodedText,
  };
}

/**
 * Fills each IRSA statement's target cluster, and records once per role each cluster its Allow statements use and
 * each provider it names. Returns whether the role has an IRSA statement.
 */
function recordUses(
  ref: RoleRef,
  views: readonly StatementView[],
  targets: Array<ClusterRef | undefined>,
  ctx: AnalysisContext,
): boolean {
  const used = new OnceList<ClusterRef>();
  const named = new OnceList<string>();
  let irsa = false;
  for (const view of views) {
    if (view.kind !== 'irsa') continue;
    irsa = true;
    const target = resolveTarget(view, ctx);
    if (target) targets[view.statement.index] = target;
    if (target && view.statement.effect === 'Allow' && used.add(target)) {
      ctx.markClusterUse(target, ref.accountId, ref.role.arn);
    }
    for (const p of view.providers) if (named.add(p.arn)) ctx.addProviderReference(p.arn, ref.role.arn);
  }
  return irsa;
}

/** Items seen once: most roles use one cluster and one provider, so the list is only made when needed. */
class OnceList<T> {
  private items: T[] | undefined;

  /** Adds the item; false when it was already there. */
  add(item: T): boolean {
    if (this.items?.includes(item)) return false;
    if (this.items) this.items.push(item);
    else this.items = [item];
    return true;
  }
}

function resolveTarget(view: StatementView, ctx: AnalysisContext): ClusterRef | undefined {
  for (const p of view.providers) {
    const found = ctx.index.clustersByKey.get(p.key)?.[0];
    if (found) return found;
  }
  for (const c of view.issuerConditions) {
    const found = ctx.index.clustersByKey.get(c.prefixKey)?.[0];
    if (found) return found;
  }
  return undefined;
}

/** One role, for the whole-document rules: how they report on it. */
export class RoleScope {
  readonly ref: RoleRef;

  constructor(
    readonly role: RoleAnalysis,
    readonly ctx: AnalysisContext,
  ) {
    this.ref = role.ref;
  }

  emit<R extends RuleId>(ruleId: R, message: string, evidence: EvidenceOf<R>): void {
    this.ctx.emit({
      ruleId,
      accountId: this.ref.accountId,
      resourceArn: this.ref.role.arn,
      resourceType: 'role',
      message,
      evidence,
    });
  }
}

/** Whole-role rules: unreadable or invalid documents, duplicate keys, size against the quota. */
export function checkRole(role: RoleAnalysis, ctx: AnalysisContext): void {
  const r = new RoleScope(role, ctx);
  if (!role.read.ok) {
    reportUnreadableDocument(r, role.read);
    return;
  }
  if (!role.irsa) return;
  checkInvalidDocument(r, role.read);
  checkDuplicateKeys(r, role.read);
  checkPolicySize(r, role.read);
}
