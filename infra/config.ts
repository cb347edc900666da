/**
 * The deployment's configuration: typed, defaulted and validated once, before any construct is made. Overrides come
 * from the CDK context key `irsa-doctor` (cdk.json, or `cdk synth -c irsa-doctor='{"accounts":["111122223333"]}'`);
 * a bad value fails synth with an error naming the field.
 */
import { Duration } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import {
  type ApproverRule,
  DEFAULT_SECOND_APPROVAL,
  parseApproverRules,
  parseSecondApproval,
  type SecondApprovalRule,
} from '../lambdas/domain/approver-scope';
import { APPLIED_ACTIONS, type AppliedAction } from '../lambdas/domain/fix-action-iam';
import { PLAN_ACTIONS, WIDENING_CLASSES } from '../lambdas/domain/plan/plan-model';
import type { WideningClass } from '../lambdas/domain/plan/prove';
import {
  OPT_IN_TAG,
  OPT_IN_VALUE,
  REMEDIATION_MODES,
  type RemediationMode,
  RemediationScopeError,
  validateRemediationScope,
} from '../lambdas/domain/remediation-scope';

/** The CDK context key the overrides are read from. */
export const CONFIG_CONTEXT_KEY = 'irsa-doctor';

/**
 * Plan actions that may be allowed to run without a person's approval (none are by default): the actions the
 * workflow applies (lambdas/domain/fix-action-iam.ts, the keys of the fix-action registry).
 */
export const AUTO_APPLICABLE_ACTIONS: readonly AppliedAction[] = APPLIED_ACTIONS;
export type AutoApplicableAction = AppliedAction;

