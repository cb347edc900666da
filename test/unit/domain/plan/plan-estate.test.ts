import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeEstate } from '../../../../lambdas/domain/analyze-estate';
import { atLeast } from '../../../../lambdas/domain/finding';
import { type PlanOptions, planEstate } from '../../../../lambdas/domain/plan/plan-estate';
import type { Plan } from '../../../../lambdas/domain/plan/plan-model';
import {
  OPT_IN_TAG,
  OPT_IN_VALUE,
  PROTECTED_TAG,
  remediationScopeFrom,
} from '../../../../lambdas/domain/remediation-scope';
import type { EstateSnapshot } from '../../../../lambdas/domain/snapshot';
import { evaluateTrustPolicy, webIdentityRequest } from '../../../../lambdas/domain/trust-policy/evaluate';
import { parseTrustPolicy } from '../../../../lambdas/domain/trust-policy/parse-trust-policy';
import { parseSnapshot } from '../../../../lambdas/shared/schemas';
import { applyPlans } from '../../../support/apply-plans';
import {
  account,
  cluster,
  estate,
  irsaStatement,
  policy,
  provider,
  role,
  sa,
  serviceAccount,
} from '../../../support/estate-builder';

const example = parseSnapshot(JSON.parse(readFileSync(join(__dirname, '../../../../examples/estate.json'), 'utf8')));
const A = '111111111111';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: A });
const two = cluster({ name: 'two', region: 'eu-west-1', accountId: A });
const roleArn = (name: string) => `arn:aws:iam::${A}:role/${name}`;

/** Findings of medium or above, by resource, that a plan's `after` was meant to clear. */
function convergence(snapshot: EstateSnapshot) {
  const first = planEstate(snapshot);
  const withAfter = first.plans.filter((p) => p.after !== null || p.action === 'delete-oidc-provider');
  const fixedRules = new Map<string, Set<string>>();
  for (const p of withAfter)
    fixedRules.set(p.resourceArn, new Set([...(fixedRules.get(p.resourceArn) ?? []), ...p.ruleIds]));
  const before = new Set(analyzeEstate(snapshot).findings.map((f) => `${f.resourceArn}|${f.ruleId}`));
  const applied = applyPlans(snapshot, withAfter);
  const after = analyzeEstate(applied).findings.filter(
    (f) => fixedRules.has(f.resourceArn) && atLeast(f.severity, 'medium'),
  );
  return {
    plans: first.plans,
    // A finding a plan fixed that is still there, or a new one on a resource a plan changed.
    regressions: after.filter(
      (f) => fixedRules.get(f.resourceArn)?.has(f.ruleId) || !before.has(`${f.resourceArn}|${f.ruleId}`),
    ),
    replanned: planEstate(applied).plans.filter((p) => p.applicable),
  };
}

