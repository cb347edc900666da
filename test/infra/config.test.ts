import { Duration } from 'aws-cdk-lib';
import {
  AUTO_APPLICABLE_ACTIONS,
  CONFIG_CONTEXT_KEY,
  type IrsaDoctorConfigInput,
  loadConfig,
  resolveConfig,
} from '../../infra/config';
import { testApp } from './helpers';

describe('resolveConfig', () => {
  it('fills every default', () => {
    // Given no overrides
    // When the configuration is resolved
    const config = resolveConfig();

    // Then the documented defaults apply
    expect(config).toMatchObject({
      accounts: [],
      organization: false,
      organizationalUnits: [],
      excludeAccounts: [],
      // empty: the workflow sweeps the default regions of the hub's partition
      regions: [],
      schedule: 'rate(1 day)',
      accountConcurrency: 40,
      analysisConcurrency: 40,
      clusterWaitAttempts: 30,
      autoApplyActions: [],
      allowWidening: [],
      scannerRoleName: 'IrsaDoctorScanner',
      remediatorRoleName: 'IrsaDoctorRemediator',
      console: true,
      approversGroup: 'irsa-doctor-approvers',
    });
    expect(config.approvalTimeout.toSeconds()).toBe(24 * 3600);
    expect(config.clusterPollInterval.toSeconds()).toBe(60);
    for (const optional of ['hubAccountId', 'externalId', 'notificationEmail', 'organizationId', 'consoleUrl']) {
      expect(config).not.toHaveProperty(optional);
    }
  });

  it('keeps valid overrides, durations given as Duration, seconds or ISO 8601', () => {
    // Given overrides of every kind
    const input: IrsaDoctorConfigInput = {
      hubAccountId: '111122223333',
      organization: true,
      organizationId: 'o-a1b2c3d4e5',
      organizationalUnits: ['ou-ab12-cdef3456', 'r-ab12'],
      excludeAccounts: ['444455556666'],
      regions: ['eu-west-1'],
      schedule: 'cron(0 6 ? * MON-FRI *)',
      approvalTimeout: 'PT36H',
      clusterPollInterval: 30,
      autoApplyActions: [...AUTO_APPLICABLE_ACTIONS],
      allowWidening: ['wildcard-meant', 'pod-identity-action'],
      externalId: 'irsa-doctor-1',
      notificationEmail: 'platform@example.com',
      consoleUrl: 'https://irsa.example.com',
      console: false,
      approversGroup: 'Platform.Approvers@prod',
    };

    // When resolved
    const config = resolveConfig(input);

    // Then each is kept, durations converted
    expect(config).toMatchObject({
      ...input,
      approvalTimeout: expect.anything(),
      clusterPollInterval: expect.anything(),
    });
    expect(config.approvalTimeout.toSeconds()).toBe(36 * 3600);
    expect(config.clusterPollInterval.toSeconds()).toBe(30);
    expect(resolveConfig({ approvalTimeout: Duration.minutes(5) }).approvalTimeout.toSeconds()).toBe(300);
  });

  it.each<[string, IrsaDoctorConfigInput, string]>([
    ['an account id that is not 12 digits', { accounts: ['123'] }, 'accounts'],
    ['an excluded account id that is not 12 digits', { excludeAccounts: ['12345678901x'] }, 'excludeAccounts'],
    ['a hub account id that is not 12 digits', { hubAccountId: '1234' }, 'hubAccountId'],
    [
      'an auto-apply action outside the allowed four',
      { autoApplyActions: ['delete-oidc-provider'] },
      'autoApplyActions',
    ],
    ['a widening class that does not exist', { allowWidening: ['everything'] }, 'allowWidening'],
    ['an approval timeout of 0', { approvalTimeout: 0 }, 'approvalTimeout'],
    ['an approval timeout of Duration 0', { approvalTimeout: Duration.seconds(0) }, 'approvalTimeout'],
    ['an approval timeout over a year', { approvalTimeout: Duration.days(400) }, 'approvalTimeout'],
    // The remediation execution that waits must end within a year: the wait, plus time for the other steps.
    ['an approval timeout of a whole year', { approvalTimeout: Duration.days(365) }, 'approvalTimeout'],
    ['an approval timeout that is not ISO 8601', { approvalTimeout: '24h' }, 'approvalTimeout'],
    ['a cluster poll interval of 0', { clusterPollInterval: 0 }, 'clusterPollInterval'],
    ['an account concurrency of 0', { accountConcurrency: 0 }, 'accountConcurrency'],
    ['a fractional analysis concurrency', { analysisConcurrency: 1.5 }, 'analysisConcurrency'],
    ['an analysis concurrency over 1000', { analysisConcurrency: 1001 }, 'analysisConcurrency'],
    [
      'the retired planConcurrency (any number of plans wait now)',
      { planConcurrency: 10 } as IrsaDoctorConfigInput,
      'planConcurrency',
    ],
    ['no cluster wait attempts', { clusterWaitAttempts: 0 }, 'clusterWaitAttempts'],
    ['a schedule that is not rate/cron/at', { schedule: 'daily' }, 'schedule'],
    ['a bad region', { regions: ['mars-1'] }, 'regions'],
    [
      'a bad OU id',
      { organization: true, organizationId: 'o-a1b2c3d4e5', organizationalUnits: ['x'] },
      'organizationalUnits',
    ],
    ['OUs without organization', { organizationalUnits: ['ou-ab12-cdef3456'] }, 'organizationalUnits'],
    ['both accounts and organization', { accounts: ['111122223333'], organization: true }, 'accounts'],
    ['organization without its id', { organization: true }, 'organizationId'],
    ['a bad organization id', { organizationId: 'org-1' }, 'organizationId'],
    ['organization that is not a boolean', { organization: 'yes' as unknown as boolean }, 'organization'],
    ['a bad role name', { scannerRoleName: 'has space' }, 'scannerRoleName'],
    ['the same name for both roles', { remediatorRoleName: 'IrsaDoctorScanner' }, 'remediatorRoleName'],
    ['a one-character external id', { externalId: 'x' }, 'externalId'],
    ['a bad email', { notificationEmail: 'nobody' }, 'notificationEmail'],
    ['a console URL without https', { consoleUrl: 'http://irsa.example.com' }, 'consoleUrl'],
    ['a console URL that does not parse', { consoleUrl: 'https://[irsa' }, 'consoleUrl'],
    ['console that is not a boolean', { console: 'false' as unknown as boolean }, 'console'],
    ['an approvers group with a space', { approversGroup: 'irsa approvers' }, 'approversGroup'],
    ['an empty approvers group', { approversGroup: '' }, 'approversGroup'],
    ['an approvers group over 128 characters', { approversGroup: 'a'.repeat(129) }, 'approversGroup'],
    ['an approvers group that is not text', { approversGroup: 7 as unknown as string }, 'approversGroup'],
    ['an unknown field', { approvalTimout: 60 } as IrsaDoctorConfigInput, 'approvalTimout'],
  ])('fails when given %s, naming the field', (_case, input, field) => {
    // Given a configuration with one bad value
    // When it is resolved
    // Then the error names the field
    expect(() => resolveConfig(input)).toThrow(new RegExp(`irsa-doctor config: ${field}\\b`));
  });

  it('fails on the retired planConcurrency saying why and what to do, not as an unknown field', () => {
    // Given a configuration written for the version where plans waited in an inline Map
    const input = { planConcurrency: 10 } as IrsaDoctorConfigInput;

    // When it is resolved
    // Then the error says that any number of plans wait now, and to remove the field
    expect(() => resolveConfig(input)).toThrow(
      /planConcurrency is no longer used: each plan has its own remediation execution.*remove it/,
    );
  });
});