export interface IrsaDoctorConfig {
  /**
   * The account the hub stack is deployed to; member roles trust its reader and writer roles.
   * @default - the CLI's account (CDK_DEFAULT_ACCOUNT)
   */
  readonly hubAccountId?: string;
  /**
   * The hub stack's region (where member accounts forward CreateCluster events to).
   * @default - the CLI's region (CDK_DEFAULT_REGION)
   */
  readonly hubRegion?: string;
  /**
   * Accounts to sweep (12-digit ids). Give these or `organization`, not both; with neither, the hub account alone.
   * @default []
   */
  readonly accounts: readonly string[];
  /**
   * Sweep the organization's accounts, read from AWS Organizations (the hub is the management or a delegated
   * administrator account).
   * @default false
   */
  readonly organization: boolean;
  /** With `organization`: only accounts under these OUs or roots (children included). @default [] */
  readonly organizationalUnits: readonly string[];
  /** Accounts never swept. @default [] */
  readonly excludeAccounts: readonly string[];
  /**
   * Regions in which EKS clusters are listed; none (empty): the default regions of the hub's partition, chosen by
   * the workflow at run time (lambdas/domain/partitions.ts), so a China or GovCloud hub sweeps its own. @default []
   */
  readonly regions: readonly string[];
  /** EventBridge Scheduler expression of the periodic sweep. @default 'rate(1 day)' */
  readonly schedule: string;
  /**
   * How long a plan waits for a person before it is recorded as timed out; at most 364 days (the remediation
   * execution that waits must end within Step Functions' one year). Any number of plans wait at once: each plan has
   * its own remediation execution. @default Duration.hours(24)
   */
  readonly approvalTimeout: Duration;
  /** Accounts collected at once (the sweep's Collect Accounts Distributed Map). @default 40 */
  readonly accountConcurrency: number;
  /**
   * Accounts analyzed and planned at once (the sweep's Analyze Accounts Distributed Map); each analysis holds one
   * account's snapshot and the issuer index. @default 40
   */
  readonly analysisConcurrency: number;
  /**
   * Read each ACTIVE cluster's Kubernetes API (service accounts, pods, webhook) as the member scanner role, with an
   * EKS bearer token. Needs an access entry for the scanner role on every cluster (KUBE-001 plans it, with approval)
   * and a public endpoint open to the Lambda; other clusters are reported unreadable with the reason. Off by
   * default: turning it on asks each cluster owner for that access. @default false
   */
  readonly readClusters: boolean;
  /**
   * Import every sweep's findings into the hub account's Security Hub (BatchImportFindings on the hub's default
   * product; Security Hub must be enabled in the hub's region), resolved ones archived. @default true
   */
  readonly securityHub: boolean;
  /** Interval between status checks of a new cluster. @default Duration.seconds(60) */
  readonly clusterPollInterval: Duration;
  /** Status checks of a new cluster before it is given up on. @default 30 */
  readonly clusterWaitAttempts: number;
  /** Plan actions applied without approval. @default [] (every change waits for a person) */
  readonly autoApplyActions: readonly AutoApplicableAction[];
  /**
   * Classes of declared widening a trust-policy plan may carry and still be applicable: `wildcard-meant` (a :sub
   * pattern under StringEquals meant as a wildcard, IRSA-017), `dropped-duplicate` (a value hidden by a repeated key,
   * merged back, IRSA-022), `any-service-account` (a :sub pattern that lets any service account in),
   * `pod-identity-action` (sts:TagSession for pods.eks.amazonaws.com, PI-050). Such plans still wait for approval.
   * @default [] (a plan that knowingly allows more than named workloads is propose-only)
   */
  readonly allowWidening: readonly WideningClass[];
  /** The read-only role in every swept account. @default 'IrsaDoctorScanner' */
  readonly scannerRoleName: string;
  /** The narrow write role in every swept account. @default 'IrsaDoctorRemediator' */
  readonly remediatorRoleName: string;
  /**
   * Which roles the remediator may rewrite, enforced by IAM in every member account (lambdas/domain/remediation-scope.ts):
   * `tagged` (roles tagged `irsa-doctor:remediable=true`), `path` (roles under `remediablePaths`), `tagged-or-path`,
   * or `all-roles` (opt-out). In every mode the built-in and landing-zone roles, IRSA Doctor's own roles and roles
   * tagged `irsa-doctor:protected` are kept out by an explicit Deny.
   * @default 'tagged'
   */
  readonly remediableRoles: RemediationMode;
  /** Role paths opted in with `path` or `tagged-or-path` (e.g. ['/irsa/']). @default [] */
  readonly remediablePaths: readonly string[];
  /** sts:ExternalId required by the member roles. @default - none */
  readonly externalId?: string;
  /** Subscribed to the notification topic (summaries and approval requests). @default - no subscription */
  readonly notificationEmail?: string;
  /**
   * The organization (o-...) whose accounts may forward events to the hub bus. Required with `organization`.
   * @default - the accounts listed in `accounts` may forward events
   */
  readonly organizationId?: string;
  /**
   * Base URL of the approval console linked from approval requests (`<consoleUrl>/plans/<runId>/<planId>`).
   * @default - with `console`, the console's CloudFront URL; without it, no link
   */
  readonly consoleUrl?: string;
  /**
   * Deploy the approval console in the hub: a Cognito user pool, an HTTP API with a JWT authorizer and its function,
   * and the browser page on S3 behind CloudFront (infra/constructs/approval-console.ts).
   * @default true
   */
  readonly console: boolean;
  /** The Cognito group whose members may approve, reject and roll back plans. @default 'irsa-doctor-approvers' */
  readonly approversGroup: string;
  /**
   * Approver groups scoped to accounts or OUs: members of `group` see and decide the plans, changes and mutes of the
   * listed accounts and of every account under the listed OUs (ou-... or r-... ids; an account's OU path is recorded
   * when a sweep lists it with `organizationalUnits`), on every route of the console's API; a rule with neither
   * list covers every account. A person in several groups has the union. The user pool gets each group named here
   * (people of the pool are put in them; federated people bring theirs through the identity provider's groups).
   * @default - one rule: `approversGroup`, every account
   */
  readonly approvers?: readonly ApproverRule[];
  /**
   * Which plans need a second approval, by a distinct person, before they are applied: plans of these risk levels
   * (`low`, `medium`, `high`) or these actions. The first approval is recorded and waits; the same person again is
   * refused; a rejection by anyone decides at once. `{ risks: [], actions: [] }` turns it off.
   * @default { risks: ['high'], actions: [] }
   */
  readonly secondApproval: SecondApprovalRule;
  /**
   * The prefix of the console's Cognito managed login domain (https://<prefix>.auth.<region>.amazoncognito.com):
   * lower-case letters, digits and hyphens, unique in the region, without "aws", "amazon" or "cognito".
   * @default - 'irsa-doctor-<hub account id>'
   */
  readonly consoleDomainPrefix?: string;
  /**
   * Single sign-on through the organization's identity provider: SAML (for example IAM Identity Center) or OIDC,
   * shown on the managed login page; its groups attribute is mapped into the ID token (custom:groups), read by the
   * API beside cognito:groups.
   * @default - none: people sign in with users of the pool itself
   */
  readonly consoleIdentityProvider?: ConsoleIdentityProviderConfig;
  /**
   * The loopback ports `irsa-doctor login` listens on for the browser's redirect (http://localhost:<port>/callback,
   * registered as callback URLs of the app client: Cognito matches them exactly). @default [53682]
   */
  readonly consoleCliPorts: readonly number[];
  /**
   * Demo only: let the app client also take USER_PASSWORD_AUTH (a password sent to Cognito by a script). Never for
   * an organization: sign-in is the authorization code flow with PKCE through managed login.
   * @default false
   */
  readonly consolePasswordSignIn: boolean;
  /**
   * Deploy the member stacks from the hub as two service-managed StackSets (infra/constructs/member-stack-sets.ts):
   * the roles once per account, the CreateCluster forwarder in each listed region, to every account of the OUs,
   * and automatically to accounts that join them later. Needs `organization: true`; the hub must be the
   * management account, or a delegated administrator for StackSets with `callAs: 'DELEGATED_ADMIN'`.
   * @default - none: member stacks are deployed by other means (README, "Member accounts")
   */
  readonly memberStackSet?: MemberStackSetConfig;
}

