/**
 * A store seeded for the console's views of findings, runs and propose-only plans: two named accounts, findings of
 * every severity on the AWS side and the Kubernetes side (clusters, namespaces), one suppressed, one with a plan
 * waiting for approval, two propose-only plans (an eksctl-owned role, a cluster-side change), and three runs.
 */
import type { Finding, Severity } from '../../lambdas/domain/finding';
import type { PlanRecord, RunRecord, StateStore } from '../../lambdas/ports/state-store';
import { planContentHash } from '../../lambdas/workflow/run-steps';
import { testPlan } from './test-plan';

export const PAYMENTS = '111111111111';
export const SEARCH = '222222222222';
export const LATEST_RUN = 'sweep-2030-03-02';
export const EXECUTION_ARN = `arn:aws:states:us-east-1:999999999999:execution:irsa-doctor-sweep:${LATEST_RUN}`;
/** How many low-severity filler findings the search account has (so listings page). */
export const FILLER = 6;

interface Shape {
  readonly id: string;
  readonly accountId: string;
  readonly severity: Severity;
  readonly ruleId: string;
  readonly title: string;
  readonly resource: string;
  readonly cluster?: string;
  readonly namespace?: string;
  readonly suppressed?: boolean;
}

function finding(s: Shape): Finding {
  return {
    id: s.id,
    ruleId: s.ruleId,
    severity: s.severity,
    accountId: s.accountId,
    resourceArn: `arn:aws:iam::${s.accountId}:role/${s.resource}`,
    resourceType: s.namespace ? 'service-account' : 'role',
    ...(s.cluster ? { cluster: s.cluster, region: 'us-east-1' } : {}),
    ...(s.namespace
      ? { kubernetesObject: { kind: 'ServiceAccount', namespace: s.namespace, name: `${s.resource}-sa` } }
      : {}),
    title: s.title,
    message: `${s.title}: pods using ${s.resource} fail to get credentials`,
    remediation: 'see the plan',
    references: [],
    evidence: {},
    ...(s.suppressed
      ? { suppressed: { by: 'mute-1', reason: 'accepted until the migration', until: '2999-01-01T00:00:00.000Z' } }
      : {}),
  } as unknown as Finding;
}

export const SEEDED_FINDINGS: readonly Shape[] = [
  {
    id: 'f-crit',
    accountId: PAYMENTS,
    severity: 'critical',
    ruleId: 'IRSA-001',
    title: 'Trust policy names a deleted OIDC provider',
    resource: 'payments-api-with-a-very-long-role-name-that-must-wrap-instead-of-scrolling-sideways',
    cluster: 'prod',
  },
  {
    id: 'f-high',
    accountId: PAYMENTS,
    severity: 'high',
    ruleId: 'IRSA-015',
    title: 'Audience is not sts.amazonaws.com',
    resource: 'ledger',
  },
  {
    id: 'f-kube',
    accountId: PAYMENTS,
    severity: 'medium',
    ruleId: 'KUBE-003',
    title: 'Service account annotation names another account',
    resource: 'checkout',
    cluster: 'prod',
    namespace: 'shop',
  },
  {
    id: 'f-muted',
    accountId: PAYMENTS,
    severity: 'high',
    ruleId: 'IRSA-020',
    title: 'Wildcard subject in trust policy',
    resource: 'batch',
    suppressed: true,
  },
  {
    id: 'f-search-kube',
    accountId: SEARCH,
    severity: 'high',
    ruleId: 'KUBE-001',
    title: 'Service account names a role that does not exist',
    resource: 'indexer',
    cluster: 'search-eks',
    namespace: 'search',
  },
  {
    id: 'f-info',
    accountId: SEARCH,
    severity: 'info',
    ruleId: 'IRSA-030',
    title: 'Role has no IRSA workloads',
    resource: 'unused',
  },
  ...Array.from({ length: FILLER }, (_, i) => ({
    id: `f-low-${i + 1}`,
    accountId: SEARCH,
    severity: 'low' as const,
    ruleId: 'IRSA-016',
    title: `Session duration longer than needed (${i + 1})`,
    resource: `worker-${i + 1}`,
    cluster: 'search-eks',
    namespace: 'jobs',
  })),
];

export function seededFindings(accountId?: string): Finding[] {
  return SEEDED_FINDINGS.filter((s) => accountId === undefined || s.accountId === accountId).map(finding);
}

function run(runId: string, startedAt: string, extra: Partial<RunRecord>): RunRecord {
  return {
    runId,
    executionId: `arn:aws:states:us-east-1:999999999999:execution:irsa-doctor-sweep:${runId}`,
    mode: 'sweep',
    trigger: 'schedule',
    dryRun: false,
    startedAt,
    targets: [PAYMENTS, SEARCH],
    regions: ['us-east-1'],
    status: 'done',
    ...extra,
  };
}

function record(plan: ReturnType<typeof testPlan> | PlanRecord['plan'], status: PlanRecord['status']): PlanRecord {
  return {
    runId: LATEST_RUN,
    planId: plan.id,
    plan,
    contentHash: planContentHash(plan, []),
    status,
    wave: 0,
    updatedAt: '2030-03-02T00:05:00.000Z',
  };
}

