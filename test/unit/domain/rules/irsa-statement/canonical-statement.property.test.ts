import fc from 'fast-check';
import { analyzeEstate } from '../../../../../lambdas/domain/analyze-estate';
import { EstateIndex, type RoleRef } from '../../../../../lambdas/domain/estate-index';
import { AnalysisContext, type RoleAnalysis } from '../../../../../lambdas/domain/rules/context';
import { MAX_EVALUATED_TRUST_POLICY, readRole } from '../../../../../lambdas/domain/rules/document/role-pass';
import { canonicalRole } from '../../../../../lambdas/domain/rules/irsa-statement/canonical-document';
import {
  fastPathEligible,
  isCanonicalStatement,
} from '../../../../../lambdas/domain/rules/irsa-statement/canonical-statement';
import { canonicalTextRole } from '../../../../../lambdas/domain/rules/irsa-statement/canonical-text';
import type { EstateSnapshot } from '../../../../../lambdas/domain/snapshot';
import {
  decodeTrustText,
  parseTrustPolicy,
  parseTrustText,
} from '../../../../../lambdas/domain/trust-policy/parse-trust-policy';
import { account, cluster, estate, provider, role, serviceAccount } from '../../../../support/estate-builder';

const ACCOUNT = '111111111111';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: ACCOUNT });
const two = cluster({ name: 'two', region: 'eu-west-1', accountId: ACCOUNT });
const SUB = 'system:serviceaccount:ns:app';

/** The canonical part most of the time (6 in 7), else one of its mutations. */
function near<T>(canonical: T, ...mutations: T[]): fc.Arbitrary<T> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(canonical) },
    { weight: 1, arbitrary: fc.constantFrom(...mutations) },
  );
}

// Each part of the canonical statement, or one of its mutations.
const federated = near<unknown>(
  one.providerArn(),
  [one.providerArn()],
  two.providerArn(),
  one.providerArn('222222222222'),
  one.providerArn().replace('arn:aws:', 'arn:aws-cn:'),
  one.providerArn().toUpperCase(),
  `arn:aws:iam::${ACCOUNT}:oidc-provider/${one.hostPath}/`,
  `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/*`,
  one.hostPath,
  [one.providerArn(), two.providerArn()],
);
const principal = fc
  .tuple(federated, near<unknown>(undefined, `arn:aws:iam::${ACCOUNT}:root`, '*'))
  .map(([f, aws]) => (aws === '*' ? '*' : aws === undefined ? { Federated: f } : { Federated: f, AWS: aws }));
const action = near<unknown>(
  'sts:AssumeRoleWithWebIdentity',
  ['sts:AssumeRoleWithWebIdentity'],
  ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
  'sts:AssumeRole',
  'sts:AssumeRoleWith*',
);
const prefix = near(one.hostPath, one.hostPath.toUpperCase(), two.hostPath, `https://${one.hostPath}`);
const subValue = near<unknown>(
  SUB,
  [SUB, 'system:serviceaccount:kube-system:other'],
  'system:serviceaccount: ns:app',
  'system:serviceaccount:ns:*',
  'system:serviceaccount:NS:app',
  'sts.amazonaws.com',
  [],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
  'system:serviceaccount:ns:${aws:username}',
);
const audValue = near<unknown>(
  'sts.amazonaws.com',
  'vault',
  [SUB],
  ['sts.amazonaws.com', 'vault'],
  ['sts.amazonaws.com'],
);
const subKey = fc.tuple(prefix, near('sub', 'Sub', ' sub', 'aud')).map(([p, c]) => `${p}:${c}`);
const audKey = fc.tuple(prefix, near('aud', 'AUD', 'amr')).map(([p, c]) => `${p}:${c}`);
const operator = near(
  'StringEquals',
  'StringLike',
  'StringEqualsIgnoreCase',
  'StringEqualsIfExists',
  'ForAnyValue:StringEquals',
  'stringEquals',
);
// The :sub and :aud operators: each its own mutation, or both the same other operator (one block of both keys).
const operators = fc.oneof(
  fc.tuple(operator, operator),
  operator.map((op): [string, string] => [op, op]),
);
const condition = fc
  .record({
    ops: operators,
    sub: fc.oneof({ weight: 8, arbitrary: fc.tuple(subKey, subValue) }, { weight: 1, arbitrary: fc.constant(null) }),
    aud: fc.oneof({ weight: 8, arbitrary: fc.tuple(audKey, audValue) }, { weight: 1, arbitrary: fc.constant(null) }),
    extra: near<[string, unknown] | undefined>(undefined, ['aws:SourceIp', '10.0.0.1'], [`${one.hostPath}:amr`, 'x']),
    audFirst: fc.boolean(),
  })
  .map(({ ops: [subOp, audOp], sub, aud, extra, audFirst }) => {
    const out: Record<string, Record<string, unknown>> = {};
    const put = (op: string, [k, v]: [string, unknown]) => {
      out[op] ??= {};
      (out[op] as Record<string, unknown>)[k] = v;
    };
    if (sub && !audFirst) put(subOp, sub);
    if (aud) put(audOp, aud);
    if (sub && audFirst) put(subOp, sub);
    if (extra) put('StringEquals', extra);
    return out;
  });
