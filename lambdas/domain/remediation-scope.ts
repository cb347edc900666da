/**
 * Which roles and OIDC providers the remediator may change: ONE declaration, from which both the member stack's IAM
 * statements (infra/stacks/member-roles-stack.ts) and the code check (`roleInRemediationScope`, for the planner) are
 * derived, so that what IAM enforces and what code checks cannot drift apart.
 *
 * Patterns are IAM resource wildcards over the part of a role ARN after `role/`: the role's path without its leading
 * slash, then its name (`aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123`, `app-irsa` for path `/`). `*`
 * matches any run of characters, slashes included, exactly as in an IAM `Resource`; matching is case-sensitive, as
 * IAM matches ARNs.
 *
 * Pure: no AWS SDK, no CDK.
 */
import { wildcardMatch } from './trust-policy/wildcard';

/** The tag an operator puts on a role (value `true`) to let the remediator rewrite its trust policy. */
export const OPT_IN_TAG = 'irsa-doctor:remediable';
export const OPT_IN_VALUE = 'true';
/** A role carrying this tag (any value) is never rewritten, whatever the mode. */
export const PROTECTED_TAG = 'irsa-doctor:protected';
/** The tag the apply step puts on every OIDC provider it creates (and that rollback requires to delete one). */
export const PLAN_ID_TAG = 'irsa-doctor:plan-id';

/**
 * How roles enter the remediator's scope:
 * - `tagged` (the default): roles tagged `irsa-doctor:remediable=true`;
 * - `path`: roles whose path starts with one of the configured paths;
 * - `tagged-or-path`: either;
 * - `all-roles`: every role (opt-out; only the protected roles stay out).
 * In every mode the protected roles below are kept out by an explicit Deny.
 */
export const REMEDIATION_MODES = ['tagged', 'path', 'tagged-or-path', 'all-roles'] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];

export interface RemediationScope {
  readonly mode: RemediationMode;
  /** Role paths (`/irsa/`, `/teams/payments/`) opted in, for `path` and `tagged-or-path`. */
  readonly paths: readonly string[];
  /** IRSA Doctor's own role names in the accounts (scanner, remediator, the hub's reader and writer). */
  readonly ownRoleNames: readonly string[];
}

/** A kind of role that is never in scope: by exact name (any path), by name prefix (any path), or by path. */
export interface ProtectedRoles {
  readonly match: 'name' | 'name-prefix' | 'path';
  readonly value: string;
  readonly why: string;
}

/** Built-in and landing-zone roles: administrator-equivalent, or owned by AWS or by a deployment tool. */
export const BUILT_IN_PROTECTED_ROLES: readonly ProtectedRoles[] = [
  { match: 'name-prefix', value: 'AWSControlTower', why: 'AWS Control Tower role (AWSControlTowerExecution, ...)' },
  { match: 'name-prefix', value: 'aws-controltower-', why: 'AWS Control Tower landing-zone role' },
  { match: 'name-prefix', value: 'cdk-', why: 'CDK bootstrap role (deploy, CloudFormation execution, ...)' },
  { match: 'name-prefix', value: 'stacksets-exec-', why: 'service-managed StackSet execution role' },
  { match: 'name', value: 'AWSCloudFormationStackSetExecutionRole', why: 'self-managed StackSet execution role' },
  { match: 'name', value: 'OrganizationAccountAccessRole', why: 'AWS Organizations administrator access role' },
  { match: 'name-prefix', value: 'AWSReservedSSO_', why: 'IAM Identity Center (SSO) permission-set role' },
  { match: 'path', value: '/aws-reserved/', why: 'AWS-reserved role (IAM Identity Center)' },
  { match: 'path', value: '/aws-service-role/', why: 'service-linked role' },
  { match: 'name-prefix', value: 'IrsaDoctor', why: "IRSA Doctor's own role" },
];

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** An IAM role path: `/` alone, or `/segment/.../`, at most 512 characters. */
const ROLE_PATH = /^\/(?:[\w+=,.@-]+\/)*$/;

/** Why a scope cannot be used; the message names the field. */
export class RemediationScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemediationScopeError';
  }
}

