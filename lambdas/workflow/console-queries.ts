/**
 * What the console's read-only views ask: every account's latest findings (filtered), the runs newest first, one
 * run with its accounts, and the propose-only plans with their IaC guidance. Each reads by key or index (never a
 * Scan), one page at a time, and keeps only the accounts in the caller's scope (`scopeOf`, `inScope`). The query
 * parameters are validated here: an unknown, repeated or malformed one is an InvalidQueryError naming it (HTTP 400).
 */
import type {
  FindingsPage,
  FindingView,
  ProposalsPage,
  ProposalView,
  RunCounts,
  RunDetail,
  RunPlansPage,
  RunPlanView,
  RunsPage,
  RunView,
} from '../api/views';
import { atLeast, SEVERITIES, type Severity } from '../domain/finding';
import { isPartition, type PartitionName } from '../domain/partitions';
import type {
  AccountRunSummary,
  LatestFindingsQuery,
  ListedFinding,
  PageRequest,
  PlanRecord,
  ProposalsQuery,
  RunRecord,
} from '../ports/state-store';
import { ForbiddenError, InvalidQueryError, RunNotFoundError } from '../shared/errors';
import { type AccountScope, type ApiDeps, type Caller, inScope, scopeOf } from './approver-actions';

/** Reads of one page made at once (names, plans, latest runs). */
const READS_AT_ONCE = 10;
export const MAX_SEARCH_CHARS = 200;

const ACCOUNT = /^\d{12}$/;
const RULE = /^(IRSA|PI|DOC|SWEEP|KUBE)-\d{3}$/;
/** EKS cluster names: a letter or digit, then letters, digits, hyphens and underscores, at most 100. */
const CLUSTER = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** Kubernetes namespaces: an RFC 1123 label. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SUPPRESSED = ['hide', 'show', 'only'] as const;

/** The parameters every listing takes besides its filters (checked by the HTTP layer's pageOf). */
const PAGE_PARAMETERS = ['limit', 'cursor'] as const;
export const FINDINGS_PARAMETERS = [
  'severity',
  'rule',
  'account',
  'cluster',
  'namespace',
  'q',
  'suppressed',
  ...PAGE_PARAMETERS,
] as const;
export const RUNS_PARAMETERS = [...PAGE_PARAMETERS] as const;
export const PROPOSALS_PARAMETERS = ['account', 'rule', ...PAGE_PARAMETERS] as const;

/** The query's parameters, each given at most once (severity may repeat) and each one the route knows. */
export function checkParameters(params: URLSearchParams, allowed: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!allowed.includes(name)) {
      throw new InvalidQueryError(
        `unknown query parameter "${name.slice(0, 40)}"; this listing takes ${allowed.join(', ')}`,
        name.slice(0, 40),
      );
    }
    if (seen.has(name) && name !== 'severity') {
      throw new InvalidQueryError(`query parameter "${name}" is given more than once`, name);
    }
    seen.add(name);
  }
}

/** A parameter's value checked against its shape; undefined when absent. An empty value is refused, not ignored. */
function shaped(params: URLSearchParams, name: string, shape: RegExp, what: string): string | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (!shape.test(value)) {
    throw new InvalidQueryError(`${name}: "${value.slice(0, 60)}" is not ${what}`, name);
  }
  return value;
}

/**
 * `severity`: one value is a minimum (high: high and critical), several (comma-separated or repeated) are exactly
 * those, as the CLI's --severity. Any case.
 */
export function parseSeverities(values: readonly string[]): Severity[] | undefined {
  const given = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
  if (values.length > 0 && given.length === 0) {
    throw new InvalidQueryError(`severity is empty; use one of ${SEVERITIES.join(', ')}`, 'severity');
  }
  if (given.length === 0) return undefined;
  for (const value of given) {
    if (!(SEVERITIES as readonly string[]).includes(value)) {
      throw new InvalidQueryError(
        `severity: "${value.slice(0, 40)}" is not a severity; use one of ${SEVERITIES.join(', ')}`,
        'severity',
      );
    }
  }
  const severities = given as Severity[];
  if (severities.length === 1) return SEVERITIES.filter((s) => atLeast(s, severities[0] as Severity));
  return SEVERITIES.filter((s) => severities.includes(s));
}