/** The console's federated identity provider (`consoleIdentityProvider`). */
export interface ConsoleIdentityProviderConfig {
  /** `saml` (IAM Identity Center, Entra ID, Okta…) or `oidc`. */
  readonly type: 'saml' | 'oidc';
  /** Its name in the user pool and on the managed login page (1-32 characters). */
  readonly name: string;
  /** SAML: the URL of the identity provider's metadata document. */
  readonly metadataUrl?: string;
  /** SAML: a file holding the metadata document (read at synth), when there is no URL. */
  readonly metadataFile?: string;
  /** OIDC: the issuer URL (https://). */
  readonly issuer?: string;
  /** OIDC: the client id registered with the identity provider. */
  readonly clientId?: string;
  /** OIDC: the ARN of the Secrets Manager secret holding the client secret (a plain string secret). */
  readonly clientSecretArn?: string;
  /** OIDC: the scopes asked for. @default ['openid', 'email', 'profile'] */
  readonly scopes?: readonly string[];
  /**
   * The identity provider's attribute (SAML attribute name, OIDC claim) listing the person's groups, mapped to
   * the pool's custom:groups attribute. @default - none: add federated users to the pool's groups instead
   */
  readonly groupsAttribute?: string;
  /** The attribute holding the e-mail address. @default SAML the claims emailaddress URI, OIDC 'email' */
  readonly emailAttribute?: string;
}

/** StackSet callers: the management account itself, or a delegated administrator of CloudFormation StackSets. */
export const STACK_SET_CALLERS = ['SELF', 'DELEGATED_ADMIN'] as const;
export type StackSetCaller = (typeof STACK_SET_CALLERS)[number];

/** The hub's own StackSets of the member stacks (`memberStackSet`). */
export interface MemberStackSetConfig {
  /** OUs or the root (ou-..., r-...) whose accounts, children included, get the member stacks. */
  readonly organizationalUnits: readonly string[];
  /** Regions of the CreateCluster forwarder (the roles, global, are deployed once per account, in the hub's region). */
  readonly regions: readonly string[];
  /** Who the hub is to StackSets: `SELF` (management account) or `DELEGATED_ADMIN`. @default 'SELF' */
  readonly callAs: StackSetCaller;
  /** Share of accounts deployed at once, per region. @default 25 */
  readonly maxConcurrentPercentage: number;
  /** Share of accounts per region that may fail before an operation stops. @default 0 */
  readonly failureTolerancePercentage: number;
}

/** `memberStackSet` as a caller gives it: the OUs and regions, the rest defaulted. */
export type MemberStackSetInput = Pick<MemberStackSetConfig, 'organizationalUnits' | 'regions'> &
  Partial<Omit<MemberStackSetConfig, 'organizationalUnits' | 'regions'>>;

/**
 * What the context (or a caller) may give: every field optional; durations as a CDK `Duration`, a number of
 * seconds, or an ISO 8601 duration string ('PT24H').
 */