const statement = fc
  .record({
    Sid: near<unknown>(undefined, 'Irsa', '', 7),
    Effect: near('Allow', 'Deny'),
    Principal: principal,
    Action: action,
    Condition: condition,
    // An element the document fast path (canonical-document.ts) declines, or that IAM rejects.
    extra: near<[string, unknown] | undefined>(undefined, ['NotAction', 'sts:TagSession'], ['Resource', '*']),
  })
  .map(({ extra, Sid, ...s }) => ({
    ...(Sid === undefined ? {} : { Sid }),
    ...s,
    ...(extra ? { [extra[0]]: extra[1] } : {}),
  }));
/** How the document is written: as the canonical minified text most of the time, else another way. */
const form = near<DocumentForm>(
  'minified',
  'spaced',
  'object',
  'repeated-key',
  'old-version',
  'extra-element',
  'single',
  'garbled',
);
type DocumentForm =
  | 'minified'
  | 'spaced'
  | 'object'
  | 'repeated-key'
  | 'old-version'
  | 'extra-element'
  | 'single'
  | 'garbled';
// A role of one or two statements, sometimes with a known workload (default or custom audience).
const roleSpec = fc.record({
  statements: fc.array(statement, { minLength: 1, maxLength: 2 }),
  form,
  workload: fc.constantFrom<undefined | { audience?: string }>(undefined, {}, { audience: 'vault' }),
});

/** The role's trust policy written in `form`. */
function roleOf(name: string, statements: unknown[], form: DocumentForm = 'minified'): ReturnType<typeof role> {
  const document: Record<string, unknown> = { Version: '2012-10-17', Statement: statements };
  const text = JSON.stringify(document);
  switch (form) {
    case 'spaced':
      return role(ACCOUNT, name, JSON.stringify(document, null, 2));
    case 'object':
      return role(ACCOUNT, name, document, { encode: false });
    case 'repeated-key':
      return role(ACCOUNT, name, `{"Version":"2008-10-17",${text.slice(1)}`);
    case 'old-version':
      return role(ACCOUNT, name, { ...document, Version: '2008-10-17' });
    case 'extra-element':
      return role(ACCOUNT, name, { ...document, Id: 'irsa', Comment: 'x' });
    case 'garbled':
      // Not JSON: the last statement's closing brace is a quote.
      return role(ACCOUNT, name, `${text.slice(0, -3)}"]}`);
    case 'single':
      return role(ACCOUNT, name, { ...document, Statement: statements[0] });
    default:
      return role(ACCOUNT, name, text, { encode: name.length % 2 === 0 });
  }
}

function estateOf(
  roles: ReadonlyArray<{ statements: unknown[]; form?: DocumentForm; workload?: { audience?: string } }>,
): EstateSnapshot {
  const built = roles.map((r, i) => roleOf(`r${i}`, r.statements, r.form));
  const serviceAccounts = roles.flatMap((r, i) =>
    r.workload ? [serviceAccount(one, 'ns', 'app', built[i]?.arn ?? '', r.workload)] : [],
  );
  return estate([
    account(ACCOUNT, {
      clusters: [one.snapshot, two.snapshot],
      oidcProviders: [provider(one)],
      roles: built,
      serviceAccounts,
    }),
  ]);
}

/**
 * The text fast path (canonical-text.ts) accepts only what the document fast path accepts, with the same targets and
 * reading. Returns whether it accepted the role's text.
 */
function checkCanonicalText(ref: RoleRef, snapshot: EstateSnapshot): boolean {
  const decoded = decodeTrustText(ref.role.trustPolicy);
  if (!decoded.ok) return false;
  const index = new EstateIndex(snapshot);
  const byText = canonicalTextRole(ref, decoded, MAX_EVALUATED_TRUST_POLICY, new AnalysisContext(index, {}));
  if (!byText) return false;
  const parsed = parseTrustText(ref.role.trustPolicy);
  if (!parsed.ok) throw new Error('text the fast path accepts is JSON');
  const byDocument = canonicalRole(ref, parsed, MAX_EVALUATED_TRUST_POLICY, new AnalysisContext(index, {}));
  expect(byDocument?.targets).toEqual(byText.targets);
  expect(JSON.stringify(byText.read)).toBe(JSON.stringify(byDocument?.read));
  return true;
}

