import {
  OPT_IN_TAG,
  PROTECTED_TAG,
  providerInRemediationScope,
  type RemediationScope,
  RemediationScopeError,
  remediationScopeFrom,
  roleInRemediationScope,
  roleResource,
  roleScopeStatements,
  validateRemediationScope,
} from '../../../lambdas/domain/remediation-scope';

const OWN = ['IrsaDoctorScanner', 'IrsaDoctorRemediator', 'IrsaDoctorHubReader', 'IrsaDoctorHubWriter'];
const TAGGED: RemediationScope = { mode: 'tagged', paths: [], ownRoleNames: OWN };
const PATH: RemediationScope = { mode: 'path', paths: ['/irsa/'], ownRoleNames: OWN };
const EITHER: RemediationScope = { mode: 'tagged-or-path', paths: ['/irsa/'], ownRoleNames: OWN };
const ALL: RemediationScope = { mode: 'all-roles', paths: [], ownRoleNames: ['Scan', 'Fix'] };
const OPTED_IN = { [OPT_IN_TAG]: 'true' };

describe('roleInRemediationScope', () => {
  it.each<[string, RemediationScope, { name: string; path?: string; tags?: Record<string, string> }]>([
    ['a tagged role (tagged)', TAGGED, { name: 'app', tags: OPTED_IN }],
    [
      'a tagged role, tag key in another case (tagged)',
      TAGGED,
      { name: 'app', tags: { 'IRSA-Doctor:Remediable': 'true' } },
    ],
    ['a role under the path (path)', PATH, { name: 'app', path: '/irsa/team/' }],
    ['a tagged role outside the path (tagged-or-path)', EITHER, { name: 'app', path: '/x/', tags: OPTED_IN }],
    ['an untagged role under the path (tagged-or-path)', EITHER, { name: 'app', path: '/irsa/' }],
    ['any unprotected role (all-roles)', ALL, { name: 'Admin' }],
  ])('Compliance: admits %s', (_case, scope, role) => {
    // Given a scope and a role it admits
    // When the predicate decides
    const verdict = roleInRemediationScope(scope, role);

    // Then the role is in scope, with a reason
    expect(verdict.inScope).toBe(true);
    expect(verdict.why.length).toBeGreaterThan(5);
  });

  it.each<[string, RemediationScope, { name: string; path?: string; tags?: Record<string, string> }, string]>([
    ['AWSControlTowerExecution', ALL, { name: 'AWSControlTowerExecution' }, 'protected-role'],
    [
      'a Control Tower role under a path',
      ALL,
      { name: 'AWSControlTowerAdmin', path: '/service-role/' },
      'protected-role',
    ],
    ['aws-controltower-*', ALL, { name: 'aws-controltower-ReadOnlyExecutionRole' }, 'protected-role'],
    ['a CDK bootstrap role', ALL, { name: 'cdk-hnb659fds-cfn-exec-role-1-eu-west-1' }, 'protected-role'],
    ['a StackSet execution role', ALL, { name: 'stacksets-exec-abc' }, 'protected-role'],
    [
      'AWSCloudFormationStackSetExecutionRole',
      ALL,
      { name: 'AWSCloudFormationStackSetExecutionRole' },
      'protected-role',
    ],
    [
      'OrganizationAccountAccessRole under a path',
      ALL,
      { name: 'OrganizationAccountAccessRole', path: '/a/' },
      'protected-role',
    ],
    [
      'an SSO role',
      ALL,
      { name: 'AWSReservedSSO_Admin_1', path: '/aws-reserved/sso.amazonaws.com/' },
      'protected-role',
    ],
    ['anything under /aws-reserved/', ALL, { name: 'x', path: '/aws-reserved/' }, 'protected-role'],
    [
      'a service-linked role',
      ALL,
      { name: 'AWSServiceRoleForX', path: '/aws-service-role/x.amazonaws.com/' },
      'protected-role',
    ],
    ['a configured own role', ALL, { name: 'Fix' }, 'protected-role'],
    ['an IrsaDoctor* role', ALL, { name: 'IrsaDoctorHub-ApplyPlanServiceRole' }, 'protected-role'],
    ['a role tagged protected', ALL, { name: 'break-glass', tags: { [PROTECTED_TAG]: '' } }, 'protected-tag'],
    ['an untagged role (tagged)', TAGGED, { name: 'app' }, 'not-opted-in'],
    ['a role tagged remediable=True (tagged)', TAGGED, { name: 'app', tags: { [OPT_IN_TAG]: 'True' } }, 'not-opted-in'],
    ['a role outside the path (path)', PATH, { name: 'app', path: '/irsa2/', tags: OPTED_IN }, 'not-opted-in'],
    ['a role at / (tagged-or-path)', EITHER, { name: 'app' }, 'not-opted-in'],
  ])('Noncompliance: keeps out %s', (_case, scope, role, code) => {
    // Given a scope and a role it must keep out
    // When the predicate decides
    const verdict = roleInRemediationScope(scope, role);

    // Then the role is out of scope, with the reason's code
    expect(verdict).toMatchObject({ inScope: false, code });
  });

  it('keeps a protected role out even when it is opted in by tag and path', () => {
    // Given an SSO-looking role under an opted-in path, tagged in
    // When decided
    const verdict = roleInRemediationScope(EITHER, { name: 'cdk-x', path: '/irsa/', tags: OPTED_IN });

    // Then the Deny wins, as in IAM
    expect(verdict).toMatchObject({ inScope: false, code: 'protected-role' });
  });
});

