/**
 * The attack table: requests a compromised hub (or a bug) could make with the member roles, decided by IAM policy
 * evaluation (iam-simulate) against the synthesized templates. Each row can fail both ways: the writes plans need are
 * allowed, the attacks are denied, and every mutant of the policy below flips the rows it should.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HUB_READER_ROLE_NAME, HUB_WRITER_ROLE_NAME } from '../../infra/stacks/hub-stack';
import { MemberRolesStack, type MemberRolesStackProps } from '../../infra/stacks/member-roles-stack';
import {
  OPT_IN_TAG,
  PLAN_ID_TAG,
  PROTECTED_TAG,
  type RemediationMode,
  roleInRemediationScope,
} from '../../lambdas/domain/remediation-scope';
import {
  type AttackRow,
  DEFAULT_ATTACK_ENV,
  decide,
  failedRowNames,
  roleSubject,
  type TemplateJson,
  tableFailures,
} from '../support/iam-attack-table';
import { HUB_ACCOUNT, logicalIdOf, testApp } from './helpers';

const ACCOUNT = DEFAULT_ATTACK_ENV.account;
const PROPS: MemberRolesStackProps = {
  hubAccountId: HUB_ACCOUNT,
  scannerRoleName: 'IrsaDoctorScanner',
  remediatorRoleName: 'IrsaDoctorRemediator',
};
const role = (pathAndName: string) => `arn:aws:iam::${ACCOUNT}:role/${pathAndName}`;
const provider = (url: string) => `arn:aws:iam::${ACCOUNT}:oidc-provider/${url}`;
const EKS_PROVIDER = provider('oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF');
const EKS_CN_PROVIDER = provider('oidc.eks.cn-north-1.amazonaws.com.cn/id/0123456789ABCDEF0123456789ABCDEF');
const GITHUB_PROVIDER = provider('token.actions.githubusercontent.com');
const OPTED_IN = { [OPT_IN_TAG]: 'true' };
const PLAN_TAG = { [PLAN_ID_TAG]: 'plan-0001' };

type Row = AttackRow;

const rewrite = (name: string, arn: string, tags: Record<string, string>, by?: string): Row => ({
  name,
  request: { action: 'iam:UpdateAssumeRolePolicy', resource: arn, resourceTags: tags },
  expect: 'Denied',
  ...(by ? { by } : {}),
});

/**
 * The remediator's table in the default mode (tagged). Protected roles carry the opt-in tag as well: the Deny, not
 * the missing tag, must be what refuses them (and they are refused the same way in every mode).
 */