/** GET /api/findings's filters from its query string (limit and cursor are read by the HTTP layer). */
export function parseFindingsQuery(params: URLSearchParams): LatestFindingsQuery {
  checkParameters(params, FINDINGS_PARAMETERS);
  const severities = parseSeverities(params.getAll('severity'));
  const ruleId = shaped(params, 'rule', RULE, 'a rule id (like IRSA-015 or KUBE-003)');
  const accountId = shaped(params, 'account', ACCOUNT, 'an account id (12 digits)');
  const cluster = shaped(params, 'cluster', CLUSTER, 'a cluster name');
  const namespace = shaped(params, 'namespace', NAMESPACE, 'a Kubernetes namespace');
  const q = params.get('q');
  if (q !== null && (q.trim() === '' || q.length > MAX_SEARCH_CHARS)) {
    throw new InvalidQueryError(`q: the search text must have 1 to ${MAX_SEARCH_CHARS} characters`, 'q');
  }
  const suppressed = params.get('suppressed');
  if (suppressed !== null && !(SUPPRESSED as readonly string[]).includes(suppressed)) {
    throw new InvalidQueryError(
      `suppressed: "${suppressed.slice(0, 20)}" is not one of ${SUPPRESSED.join(', ')}`,
      'suppressed',
    );
  }
  return {
    ...(severities ? { severities } : {}),
    ...(ruleId ? { ruleId } : {}),
    ...(accountId ? { accountId } : {}),
    ...(cluster ? { cluster } : {}),
    ...(namespace ? { namespace } : {}),
    ...(q !== null ? { text: q.trim().toLowerCase() } : {}),
    ...(suppressed ? { suppressed: suppressed as LatestFindingsQuery['suppressed'] } : {}),
  };
}

/** GET /api/proposals's filters. */
export function parseProposalsQuery(params: URLSearchParams): ProposalsQuery {
  checkParameters(params, PROPOSALS_PARAMETERS);
  const accountId = shaped(params, 'account', ACCOUNT, 'an account id (12 digits)');
  const ruleId = shaped(params, 'rule', RULE, 'a rule id (like IRSA-015 or KUBE-003)');
  return { ...(accountId ? { accountId } : {}), ...(ruleId ? { ruleId } : {}) };
}

/** The accounts a store query is limited to (absent: all), and a refusal for an account asked outside the scope. */
function scoped<Q extends { readonly accountId?: string }>(scope: AccountScope, query: Q): Q & { accounts?: string[] } {
  if (query.accountId !== undefined && !inScope(scope, query.accountId)) {
    throw new ForbiddenError(`account ${query.accountId} is not in your approver scope`);
  }
  return scope.all ? query : { ...query, accounts: [...scope.accounts].sort() };
}

/** Maps `items` a few at a time. */
async function mapAtOnce<T, U>(items: readonly T[], map: (item: T) => Promise<U>): Promise<U[]> {
  const out: U[] = [];
  for (let i = 0; i < items.length; i += READS_AT_ONCE) {
    out.push(...(await Promise.all(items.slice(i, i + READS_AT_ONCE).map(map))));
  }
  return out;
}

/** Memoized by key: each distinct read once per request. */
function once<T>(read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const seen = new Map<string, Promise<T>>();
  return (key) => {
    let value = seen.get(key);
    if (!value) {
      value = read(key);
      seen.set(key, value);
    }
    return value;
  };
}

/** Account names from the accounts' summaries of a run (a key read per run and account). */
function accountNames(deps: ApiDeps) {
  const read = once(async (key) => {
    const [runId = '', accountId = ''] = key.split('\u0000');
    return (await deps.store.getAccountSummary(runId, accountId))?.name;
  });
  return (runId: string, accountId: string) => read(`${runId}\u0000${accountId}`);
}

/**
 * A page of every account's latest findings that pass the query, most severe first, with account names and each
 * finding's open plan.
 */