/** The document fast path: what it accepts is the general reader's reading, every statement canonical. */
function checkCanonicalDocument(analysis: RoleAnalysis, ctx: AnalysisContext, eligible: boolean): void {
  const read = analysis.read;
  if (!read.ok) throw new Error('a canonical role was read');
  const reference = parseTrustPolicy(analysis.ref.role.trustPolicy, { skipCharacterCheck: true });
  const { version, statements, document } = read.policy;
  expect({ ...read, policy: { version, statements, document } }).toEqual(reference);
  expect(JSON.stringify(read)).toBe(JSON.stringify(reference));
  expect(analysis.views.every((v) => v.kind === 'irsa' && v.statement.effect === 'Allow')).toBe(true);
  expect(eligible && analysis.views.every((v) => isCanonicalStatement(v, analysis, ctx))).toBe(true);
}

interface Tally {
  canonical: number;
  declined: number;
  documents: number;
  texts: number;
}

/**
 * Analyzes the estate with and without the fast path (the JSON must be identical), then checks that the general
 * path reported nothing on each statement the fast path accepts. Returns how many statements it accepted and declined.
 */
function checkEstate(snapshot: EstateSnapshot): Tally {
  const general = analyzeEstate(snapshot, { statementFastPath: false });
  expect(JSON.stringify(analyzeEstate(snapshot))).toBe(JSON.stringify(general));
  const ctx = new AnalysisContext(new EstateIndex(snapshot), {});
  const tally: Tally = { canonical: 0, declined: 0, documents: 0, texts: 0 };
  for (const ref of ctx.index.roles) {
    const analysis = readRole(ref, ctx);
    const eligible = fastPathEligible(analysis);
    if (analysis.canonical) {
      tally.documents++;
      checkCanonicalDocument(analysis, ctx, eligible);
    }
    if (checkCanonicalText(ref, snapshot)) tally.texts++;
    for (const view of analysis.views) {
      if (view.kind !== 'irsa' || view.statement.effect !== 'Allow') continue;
      if (!eligible || !isCanonicalStatement(view, analysis, ctx)) {
        tally.declined++;
        continue;
      }
      tally.canonical++;
      const onStatement = general.findings.filter(
        (f) =>
          f.resourceArn === ref.role.arn &&
          (f.evidence as { statementIndex?: number }).statementIndex === view.statement.index,
      );
      expect(onStatement).toEqual([]);
    }
  }
  return tally;
}

describe('isCanonicalStatement (the statement pass fast path)', () => {
  it('accepts only statements the general path reports nothing on, and analysis is the same with and without it', () => {
    let canonical = 0;
    let declined = 0;
    let documents = 0;
    let texts = 0;
    fc.assert(
      fc.property(fc.array(roleSpec, { minLength: 1, maxLength: 4 }), (roles) => {
        const tally = checkEstate(estateOf(roles));
        canonical += tally.canonical;
        declined += tally.declined;
        documents += tally.documents;
        texts += tally.texts;
      }),
      { numRuns: 1500, seed: 1313 },
    );
    // Both ways must be exercised often, or this test proves nothing.
    expect(canonical).toBeGreaterThan(300);
    expect(declined).toBeGreaterThan(1500);
    expect(documents).toBeGreaterThan(100);
    expect(texts).toBeGreaterThan(50);
    expect(texts).toBeLessThan(documents);
  });

  it('takes the fast path on the reference statement, and not on a Deny policy', () => {
    const reference = {
      Effect: 'Allow',
      Principal: { Federated: one.providerArn() },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${one.hostPath}:sub`]: SUB, [`${one.hostPath}:aud`]: 'sts.amazonaws.com' } },
    };
    const deny = { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' };
    const decide = (statements: unknown[]) => {
      const snapshot = estateOf([{ statements }]);
      const ctx = new AnalysisContext(new EstateIndex(snapshot), {});
      const ref = ctx.index.roles[0];
      if (!ref) throw new Error('fixture has a role');
      const analysis = readRole(ref, ctx);
      const view = analysis.views[0];
      return fastPathEligible(analysis) && view !== undefined && isCanonicalStatement(view, analysis, ctx);
    };
    expect(decide([reference])).toBe(true);
    // The reference document is recognised before the reader builds it (canonical-document.ts), and not without the
    // fast path.
    const snapshot = estateOf([{ statements: [reference] }]);
    const ref = new EstateIndex(snapshot).roles[0];
    if (!ref) throw new Error('fixture has a role');
    const index = new EstateIndex(snapshot);
    expect(readRole(ref, new AnalysisContext(index, {})).canonical).toBe(true);
    expect(readRole(ref, new AnalysisContext(index, { statementFastPath: false })).canonical).toBeUndefined();
    expect(readRole(ref, new AnalysisContext(index, {})).views.map((v) => v.kind)).toEqual(['irsa']);
    expect(decide([reference, deny])).toBe(false);
    expect(decide([{ ...reference, Action: 'sts:AssumeRole' }])).toBe(false);
  });
});