export type IrsaDoctorConfigInput = {
  readonly [K in keyof IrsaDoctorConfig]?: NonNullable<IrsaDoctorConfig[K]> extends MemberStackSetConfig
    ? MemberStackSetInput
    : IrsaDoctorConfig[K] extends Duration
      ? Duration | number | string
      : IrsaDoctorConfig[K] extends readonly AutoApplicableAction[] | readonly WideningClass[]
        ? readonly string[]
        : IrsaDoctorConfig[K];
};

/** A configuration value that cannot be used; the message names the field. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`irsa-doctor config: ${field} ${message}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_CONFIG: IrsaDoctorConfig = {
  accounts: [],
  organization: false,
  organizationalUnits: [],
  excludeAccounts: [],
  regions: [],
  schedule: 'rate(1 day)',
  approvalTimeout: Duration.hours(24),
  accountConcurrency: 40,
  analysisConcurrency: 40,
  readClusters: false,
  securityHub: true,
  clusterPollInterval: Duration.seconds(60),
  clusterWaitAttempts: 30,
  autoApplyActions: [],
  allowWidening: [],
  scannerRoleName: 'IrsaDoctorScanner',
  remediatorRoleName: 'IrsaDoctorRemediator',
  remediableRoles: 'tagged',
  remediablePaths: [],
  console: true,
  approversGroup: 'irsa-doctor-approvers',
  secondApproval: DEFAULT_SECOND_APPROVAL,
  consoleCliPorts: [53682],
  consolePasswordSignIn: false,
};

const ACCOUNT_ID = /^\d{12}$/;
const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SCHEDULE = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\)|at\(.+\))$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** Cognito group names: 1 to 128 letters, marks, symbols, digits or punctuation (no spaces). */
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
/** A Cognito domain prefix: lower-case letters, digits and hyphens (reserved words checked separately). */
const DOMAIN_PREFIX = /^(?!.*(aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** The fields a caller may set; anything else is a typo. */
const KNOWN_FIELDS = new Set<string>([
  ...Object.keys(DEFAULT_CONFIG),
  'hubAccountId',
  'hubRegion',
  'externalId',
  'notificationEmail',
  'organizationId',
  'consoleUrl',
  'memberStackSet',
  'approvers',
  'consoleDomainPrefix',
  'consoleIdentityProvider',
]);

/** Fields an earlier version took, with what to do instead: a clear error rather than "not a known field". */
const RETIRED_FIELDS: Readonly<Record<string, string>> = {
  planConcurrency:
    'is no longer used: each plan has its own remediation execution, so any number of plans wait for approval at ' +
    'once; remove it',
};

/** Applies the defaults to `input` and validates the result; throws a `ConfigError` naming the first bad field. */
export function resolveConfig(input: IrsaDoctorConfigInput = {}): IrsaDoctorConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError('(root)', `must be an object, got ${JSON.stringify(input)}`);
  }
  for (const key of Object.keys(input)) {
    const retired = Object.hasOwn(RETIRED_FIELDS, key) ? RETIRED_FIELDS[key] : undefined;
    if (retired !== undefined) throw new ConfigError(key, retired);
    if (!KNOWN_FIELDS.has(key)) {
      throw new ConfigError(key, `is not a known field (known: ${[...KNOWN_FIELDS].sort().join(', ')})`);
    }
  }
  const config = readFields(input);
  checkFieldCombinations(config);
  checkRemediationScope(config);
  return config;
}