const REMEDIATOR_TABLE: readonly Row[] = [
  // ---- what plans need: allowed -------------------------------------------------------------------------------
  {
    name: 'rewrite an opted-in IRSA role',
    request: { action: 'iam:UpdateAssumeRolePolicy', resource: role('payments-irsa'), resourceTags: OPTED_IN },
    expect: 'Allowed',
    by: 'RewriteTrustOfOptedInRoles',
  },
  {
    name: 'rewrite an opted-in IRSA role under a path',
    request: { action: 'iam:UpdateAssumeRolePolicy', resource: role('teams/a/app'), resourceTags: OPTED_IN },
    expect: 'Allowed',
  },
  {
    name: 'read any role',
    request: { action: 'iam:GetRole', resource: role('AWSControlTowerExecution') },
    expect: 'Allowed',
  },
  {
    name: 'create an EKS provider tagged with its plan id',
    request: { action: 'iam:CreateOpenIDConnectProvider', resource: EKS_PROVIDER, requestTags: PLAN_TAG },
    expect: 'Allowed',
    by: 'CreateEksOidcProvidersWithPlanTag',
  },
  {
    name: 'tag the EKS provider it creates (tag-on-create)',
    request: { action: 'iam:TagOpenIDConnectProvider', resource: EKS_PROVIDER, requestTags: PLAN_TAG },
    expect: 'Allowed',
  },
  {
    name: 'create an EKS provider in China',
    request: { action: 'iam:CreateOpenIDConnectProvider', resource: EKS_CN_PROVIDER, requestTags: PLAN_TAG },
    expect: 'Allowed',
  },
  {
    name: 'add a client id to an EKS provider',
    request: { action: 'iam:AddClientIDToOpenIDConnectProvider', resource: EKS_PROVIDER },
    expect: 'Allowed',
  },
  {
    name: 'remove a client id (rollback)',
    request: { action: 'iam:RemoveClientIDFromOpenIDConnectProvider', resource: EKS_PROVIDER },
    expect: 'Allowed',
  },
  {
    name: 'update EKS provider thumbprints',
    request: { action: 'iam:UpdateOpenIDConnectProviderThumbprint', resource: EKS_PROVIDER },
    expect: 'Allowed',
  },
  {
    name: 'delete an EKS provider it created (rollback)',
    request: { action: 'iam:DeleteOpenIDConnectProvider', resource: EKS_PROVIDER, resourceTags: PLAN_TAG },
    expect: 'Allowed',
    by: 'DeleteOwnOidcProviders',
  },
  {
    name: 'read a provider',
    request: { action: 'iam:GetOpenIDConnectProvider', resource: GITHUB_PROVIDER },
    expect: 'Allowed',
  },

  // ---- landing-zone, built-in and own roles: explicitly denied --------------------------------------------------
  rewrite('rewrite AWSControlTowerExecution', role('AWSControlTowerExecution'), OPTED_IN, 'NeverRewriteProtectedRoles'),
  rewrite(
    'rewrite a Control Tower landing-zone role',
    role('aws-controltower-AdministratorExecutionRole'),
    OPTED_IN,
    'NeverRewriteProtectedRoles',
  ),
  rewrite(
    'rewrite a Control Tower service role',
    role('service-role/AWSControlTowerStackSetRole'),
    OPTED_IN,
    'NeverRewriteProtectedRoles',
  ),
  rewrite(
    'rewrite an IAM Identity Center (SSO) role',
    role('aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef'),
    OPTED_IN,
    'NeverRewriteProtectedRoles',
  ),
  rewrite(
    'rewrite the CDK CloudFormation execution role',
    role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`),
    OPTED_IN,
    'NeverRewriteProtectedRoles',
  ),
  rewrite(
    'rewrite a CDK deploy role under a path',
    role(`bootstrap/cdk-hnb659fds-deploy-role-${ACCOUNT}-eu-west-1`),
    OPTED_IN,
    'NeverRewriteProtectedRoles',
  ),
  rewrite(
    'rewrite a service-managed StackSet execution role',
    role('stacksets-exec-0123456789abcdef0123456789abcdef'),
    OPTED_IN,
    'NeverRewriteProtectedRoles',
  ),
  rewrite(
    'rewrite the self-managed StackSet execution role',
    role('AWSCloudFormationStackSetExecutionRole'),
    OPTED_IN,
    'NeverRewriteProtectedRoles',
  ),
  rewrite(
    'rewrite OrganizationAccountAccessRole',
    role('OrganizationAccountAccessRole'),
    OPTED_IN,
    'NeverRewriteProtectedRoles',
  ),
  rewrite(
    'rewrite a service-linked role',
    role('aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS'),
    OPTED_IN,
    'NeverRewriteProtectedRoles',
  ),
  rewrite('rewrite the scanner role', role('IrsaDoctorScanner'), OPTED_IN, 'NeverRewriteProtectedRoles'),
  rewrite('rewrite the remediator role itself', role('IrsaDoctorRemediator'), OPTED_IN, 'NeverRewriteProtectedRoles'),
  rewrite('rewrite the hub writer role', role(HUB_WRITER_ROLE_NAME), OPTED_IN, 'NeverRewriteProtectedRoles'),
  rewrite('rewrite the hub reader role', role(HUB_READER_ROLE_NAME), OPTED_IN, 'NeverRewriteProtectedRoles'),
  rewrite(
    'rewrite a role tagged irsa-doctor:protected',
    role('break-glass-admin'),
    { ...OPTED_IN, [PROTECTED_TAG]: 'yes' },
    'NeverRewriteRolesTaggedProtected',
  ),

  // ---- roles not opted in: denied (implicitly) -----------------------------------------------------------------
  rewrite('rewrite an untagged role (an admin role, say)', role('Admin'), {}),
  rewrite('rewrite a role tagged remediable=false', role('payments-irsa'), { [OPT_IN_TAG]: 'false' }),
  rewrite('rewrite a role tagged remediable=TRUE (values are exact)', role('payments-irsa'), { [OPT_IN_TAG]: 'TRUE' }),

  // ---- providers: only EKS, only the plan tag, never re-tag, delete only its own -------------------------------
  {
    name: 'tag a foreign (GitHub Actions) provider with a plan id',
    request: { action: 'iam:TagOpenIDConnectProvider', resource: GITHUB_PROVIDER, requestTags: PLAN_TAG },
    expect: 'Denied',
  },
  {
    name: 'delete a foreign (GitHub Actions) provider that carries a plan id',
    request: { action: 'iam:DeleteOpenIDConnectProvider', resource: GITHUB_PROVIDER, resourceTags: PLAN_TAG },
    expect: 'Denied',
  },
  {
    name: 're-tag a provider another plan created (steal its rollback)',
    request: {
      action: 'iam:TagOpenIDConnectProvider',
      resource: EKS_PROVIDER,
      resourceTags: { [PLAN_ID_TAG]: 'plan-0000' },
      requestTags: PLAN_TAG,
    },
    expect: 'Denied',
    by: 'NeverRetagOwnedProviders',
  },
  {
    name: 'tag an EKS provider with any other tag',
    request: { action: 'iam:TagOpenIDConnectProvider', resource: EKS_PROVIDER, requestTags: { owner: 'me' } },
    expect: 'Denied',
  },
  {
    name: 'tag an EKS provider with the plan tag and another',
    request: { action: 'iam:TagOpenIDConnectProvider', resource: EKS_PROVIDER, requestTags: { ...PLAN_TAG, x: 'y' } },
    expect: 'Denied',
  },
  {
    name: 'create a provider without the plan tag (rollback could not find it)',
    request: { action: 'iam:CreateOpenIDConnectProvider', resource: EKS_PROVIDER },
    expect: 'Denied',
  },
  {
    name: 'create a non-EKS provider',
    request: { action: 'iam:CreateOpenIDConnectProvider', resource: GITHUB_PROVIDER, requestTags: PLAN_TAG },
    expect: 'Denied',
  },
  {
    name: 'add a client id to a foreign provider',
    request: { action: 'iam:AddClientIDToOpenIDConnectProvider', resource: GITHUB_PROVIDER },
    expect: 'Denied',
  },
  {
    name: 'update thumbprints of a foreign provider',
    request: { action: 'iam:UpdateOpenIDConnectProviderThumbprint', resource: GITHUB_PROVIDER },
    expect: 'Denied',
  },
  {
    name: 'delete an EKS provider without the plan tag',
    request: { action: 'iam:DeleteOpenIDConnectProvider', resource: EKS_PROVIDER },
    expect: 'Denied',
  },
  {
    name: 'delete an EKS provider made by eksctl',
    request: {
      action: 'iam:DeleteOpenIDConnectProvider',
      resource: EKS_PROVIDER,
      resourceTags: { 'alpha.eksctl.io/cluster-name': 'prod' },
    },
    expect: 'Denied',
  },
  {
    name: 'untag a provider',
    request: { action: 'iam:UntagOpenIDConnectProvider', resource: EKS_PROVIDER, tagKeys: [PLAN_ID_TAG] },
    expect: 'Denied',
    by: 'NothingElseEver',
  },

  // ---- anything that grants permissions: explicitly denied ------------------------------------------------------
  ...(
    [
      ['iam:CreateRole', role('attacker')],
      ['iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/attacker`],
      ['iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/attacker`],
      ['iam:CreateLoginProfile', `arn:aws:iam::${ACCOUNT}:user/attacker`],
      ['iam:CreatePolicy', `arn:aws:iam::${ACCOUNT}:policy/admin`],
      ['iam:CreatePolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/app`],
      ['iam:AttachRolePolicy', role('payments-irsa')],
      ['iam:AttachUserPolicy', `arn:aws:iam::${ACCOUNT}:user/attacker`],
      ['iam:AttachGroupPolicy', `arn:aws:iam::${ACCOUNT}:group/admins`],
      ['iam:PutRolePolicy', role('payments-irsa')],
      ['iam:PutUserPolicy', `arn:aws:iam::${ACCOUNT}:user/attacker`],
      ['iam:PutGroupPolicy', `arn:aws:iam::${ACCOUNT}:group/admins`],
      ['iam:PutRolePermissionsBoundary', role('payments-irsa')],
      ['iam:DeleteRolePermissionsBoundary', role('payments-irsa')],
      ['iam:TagRole', role('Admin')],
      ['iam:UntagRole', role('break-glass-admin')],
      ['iam:PassRole', role('Admin')],
      ['iam:UpdateRole', role('payments-irsa')],
      ['iam:DeleteRole', role('payments-irsa')],
      ['sts:AssumeRole', role('OrganizationAccountAccessRole')],
    ] as const
  ).map(
    ([action, resource]): Row => ({
      name: `${action} (grants or changes permissions)`,
      request: { action, resource },
      expect: 'Denied',
      by: 'NothingElseEver',
    }),
  ),
];

