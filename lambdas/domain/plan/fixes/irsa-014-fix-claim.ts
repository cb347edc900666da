import type { ClaimTypoEvidence, SubjectUnderAudNoSubEvidence } from '../../rules/evidence';
import { DEFAULT_AUDIENCE } from '../../snapshot';
import type { StatementView } from '../../trust-policy/classify';
import { hasWildcard } from '../../trust-policy/wildcard';
import { FIX_ORDER, FIXED, type Fixer, ok, type RoleFixContext, statementIndexOf } from './fixer';
import { keyUnderCurrentProvider } from './statement-prefix';
import { letsAnyServiceAccountIn } from './subject-patterns';

const SUBJECT = 'system:serviceaccount';

/**
 * IRSA-014: a condition names a claim no token carries. A misspelled claim is renamed; a subject under :aud (and
 * an audience under :sub) is moved back, once per statement. A subject under :aud with no :sub key at all moves to
 * a new `<prefix>:sub` key (StringLike when it has wildcards), and :aud is set to sts.amazonaws.com.
 */
export const irsa014FixClaim: Fixer<'IRSA-014'> = {
  rule: 'IRSA-014',
  order: FIX_ORDER.keys,
  role: (finding, ctx) => {
    const e = finding.evidence;
    if (e.kind === 'claim-typo') return renameClaim(e, ctx);
    if (e.kind === 'subject-under-aud-no-sub')
      return ok(moveSubjectsToSub(ctx, e), 'the subjects could not be moved to a :sub key');
    const idx = statementIndexOf(finding);
    const view = ctx.views[idx];
    if (!view || ctx.swapped.has(idx)) return FIXED;
    ctx.swapped.add(idx);
    return ok(swapAudSub(ctx, view), 'no :aud condition holds a subject to move');
  },
};

function renameClaim(evidence: ClaimTypoEvidence, { patch }: RoleFixContext) {
  const { conditionKey: key, suggestion } = evidence;
  return ok(
    suggestion !== undefined &&
      patch.renameConditionKey(evidence.statementIndex, key, `${key.slice(0, key.lastIndexOf(':'))}:${suggestion}`),
    'the claim meant is unclear',
  );
}

function swapAudSub(ctx: RoleFixContext, view: StatementView): boolean {
  const aud = view.issuerConditions.find((c) => c.claimNormal === 'aud');
  const sub = view.issuerConditions.find((c) => c.claimNormal === 'sub');
  if (!aud) return false;
  if (!sub) return moveSubjectsToSub(ctx, noSubFromView(view, aud.entry));
  const subjects = aud.entry.values.filter((v) => v.startsWith(SUBJECT));
  const audiences = sub.entry.values.filter((v) => !v.startsWith(SUBJECT));
  const idx = view.statement.index;
  return (
    ctx.patch.setValues(
      idx,
      sub.entry.key,
      subjects.length > 0 ? subjects : sub.entry.values,
      'moved the subject to :sub',
    ) &&
    ctx.patch.setValues(
      idx,
      aud.entry.key,
      audiences.length > 0 ? audiences : [DEFAULT_AUDIENCE],
      'moved the audience to :aud',
    )
  );
}

/** What moving the subjects under :aud to a :sub key needs: the rule's evidence, or the same read from the view. */
type SubjectsUnderAud = Pick<
  SubjectUnderAudNoSubEvidence,
  'statementIndex' | 'conditionKey' | 'values' | 'subjects' | 'subKey'
>;

function noSubFromView(view: StatementView, aud: { key: string; values: readonly string[] }): SubjectsUnderAud {
  return {
    statementIndex: view.statement.index,
    conditionKey: aud.key,
    values: aud.values,
    subjects: aud.values.filter((v) => v.startsWith(SUBJECT)),
    subKey: `${aud.key.slice(0, aud.key.lastIndexOf(':'))}:sub`,
  };
}

/**
 * The subjects written under :aud of a statement that has no :sub: to a new :sub key of the statement's issuer (as
 * the plan's principal fixes leave it), StringLike when one has a wildcard (declared); :aud keeps its other values,
 * else sts.amazonaws.com.
 */
function moveSubjectsToSub(ctx: RoleFixContext, moved: SubjectsUnderAud): boolean {
  const { subjects, statementIndex: idx } = moved;
  if (subjects.length === 0) return false;
  const view = ctx.views[idx];
  const key = keyUnderCurrentProvider(ctx.patch, idx, view?.providers[0]?.url, moved.subKey, 'sub') ?? moved.subKey;
  const patterns = subjects.filter(hasWildcard);
  const fed = view?.providers.length === 1 ? view.providers[0]?.arn : undefined;
  for (const p of patterns) {
    ctx.declared.push({
      class: letsAnyServiceAccountIn(p) ? 'any-service-account' : 'wildcard-meant',
      why: `the pattern "${p}" was written under :aud, meant for :sub (IRSA-014)`,
      subPattern: p,
      ...(fed ? { providerArn: fed } : {}),
    });
  }
  const others = moved.values.filter((v) => !subjects.includes(v));
  const operator = patterns.length > 0 ? 'StringLike' : 'StringEquals';
  return (
    addSubjects(ctx, idx, operator, key, subjects) &&
    ctx.patch.setValues(
      idx,
      moved.conditionKey,
      others.length > 0 ? others : [DEFAULT_AUDIENCE],
      `moved the subject(s) under :aud to ${key}`,
    )
  );
}

/** Adds a :sub condition with the subjects, or the subjects to it when an earlier fix of this plan added the key. */
function addSubjects(ctx: RoleFixContext, idx: number, operator: string, key: string, subjects: readonly string[]) {
  if (ctx.patch.addCondition(idx, operator, key, subjects.length === 1 ? (subjects[0] as string) : subjects))
    return true;
  const values = conditionValues(ctx.patch.statement(idx)?.Condition, operator, key);
  if (values === undefined) return false;
  return subjects.every((s) => values.includes(s) || ctx.patch.addValue(idx, operator, key, s));
}

/** The values of one key under one operator of a Condition element as written; undefined when absent. */
function conditionValues(condition: unknown, operator: string, key: string): unknown[] | undefined {
  const block = isObject(condition) ? condition[operator] : undefined;
  const value = isObject(block) && Object.hasOwn(block, key) ? block[key] : undefined;
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