/** Each field read and checked on its own, with its default: the first bad field throws. */
function readFields(input: IrsaDoctorConfigInput): IrsaDoctorConfig {
  const d = DEFAULT_CONFIG;
  return {
    ...optionalString(input, 'hubAccountId', ACCOUNT_ID, 'a 12-digit account id'),
    ...optionalString(input, 'hubRegion', REGION, 'a region name such as us-east-1'),
    accounts: stringList(input, 'accounts', d.accounts, ACCOUNT_ID, 'a 12-digit account id'),
    organization: bool(input, 'organization', d.organization),
    organizationalUnits: stringList(
      input,
      'organizationalUnits',
      d.organizationalUnits,
      PARENT_ID,
      'an OU id (ou-ab12-cdef3456) or a root id (r-ab12)',
    ),
    excludeAccounts: stringList(input, 'excludeAccounts', d.excludeAccounts, ACCOUNT_ID, 'a 12-digit account id'),
    regions: stringList(input, 'regions', d.regions, REGION, 'a region name such as us-east-1'),
    schedule: requiredString(input, 'schedule', d.schedule, SCHEDULE, 'rate(<n> <unit>), cron(...) or at(...)'),
    approvalTimeout: duration(input, 'approvalTimeout', d.approvalTimeout, 1, 364 * 24 * 3600),
    accountConcurrency: whole(input, 'accountConcurrency', d.accountConcurrency, 1, 1000),
    analysisConcurrency: whole(input, 'analysisConcurrency', d.analysisConcurrency, 1, 1000),
    readClusters: bool(input, 'readClusters', d.readClusters),
    securityHub: bool(input, 'securityHub', d.securityHub),
    clusterPollInterval: duration(input, 'clusterPollInterval', d.clusterPollInterval, 1, 24 * 3600),
    clusterWaitAttempts: whole(input, 'clusterWaitAttempts', d.clusterWaitAttempts, 1, 10_000),
    autoApplyActions: stringList(
      input,
      'autoApplyActions',
      d.autoApplyActions,
      new RegExp(`^(${AUTO_APPLICABLE_ACTIONS.join('|')})$`),
      `one of ${AUTO_APPLICABLE_ACTIONS.join(', ')}`,
    ) as readonly AutoApplicableAction[],
    allowWidening: stringList(
      input,
      'allowWidening',
      d.allowWidening,
      new RegExp(`^(${WIDENING_CLASSES.join('|')})$`),
      `one of ${WIDENING_CLASSES.join(', ')}`,
    ) as readonly WideningClass[],
    scannerRoleName: requiredString(input, 'scannerRoleName', d.scannerRoleName, ROLE_NAME, 'an IAM role name'),
    remediatorRoleName: requiredString(
      input,
      'remediatorRoleName',
      d.remediatorRoleName,
      ROLE_NAME,
      'an IAM role name',
    ),
    remediableRoles: requiredString(
      input,
      'remediableRoles',
      d.remediableRoles,
      new RegExp(`^(${REMEDIATION_MODES.join('|')})$`),
      `one of ${REMEDIATION_MODES.join(', ')} (opt in by tag ${OPT_IN_TAG}=${OPT_IN_VALUE}, by path, either, or every role but the protected ones)`,
    ) as RemediationMode,
    remediablePaths: stringList(
      input,
      'remediablePaths',
      d.remediablePaths,
      /^\/(.*\/)?$/,
      'an IAM role path such as /irsa/',
    ),
    ...optionalString(input, 'externalId', EXTERNAL_ID, 'an sts:ExternalId (2-1224 characters, [\\w+=,.@:/-])'),
    ...optionalString(input, 'notificationEmail', EMAIL, 'an email address'),
    ...optionalString(input, 'organizationId', ORGANIZATION_ID, 'an organization id such as o-a1b2c3d4e5'),
    ...optionalString(input, 'consoleUrl', /^https:\/\/\S+$/, 'an https:// URL'),
    console: bool(input, 'console', d.console),
    approversGroup: requiredString(
      input,
      'approversGroup',
      d.approversGroup,
      GROUP_NAME,
      'a Cognito group name (1-128 characters, no spaces)',
    ),
    ...(input.approvers !== undefined ? { approvers: parseApproverRules(input.approvers, configFail) } : {}),
    secondApproval:
      input.secondApproval !== undefined
        ? parseSecondApproval(input.secondApproval, PLAN_ACTIONS, configFail)
        : d.secondApproval,
    ...optionalString(
      input,
      'consoleDomainPrefix',
      DOMAIN_PREFIX,
      'a managed login domain prefix (lower-case letters, digits and hyphens, 1-63, not starting or ending with a hyphen)',
    ),
    ...consoleIdentityProvider(input),
    consoleCliPorts: portList(input, 'consoleCliPorts', d.consoleCliPorts),
    consolePasswordSignIn: bool(input, 'consolePasswordSignIn', d.consolePasswordSignIn),
    ...memberStackSet(input),
  };
}

/** The domain parsers' failures as ConfigErrors naming the field. */
function configFail(field: string, message: string): never {
  throw new ConfigError(field, message);
}

const IDENTITY_PROVIDER_FIELDS = [
  'type',
  'name',
  'metadataUrl',
  'metadataFile',
  'issuer',
  'clientId',
  'clientSecretArn',
  'scopes',
  'groupsAttribute',
  'emailAttribute',
] as const;
const SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;

