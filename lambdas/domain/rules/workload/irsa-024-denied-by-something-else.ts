import { briefCondition } from '../../brief';
import type { ClusterRef } from '../../estate-index';
import { normalizeSubject, type StatementView } from '../../trust-policy/classify';
import type { EvalDecision } from '../../trust-policy/evaluate';
import { evaluateTrustPolicy, webIdentityRequest } from '../../trust-policy/evaluate';
import type { ConditionEntry, TrustPolicy } from '../../trust-policy/model';
import { hasWildcard, wildcardMatch } from '../../trust-policy/wildcard';
import type { AnalysisContext, RoleAnalysis } from '../context';
import type {
  BriefCondition,
  Either,
  EvaluationEvidence,
  ServiceAccountEvidence,
  StatementEvidence,
} from '../evidence';
import {
  knownAudiences,
  statementAllowsWebIdentity,
  statementEvidence,
  statementLabel,
} from '../irsa-statement/statement-scope';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import type { EvaluatedWorkload } from './workload-scope';

/** A subject a statement is meant for, denied on evaluation although no other rule explains why. */
export interface StatementDenialEvidence extends StatementEvidence {
  readonly subject: string;
  readonly decision: EvalDecision;
  readonly explanation: string;
  readonly failedCondition: BriefCondition | null;
}

/** A workload denied by the role although a statement names its cluster and subject, or explicitly denied. */
export interface WorkloadDenialEvidence extends ServiceAccountEvidence {
  readonly evaluation: EvaluationEvidence;
}

/** After the statement rules: evaluate what each statement intends, to catch denials no rule explained. */
export function checkIntendedRequests(role: RoleAnalysis, ctx: AnalysisContext): void {
  if (!role.read.ok) return;
  const policy = role.read.policy;
  let hasDeny: boolean | undefined;
  for (const view of role.views) {
    if (view.kind !== 'irsa' || view.statement.effect !== 'Allow') continue;
    const target = role.targets[view.statement.index];
    if (!target || (role.findingsByStatement[view.statement.index] ?? 0) > 0) continue;
    const subjects = intendedSubjects(view);
    if (subjects.length === 0) continue;
    hasDeny ??= policy.statements.some((s) => s.effect === 'Deny');
    const intent = {
      view,
      target,
      providerArn: ctx.expectedProviderArn(role.ref.accountId, target),
      audience: intendedAudience(view, role, ctx),
    };
    for (const sub of subjects) checkIntendedSubject(intent, sub, hasDeny, policy, role, ctx);
  }
}

/** The literal StringEquals :sub values of a statement, the first 20: the requests it is meant to allow. */
function intendedSubjects(view: StatementView): string[] {
  const out: string[] = [];
  let checked = 0;
  for (const c of view.issuerConditions) {
    if (c.claimNormal !== 'sub' || c.entry.operator?.base !== 'StringEquals') continue;
    for (const sub of c.entry.values) if (!hasWildcard(sub) && checked++ < 20) out.push(sub);
  }
  return out;
}

interface Intent {
  readonly view: StatementView;
  readonly target: ClusterRef;
  readonly providerArn: string;
  readonly audience: string;
}

function checkIntendedSubject(
  { view, target, providerArn, audience }: Intent,
  sub: string,
  hasDeny: boolean,
  policy: TrustPolicy,
  role: RoleAnalysis,
  ctx: AnalysisContext,
): void {
  const subject = normalizeSubject(sub);
  if (!hasDeny && canonicalStatementAllows(view, target, providerArn, subject, audience)) return;
  const request = webIdentityRequest(providerArn, target.hostPath, { sub: subject, aud: audience });
  const result = evaluateTrustPolicy(policy, request);
  if (result.decision === 'Allow') return;
  ctx.emit(
    {
      ruleId: 'IRSA-024',
      accountId: role.ref.accountId,
      resourceArn: role.ref.role.arn,
      resourceType: 'role',
      cluster: target,
      message: `Role ${role.ref.role.name}: statement ${statementLabel(view)} is meant for ${sub} on cluster ${target.cluster.name}, yet the request is ${result.decision === 'ExplicitDeny' ? 'explicitly denied' : 'denied'}: ${result.explanation}.`,
      evidence: {
        ...statementEvidence(view, role),
        subject: sub,
        decision: result.decision,
        explanation: result.explanation,
        failedCondition: briefCondition(result.failedCondition),
      },
      discriminator: `${view.statement.index}:${sub}`,
    },
    { role, index: view.statement.index },
  );
}