describe('loadConfig', () => {
  it('reads the overrides from the irsa-doctor context key', () => {
    // Given an app whose context holds overrides as an object
    const app = testApp();
    app.node.setContext(CONFIG_CONTEXT_KEY, { accounts: ['111122223333'], approvalTimeout: 7200 });

    // When the configuration is loaded
    const config = loadConfig(app);

    // Then the overrides are applied over the defaults
    expect(config.accounts).toEqual(['111122223333']);
    expect(config.approvalTimeout.toSeconds()).toBe(7200);
    expect(config.schedule).toBe('rate(1 day)');
  });

  it('reads JSON text, as `cdk synth -c irsa-doctor=...` passes it', () => {
    // Given the overrides as JSON text
    const app = testApp();
    app.node.setContext(CONFIG_CONTEXT_KEY, '{"regions":["eu-west-1","us-east-1"]}');

    // When loaded
    // Then parsed and applied
    expect(loadConfig(app).regions).toEqual(['eu-west-1', 'us-east-1']);
  });

  it("takes an empty region list as the default: the hub partition's regions, chosen by the workflow", () => {
    expect(resolveConfig({ regions: [] }).regions).toEqual([]);
    expect(resolveConfig(resolveConfig({})).regions).toEqual([]);
  });

  it('uses the defaults without the context key', () => {
    // Given no context key
    // When loaded
    // Then the defaults apply
    expect(loadConfig(testApp()).regions).toEqual([]);
  });

  it.each([
    ['text that is not JSON', '{accounts: []}'],
    ['a list', ['111122223333']],
  ])('fails when the context holds %s', (_case, value) => {
    // Given a context value that is not an object
    const app = testApp();
    app.node.setContext(CONFIG_CONTEXT_KEY, value);

    // When loaded
    // Then the error names the context key
    expect(() => loadConfig(app)).toThrow(/context irsa-doctor/);
  });

  it('fails when a context value is bad, naming the field', () => {
    // Given a bad value in the context
    const app = testApp();
    app.node.setContext(CONFIG_CONTEXT_KEY, { autoApplyActions: ['delete-oidc-provider'] });

    // When loaded
    // Then the error names the field and the allowed values
    expect(() => loadConfig(app)).toThrow(/autoApplyActions .*create-oidc-provider/);
  });
});