/** Seeds the store: an older run first (its findings replaced by the latest run's), then the latest. */
export async function seedViews(store: StateStore): Promise<void> {
  const older = 'sweep-2030-03-01';
  await store.putRun(
    run(older, '2030-03-01T00:00:00.000Z', { summary: { findings: 1, finishedAt: '2030-03-01T00:03:00.000Z' } }),
  );
  // A finding of the older run that is gone from the latest: the listing must not show it.
  await store.putAccountFindings(older, PAYMENTS, [
    finding({
      id: 'f-gone',
      accountId: PAYMENTS,
      severity: 'critical',
      ruleId: 'IRSA-002',
      title: 'Fixed since',
      resource: 'old',
    }),
  ]);
  await store.putRun(
    run(LATEST_RUN, '2030-03-02T00:00:00.000Z', {
      summary: {
        accounts: 2,
        analyzed: 2,
        findings: SEEDED_FINDINGS.length - 1,
        bySeverity: { critical: 1, high: 2, medium: 1, low: FILLER, info: 1 },
        suppressed: 1,
        plans: 3,
        plansWaiting: 1,
        started: 1,
        proposeOnly: 2,
        partial: [SEARCH],
        unreachable: [],
        failed: [],
        finishedAt: '2030-03-02T00:07:30.000Z',
      },
    }),
  );
  await store.putRun(
    run('cluster-2030-03-03', '2030-03-03T00:00:00.000Z', {
      mode: 'cluster',
      trigger: 'eks:CreateCluster',
      status: 'running',
      targets: [PAYMENTS],
      cluster: { accountId: PAYMENTS, region: 'us-east-1', name: 'prod' },
    }),
  );
  for (const accountId of [PAYMENTS, SEARCH]) {
    const findings = seededFindings(accountId);
    await store.putAccountFindings(LATEST_RUN, accountId, findings);
    await store.putFindings(LATEST_RUN, findings);
    const open = findings.filter((f) => !f.suppressed);
    await store.putAccountSummary({
      runId: LATEST_RUN,
      accountId,
      name: accountId === PAYMENTS ? 'payments-prod' : 'search-prod',
      collection: accountId === PAYMENTS ? 'complete' : 'partial',
      findings: open.length,
      bySeverity: {
        critical: open.filter((f) => f.severity === 'critical').length,
        high: open.filter((f) => f.severity === 'high').length,
        medium: open.filter((f) => f.severity === 'medium').length,
        low: open.filter((f) => f.severity === 'low').length,
        info: open.filter((f) => f.severity === 'info').length,
      },
      newFindings: open.length,
      resolvedFindings: accountId === PAYMENTS ? 1 : 0,
      suppressed: findings.length - open.length,
      plans: accountId === PAYMENTS ? 2 : 1,
      started: accountId === PAYMENTS ? 1 : 0,
      proposeOnly: 1,
      rememberedRejections: 0,
      waitingElsewhere: 0,
    });
  }
  const waiting = testPlan({
    id: 'plan-crit',
    accountId: PAYMENTS,
    findingIds: ['f-crit'],
    ruleIds: ['IRSA-001'],
    resourceArn: `arn:aws:iam::${PAYMENTS}:role/payments-api`,
    rationale: 'Point the trust policy at the cluster’s provider',
  });
  const iacOwned = testPlan({
    id: 'plan-iac',
    accountId: PAYMENTS,
    findingIds: ['f-high'],
    ruleIds: ['IRSA-015'],
    resourceArn: `arn:aws:iam::${PAYMENTS}:role/ledger`,
    applicable: false,
    proposeOnlyReason: 'the role is owned by eksctl: a change made here would be undone by the next eksctl run',
    owner: {
      tool: 'eksctl',
      evidence: 'tag alpha.eksctl.io/cluster-name=prod',
      stack: 'eksctl-prod-addon-iamserviceaccount-ledger',
      howToChange:
        'edit iam.serviceAccounts[ledger].wellKnownPolicies in cluster.yaml, then eksctl update iamserviceaccount',
    },
    diff: '-  "aud": "sts.amazon.com"\n+  "aud": "sts.amazonaws.com"',
    rationale: 'Set the audience pods present',
  });
  const clusterSide = testPlan({
    id: 'plan-kube',
    accountId: SEARCH,
    findingIds: ['f-search-kube'],
    ruleIds: ['KUBE-001'],
    resourceArn: `arn:aws:iam::${SEARCH}:role/indexer`,
    cluster: 'search-eks',
    region: 'us-east-1',
    action: 'update-service-account',
    before: null,
    after: null,
    applicable: false,
    proposeOnlyReason: 'a Kubernetes change: annotate the service account (kubectl), outside AWS',
    diff: 'kubectl -n search annotate sa indexer-sa eks.amazonaws.com/role-arn=arn:aws:iam::222222222222:role/indexer --overwrite',
    rationale: 'Name the role that exists',
  });
  await store.putPlans([
    record(waiting, 'awaiting-approval'),
    record(iacOwned, 'proposed'),
    record(clusterSide, 'proposed'),
  ]);
}