export async function pageFindings(
  deps: ApiDeps,
  caller: Caller,
  query: LatestFindingsQuery,
  page: PageRequest = {},
): Promise<FindingsPage> {
  const scope = await scopeOf(deps, caller);
  const out = await deps.store.pageLatestFindings(scoped(scope, query), page);
  const listed = out.items.filter((l) => inScope(scope, l.finding.accountId));
  const nameOf = accountNames(deps);
  const openPlan = once((planId) => deps.store.openPlanOf(planId));
  const view = async (l: ListedFinding): Promise<FindingView> => {
    const [accountName, open] = await Promise.all([
      nameOf(l.runId, l.finding.accountId),
      l.planId ? openPlan(l.planId) : undefined,
    ]);
    return {
      runId: l.runId,
      finding: l.finding,
      ...(accountName ? { accountName } : {}),
      ...(open && l.planId ? { plan: { runId: open.runId, planId: l.planId, status: open.status } } : {}),
    };
  };
  return { findings: await mapAtOnce(listed, view), ...(out.cursor ? { cursor: out.cursor } : {}) };
}

/** Whether a run touched an account in scope (its targets, or its cluster's account). */
function runInScope(scope: AccountScope, run: RunRecord): boolean {
  if (scope.all) return true;
  return (
    run.targets.some((t) => inScope(scope, t)) || (run.cluster !== undefined && inScope(scope, run.cluster.accountId))
  );
}

/** The console host of a partition (the execution's page lives there). */
const CONSOLE_HOSTS: Readonly<Record<PartitionName, string>> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

/**
 * The Step Functions console page of an execution ARN (arn:<partition>:states:<region>:<account>:execution:...),
 * on its partition's console host; undefined for anything else (a local run's id).
 */
export function executionConsoleUrl(executionArn: string): string | undefined {
  const [arn, partition = '', service, region = ''] = executionArn.split(':');
  if (
    arn !== 'arn' ||
    service !== 'states' ||
    !isPartition(partition) ||
    !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)
  ) {
    return undefined;
  }
  if (!executionArn.split(':')[5]?.startsWith('execution')) return undefined;
  return `https://${region}.${CONSOLE_HOSTS[partition]}/states/home?region=${region}#/v2/executions/details/${encodeURIComponent(executionArn)}`;
}

/** The run's digest counts (set by the report step), read defensively: older runs may lack some. */
function countsOf(summary: RunRecord['summary']): RunCounts | undefined {
  if (!summary || typeof summary.findings !== 'number') return undefined;
  const pick = <K extends keyof RunCounts>(key: K) => (summary[key] !== undefined ? { [key]: summary[key] } : {});
  const keys: (keyof RunCounts)[] = [
    'accounts',
    'analyzed',
    'findings',
    'bySeverity',
    'suppressed',
    'plans',
    'plansWaiting',
    'started',
    'proposeOnly',
    'partial',
    'unreachable',
    'failed',
  ];
  return Object.assign({}, ...keys.map(pick)) as RunCounts;
}

/** A run as the console shows it; `withCounts` false for a scoped caller (the digest sums every account). */
export function runView(run: RunRecord, withCounts = true): RunView {
  const { summary, ...rest } = run;
  const finishedAt = typeof summary?.finishedAt === 'string' ? Date.parse(summary.finishedAt) : Number.NaN;
  const started = Date.parse(run.startedAt);
  const counts = withCounts ? countsOf(summary) : undefined;
  const url = executionConsoleUrl(run.executionId);
  return {
    run: rest,
    ...(counts ? { counts } : {}),
    ...(Number.isFinite(finishedAt) && Number.isFinite(started)
      ? { durationSeconds: Math.max(0, Math.round((finishedAt - started) / 1000)) }
      : {}),
    ...(url ? { executionUrl: url } : {}),
  };
}

/** A page of the runs, newest first; a scoped caller sees the runs that touched its accounts, without org totals. */
export async function pageRunViews(deps: ApiDeps, caller: Caller, page: PageRequest = {}): Promise<RunsPage> {
  const scope = await scopeOf(deps, caller);
  const out = await deps.store.pageRuns(page);
  const runs = out.items.filter((r) => runInScope(scope, r)).map((r) => runView(r, scope.all));
  return { runs, ...(out.cursor ? { cursor: out.cursor } : {}) };
}

/** One run and a page of its accounts' summaries (in scope only). */
export async function showRun(
  deps: ApiDeps,
  caller: Caller,
  runId: string,
  page: PageRequest = {},
): Promise<RunDetail> {
  const scope = await scopeOf(deps, caller);
  const run = await deps.store.getRun(runId);
  if (!run || !runInScope(scope, run)) throw new RunNotFoundError(`run ${runId} not found (it may have aged out)`);
  const out = await deps.store.pageAccountSummaries(runId, page);
  const accounts: AccountRunSummary[] = out.items.filter((s) => inScope(scope, s.accountId));
  return { ...runView(run, scope.all), accounts, ...(out.cursor ? { cursor: out.cursor } : {}) };
}