describe('resolveConfig: the remediator scope', () => {
  it('opts roles in by tag by default', () => {
    // Given no overrides
    // When resolved
    const config = resolveConfig();

    // Then roles enter the remediator's scope only by the opt-in tag
    expect(config.remediableRoles).toBe('tagged');
    expect(config.remediablePaths).toEqual([]);
  });

  it('keeps a path scope', () => {
    // Given a path scope
    // When resolved
    const config = resolveConfig({ remediableRoles: 'tagged-or-path', remediablePaths: ['/irsa/', '/irsa/'] });

    // Then the mode and the (deduplicated) paths are kept
    expect(config).toMatchObject({ remediableRoles: 'tagged-or-path', remediablePaths: ['/irsa/'] });
  });

  it.each<[string, IrsaDoctorConfigInput, RegExp]>([
    ['an unknown mode', { remediableRoles: 'everything' as never }, /remediableRoles must be one of tagged, path/],
    ['path mode without paths', { remediableRoles: 'path' }, /remediablePaths must name at least one role path/],
    ['paths without a path mode', { remediablePaths: ['/irsa/'] }, /remediablePaths are only used with mode path/],
    ['a path that is not a role path', { remediableRoles: 'path', remediablePaths: ['irsa'] }, /remediablePaths/],
    ['the root path', { remediableRoles: 'path', remediablePaths: ['/'] }, /use mode all-roles/],
    [
      'the SSO roles path',
      { remediableRoles: 'path', remediablePaths: ['/aws-reserved/sso.amazonaws.com/'] },
      /never remediable/,
    ],
  ])('fails when given %s, naming the field', (_case, input, message) => {
    // Given a bad scope
    // When resolved
    // Then a ConfigError names the field
    expect(() => resolveConfig(input)).toThrow(message);
  });
});

