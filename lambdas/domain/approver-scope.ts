/**
 * Who may decide what: approver rules (by configuration) map a person's groups to the accounts whose plans,
 * findings, runs and changes they may see and decide (every account, or some accounts and organizational units),
 * and the second-approval rule says which plans need two approvers. Pure: the OU paths of the accounts come from
 * the caller (the sweep records them in the state store; the API reads them by key).
 */

/** One approver rule: members of `group` approve in the listed accounts and OUs; neither listed: every account. */
export interface ApproverRule {
  readonly group: string;
  readonly accounts?: readonly string[];
  /** OU ids (ou-...) or a root id (r-...): every account under them, at any depth. */
  readonly organizationalUnits?: readonly string[];
}

/** Which plans need a second, distinct approver: those of these risk levels or these actions. */
export interface SecondApprovalRule {
  readonly risks: readonly ('low' | 'medium' | 'high')[];
  readonly actions: readonly string[];
}

export const DEFAULT_SECOND_APPROVAL: SecondApprovalRule = { risks: ['high'], actions: [] };
export const NO_SECOND_APPROVAL: SecondApprovalRule = { risks: [], actions: [] };

/**
 * The accounts a caller may see and decide: every account, or the listed accounts and the accounts under the listed
 * OUs (resolved through `ouPaths`).
 */
export interface AccountScope {
  readonly all: boolean;
  readonly accounts: ReadonlySet<string>;
  /** OU and root ids the caller's rules name; an account is in scope when its OU path contains one. */
  readonly organizationalUnits?: ReadonlySet<string>;
  /** The OU path (root first, e.g. ["r-ab12", "ou-ab12-11111111"]) of each account the sweep has listed. */
  readonly ouPaths?: ReadonlyMap<string, readonly string[]>;
}

/** The rules that match a person's groups. */
export function rulesOf(rules: readonly ApproverRule[], groups: readonly string[]): ApproverRule[] {
  const member = new Set(groups);
  return rules.filter((r) => member.has(r.group));
}

/** Whether any rule names OUs (then the accounts' OU paths are needed to decide). */
export function needsOuPaths(rules: readonly ApproverRule[]): boolean {
  return rules.some((r) => (r.organizationalUnits?.length ?? 0) > 0);
}

/** The union of the matching rules' scopes; undefined when no rule matches (not an approver). */
export function scopeFor(
  rules: readonly ApproverRule[],
  groups: readonly string[],
  ouPaths: ReadonlyMap<string, readonly string[]> = new Map(),
): AccountScope | undefined {
  const matching = rulesOf(rules, groups);
  if (matching.length === 0) return undefined;
  const all = matching.some((r) => !r.accounts?.length && !r.organizationalUnits?.length);
  return {
    all,
    accounts: new Set(matching.flatMap((r) => r.accounts ?? [])),
    organizationalUnits: new Set(matching.flatMap((r) => r.organizationalUnits ?? [])),
    ouPaths,
  };
}

/** Whether an account is in the scope: every account, a listed one, or one under a listed OU. */
export function accountInScope(scope: AccountScope, accountId: string): boolean {
  if (scope.all || scope.accounts.has(accountId)) return true;
  const ous = scope.organizationalUnits;
  if (!ous || ous.size === 0) return false;
  return (scope.ouPaths?.get(accountId) ?? []).some((ou) => ous.has(ou));
}

/** How a scope reads in a message: "every account", or its accounts and OUs. */
export function describeScope(scope: AccountScope): string {
  if (scope.all) return 'every account';
  const parts = [...scope.accounts].sort();
  const ous = [...(scope.organizationalUnits ?? [])].sort();
  return [...parts, ...ous.map((o) => `OU ${o}`)].join(', ') || 'no account';
}

/** How many distinct approvals a plan needs: 2 when its risk or action is in the rule, else 1. */
export function approvalsNeeded(rule: SecondApprovalRule, plan: { readonly action: string; readonly risk: string }) {
  return (rule.risks as readonly string[]).includes(plan.risk) || rule.actions.includes(plan.action) ? 2 : 1;
}

/**
 * Whether a caller is the person a requester names: the same id, or the same user name or e-mail (a caller's id is
 * "name <email>" when both are known). Case-insensitive.
 */