/** A page of the run's plans (in scope only), by plan id: each links to the plan's page. */
export async function pageRunPlans(
  deps: ApiDeps,
  caller: Caller,
  runId: string,
  page: PageRequest = {},
): Promise<RunPlansPage> {
  const scope = await scopeOf(deps, caller);
  const run = await deps.store.getRun(runId);
  if (!run || !runInScope(scope, run)) throw new RunNotFoundError(`run ${runId} not found (it may have aged out)`);
  const out = await deps.store.pageRunPlans(runId, page);
  const plans = out.items
    .filter((r) => inScope(scope, r.plan.accountId))
    .map(
      (r): RunPlanView => ({
        runId: r.runId,
        planId: r.planId,
        accountId: r.plan.accountId,
        ...(r.plan.cluster ? { cluster: r.plan.cluster } : {}),
        action: r.plan.action,
        resourceArn: r.plan.resourceArn,
        ruleIds: r.plan.ruleIds,
        risk: r.plan.risk.level,
        applicable: r.plan.applicable,
        status: r.status,
        ...(r.detail ? { detail: r.detail } : {}),
        updatedAt: r.updatedAt,
      }),
    );
  return { plans, ...(out.cursor ? { cursor: out.cursor } : {}) };
}

/** The text a person copies to make a propose-only change: why, who owns the resource and how to change it there. */
export function proposalGuidance(record: PlanRecord): string {
  const plan = record.plan;
  const lines = [
    `${plan.action} on ${plan.resourceArn}`,
    `Why a person makes this change: ${plan.proposeOnlyReason ?? record.detail ?? 'the change needs a person'}`,
  ];
  if (plan.owner) {
    lines.push(
      `Owned by ${plan.owner.tool}${plan.owner.stack ? ` (stack ${plan.owner.stack})` : ''}: ${plan.owner.evidence}`,
      `How to change it there: ${plan.owner.howToChange}`,
    );
  }
  lines.push(`Rationale: ${plan.rationale}`, '', plan.diff);
  return lines.join('\n');
}

function proposalView(record: PlanRecord, accountName: string | undefined): ProposalView {
  const plan = record.plan;
  return {
    runId: record.runId,
    planId: record.planId,
    accountId: plan.accountId,
    ...(accountName ? { accountName } : {}),
    ...(plan.cluster ? { cluster: plan.cluster } : {}),
    ...(plan.region ? { region: plan.region } : {}),
    action: plan.action,
    resourceArn: plan.resourceArn,
    ruleIds: plan.ruleIds,
    rationale: plan.rationale,
    reason: plan.proposeOnlyReason ?? record.detail ?? 'the change needs a person',
    ...(plan.owner ? { owner: plan.owner } : {}),
    guidance: proposalGuidance(record),
    diff: plan.diff,
    recordedAt: record.updatedAt,
  };
}

/**
 * A page of the propose-only plans, newest first: each plan id once (its latest recording), and only while its
 * run is still its account's latest (a later run that did not propose it again means it is gone).
 */
export async function pageProposalViews(
  deps: ApiDeps,
  caller: Caller,
  query: ProposalsQuery,
  page: PageRequest = {},
): Promise<ProposalsPage> {
  const scope = await scopeOf(deps, caller);
  const out = await deps.store.pageProposals(scoped(scope, query), page);
  const latestOf = once((accountId) => deps.store.latestRunOf(accountId));
  const nameOf = accountNames(deps);
  const views = await mapAtOnce(
    out.items.filter((r) => inScope(scope, r.plan.accountId)),
    async (r) => {
      const latest = await latestOf(r.plan.accountId);
      if (latest !== undefined && latest !== r.runId) return undefined;
      return proposalView(r, await nameOf(r.runId, r.plan.accountId));
    },
  );
  return {
    proposals: views.filter((v): v is ProposalView => v !== undefined),
    ...(out.cursor ? { cursor: out.cursor } : {}),
  };
}