/**
 * What IAM cannot refuse, pinned so a change is noticed: IAM authorizes tag-on-create as iam:TagOpenIDConnectProvider
 * and has no condition key telling it from a later TagOpenIDConnectProvider (IAM has no ec2:CreateAction), so an
 * untagged EKS provider can be tagged with a plan id, then deleted. README "Safety model" says so.
 */
const KNOWN_GAPS: readonly Row[] = [
  {
    name: 'tag an existing, untagged EKS provider with a plan id',
    request: { action: 'iam:TagOpenIDConnectProvider', resource: EKS_PROVIDER, requestTags: PLAN_TAG },
    expect: 'Allowed',
  },
];

const SCANNER_TABLE: readonly Row[] = [
  { name: 'read a role', request: { action: 'iam:GetRole', resource: role('payments-irsa') }, expect: 'Allowed' },
  {
    name: 'list the account (roles, trust policies)',
    request: { action: 'iam:GetAccountAuthorizationDetails', resource: '*' },
    expect: 'Allowed',
  },
  {
    name: 'describe a cluster',
    request: { action: 'eks:DescribeCluster', resource: `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod` },
    expect: 'Allowed',
  },
  ...(
    [
      ['iam:UpdateAssumeRolePolicy', role('payments-irsa')],
      ['iam:CreateOpenIDConnectProvider', EKS_PROVIDER],
      ['iam:TagOpenIDConnectProvider', EKS_PROVIDER],
      ['iam:DeleteOpenIDConnectProvider', EKS_PROVIDER],
      ['iam:AddClientIDToOpenIDConnectProvider', EKS_PROVIDER],
      ['iam:UpdateOpenIDConnectProviderThumbprint', EKS_PROVIDER],
      ['iam:CreateRole', role('attacker')],
      ['iam:AttachRolePolicy', role('payments-irsa')],
      ['iam:PutRolePolicy', role('payments-irsa')],
      ['iam:PassRole', role('Admin')],
      ['iam:TagRole', role('Admin')],
      ['eks:CreateAccessEntry', `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod`],
      ['eks:AssociateAccessPolicy', `arn:aws:eks:eu-west-1:${ACCOUNT}:access-entry/prod/role/${ACCOUNT}/x/abc`],
      ['eks:UpdateClusterConfig', `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod`],
      ['eks:CreatePodIdentityAssociation', `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod`],
      ['sts:AssumeRole', role('OrganizationAccountAccessRole')],
    ] as const
  ).map(
    ([action, resource]): Row => ({
      name: `scanner ${action}`,
      request: { action, resource },
      expect: 'Denied',
      by: 'NothingElseEver',
    }),
  ),
];