describe('roleScopeStatements', () => {
  it('derives the IAM patterns: the tag statement, the path statements and the Deny list', () => {
    // Given each mode
    // When the statements are derived
    const tagged = roleScopeStatements(TAGGED);
    const path = roleScopeStatements(PATH);
    const all = roleScopeStatements(ALL);

    // Then each mode allows what it says, and every mode denies the protected roles at any path
    expect(tagged).toMatchObject({ allowTaggedOn: ['*'], allowOn: [] });
    expect(path).toMatchObject({ allowTaggedOn: [], allowOn: ['irsa/*'] });
    expect(all).toMatchObject({ allowTaggedOn: [], allowOn: ['*'] });
    for (const s of [tagged, path, all]) {
      expect(s.denyOn).toEqual(
        expect.arrayContaining([
          'AWSControlTower*',
          '*/AWSControlTower*',
          'cdk-*',
          '*/cdk-*',
          'aws-reserved/*',
          'aws-service-role/*',
          'OrganizationAccountAccessRole',
          '*/OrganizationAccountAccessRole',
        ]),
      );
      expect(s.denyTaggedWith).toBe(PROTECTED_TAG);
    }
    expect(all.denyOn).toEqual(expect.arrayContaining(['Fix', '*/Fix', 'Scan', '*/Scan']));
  });

  it('writes the role resource as IAM does: path without the leading slash, then the name', () => {
    expect(roleResource({ name: 'a' })).toBe('a');
    expect(roleResource({ name: 'a', path: '/x/y/' })).toBe('x/y/a');
  });
});

describe('validateRemediationScope', () => {
  it.each<[string, RemediationScope, RegExp]>([
    ['an unknown mode', { ...TAGGED, mode: 'some' as never }, /mode must be one of/],
    ['path mode without paths', { ...PATH, paths: [] }, /at least one role path/],
    ['paths with tagged mode', { ...TAGGED, paths: ['/irsa/'] }, /only used with mode path/],
    ['a path without a trailing slash', { ...PATH, paths: ['/irsa'] }, /IAM role paths/],
    ['the root path', { ...PATH, paths: ['/'] }, /all-roles/],
    ['the SSO path', { ...PATH, paths: ['/aws-reserved/sso.amazonaws.com/'] }, /never remediable/],
    ['the service-linked path', { ...PATH, paths: ['/aws-service-role/'] }, /never remediable/],
    ['a bad own role name', { ...TAGGED, ownRoleNames: ['a b'] }, /ownRoleNames/],
  ])('fails when given %s', (_case, scope, message) => {
    // Given a bad scope
    // When validated
    // Then a typed error names the problem
    expect(() => validateRemediationScope(scope)).toThrow(RemediationScopeError);
    expect(() => validateRemediationScope(scope)).toThrow(message);
  });
});

describe('providerInRemediationScope', () => {
  it.each<[string, boolean]>([
    ['oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF', true],
    ['oidc.eks.cn-north-1.amazonaws.com.cn/id/0123456789ABCDEF0123456789ABCDEF', true],
    ['token.actions.githubusercontent.com', false],
    ['gitlab.com', false],
    ['oidc.eks.us-east-1.amazonaws.com', false],
  ])('%s: %s', (url, expected) => {
    expect(providerInRemediationScope(url)).toBe(expected);
  });
});

describe('remediationScopeFrom', () => {
  it('reads the mode and comma-separated paths, defaulting to tagged', () => {
    // Given configuration text as a function's environment carries it
    // When read
    // Then the scope is validated and complete
    expect(remediationScopeFrom({ ownRoleNames: OWN })).toEqual({ mode: 'tagged', paths: [], ownRoleNames: OWN });
    expect(remediationScopeFrom({ mode: 'path', paths: '/irsa/, /teams/a/', ownRoleNames: OWN })).toEqual({
      mode: 'path',
      paths: ['/irsa/', '/teams/a/'],
      ownRoleNames: OWN,
    });
  });

  it('fails when the text is not a scope', () => {
    expect(() => remediationScopeFrom({ mode: 'path', paths: '', ownRoleNames: OWN })).toThrow(RemediationScopeError);
    expect(() => remediationScopeFrom({ mode: 'every', ownRoleNames: OWN })).toThrow(/mode must be one of/);
  });
});