describe('resolveConfig: the member StackSets', () => {
  const ORG = { organization: true, organizationId: 'o-a1b2c3d4e5' } as const;

  it('is off by default', () => {
    // Given no memberStackSet
    // When resolved
    // Then there is none
    expect(resolveConfig(ORG)).not.toHaveProperty('memberStackSet');
  });

  it('keeps the OUs and regions and defaults the rest', () => {
    // Given OUs and regions only
    const config = resolveConfig({
      ...ORG,
      memberStackSet: { organizationalUnits: ['ou-ab12-cdef3456', 'r-ab12'], regions: ['eu-west-1', 'us-east-1'] },
    });

    // Then the caller is the management account, 25 % at once, no failure tolerated
    expect(config.memberStackSet).toEqual({
      organizationalUnits: ['ou-ab12-cdef3456', 'r-ab12'],
      regions: ['eu-west-1', 'us-east-1'],
      callAs: 'SELF',
      maxConcurrentPercentage: 25,
      failureTolerancePercentage: 0,
    });
  });

  it('keeps a delegated administrator and operation preferences', () => {
    const config = resolveConfig({
      ...ORG,
      memberStackSet: {
        organizationalUnits: ['ou-ab12-cdef3456'],
        regions: ['eu-west-1'],
        callAs: 'DELEGATED_ADMIN',
        maxConcurrentPercentage: 100,
        failureTolerancePercentage: 10,
      },
    });
    expect(config.memberStackSet).toMatchObject({
      callAs: 'DELEGATED_ADMIN',
      maxConcurrentPercentage: 100,
      failureTolerancePercentage: 10,
    });
  });

  const base = { organizationalUnits: ['ou-ab12-cdef3456'], regions: ['eu-west-1'] };
  it.each<[string, unknown, string]>([
    ['a list instead of an object', ['ou-ab12-cdef3456'], 'memberStackSet must be an object'],
    ['no OUs', { regions: ['eu-west-1'] }, 'memberStackSet.organizationalUnits must list at least one entry'],
    [
      'an account id as an OU',
      { ...base, organizationalUnits: ['111122223333'] },
      'memberStackSet.organizationalUnits entries',
    ],
    ['no regions', { ...base, regions: [] }, 'memberStackSet.regions must list at least one entry'],
    ['a bad region', { ...base, regions: ['mars-1'] }, 'memberStackSet.regions entries'],
    ['an unknown caller', { ...base, callAs: 'ADMIN' }, 'memberStackSet.callAs must be one of SELF, DELEGATED_ADMIN'],
    ['a concurrency of 0 %', { ...base, maxConcurrentPercentage: 0 }, 'memberStackSet.maxConcurrentPercentage'],
    [
      'a tolerance over 100 %',
      { ...base, failureTolerancePercentage: 101 },
      'memberStackSet.failureTolerancePercentage',
    ],
    ['an unknown field', { ...base, accounts: ['111122223333'] }, 'memberStackSet.accounts is not a known field'],
  ])('fails on %s, naming the field', (_case, memberStackSet, message) => {
    // Given a memberStackSet with one bad value
    const input = { ...ORG, memberStackSet } as IrsaDoctorConfigInput;

    // When resolved
    // Then the error names the sub-field
    expect(() => resolveConfig(input)).toThrow(`irsa-doctor config: ${message}`);
  });

  it('needs the organization: StackSets deploy to its OUs', () => {
    expect(() => resolveConfig({ memberStackSet: base })).toThrow(
      'irsa-doctor config: memberStackSet deploys to organizational units: set organization: true',
    );
  });
});

describe('resolveConfig: approver scopes and the second approval', () => {
  it('defaults to the approvers group for every account and a second approver for high risk', () => {
    const config = resolveConfig();
    expect(config.approvers).toBeUndefined();
    expect(config.secondApproval).toEqual({ risks: ['high'], actions: [] });
  });

  it('keeps scoped rules and a second-approval rule', () => {
    const config = resolveConfig({
      approvers: [
        { group: 'payments-approvers', accounts: ['111122223333'] },
        { group: 'platform-approvers', organizationalUnits: ['ou-ab12-cdef3456'] },
      ],
      secondApproval: { risks: [], actions: ['delete-oidc-provider'] },
    });
    expect(config.approvers).toEqual([
      { group: 'payments-approvers', accounts: ['111122223333'] },
      { group: 'platform-approvers', organizationalUnits: ['ou-ab12-cdef3456'] },
    ]);
    expect(config.secondApproval).toEqual({ risks: [], actions: ['delete-oidc-provider'] });
  });

  it.each([
    [{ approvers: [] }, 'irsa-doctor config: approvers must be a non-empty list'],
    [{ approvers: [{ group: 'g', accounts: ['1234'] }] }, 'irsa-doctor config: approvers[0].accounts[0] must be'],
    [{ approvers: [{ group: 'g', ous: [] }] }, 'irsa-doctor config: approvers[0].ous is not a known field'],
    [{ secondApproval: { risks: ['severe'] } }, 'irsa-doctor config: secondApproval.risks[0] must be one of'],
    [{ secondApproval: { actions: ['rm'] } }, 'irsa-doctor config: secondApproval.actions[0] must be one of'],
  ])('fails on %j naming the field', (input, message) => {
    expect(() => resolveConfig(input as unknown as IrsaDoctorConfigInput)).toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(message) }),
    );
  });
});