// ---- running the table ------------------------------------------------------------------------------------------

function synth(props: Partial<MemberRolesStackProps> = {}, change?: (stack: MemberRolesStack) => void) {
  const stack = new MemberRolesStack(testApp(), 'MemberRoles', { ...PROPS, ...props });
  change?.(stack);
  const template = Template.fromStack(stack);
  const idOf = (name: string) => logicalIdOf(template, 'AWS::IAM::Role', (p) => p.RoleName === name);
  return {
    stack,
    json: template.toJSON() as TemplateJson,
    remediatorId: idOf(props.remediatorRoleName ?? PROPS.remediatorRoleName),
    scannerId: idOf(props.scannerRoleName ?? PROPS.scannerRoleName),
  };
}

/** The rows whose verdict does not meet them, with why. */
async function failures(template: TemplateJson, roleId: string, rows: readonly Row[]): Promise<string[]> {
  return tableFailures(roleSubject(template, roleId), rows);
}

/** A copy of the template with the remediator's policy statements changed by `f`. */
function mutate(
  json: TemplateJson,
  roleId: string,
  f: (statements: Record<string, unknown>[]) => Record<string, unknown>[],
) {
  const copy = structuredClone(json) as TemplateJson;
  const roleResource = copy.Resources?.[roleId] as unknown as {
    Properties: { Policies: { PolicyDocument: { Statement: Record<string, unknown>[] } }[] };
  };
  for (const p of roleResource.Properties.Policies) p.PolicyDocument.Statement = f(p.PolicyDocument.Statement);
  return copy;
}
const without = (sid: string) => (statements: Record<string, unknown>[]) => {
  const kept = statements.filter((s) => s.Sid !== sid);
  if (kept.length === statements.length) throw new Error(`no statement ${sid} to remove`);
  return kept;
};
const changed =
  (sid: string, edit: (s: Record<string, unknown>) => Record<string, unknown>) =>
  (statements: Record<string, unknown>[]) => {
    if (!statements.some((s) => s.Sid === sid)) throw new Error(`no statement ${sid} to change`);
    return statements.map((s) => (s.Sid === sid ? edit(structuredClone(s)) : s));
  };