describe('planEstate on the example organization', () => {
  const result = planEstate(example);

  it('converges: with every plan carried out, no fixed finding comes back and no new one appears, and nothing is left to apply', () => {
    const { regressions, replanned } = convergence(example);
    expect(regressions.map((f) => `${f.ruleId} ${f.resourceArn}`)).toEqual([]);
    expect(replanned.map((p) => `${p.action} ${p.resourceArn}`)).toEqual([]);
  });

  it('gives the same plans, ids included, for the same input', () => {
    expect(planEstate(structuredClone(example)).plans).toEqual(result.plans);
    const ids = result.plans.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('proves every applicable trust-policy plan, and emits none whose proof fails', () => {
    const trust = result.plans.filter((p) => p.action === 'update-trust-policy' && p.applicable);
    expect(trust.length).toBeGreaterThan(10);
    for (const p of trust) {
      expect(p.proof?.holds).toBe(true);
      expect(p.proof?.probes.undeclaredNewlyAllowed).toEqual([]);
      expect(
        p.proof?.intended.every(
          (i) => i.after === 'Allow' || (i.before === 'ExplicitDeny' && i.after === 'ExplicitDeny'),
        ),
      ).toBe(true);
    }
  });

  it('orders a provider before the trust policy that names it', () => {
    const created = result.plans.filter((p) => p.action === 'create-oidc-provider');
    for (const p of result.plans) {
      for (const dep of p.dependsOn) {
        const at = result.plans.findIndex((q) => q.id === dep);
        expect(at).toBeGreaterThanOrEqual(0);
        expect(at).toBeLessThan(result.plans.indexOf(p));
        expect(created.map((c) => c.id)).toContain(dep);
      }
    }
  });

  it('creates providers with the sts.amazonaws.com audience and no thumbprint', () => {
    const create = result.plans.find((p) => p.action === 'create-oidc-provider' && p.cluster === 'batch');
    expect(create?.before).toBeNull();
    expect(create?.after).toEqual({
      url: expect.stringMatching(/^oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/),
      clientIds: ['sts.amazonaws.com'],
      thumbprints: [],
    });
  });

  it('adds the missing audience without recreating the provider', () => {
    const add = result.plans.find((p) => p.action === 'add-client-id' && p.ruleIds.includes('IRSA-003'));
    expect(add?.after).toMatchObject({ clientIds: ['sts.amazonaws.com.cn', 'sts.amazonaws.com'] });
  });

  it('repairs a thumbprint pasted with colons into the 40-hex form', () => {
    const thumb = result.plans.find((p) => p.action === 'update-thumbprint');
    expect(thumb?.after).toMatchObject({ thumbprints: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'] });
  });

  it.each([
    ['delete-oidc-provider', 'IRSA-005', /person to confirm/],
    ['update-trust-policy', 'IRSA-018', /which service accounts/],
    ['update-trust-policy', 'IRSA-038', /owned by eksctl/],
    ['update-service-account', 'IRSA-030', /Kubernetes/],
  ])('keeps %s for %s propose-only', (action, ruleId, reason) => {
    const plan = result.plans.find((p) => p.action === action && p.ruleIds.includes(ruleId));
    expect(plan?.applicable).toBe(false);
    expect(`${plan?.proposeOnlyReason} ${plan?.rationale}`).toMatch(reason);
  });

  it('shows the eksctl-owned role the change to make in eksctl', () => {
    const plan = result.plans.find((p) => p.ruleIds.includes('IRSA-038'));
    expect(plan?.owner?.tool).toBe('eksctl');
    expect(plan?.owner?.howToChange).toContain('eksctl');
    expect(plan?.after).not.toBeNull();
  });
});

describe('trust-policy patches', () => {
  const planFor = (snapshot: EstateSnapshot, name: string): Plan | undefined =>
    planEstate(snapshot).plans.find((p) => p.resourceArn === roleArn(name) && p.action === 'update-trust-policy');
  const withRoles = (...roles: ReturnType<typeof role>[]) =>
    estate([
      account(A, { clusters: [one.snapshot, two.snapshot], oidcProviders: [provider(one), provider(two)], roles }),
    ]);

  it('adds a second cluster as its own statement, and both clusters are allowed afterwards', () => {
    // Given a role trusted by cluster one, used by the same workload on cluster two
    const snapshot = estate([
      account(A, {
        clusters: [one.snapshot, two.snapshot],
        oidcProviders: [provider(one), provider(two)],
        roles: [role(A, 'api', policy(irsaStatement(one, sa('apps', 'api'))))],
        serviceAccounts: [
          serviceAccount(one, 'apps', 'api', roleArn('api')),
          serviceAccount(two, 'apps', 'api', roleArn('api')),
        ],
      }),
    ]);
    // When it is planned
    const plan = planFor(snapshot, 'api');
    // Then a statement for cluster two is appended, the first is untouched, and both requests are allowed
    const after = plan?.after as { Statement: unknown[] };
    expect(after.Statement).toHaveLength(2);
    expect(after.Statement[0]).toEqual(irsaStatement(one, sa('apps', 'api')));
    expect(after.Statement[1]).toMatchObject({ Principal: { Federated: two.providerArn() } });
    expect(JSON.stringify(after.Statement[1])).not.toContain(one.id);
    const read = parseTrustPolicy(after);
    if (!read.ok) throw new Error('after must read');
    for (const c of [one, two]) {
      const request = webIdentityRequest(c.providerArn(), c.hostPath, {
        sub: sa('apps', 'api'),
        aud: 'sts.amazonaws.com',
      });
      expect(evaluateTrustPolicy(read.policy, request).decision).toBe('Allow');
    }
    expect(plan?.applicable).toBe(true);
  });

  it('fails to an explanatory finding instead of a plan when the fix would exceed the quota', () => {
    // Given a role that fits the 2,048-character quota but has no room for another cluster's statement
    let count = 1;
    const doc = (n: number) =>
      policy(
        irsaStatement(
          one,
          Array.from({ length: n }, (_, i) => sa('platform', `service-number-${i}`)),
        ),
      );
    while (JSON.stringify(doc(count + 1)).length <= 2048 - 100) count++;
    const many = Array.from({ length: count }, (_, i) => sa('platform', `service-number-${i}`));
    expect(JSON.stringify(doc(count)).length).toBeLessThanOrEqual(2048);
    const snapshot = estate([
      account(A, {
        clusters: [one.snapshot, two.snapshot],
        oidcProviders: [provider(one), provider(two)],
        roles: [role(A, 'shared', policy(irsaStatement(one, many)))],
        serviceAccounts: [serviceAccount(two, 'platform', 'service-number-0', roleArn('shared'))],
      }),
    ]);
    // When it is planned
    const result = planEstate(snapshot);
    const plan = result.plans.find((p) => p.resourceArn === roleArn('shared') && p.after !== null);
    // Then the plan is not applicable and a finding explains the options
    expect(plan?.applicable).toBe(false);
    expect(plan?.proof?.size.withinQuota).toBe(false);
    expect(result.findings.map((f) => f.ruleId)).toEqual(['IRSA-023']);
    expect(result.findings[0]?.message).toMatch(/quota increase .*4096.*one :sub array.*Pod Identity/s);
  });

  it('keeps every untouched statement identical and in place', () => {
    const github = {
      Sid: 'Ci',
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:org/*' } },
    };
    const deny = {
      Effect: 'Deny',
      Principal: { Federated: one.providerArn() },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { [`${one.hostPath}:sub`]: 'system:serviceaccount:kube-system:*' } },
    };
    const broken = { ...irsaStatement(one, sa('apps', 'api')), Action: 'sts:AssumeRole' };
    const plan = planFor(withRoles(role(A, 'r', policy(github, broken, deny))), 'r');
    const after = plan?.after as { Statement: unknown[] };
    expect(after.Statement[0]).toEqual(github);
    expect(after.Statement[2]).toEqual(deny);
    expect(after.Statement[1]).toEqual(irsaStatement(one, sa('apps', 'api')));
    expect(plan?.proof?.probes.newlyDenied).toBe(0);
  });

  it.each([
    ['wrong action', { ...irsaStatement(one, sa('a', 'b')), Action: 'sts:AssumeRole' }],
    ['Service principal', { ...irsaStatement(one, sa('a', 'b')), Principal: { Service: 'eks.amazonaws.com' } }],
    ['stray space', irsaStatement(one, 'system:serviceaccount: a:b')],
    ['wrong aud', irsaStatement(one, sa('a', 'b'), { audience: 'sts.amazonaws.com.cn' })],
    [
      'claim typo',
      {
        ...irsaStatement(one, sa('a', 'b')),
        Condition: {
          StringEquals: { [`${one.hostPath}:subject`]: sa('a', 'b'), [`${one.hostPath}:aud`]: 'sts.amazonaws.com' },
        },
      },
    ],
    [
      'key prefix of another id',
      {
        ...irsaStatement(one, sa('a', 'b')),
        Condition: {
          StringEquals: {
            [`${one.hostPath.slice(0, -4)}ABCD:sub`]: sa('a', 'b'),
            [`${one.hostPath}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  ])('restores access for %s without allowing anything else', (_title, statement) => {
    const snapshot = estate([
      account(A, {
        clusters: [one.snapshot, two.snapshot],
        oidcProviders: [provider(one), provider(two)],
        roles: [role(A, 'r', policy(statement))],
        serviceAccounts: [serviceAccount(one, 'a', 'b', roleArn('r'))],
      }),
    ]);
    const plan = planFor(snapshot, 'r');
    expect(plan?.applicable).toBe(true);
    expect(plan?.proof?.intended).toEqual(
      expect.arrayContaining([expect.objectContaining({ sub: sa('a', 'b'), after: 'Allow' })]),
    );
    expect(plan?.proof?.probes.undeclaredNewlyAllowed).toEqual([]);
    expect(plan?.proof?.probes.newlyAllowed.every((p) => p.sub === sa('a', 'b'))).toBe(true);
    // The minified document is what gets measured and sent.
    expect(plan?.proof?.size.minifiedLength).toBe(JSON.stringify(plan?.after).length);
  });

  it('narrows an over-broad trust to the known workloads, and says it may deny others', () => {
    const snapshot = estate([
      account(A, {
        clusters: [one.snapshot],
        oidcProviders: [provider(one)],
        roles: [role(A, 'r', policy(irsaStatement(one, 'system:serviceaccount:*', { operator: 'StringLike' })))],
        serviceAccounts: [serviceAccount(one, 'a', 'b', roleArn('r'))],
      }),
    ]);
    const plan = planFor(snapshot, 'r');
    expect(plan?.proof?.probes.newlyAllowed).toEqual([]);
    expect(plan?.proof?.probes.newlyDenied).toBeGreaterThan(0);
    expect(plan?.risk.level).toBe('high');
  });

  it('does not change a role owned by CloudFormation; it shows the change to make in the stack', () => {
    const owned = role(A, 'r', policy({ ...irsaStatement(one, sa('a', 'b')), Action: 'sts:AssumeRole' }), {
      tags: { 'aws:cloudformation:stack-name': 'apps' },
    });
    const plan = planFor(withRoles(owned), 'r');
    expect(plan?.applicable).toBe(false);
    expect(plan?.owner).toMatchObject({ tool: 'cloudformation', stack: 'apps' });
    expect(plan?.after).not.toBeNull();
  });
});

describe('planEstate on the seed-article fixtures', () => {
  const fixtures = join(__dirname, '../../../fixtures/trust-policies');
  it.each(['seed-003-example1-corrected.json', 'seed-003-multi-cluster-as-published.json'])(
    'converges for %s',
    (file) => {
      const text = readFileSync(join(fixtures, file), 'utf8');
      const c1 = cluster({ name: 'c1', region: 'us-west-2', accountId: A, id: '0123456789ABCDEF0123456789ABCDEF' });
      const c2 = cluster({ name: 'c2', region: 'us-west-2', accountId: A, id: 'FEDCBA9876543210FEDCBA9876543210' });
      const lbc = roleArn('lbc');
      const snapshot = estate([
        account(A, {
          clusters: [c1.snapshot, c2.snapshot],
          oidcProviders: [provider(c1), provider(c2)],
          roles: [role(A, 'lbc', text)],
          serviceAccounts: [
            serviceAccount(c1, 'kube-system', 'aws-load-balancer-controller', lbc),
            serviceAccount(c2, 'kube-system', 'aws-load-balancer-controller', lbc),
          ],
        }),
      ]);
      const { regressions, replanned, plans } = convergence(snapshot);
      expect(plans.filter((p) => p.applicable).length).toBeGreaterThan(0);
      expect(regressions).toEqual([]);
      expect(replanned).toEqual([]);
    },
  );
});

describe('no silent edits, no unsafe applicability', () => {
  const planFor = (snapshot: EstateSnapshot, name: string, options: PlanOptions = {}): Plan | undefined =>
    planEstate(snapshot, options).plans.find(
      (p) => p.resourceArn === roleArn(name) && p.action === 'update-trust-policy' && p.after !== null,
    );
  const withRole = (trust: Record<string, unknown> | string, extra: Partial<Parameters<typeof account>[1]> = {}) =>
    estate([
      account(A, {
        clusters: [one.snapshot, two.snapshot],
        oidcProviders: [provider(one), provider(two)],
        roles: [role(A, 'r', trust)],
        ...extra,
      }),
    ]);
  const broken = { ...irsaStatement(one, sa('apps', 'api')), Action: 'sts:AssumeRole' };
  const deny = {
    Effect: 'Deny',
    Principal: { Federated: one.providerArn() },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringLike: { [`${one.hostPath}:sub`]: 'system:serviceaccount:kube-system:*' } },
  };
  const json = (value: unknown) => JSON.stringify(value);
  const brokenText = json(broken).slice(1, -1);

  it.each([
    [
      'a shadowed Statement holding a Deny',
      `{"Version":"2012-10-17","Statement":[${json(deny)}],"Statement":[${json(broken)}]}`,
      /"Effect":\s?"Deny"/,
    ],
    [
      'a shadowed Effect Deny',
      `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",${brokenText}}]}`,
      /"Effect"(: | at \$\.Statement\[0\]: )"Deny"/,
    ],
    [
      'a shadowed StringEquals block',
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${one.providerArn()}"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"${one.hostPath}:sub":"system:serviceaccount:apps:only"},"StringEquals":{"${one.hostPath}:sub":"${sa('apps', 'api')}","${one.hostPath}:aud":"sts.amazonaws.com"}}}]}`,
      /system:serviceaccount:apps:only/,
    ],
  ])('never drops %s silently: the plan is propose-only and names what it would drop', (_title, text, dropped) => {
    // Given a trust policy whose text repeats a key (JSON.parse keeps the last one) and an unrelated fixable fault
    const snapshot = withRole(text, { serviceAccounts: [serviceAccount(one, 'apps', 'api', roleArn('r'))] });
    // When the estate is planned
    const plans = planEstate(snapshot).plans.filter((p) => p.resourceArn === roleArn('r'));
    // Then no plan on the role is applicable, and the one that edits says in its rationale and diff what it drops
    expect(plans.filter((p) => p.applicable)).toEqual([]);
    const edit = plans.find((p) => p.after !== null);
    expect(edit?.proposeOnlyReason).toMatch(/duplicate key/);
    expect(edit?.rationale).toMatch(dropped);
    expect(
      edit?.diff
        .split('\n')
        .filter((l) => l.startsWith('-'))
        .join('\n'),
    ).toMatch(dropped);
  });

  it('declares merging a duplicate :sub that lets any service account in as any-service-account, propose-only by default', () => {
    // Given a :sub key written twice under StringLike, the shadowed value being "*"
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${one.providerArn()}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"${one.hostPath}:sub":"*","${one.hostPath}:sub":"${sa('apps', 'api')}"},"StringEquals":{"${one.hostPath}:aud":"sts.amazonaws.com"}}}]}`;
    const snapshot = withRole(text, { serviceAccounts: [serviceAccount(one, 'apps', 'api', roleArn('r'))] });
    // When planned with default options, and with only dropped duplicates allowed
    const plan = planFor(snapshot, 'r');
    const notThisClass = planFor(snapshot, 'r', { allowWidening: ['dropped-duplicate'] });
    const allowed = planFor(snapshot, 'r', { allowWidening: ['any-service-account'] });
    // Then the merge is declared as letting any service account in, and only that setting makes it applicable
    expect(plan?.ruleIds).toContain('IRSA-022');
    expect(plan?.proof?.probes.newlyAllowed.map((p) => p.wideningClass)).toContain('any-service-account');
    expect(plan?.applicable).toBe(false);
    expect(plan?.proposeOnlyReason).toMatch(/any-service-account.*allowWidening/);
    expect(notThisClass?.applicable).toBe(false);
    expect(allowed?.applicable).toBe(true);
  });

  describe('a stale provider', () => {
    const gone = cluster({ name: 'old', region: 'us-west-2', accountId: A });
    const stale = policy(irsaStatement(gone, sa('apps', 'api')));

    it('is not repointed applicably to a same-region guess without workload evidence', () => {
      // Given the role trusts a cluster that is gone, and the only other cluster in its region has no known workload
      const snapshot = withRole(stale);
      // When planned
      const plan = planFor(snapshot, 'r');
      // Then the repoint is shown to a person, never applied
      expect(plan?.ruleIds).toContain('IRSA-012');
      expect(plan?.applicable).toBe(false);
      expect(plan?.proposeOnlyReason).toMatch(/guess/);
      expect(json(plan?.after)).toContain(one.providerArn());
    });

    it('is repointed applicably when a workload on the candidate cluster uses the role', () => {
      const snapshot = withRole(stale, { serviceAccounts: [serviceAccount(one, 'apps', 'api', roleArn('r'))] });
      const plan = planFor(snapshot, 'r');
      expect(plan?.ruleIds).toContain('IRSA-012');
      expect(plan?.applicable).toBe(true);
      expect(json(plan?.after)).toContain(one.providerArn());
    });

    it('ranks an exact issuer-id match above a same-region guess', () => {
      // Given the stale provider names cluster two's issuer id in cluster one's region
      const moved = cluster({ name: 'old', region: 'us-west-2', accountId: A, id: two.id });
      const snapshot = withRole(policy(irsaStatement(moved, sa('apps', 'api'))));
      // When planned
      const plan = planFor(snapshot, 'r');
      // Then the repoint goes to cluster two (same id), applicably
      expect(plan?.ruleIds).toContain('IRSA-012');
      expect(plan?.applicable).toBe(true);
      expect(json(plan?.after)).toContain(two.providerArn());
      expect(json(plan?.after)).not.toContain(one.providerArn());
    });

    it('leaves the choice to a person when the issuer id and the workloads point at different clusters', () => {
      const moved = cluster({ name: 'old', region: 'us-west-2', accountId: A, id: two.id });
      const snapshot = withRole(policy(irsaStatement(moved, sa('apps', 'api'))), {
        serviceAccounts: [serviceAccount(one, 'apps', 'api', roleArn('r'))],
      });
      const plans = planEstate(snapshot).plans.filter((p) => p.resourceArn === roleArn('r'));
      // No applicable plan repoints the stale statement (the workload's own statement may still be added, IRSA-031)
      for (const p of plans.filter((x) => x.applicable)) {
        expect(p.ruleIds).not.toContain('IRSA-012');
        expect(json(p.after)).toContain(moved.providerArn());
      }
      expect(plans.some((p) => p.ruleIds.includes('IRSA-012') && /candidate cluster/.test(p.rationale))).toBe(true);
    });
  });

  it('keeps a "__proto__" condition key when it splits a merged statement', () => {
    // Given one statement naming both clusters' keys, and a "__proto__" key in its condition (JSON text)
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":["${one.providerArn()}","${two.providerArn()}"]},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"${one.hostPath}:sub":"${sa('apps', 'api')}","${two.hostPath}:sub":"${sa('apps', 'api')}"},"Null":{"__proto__":"true"}}}]}`;
    const snapshot = withRole(text, {
      serviceAccounts: [
        serviceAccount(one, 'apps', 'api', roleArn('r')),
        serviceAccount(two, 'apps', 'api', roleArn('r')),
      ],
    });
    // When planned
    const plan = planFor(snapshot, 'r');
    // Then every part of the split keeps it
    expect(plan?.ruleIds).toContain('IRSA-021');
    const parts = (plan?.after as { Statement: Array<{ Condition: Record<string, object> }> } | undefined)?.Statement;
    expect(parts).toHaveLength(2);
    for (const part of parts ?? []) expect(Object.hasOwn(part.Condition.Null ?? {}, '__proto__')).toBe(true);
    expect(json(plan?.after).match(/"__proto__":"true"/g)).toHaveLength(2);
  });

  it('does not split a merged statement that also names another principal (the parts would drop it)', () => {
    // Given one statement naming both clusters' keys and, besides their providers, an AWS principal
    const merged = {
      Effect: 'Allow',
      Principal: { Federated: [one.providerArn(), two.providerArn()], AWS: `arn:aws:iam::${A}:root` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { [`${one.hostPath}:sub`]: sa('apps', 'api'), [`${two.hostPath}:sub`]: sa('apps', 'api') },
      },
    };
    const snapshot = withRole(policy(merged), {
      serviceAccounts: [
        serviceAccount(one, 'apps', 'api', roleArn('r')),
        serviceAccount(two, 'apps', 'api', roleArn('r')),
      ],
    });
    // When planned
    const plans = planEstate(snapshot).plans.filter((p) => p.resourceArn === roleArn('r'));
    // Then every applicable plan keeps the AWS principal, and the split is left for a person
    for (const p of plans.filter((x) => x.applicable)) expect(json(p.after)).toContain(`arn:aws:iam::${A}:root`);
    expect(plans.some((p) => !p.applicable && p.ruleIds.includes('IRSA-021'))).toBe(true);
  });

  describe('declared widenings', () => {
    const wildcard = policy(irsaStatement(one, 'system:serviceaccount:apps:*'));

    it('make a plan propose-only by default, naming the class and the setting that allows it', () => {
      const plan = planFor(withRole(wildcard), 'r');
      expect(plan?.ruleIds).toContain('IRSA-017');
      expect(plan?.proof?.holds).toBe(true);
      expect(plan?.proof?.probes.newlyAllowed.map((p) => p.wideningClass)).toContain('wildcard-meant');
      expect(plan?.applicable).toBe(false);
      expect(plan?.proposeOnlyReason).toMatch(/wildcard-meant.*allowWidening/);
    });

    it('are applicable when configuration allows their class', () => {
      const plan = planFor(withRole(wildcard), 'r', { allowWidening: ['wildcard-meant'] });
      expect(plan?.applicable).toBe(true);
    });

    it('do not include named workloads: a plan that only lets a known workload in stays applicable', () => {
      const plan = planFor(withRole(policy(broken)), 'r');
      expect(plan?.proof?.probes.newlyAllowed.every((p) => p.wideningClass === undefined)).toBe(true);
      expect(plan?.applicable).toBe(true);
    });

    it('include the action Pod Identity needs (PI-050): propose-only unless allowed', () => {
      const pi = policy({
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: 'sts:AssumeRole',
      });
      // Given a Pod Identity association names the role, whose trust lacks sts:TagSession
      const snapshot = withRole(pi, {
        podIdentityAssociations: [
          { cluster: 'one', region: 'us-west-2', namespace: 'apps', serviceAccount: 'api', roleArn: roleArn('r') },
        ],
      });
      const plan = planFor(snapshot, 'r');
      expect(plan?.ruleIds).toContain('PI-050');
      expect(plan?.applicable).toBe(false);
      expect(plan?.proposeOnlyReason).toMatch(/pod-identity-action.*allowWidening/);
      expect(planFor(snapshot, 'r', { allowWidening: ['pod-identity-action'] })?.applicable).toBe(true);
    });
  });
});

describe('PI-055 on published Pod Identity trusts (test/fixtures/published/README.md)', () => {
  const STANDARD = JSON.parse(
    readFileSync(join(__dirname, '../../../fixtures/published/eks-user-guide-pod-identity-role.json'), 'utf8'),
  ) as { Statement: Record<string, unknown>[] };
  const association = {
    cluster: 'one',
    region: 'us-west-2',
    namespace: 'apps',
    serviceAccount: 'api',
    roleArn: roleArn('pi'),
  };
  const snapshotWith = (trust: Record<string, unknown>) =>
    estate([
      account(A, {
        clusters: [one.snapshot],
        oidcProviders: [provider(one)],
        roles: [role(A, 'pi', trust)],
        podIdentityAssociations: [association],
      }),
    ]);

  it('plans nothing for the standard trust of the EKS user guide (PI-055 is an info hardening suggestion)', () => {
    // Given the console's standard trust, used by an association
    const snapshot = snapshotWith(STANDARD);
    // When planned, Then no plan touches the role
    expect(planEstate(snapshot).plans.filter((p) => p.resourceArn === roleArn('pi'))).toEqual([]);
  });

  it('proposes aws:SourceAccount for a statement that lets in more than Pod Identity, never applied automatically', () => {
    // Given the standard statement with a CI role merged into its principal
    const widened = {
      ...STANDARD,
      Statement: [{ ...STANDARD.Statement[0], Principal: { Service: 'pods.eks.amazonaws.com', AWS: roleArn('ci') } }],
    };
    // When planned
    const plan = planEstate(snapshotWith(widened)).plans.find((p) => p.resourceArn === roleArn('pi') && p.after);
    // Then the plan adds the condition, but is propose-only: it would shut the CI role out
    expect(plan?.ruleIds).toEqual(['PI-055']);
    expect(JSON.stringify(plan?.after)).toContain('"aws:SourceAccount":"111111111111"');
    expect(plan?.applicable).toBe(false);
    expect(plan?.proposeOnlyReason).toContain('PI-055 is hardening');
    expect(plan?.proposeOnlyReason).toContain(`AWS ${roleArn('ci')}`);
  });
});

describe('the remediator scope (what IAM lets the member remediator write)', () => {
  const scope = remediationScopeFrom({ mode: 'tagged', ownRoleNames: ['IrsaDoctorScanner', 'IrsaDoctorRemediator'] });
  // A role used on cluster two but trusted only by cluster one: the planner appends a statement (an applicable fix).
  const snapshotWith = (name: string, tags: Record<string, string>, withProvider = true) =>
    estate([
      account(A, {
        clusters: [one.snapshot, two.snapshot],
        oidcProviders: withProvider ? [provider(one), provider(two)] : [provider(one)],
        roles: [role(A, name, policy(irsaStatement(one, sa('apps', 'api'))), { tags })],
        serviceAccounts: [
          serviceAccount(one, 'apps', 'api', roleArn(name)),
          serviceAccount(two, 'apps', 'api', roleArn(name)),
        ],
      }),
    ]);
  const trustPlan = (snapshot: EstateSnapshot, name: string, options: PlanOptions) =>
    planEstate(snapshot, options).plans.find(
      (p) => p.resourceArn === roleArn(name) && p.action === 'update-trust-policy' && p.after !== null,
    );
  const optedIn = { [OPT_IN_TAG]: OPT_IN_VALUE };

  it('leaves a role the operator opted in applicable', () => {
    expect(trustPlan(snapshotWith('api', optedIn), 'api', { remediationScope: scope })?.applicable).toBe(true);
  });

  it('makes a plan for a role not opted in propose-only, saying how to opt it in', () => {
    const plan = trustPlan(snapshotWith('api', {}), 'api', { remediationScope: scope });
    expect(plan?.applicable).toBe(false);
    expect(plan?.proposeOnlyReason).toContain("outside the remediator's scope");
    expect(plan?.proposeOnlyReason).toContain(`tag it ${OPT_IN_TAG}=${OPT_IN_VALUE}`);
    // Without a scope (an offline plan) the same role's plan is applicable: the check is the scope's, nothing else.
    expect(trustPlan(snapshotWith('api', {}), 'api', {})?.applicable).toBe(true);
  });

  it('never makes a plan for a landing-zone or protected role applicable, opted in or not', () => {
    for (const name of ['AWSControlTowerExecution', 'cdk-hnb659fds-cfn-exec-role-111111111111-us-west-2']) {
      const plan = trustPlan(snapshotWith(name, optedIn), name, { remediationScope: scope });
      expect(plan?.applicable).toBe(false);
      expect(plan?.proposeOnlyReason).toContain('never remediated');
    }
    const tagged = trustPlan(snapshotWith('api', { ...optedIn, [PROTECTED_TAG]: 'yes' }), 'api', {
      remediationScope: scope,
    });
    expect(tagged?.applicable).toBe(false);
    expect(tagged?.proposeOnlyReason).toContain(PROTECTED_TAG);
  });

  it('keeps provider plans for EKS issuers applicable under a scope', () => {
    const plans = planEstate(snapshotWith('api', optedIn, false), { remediationScope: scope }).plans;
    const create = plans.find((p) => p.action === 'create-oidc-provider');
    expect(create?.applicable).toBe(true);
  });
});

describe('the proof budget of one planning run', () => {
  const trustPlans = (options: PlanOptions) =>
    planEstate(example, options).plans.filter((p) => p.action === 'update-trust-policy' && p.after !== null);

  it('leaves every plan as it is when the budget is not reached', () => {
    const plain = trustPlans({});
    const generous = trustPlans({ proofBudget: 1_000_000_000 });
    expect(generous.map((p) => [p.id, p.applicable])).toEqual(plain.map((p) => [p.id, p.applicable]));
    expect(plain.some((p) => p.applicable)).toBe(true);
  });

  it('makes the proofs after a spent budget undecided and their plans propose-only, saying why', () => {
    const spent = trustPlans({ proofBudget: 0 });
    expect(spent.length).toBeGreaterThan(0);
    for (const p of spent) {
      expect(p.applicable).toBe(false);
      expect(p.proof?.exact.decided).toBe(false);
      expect(p.proposeOnlyReason).toContain("this planning run's proof budget (0 steps) is spent");
    }
  });
});