/** `consoleIdentityProvider`, when given: SAML with a metadata URL or file, or OIDC with issuer, client and secret. */
function consoleIdentityProvider(input: IrsaDoctorConfigInput): {
  consoleIdentityProvider?: ConsoleIdentityProviderConfig;
} {
  const value: unknown = input.consoleIdentityProvider;
  if (value === undefined || value === null) return {};
  const field = 'consoleIdentityProvider';
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      field,
      `must be an object such as {"type":"saml","name":"IdentityCenter","metadataUrl":"https://…"}, got ${JSON.stringify(value)}`,
    );
  }
  const f = value as Fields;
  const unknown = Object.keys(f).filter((k) => !(IDENTITY_PROVIDER_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ConfigError(
      `${field}.${unknown[0]}`,
      `is not a known field (known: ${IDENTITY_PROVIDER_FIELDS.join(', ')})`,
    );
  }
  const sub = (name: string) => `${field}.${name}`;
  const text = (name: string, pattern: RegExp, expected: string): string | undefined => {
    const v = f[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' || !pattern.test(v)) {
      throw new ConfigError(sub(name), `must be ${expected}, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const type = text('type', /^(saml|oidc)$/, 'saml or oidc');
  if (!type) throw new ConfigError(sub('type'), 'is required: saml or oidc');
  const name = text('name', /^[^_\s][\p{L}\p{M}\p{S}\p{N}\p{P} ]{0,31}$/u, 'a provider name (1-32 characters)');
  if (!name) throw new ConfigError(sub('name'), 'is required (the name shown on the sign-in page)');
  const common = {
    type: type as 'saml' | 'oidc',
    name,
    ...optionalText('groupsAttribute', text('groupsAttribute', /^\S{1,256}$/, 'an attribute or claim name')),
    ...optionalText('emailAttribute', text('emailAttribute', /^\S{1,256}$/, 'an attribute or claim name')),
  };
  if (type === 'saml') return { consoleIdentityProvider: { ...common, ...samlSource(f, sub, text) } };
  return { consoleIdentityProvider: { ...common, ...oidcSource(f, sub, text) } };
}

type TextReader = (name: string, pattern: RegExp, expected: string) => string | undefined;

function optionalText<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function samlSource(f: Fields, sub: (name: string) => string, text: TextReader) {
  const metadataUrl = text('metadataUrl', /^https:\/\/\S+$/, 'an https:// URL');
  const metadataFile = text('metadataFile', /^\S.*$/, 'a file path');
  for (const other of ['issuer', 'clientId', 'clientSecretArn', 'scopes']) {
    if (f[other] !== undefined) throw new ConfigError(sub(other), 'is for type oidc, not saml');
  }
  if ((metadataUrl === undefined) === (metadataFile === undefined)) {
    throw new ConfigError(sub('metadataUrl'), 'or metadataFile: give exactly one (the SAML metadata document)');
  }
  if (metadataUrl !== undefined && !URL.canParse(metadataUrl)) {
    throw new ConfigError(sub('metadataUrl'), `must be an https:// URL, got ${JSON.stringify(metadataUrl)}`);
  }
  return { ...optionalText('metadataUrl', metadataUrl), ...optionalText('metadataFile', metadataFile) };
}

function oidcSource(f: Fields, sub: (name: string) => string, text: TextReader) {
  for (const other of ['metadataUrl', 'metadataFile']) {
    if (f[other] !== undefined) throw new ConfigError(sub(other), 'is for type saml, not oidc');
  }
  const issuer = text('issuer', /^https:\/\/\S+$/, 'an https:// issuer URL');
  const clientId = text('clientId', /^[\x21-\x7e]{1,255}$/, 'a client id');
  const clientSecretArn = text('clientSecretArn', SECRET_ARN, 'a Secrets Manager secret ARN');
  for (const [key, v] of Object.entries({ issuer, clientId, clientSecretArn })) {
    if (v === undefined) throw new ConfigError(sub(key), 'is required for type oidc');
  }
  if (issuer !== undefined && !URL.canParse(issuer)) {
    throw new ConfigError(sub('issuer'), `must be an https:// issuer URL, got ${JSON.stringify(issuer)}`);
  }
  const scopes = oidcScopes(f, sub);
  return { issuer, clientId, clientSecretArn, ...(scopes ? { scopes } : {}) };
}

function oidcScopes(f: Fields, sub: (name: string) => string): readonly string[] | undefined {
  if (f.scopes === undefined) return undefined;
  let scopes: readonly string[];
  try {
    scopes = stringList(f, 'scopes', [], /^[\x21\x23-\x5b\x5d-\x7e]+$/, 'an OAuth scope');
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new ConfigError(sub('scopes'), err.message.replace('irsa-doctor config: scopes ', ''));
    }
    throw err;
  }
  if (!scopes.includes('openid')) throw new ConfigError(sub('scopes'), 'must include openid');
  return scopes;
}

/** A list of loopback ports (1024-65535), at least one. */
function portList(input: Fields, field: string, fallback: readonly number[]): readonly number[] {
  const value = input[field] ?? fallback;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((p) => typeof p !== 'number' || !Number.isInteger(p) || p < 1024 || p > 65535)
  ) {
    throw new ConfigError(field, `must list one or more ports from 1024 to 65535, got ${JSON.stringify(value)}`);
  }
  return [...new Set(value as number[])];
}