const withoutCondition = (s: Record<string, unknown>) => {
  const { Condition: _dropped, ...rest } = s;
  return rest;
};
const rowNames = failedRowNames;

describe('member roles attack table (iam-simulate on the synthesized policies)', () => {
  const base = synth();

  it('allows the remediator exactly the writes plans need and denies every attack', async () => {
    // Given the synthesized remediator role (default mode: roles opt in by tag)
    // When every row is decided by IAM policy evaluation
    const fails = await failures(base.json, base.remediatorId, REMEDIATOR_TABLE);

    // Then every row holds
    expect(fails).toEqual([]);
    expect(REMEDIATOR_TABLE.filter((r) => r.expect === 'Allowed').length).toBeGreaterThan(5);
  });

  it('pins what IAM cannot express: a later tag on an untagged EKS provider', async () => {
    // Given the same role
    // When the known gap is decided
    // Then it is what the README says it is
    expect(await failures(base.json, base.remediatorId, KNOWN_GAPS)).toEqual([]);
  });

  it('denies the scanner every write and allows its reads', async () => {
    // Given the scanner role
    // When its table is decided
    // Then reads pass and every write is explicitly denied
    expect(await failures(base.json, base.scannerId, SCANNER_TABLE)).toEqual([]);
  });

  it('stays closed when an administrator policy is attached to either role later', async () => {
    // Given both roles with Allow *:* added (a managed or inline policy someone attaches)
    const widened = synth({}, (stack) => {
      for (const r of [stack.remediatorRole, stack.scannerRole]) {
        r.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }));
      }
    });

    // When the tables are decided again, minus the rows that only an Allow could fail
    const denials = (rows: readonly Row[]) => rows.filter((r) => r.expect === 'Denied' && r.by !== undefined);

    // Then every explicitly denied attack is still denied
    expect(await failures(widened.json, widened.remediatorId, denials(REMEDIATOR_TABLE))).toEqual([]);
    expect(await failures(widened.json, widened.scannerId, denials(SCANNER_TABLE))).toEqual([]);
  });

  // Each mutant breaks the policy on purpose; the table must notice, on the rows the mutant opens.
  it.each<[string, (s: Record<string, unknown>[]) => Record<string, unknown>[], string[]]>([
    [
      'no Deny of protected roles',
      without('NeverRewriteProtectedRoles'),
      [
        'rewrite AWSControlTowerExecution',
        'rewrite the CDK CloudFormation execution role',
        'rewrite OrganizationAccountAccessRole',
        'rewrite the hub writer role',
      ],
    ],
    [
      'no Deny of protected-tagged roles',
      without('NeverRewriteRolesTaggedProtected'),
      ['rewrite a role tagged irsa-doctor:protected'],
    ],
    [
      'the opt-in tag condition dropped',
      changed('RewriteTrustOfOptedInRoles', withoutCondition),
      ['rewrite an untagged role (an admin role, say)', 'rewrite a role tagged remediable=false'],
    ],
    [
      'provider writes on every provider',
      changed('RepairEksOidcProviders', (s) => ({ ...s, Resource: `arn:aws:iam::${ACCOUNT}:oidc-provider/*` })),
      ['add a client id to a foreign provider', 'update thumbprints of a foreign provider'],
    ],
    [
      'tagging on every provider',
      changed('CreateEksOidcProvidersWithPlanTag', (s) => ({
        ...s,
        Resource: `arn:aws:iam::${ACCOUNT}:oidc-provider/*`,
      })),
      ['tag a foreign (GitHub Actions) provider with a plan id', 'create a non-EKS provider'],
    ],
    [
      'any tag keys on create',
      changed('CreateEksOidcProvidersWithPlanTag', withoutCondition),
      ['tag an EKS provider with any other tag', 'create a provider without the plan tag (rollback could not find it)'],
    ],
    [
      'delete without the plan tag',
      changed('DeleteOwnOidcProviders', withoutCondition),
      ['delete an EKS provider without the plan tag', 'delete an EKS provider made by eksctl'],
    ],
    [
      're-tagging allowed',
      without('NeverRetagOwnedProviders'),
      ['re-tag a provider another plan created (steal its rollback)'],
    ],
    ['no Deny of everything else', without('NothingElseEver'), ['iam:CreateRole (grants or changes permissions)']],
  ])('catches a broken policy: %s', async (_name, mutation, opened) => {
    // Given the remediator's policy broken on purpose
    const broken = mutate(base.json, base.remediatorId, mutation);

    // When the table is decided against it
    const fails = rowNames(await failures(broken, base.remediatorId, REMEDIATOR_TABLE));

    // Then the rows it opens fail
    expect(fails).toEqual(expect.arrayContaining(opened));
  });

  it('catches a deployment built with a wider scope than the table expects (all-roles)', async () => {
    // Given the stack built with every role in scope
    const wide = synth({ remediableRoles: { mode: 'all-roles' } });

    // When the default-mode table is decided against it
    const fails = rowNames(await failures(wide.json, wide.remediatorId, REMEDIATOR_TABLE));

    // Then exactly the not-opted-in rows flip (and the opted-in role is allowed by the all-roles statement instead);
    // every protected role is still denied
    expect(fails.sort()).toEqual(
      [
        'rewrite an opted-in IRSA role',
        'rewrite an untagged role (an admin role, say)',
        'rewrite a role tagged remediable=false',
        'rewrite a role tagged remediable=TRUE (values are exact)',
      ].sort(),
    );
  });
});

