import type { ClusterRef } from '../../estate-index';
import { DEFAULT_AUDIENCE } from '../../snapshot';
import { type IssuerCondition, isWellFormedSubject, type StatementView } from '../../trust-policy/classify';
import { WEB_IDENTITY_ACTION } from '../../trust-policy/evaluate';
import { hasWildcard } from '../../trust-policy/wildcard';
import type { AnalysisContext, RoleAnalysis } from '../context';

/**
 * The fast path of the statement pass: whether an IRSA Allow statement is the canonical healthy one, on which no
 * statement rule and no intended-request check can report anything, so the pass may skip them. Each condition below
 * is what one rule checks, taken strictly:
 * - one Federated principal (no NotPrincipal, no other principal type), a provider ARN without wildcards (IRSA-011),
 *   in the role's account (IRSA-002) and the estate's partition (IRSA-044), whose URL is exactly a scanned cluster's
 *   issuer (IRSA-012), and exactly the ARN the intended-request check expects for the statement's target;
 * - Action exactly sts:AssumeRoleWithWebIdentity, no NotAction (IRSA-010);
 * - conditions exactly one `<issuer>:sub` and one `<issuer>:aud`, both plain StringEquals (no qualifier, no
 *   IfExists), the claims spelled exactly (IRSA-014), their prefixes the target's issuer (IRSA-013, IRSA-021);
 * - :sub values well-formed literal subjects (IRSA-015, IRSA-017, IRSA-018, no audience under :sub: IRSA-014);
 * - :aud exactly sts.amazonaws.com (IRSA-019, IRSA-020, no subject under :aud: IRSA-014), the audience analysis
 *   expects, so the intended requests are the ones the statement allows (IRSA-024, with no Deny in the policy).
 * The role pass has already recorded the statement's target, cluster use and provider reference: that is the same
 * either way. test/unit/domain/rules/irsa-statement/canonical-statement.property.test.ts checks the general path
 * reports nothing on whatever this accepts.
 */
export function isCanonicalStatement(view: StatementView, role: RoleAnalysis, ctx: AnalysisContext): boolean {
  const { statement } = view;
  const target = role.targets[statement.index];
  if (!target || statement.notPrincipal || view.otherPrincipalTypes.length > 0) return false;
  const p = view.providers[0];
  if (!p || view.federatedValues.length !== 1 || view.providers.length !== 1) return false;
  if (p.arn !== view.federatedValues[0] || p.arn.includes('*') || p.key !== target.key) return false;
  if (p.arn !== ctx.expectedProviderArn(role.ref.accountId, target)) return false;
  if (p.accountId !== role.ref.accountId || p.partition !== ctx.index.partition) return false;
  if (ctx.index.clustersByHostPath.get(p.url) === undefined) return false;
  const { actions } = statement;
  if (statement.notActions || actions?.length !== 1 || actions[0] !== WEB_IDENTITY_ACTION) return false;
  return canonicalConditions(view, target, ctx);
}

/** Exactly a StringEquals :sub of well-formed literal subjects and a StringEquals :aud of the default audience. */
function canonicalConditions(view: StatementView, target: ClusterRef, ctx: AnalysisContext): boolean {
  const conditions = view.issuerConditions;
  if (conditions.length !== 2 || view.statement.conditions.length !== 2) return false;
  if (ctx.expectedAudience() !== DEFAULT_AUDIENCE) return false;
  let sub = 0;
  let aud = 0;
  for (const c of conditions) {
    if (!plainEquals(c, target)) return false;
    if (c.claim === 'sub' && c.entry.keyLower === target.subKeyLower && wellFormedSubjects(c.entry.values)) sub++;
    else if (c.claim === 'aud' && c.entry.keyLower === target.audKeyLower && defaultAudience(c.entry.values)) aud++;
    else return false;
  }
  return sub === 1 && aud === 1;
}

function plainEquals(c: IssuerCondition, target: ClusterRef): boolean {
  const op = c.entry.operator;
  if (op?.base !== 'StringEquals' || op.qualifier !== undefined || op.ifExists) return false;
  return c.prefixLower === target.hostPathLower && c.prefixKey === target.key;
}

function wellFormedSubjects(values: readonly string[]): boolean {
  if (values.length === 0) return false;
  for (const v of values) if (hasWildcard(v) || !isWellFormedSubject(v, false)) return false;
  return true;
}

function defaultAudience(values: readonly string[]): boolean {
  return values.length === 1 && values[0] === DEFAULT_AUDIENCE;
}

/** Whether the role's policy can take the fast path at all: read, and without Deny statements (IRSA-024). */
export function fastPathEligible(role: RoleAnalysis): boolean {
  if (!role.read.ok) return false;
  for (const s of role.read.policy.statements) if (s.effect === 'Deny') return false;
  return true;
}