/** Throws a RemediationScopeError when the scope is not usable (bad mode, bad or protected paths, bad names). */
export function validateRemediationScope(scope: RemediationScope): RemediationScope {
  if (!(REMEDIATION_MODES as readonly string[]).includes(scope.mode)) {
    throw new RemediationScopeError(
      `mode must be one of ${REMEDIATION_MODES.join(', ')}, got ${JSON.stringify(scope.mode)}`,
    );
  }
  const usesPaths = scope.mode === 'path' || scope.mode === 'tagged-or-path';
  if (usesPaths && scope.paths.length === 0) {
    throw new RemediationScopeError(`paths must name at least one role path with mode ${scope.mode}`);
  }
  if (!usesPaths && scope.paths.length > 0) {
    throw new RemediationScopeError(`paths are only used with mode path or tagged-or-path, not ${scope.mode}`);
  }
  for (const path of scope.paths) validateOptInPath(path);
  for (const name of scope.ownRoleNames) {
    if (typeof name !== 'string' || !ROLE_NAME.test(name)) {
      throw new RemediationScopeError(`ownRoleNames entries must be IAM role names, got ${JSON.stringify(name)}`);
    }
  }
  return scope;
}

/** An opted-in path must be a real IAM role path, not `/` (every role), and not under a protected path. */
function validateOptInPath(path: string): void {
  if (typeof path !== 'string' || path.length > 512 || !ROLE_PATH.test(path)) {
    throw new RemediationScopeError(`paths entries must be IAM role paths such as /irsa/, got ${JSON.stringify(path)}`);
  }
  if (path === '/') {
    throw new RemediationScopeError('paths must not be "/" (every role): use mode all-roles to mean that');
  }
  const hit = BUILT_IN_PROTECTED_ROLES.find((p) => p.match === 'path' && path.startsWith(p.value));
  if (hit) throw new RemediationScopeError(`paths must not opt in ${path}: ${hit.why}s are never remediable`);
}

/**
 * The scope from configuration text (e.g. environment variables of a function: the mode and comma-separated paths),
 * defaulting to `tagged`, validated. Throws a RemediationScopeError naming what is wrong.
 */
export function remediationScopeFrom(input: {
  readonly mode?: string | undefined;
  readonly paths?: string | readonly string[] | undefined;
  readonly ownRoleNames: readonly string[];
}): RemediationScope {
  const paths =
    typeof input.paths === 'string'
      ? input.paths
          .split(',')
          .map((p) => p.trim())
          .filter((p) => p !== '')
      : [...(input.paths ?? [])];
  return validateRemediationScope({
    mode: (input.mode === undefined || input.mode === '' ? 'tagged' : input.mode) as RemediationMode,
    paths,
    ownRoleNames: [...input.ownRoleNames],
  });
}

/** Every kind of protected role for this scope: the built-in ones and IRSA Doctor's own roles by name. */
export function protectedRoles(scope: RemediationScope): ProtectedRoles[] {
  return [
    ...BUILT_IN_PROTECTED_ROLES,
    ...[...new Set(scope.ownRoleNames)].map(
      (value): ProtectedRoles => ({ match: 'name', value, why: "IRSA Doctor's own role" }),
    ),
  ];
}

/** The resource wildcards (after `role/`) one kind of protected role stands for, at any path. */
export function protectedRolePatterns(roles: ProtectedRoles): string[] {
  switch (roles.match) {
    case 'name':
      return [roles.value, `*/${roles.value}`];
    case 'name-prefix':
      return [`${roles.value}*`, `*/${roles.value}*`];
    case 'path':
      return [`${roles.value.slice(1)}*`];
  }
}

/**
 * What the remediator may rewrite, as IAM resource wildcards after `role/` (with the opt-in tag condition for
 * `tagged`), and what it may never rewrite. The member stack turns each into a statement; nothing else does.
 */
export interface RoleScopeStatements {
  /** Allowed only when the role carries OPT_IN_TAG = OPT_IN_VALUE (empty when the mode does not use the tag). */
  readonly allowTaggedOn: readonly string[];
  /** Allowed without a condition (opted-in paths, or `*` for all-roles). */
  readonly allowOn: readonly string[];
  /** Denied always, whatever else allows (the protected roles). */
  readonly denyOn: readonly string[];
  /** Denied always when the role carries this tag (any value). */
  readonly denyTaggedWith: string;
}