describe('the planner predicate and IAM agree (one declaration)', () => {
  /** Roles across every kind of scope decision: protected by name, prefix, path or tag; opted in by tag or path. */
  const ROLES: ReadonlyArray<{ name: string; path: string; tags: Record<string, string> }> = [
    { name: 'payments-irsa', path: '/', tags: {} },
    { name: 'payments-irsa', path: '/', tags: OPTED_IN },
    { name: 'payments-irsa', path: '/', tags: { [OPT_IN_TAG]: 'True' } },
    { name: 'app', path: '/irsa/', tags: {} },
    { name: 'app', path: '/irsa/team-a/', tags: {} },
    { name: 'app', path: '/irsa-other/', tags: {} },
    { name: 'app', path: '/irsa/', tags: { [PROTECTED_TAG]: '' } },
    { name: 'Admin', path: '/', tags: OPTED_IN },
    { name: 'AWSControlTowerExecution', path: '/', tags: OPTED_IN },
    { name: 'AWSControlTowerExecution', path: '/irsa/', tags: {} },
    { name: 'cdk-hnb659fds-cfn-exec-role-x', path: '/irsa/', tags: OPTED_IN },
    { name: 'mycdk-role', path: '/irsa/', tags: OPTED_IN },
    { name: 'AWSReservedSSO_Admin_0123', path: '/aws-reserved/sso.amazonaws.com/', tags: OPTED_IN },
    { name: 'AWSServiceRoleForAmazonEKS', path: '/aws-service-role/eks.amazonaws.com/', tags: OPTED_IN },
    { name: 'OrganizationAccountAccessRole', path: '/irsa/', tags: OPTED_IN },
    { name: 'stacksets-exec-abc', path: '/', tags: OPTED_IN },
    { name: 'IrsaDoctorScanner', path: '/', tags: OPTED_IN },
    { name: 'IrsaDoctorHub-AnalyzePlanFunctionServiceRole', path: '/', tags: OPTED_IN },
  ];

  it.each<[RemediationMode, string[]]>([
    ['tagged', []],
    ['path', ['/irsa/']],
    ['tagged-or-path', ['/irsa/']],
    ['all-roles', []],
  ])('mode %s: roleInRemediationScope is what IAM decides for every role', async (mode, paths) => {
    // Given the stack built for this mode
    const { stack, json, remediatorId } = synth({ remediableRoles: { mode, paths } });
    const subject = roleSubject(json, remediatorId);

    // When each role is decided by the predicate and by IAM
    const disagreements: string[] = [];
    const inScope: string[] = [];
    for (const r of ROLES) {
      const verdict = roleInRemediationScope(stack.remediationScope, r);
      const iamSays = await decide(subject, {
        action: 'iam:UpdateAssumeRolePolicy',
        resource: role(`${r.path.slice(1)}${r.name}`),
        resourceTags: r.tags,
      });
      if (verdict.inScope !== (iamSays.decision === 'Allowed')) {
        disagreements.push(
          `${r.path}${r.name} ${JSON.stringify(r.tags)}: code ${verdict.inScope}, IAM ${iamSays.decision}`,
        );
      }
      if (verdict.inScope) inScope.push(`${r.path}${r.name}`);
    }

    // Then they agree on every role, and the mode admits someone (the test could fail both ways)
    expect(disagreements).toEqual([]);
    expect(inScope.length).toBeGreaterThan(0);
  });
});