/** The audience a known workload of this role asks for, when the statement pins that one; else the default. */
function intendedAudience(view: StatementView, role: RoleAnalysis, ctx: AnalysisContext): string {
  if (!ctx.index.serviceAccountsByRole.has(role.ref.role.arn)) return ctx.expectedAudience();
  const pinned = view.issuerConditions.filter((c) => c.claimNormal === 'aud').flatMap((c) => c.entry.values);
  return knownAudiences(role, ctx).find((a) => pinned.includes(a)) ?? ctx.expectedAudience();
}

/**
 * Decides, without the general evaluator, the common case it would certainly allow: a statement naming exactly the
 * expected provider whose only conditions are plain StringEquals/StringLike on this issuer's :sub and :aud, in a
 * policy without Deny statements. Anything else (qualifiers, IfExists, other keys, variables) returns false, and
 * the caller evaluates in full. test/unit/domain/rules/workload/irsa-024-denied-by-something-else.test.ts checks it agrees with the evaluator.
 */
export function canonicalStatementAllows(
  view: StatementView,
  target: Pick<ClusterRef, 'subKeyLower' | 'audKeyLower'>,
  providerArn: string,
  sub: string,
  aud: string,
): boolean {
  const { statement } = view;
  if (statement.notPrincipal || !view.federatedValues.includes(providerArn)) return false;
  if (!statementAllowsWebIdentity(view)) return false;
  return statement.conditions.every((entry) => canonicalEntryAllows(entry, target, sub, aud));
}

/** One condition of a canonical statement: plain StringEquals/StringLike on :sub or :aud, matching the value. */
function canonicalEntryAllows(
  entry: ConditionEntry,
  target: Pick<ClusterRef, 'subKeyLower' | 'audKeyLower'>,
  sub: string,
  aud: string,
): boolean {
  const op = entry.operator;
  if (!op || op.qualifier !== undefined || op.ifExists) return false;
  if (op.base !== 'StringEquals' && op.base !== 'StringLike') return false;
  const value = entry.keyLower === target.subKeyLower ? sub : entry.keyLower === target.audKeyLower ? aud : undefined;
  if (value === undefined) return false;
  // A policy variable is not decided here: the caller evaluates in full.
  if (entry.values.some((v) => v.includes('${'))) return false;
  return entry.values.some((v) => (op.base === 'StringEquals' ? v === value : wildcardMatch(v, value)));
}

/** IRSA-024 on a workload: an explicit Deny of the role refuses it. */
export function reportExplicitDenial(e: EvaluatedWorkload): void {
  e.w.ctx.emit({
    ...e.onRole(),
    ruleId: 'IRSA-024',
    message: `${e.w.who()} is explicitly denied by role ${e.analysis.ref.role.name}: ${e.result.explanation}.`,
    evidence: { ...e.w.subjectEvidence, evaluation: e.evaluation },
  });
}

/** IRSA-024 on a workload: denied although a statement names its cluster and subject, and no statement rule said why. */
export function reportUnexplainedDenial(e: EvaluatedWorkload): void {
  const explained = e.targeting().some((v) => (e.analysis.findingsByStatement[v.statement.index] ?? 0) > 0);
  if (explained) return;
  e.w.ctx.emit({
    ...e.onRole(),
    ruleId: 'IRSA-024',
    message: `${e.w.who()} is denied by role ${e.analysis.ref.role.name} although a statement names its cluster and subject: ${e.result.explanation}.`,
    evidence: { ...e.w.subjectEvidence, evaluation: e.evaluation },
  });
}

export const IRSA_024 = defineRule<Either<StatementDenialEvidence, WorkloadDenialEvidence>>()({
  id: 'IRSA-024',
  severity: 'high',
  title: 'Something else in the trust policy denies the workload',
  explanation:
    "The statement for this cluster looks right, yet evaluation denies the request: an explicit Deny, or an extra condition the pod's request cannot meet.",
  podError: ACCESS_DENIED,
  remediation:
    'Review the deciding statement or condition shown in the evidence; this is reported, not fixed automatically.',
  references: [DOC.conditionOps, DOC.irsaErrors],
});