describe('resolveConfig: console sign-in', () => {
  const SECRET = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:irsa-doctor/idp-AbCdEf';

  it('defaults to managed login with one CLI port and no password flow', () => {
    const config = resolveConfig();
    expect(config.consoleCliPorts).toEqual([53682]);
    expect(config.consolePasswordSignIn).toBe(false);
    expect(config).not.toHaveProperty('consoleIdentityProvider');
    expect(config).not.toHaveProperty('consoleDomainPrefix');
  });

  it('keeps a SAML provider with its groups attribute, and an OIDC provider with its secret', () => {
    const saml = resolveConfig({
      consoleDomainPrefix: 'acme-irsa',
      consoleIdentityProvider: {
        type: 'saml',
        name: 'IdentityCenter',
        metadataUrl: 'https://portal.sso.eu-west-1.amazonaws.com/saml/metadata/abc',
        groupsAttribute: 'groups',
      },
    });
    expect(saml.consoleDomainPrefix).toBe('acme-irsa');
    expect(saml.consoleIdentityProvider).toEqual({
      type: 'saml',
      name: 'IdentityCenter',
      metadataUrl: 'https://portal.sso.eu-west-1.amazonaws.com/saml/metadata/abc',
      groupsAttribute: 'groups',
    });
    const oidc = resolveConfig({
      consoleIdentityProvider: {
        type: 'oidc',
        name: 'Okta',
        issuer: 'https://acme.okta.com',
        clientId: '0oa1',
        clientSecretArn: SECRET,
        scopes: ['openid', 'email', 'groups'],
      },
    });
    expect(oidc.consoleIdentityProvider).toMatchObject({ issuer: 'https://acme.okta.com', clientSecretArn: SECRET });
  });

  it.each<[string, IrsaDoctorConfigInput, string]>([
    ['a domain prefix with "cognito"', { consoleDomainPrefix: 'my-cognito' }, 'consoleDomainPrefix must be'],
    ['a domain prefix in capitals', { consoleDomainPrefix: 'Acme' }, 'consoleDomainPrefix must be'],
    ['no port', { consoleCliPorts: [] }, 'consoleCliPorts must list one or more ports'],
    ['a privileged port', { consoleCliPorts: [80] }, 'consoleCliPorts must list one or more ports'],
    ['a password flag that is not a boolean', { consolePasswordSignIn: 'yes' as never }, 'consolePasswordSignIn'],
    ['a provider without a type', { consoleIdentityProvider: { name: 'x' } as never }, 'consoleIdentityProvider.type'],
    [
      'a SAML provider without metadata',
      { consoleIdentityProvider: { type: 'saml', name: 'IdC' } },
      'consoleIdentityProvider.metadataUrl or metadataFile',
    ],
    [
      'a SAML provider with an OIDC field',
      { consoleIdentityProvider: { type: 'saml', name: 'IdC', metadataFile: 'm.xml', issuer: 'https://x' } },
      'consoleIdentityProvider.issuer is for type oidc',
    ],
    [
      'an OIDC provider without its secret',
      { consoleIdentityProvider: { type: 'oidc', name: 'Okta', issuer: 'https://acme.okta.com', clientId: 'c' } },
      'consoleIdentityProvider.clientSecretArn is required',
    ],
    [
      'an OIDC secret that is not a Secrets Manager ARN',
      {
        consoleIdentityProvider: {
          type: 'oidc',
          name: 'Okta',
          issuer: 'https://acme.okta.com',
          clientId: 'c',
          clientSecretArn: 'hunter2',
        },
      },
      'consoleIdentityProvider.clientSecretArn must be a Secrets Manager secret ARN',
    ],
    [
      'an OIDC provider over http',
      {
        consoleIdentityProvider: {
          type: 'oidc',
          name: 'Okta',
          issuer: 'http://acme.okta.com',
          clientId: 'c',
          clientSecretArn: SECRET,
        },
      },
      'consoleIdentityProvider.issuer must be an https:// issuer URL',
    ],
    [
      'password sign-in beside a groups attribute',
      {
        consolePasswordSignIn: true,
        consoleIdentityProvider: { type: 'saml', name: 'IdC', metadataFile: 'm.xml', groupsAttribute: 'groups' },
      },
      'consolePasswordSignIn cannot be on with consoleIdentityProvider.groupsAttribute',
    ],
    [
      'an unknown field',
      { consoleIdentityProvider: { type: 'saml', name: 'IdC', metadataFile: 'm.xml', groups: 'g' } as never },
      'consoleIdentityProvider.groups is not a known field',
    ],
  ])('fails on %s, naming the field', (_case, input, message) => {
    expect(() => resolveConfig(input)).toThrow(`irsa-doctor config: ${message}`);
  });
});