const MEMBER_STACK_SET_FIELDS = [
  'organizationalUnits',
  'regions',
  'callAs',
  'maxConcurrentPercentage',
  'failureTolerancePercentage',
] as const;

/** `memberStackSet`, when given: an object with OUs and regions (at least one of each); errors name the sub-field. */
function memberStackSet(input: IrsaDoctorConfigInput): { memberStackSet?: MemberStackSetConfig } {
  const value: unknown = input.memberStackSet;
  if (value === undefined || value === null) return {};
  const field = 'memberStackSet';
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      field,
      `must be an object such as {"organizationalUnits":["ou-ab12-cdef3456"],"regions":["us-east-1"]}, got ${JSON.stringify(value)}`,
    );
  }
  const fields = value as Fields;
  const unknown = Object.keys(fields).filter((k) => !(MEMBER_STACK_SET_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ConfigError(
      `${field}.${unknown[0]}`,
      `is not a known field (known: ${MEMBER_STACK_SET_FIELDS.join(', ')})`,
    );
  }
  const sub = (name: string) => `${field}.${name}`;
  const nonEmpty = (name: string, list: readonly string[]) => {
    if (list.length === 0) throw new ConfigError(sub(name), 'must list at least one entry');
    return list;
  };
  const renamed = (read: () => unknown) => {
    try {
      return read();
    } catch (err) {
      if (err instanceof ConfigError)
        throw new ConfigError(sub(err.field), err.message.replace(`irsa-doctor config: ${err.field} `, ''));
      throw err;
    }
  };
  const ous = renamed(() =>
    stringList(fields, 'organizationalUnits', [], PARENT_ID, 'an OU id (ou-ab12-cdef3456) or a root id (r-ab12)'),
  ) as readonly string[];
  const regions = renamed(() =>
    stringList(fields, 'regions', [], REGION, 'a region name such as us-east-1'),
  ) as readonly string[];
  return {
    memberStackSet: {
      organizationalUnits: nonEmpty('organizationalUnits', ous),
      regions: nonEmpty('regions', regions),
      callAs: renamed(() =>
        requiredString(
          fields,
          'callAs',
          'SELF',
          new RegExp(`^(${STACK_SET_CALLERS.join('|')})$`),
          `one of ${STACK_SET_CALLERS.join(', ')}`,
        ),
      ) as StackSetCaller,
      maxConcurrentPercentage: renamed(() => whole(fields, 'maxConcurrentPercentage', 25, 1, 100)) as number,
      failureTolerancePercentage: renamed(() => whole(fields, 'failureTolerancePercentage', 0, 0, 100)) as number,
    },
  };
}

/**
 * Fields that must agree (an account list or the organization, OUs only with it, its id with it), and the checks a
 * field's own pattern cannot make (a console URL that parses).
 */
function checkFieldCombinations(config: IrsaDoctorConfig): void {
  if (config.accounts.length > 0 && config.organization) {
    throw new ConfigError('accounts', 'and organization: give either an account list or organization: true, not both');
  }
  if (config.organizationalUnits.length > 0 && !config.organization) {
    throw new ConfigError('organizationalUnits', 'filter the organization: set organization: true as well');
  }
  if (config.organization && !config.organizationId) {
    throw new ConfigError(
      'organizationId',
      'is required with organization: true (the hub event bus admits member accounts by aws:PrincipalOrgID)',
    );
  }
  if (config.memberStackSet && !config.organization) {
    throw new ConfigError(
      'memberStackSet',
      'deploys to organizational units: set organization: true (and organizationId) as well',
    );
  }
  if (config.consolePasswordSignIn && config.consoleIdentityProvider?.groupsAttribute) {
    // Tokens from InitiateAuth may update the user's own attributes: custom:groups must come from the provider only.
    throw new ConfigError(
      'consolePasswordSignIn',
      'cannot be on with consoleIdentityProvider.groupsAttribute (a signed-in user could set their own custom:groups)',
    );
  }
  if (config.consoleUrl !== undefined && !URL.canParse(config.consoleUrl)) {
    throw new ConfigError('consoleUrl', `must be an https:// URL, got ${JSON.stringify(config.consoleUrl)}`);
  }
}