export function isSamePerson(callerId: string, requester: string): boolean {
  const norm = (s: string) => s.trim().toLowerCase();
  const names = (s: string) => {
    const m = /^(.*?)\s*<([^>]+)>$/.exec(s.trim());
    return m ? [norm(s), norm(m[1] ?? ''), norm(m[2] ?? '')] : [norm(s)];
  };
  const mine = new Set(names(callerId).filter((n) => n !== ''));
  return names(requester).some((n) => n !== '' && mine.has(n));
}

const ACCOUNT_ID = /^\d{12}$/;
const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const RISKS = ['low', 'medium', 'high'] as const;

/**
 * Reads approver rules (configuration, or its JSON in the API's environment), naming the first bad field in the
 * problem it throws through `fail` (a ConfigError in the CDK app, a UsageError in a function).
 */
export function parseApproverRules(value: unknown, fail: (field: string, message: string) => never): ApproverRule[] {
  if (!Array.isArray(value) || value.length === 0) {
    return fail(
      'approvers',
      `must be a non-empty list of {group, accounts?, organizationalUnits?}, got ${show(value)}`,
    );
  }
  return value.map((entry, i) => {
    const field = `approvers[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      return fail(field, `must be an object such as {"group":"payments-approvers","accounts":["111111111111"]}`);
    }
    const e = entry as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => !['group', 'accounts', 'organizationalUnits'].includes(k));
    if (unknown.length > 0) {
      return fail(`${field}.${unknown[0]}`, 'is not a known field (known: group, accounts, organizationalUnits)');
    }
    if (typeof e.group !== 'string' || !GROUP_NAME.test(e.group)) {
      return fail(`${field}.group`, `must be a Cognito group name (1-128 characters, no spaces), got ${show(e.group)}`);
    }
    const accounts = idList(e.accounts, `${field}.accounts`, ACCOUNT_ID, 'a 12-digit account id', fail);
    const ous = idList(e.organizationalUnits, `${field}.organizationalUnits`, PARENT_ID, 'an OU or root id', fail);
    return {
      group: e.group,
      ...(accounts.length > 0 ? { accounts } : {}),
      ...(ous.length > 0 ? { organizationalUnits: ous } : {}),
    };
  });
}

/** Reads a second-approval rule: `{ risks?, actions? }`, each a list (empty: none). */
export function parseSecondApproval(
  value: unknown,
  knownActions: readonly string[],
  fail: (field: string, message: string) => never,
): SecondApprovalRule {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('secondApproval', `must be an object such as {"risks":["high"],"actions":[]}, got ${show(value)}`);
  }
  const v = value as Record<string, unknown>;
  const unknown = Object.keys(v).filter((k) => k !== 'risks' && k !== 'actions');
  if (unknown.length > 0) return fail(`secondApproval.${unknown[0]}`, 'is not a known field (known: risks, actions)');
  const risks = v.risks === undefined ? [] : v.risks;
  const actions = v.actions === undefined ? [] : v.actions;
  const riskList = enumList(risks, 'secondApproval.risks', RISKS, fail) as SecondApprovalRule['risks'];
  const actionList = enumList(actions, 'secondApproval.actions', knownActions, fail);
  return { risks: riskList, actions: actionList };
}

function idList(
  value: unknown,
  field: string,
  pattern: RegExp,
  expected: string,
  fail: (field: string, message: string) => never,
): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail(field, `must be a list, got ${show(value)}`);
  const bad = value.findIndex((v) => typeof v !== 'string' || !pattern.test(v));
  if (bad >= 0) return fail(`${field}[${bad}]`, `must be ${expected}, got ${show(value[bad])}`);
  return [...new Set(value as string[])];
}

function enumList(
  value: unknown,
  field: string,
  allowed: readonly string[],
  fail: (field: string, message: string) => never,
): string[] {
  if (!Array.isArray(value)) return fail(field, `must be a list, got ${show(value)}`);
  const bad = value.findIndex((v) => typeof v !== 'string' || !allowed.includes(v));
  if (bad >= 0) return fail(`${field}[${bad}]`, `must be one of ${allowed.join(', ')}, got ${show(value[bad])}`);
  return [...new Set(value as string[])];
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