export function roleScopeStatements(scope: RemediationScope): RoleScopeStatements {
  validateRemediationScope(scope);
  const tagged = scope.mode === 'tagged' || scope.mode === 'tagged-or-path';
  const allowOn =
    scope.mode === 'all-roles'
      ? ['*']
      : scope.mode === 'tagged'
        ? []
        : [...new Set(scope.paths)].map((path) => `${path.slice(1)}*`);
  return {
    allowTaggedOn: tagged ? ['*'] : [],
    allowOn,
    denyOn: [...new Set(protectedRoles(scope).flatMap(protectedRolePatterns))],
    denyTaggedWith: PROTECTED_TAG,
  };
}

/** What the predicate needs of a role: its name, path (default `/`) and tags. */
export interface ScopedRole {
  readonly name: string;
  readonly path?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export type RoleScopeVerdict =
  | { readonly inScope: true; readonly why: string }
  | {
      readonly inScope: false;
      readonly code: 'protected-role' | 'protected-tag' | 'not-opted-in';
      readonly why: string;
    };

/**
 * Whether the remediator may rewrite this role's trust policy, decided exactly as the member stack's IAM statements
 * decide it (the same patterns, Deny before Allow), with the reason. The planner should make a plan for a role out
 * of scope propose-only with `why`: IAM would refuse the write anyway.
 */
export function roleInRemediationScope(scope: RemediationScope, role: ScopedRole): RoleScopeVerdict {
  const statements = roleScopeStatements(scope);
  const resource = roleResource(role);
  for (const kind of protectedRoles(scope)) {
    if (protectedRolePatterns(kind).some((p) => wildcardMatch(p, resource))) {
      return { inScope: false, code: 'protected-role', why: `${kind.why} (${role.name}): never remediated` };
    }
  }
  if (tagValue(role.tags, statements.denyTaggedWith) !== undefined) {
    return {
      inScope: false,
      code: 'protected-tag',
      why: `role ${role.name} is tagged ${PROTECTED_TAG}: never remediated`,
    };
  }
  if (statements.allowOn.some((p) => wildcardMatch(p, resource))) {
    return {
      inScope: true,
      why: scope.mode === 'all-roles' ? 'every role is in scope (all-roles)' : `role path ${role.path ?? '/'} opted in`,
    };
  }
  if (statements.allowTaggedOn.length > 0 && tagValue(role.tags, OPT_IN_TAG) === OPT_IN_VALUE) {
    return { inScope: true, why: `role ${role.name} is tagged ${OPT_IN_TAG}=${OPT_IN_VALUE}` };
  }
  return { inScope: false, code: 'not-opted-in', why: notOptedIn(scope, role) };
}

function notOptedIn(scope: RemediationScope, role: ScopedRole): string {
  const tag = `${OPT_IN_TAG}=${OPT_IN_VALUE}`;
  const paths = scope.paths.join(', ');
  const how =
    scope.mode === 'tagged'
      ? `tag it ${tag}`
      : scope.mode === 'path'
        ? `it is not under ${paths}`
        : `tag it ${tag} (it is not under ${paths} either)`;
  return `role ${role.name} is not opted in to remediation: ${how}`;
}

/** The ARN part after `role/`: path without its leading slash, then the name. */
export function roleResource(role: ScopedRole): string {
  const path = role.path?.startsWith('/') ? role.path : '/';
  return `${path.slice(1)}${role.name}`;
}

/** A tag's value; keys compare case-insensitively, as IAM compares tag keys. */
function tagValue(tags: Readonly<Record<string, string>> | undefined, key: string): string | undefined {
  if (!tags) return undefined;
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(tags)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * The OIDC providers the remediator may create, repair, tag (at creation) and delete (when it created them): EKS
 * cluster issuers only, as wildcards after `oidc-provider/`. Other providers of the account (GitHub Actions, GitLab,
 * Terraform Cloud, ...) are out of its reach entirely.
 */
export const EKS_PROVIDER_PATTERNS = ['oidc.eks.*.amazonaws.com/id/*', 'oidc.eks.*.amazonaws.com.cn/id/*'] as const;

/** Whether the remediator may write to the provider with this URL (no scheme) at all. */
export function providerInRemediationScope(providerUrl: string): boolean {
  return EKS_PROVIDER_PATTERNS.some((p) => wildcardMatch(p, providerUrl));
}