/** The remediable roles must be a usable scope, and the scanner and remediator two different roles. */
function checkRemediationScope(config: IrsaDoctorConfig): void {
  try {
    validateRemediationScope({
      mode: config.remediableRoles,
      paths: config.remediablePaths,
      ownRoleNames: [config.scannerRoleName, config.remediatorRoleName],
    });
  } catch (err) {
    if (!(err instanceof RemediationScopeError)) throw err;
    const field = err.message.startsWith('paths') ? 'remediablePaths' : 'remediableRoles';
    throw new ConfigError(field, err.message.replace(/^(paths|mode) /, ''));
  }
  if (config.scannerRoleName === config.remediatorRoleName) {
    throw new ConfigError('remediatorRoleName', `must differ from scannerRoleName (both "${config.scannerRoleName}")`);
  }
}

/** Reads the overrides from the `irsa-doctor` context key (an object, or its JSON text from `-c`) and resolves them. */
export function loadConfig(scope: IConstruct): IrsaDoctorConfig {
  let raw: unknown = scope.node.tryGetContext(CONFIG_CONTEXT_KEY);
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch (err) {
      throw new ConfigError(`(context ${CONFIG_CONTEXT_KEY})`, `is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new ConfigError(`(context ${CONFIG_CONTEXT_KEY})`, `must be an object, got ${JSON.stringify(raw)}`);
  }
  return resolveConfig((raw ?? {}) as IrsaDoctorConfigInput);
}

// ---- field readers: each names its field in the error ----------------------------------------------------------

type Fields = Readonly<Record<string, unknown>>;

function optionalString<K extends string>(
  input: Fields,
  field: K,
  pattern: RegExp,
  expected: string,
): { [P in K]?: string } {
  const value = input[field];
  if (value === undefined || value === null || value === '') return {};
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ConfigError(field, `must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return { [field]: value } as { [P in K]?: string };
}

function requiredString(input: Fields, field: string, fallback: string, pattern: RegExp, expected: string): string {
  const value = input[field] ?? fallback;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ConfigError(field, `must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function stringList(
  input: Fields,
  field: string,
  fallback: readonly string[],
  pattern: RegExp,
  expected: string,
): readonly string[] {
  const value = input[field] ?? fallback;
  if (!Array.isArray(value)) throw new ConfigError(field, `must be a list, got ${JSON.stringify(value)}`);
  const bad = value.filter((v) => typeof v !== 'string' || !pattern.test(v));
  if (bad.length > 0) {
    throw new ConfigError(
      field,
      `entries must each be ${expected}; got ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
    );
  }
  return [...new Set(value as string[])];
}

function bool(input: Fields, field: string, fallback: boolean): boolean {
  const value = input[field] ?? fallback;
  if (typeof value !== 'boolean') throw new ConfigError(field, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function whole(input: Fields, field: string, fallback: number, min: number, max: number): number {
  const value = input[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function duration(input: Fields, field: string, fallback: Duration, minSeconds: number, maxSeconds: number): Duration {
  const value = input[field] ?? fallback;
  let parsed: Duration;
  if (value instanceof Duration) {
    parsed = value;
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError(field, `must be a number of seconds, got ${value}`);
    parsed = Duration.seconds(value);
  } else if (typeof value === 'string') {
    try {
      parsed = Duration.parse(value);
    } catch {
      throw new ConfigError(field, `must be an ISO 8601 duration such as PT24H, got ${JSON.stringify(value)}`);
    }
  } else {
    throw new ConfigError(field, `must be a Duration, a number of seconds or an ISO 8601 string, got ${typeof value}`);
  }
  const seconds = parsed.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < minSeconds || seconds > maxSeconds) {
    throw new ConfigError(
      field,
      `must be a whole number of seconds from ${minSeconds} to ${maxSeconds}, got ${parsed.toHumanString()}`,
    );
  }
  return parsed;
}
