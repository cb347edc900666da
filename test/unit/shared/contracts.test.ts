import { validateInput } from '../../../lambdas/shared/contracts';
import { loadEnv } from '../../../lambdas/shared/env';

describe('validateInput', () => {
  const start = (input: object) => ({
    input,
    executionId: 'arn:x',
    executionName: 'run-1',
    startedAt: '2026-11-23T00:00:00Z',
  });

  it('accepts a sweep and a single-cluster run', () => {
    expect(validateInput('start-run', start({ mode: 'sweep', dryRun: true }))).toBeDefined();
    expect(
      validateInput(
        'start-run',
        start({ mode: 'cluster', cluster: { accountId: '111111111111', region: 'us-west-2', name: 'prod' } }),
      ),
    ).toBeDefined();
  });

  it.each([
    [start({ mode: 'cluster' }), /must have required property 'cluster'/],
    [start({ accounts: ['123'] }), /\$\.input\.accounts\.0: must match pattern/],
    [start({ regions: ['uswest2'] }), /\$\.input\.regions\.0: must match pattern/],
    [start({ unknown: 1 }), /must NOT have additional properties/],
    [{ runId: 'r', planId: 'p', outcome: 'exploded' }, /\$\.outcome: must be equal to one of the allowed values/],
  ])('names what is wrong: %j', (input, message) => {
    const step = 'outcome' in input ? 'record-outcome' : 'start-run';
    expect(() => validateInput(step, input)).toThrow(message);
  });
});

describe('loadEnv', () => {
  const complete = {
    STATE_TABLE: 's',
    AUDIT_TABLE: 'a',
    SNAPSHOT_BUCKET: 'b',
    TOPIC_ARN: 't',
    EVENT_BUS_NAME: 'e',
    HUB_ACCOUNT_ID: '123456789012',
    HUB_PARTITION: 'aws',
    SCANNER_ROLE_NAME: 'IrsaDoctorScanner',
    REMEDIATOR_ROLE_NAME: 'IrsaDoctorRemediator',
  };

  it('reads lists and defaults', () => {
    const env = loadEnv({ ...complete, REGIONS: 'us-west-2, eu-west-1', AUTO_APPLY_ACTIONS: '' });
    expect(env.regions).toEqual(['us-west-2', 'eu-west-1']);
    expect(env.autoApplyActions).toEqual([]);
    expect(env.allowWidening).toEqual([]);
    expect(env.approvalTimeoutSeconds).toBe(86400);
    expect(loadEnv({ ...complete, ALLOW_WIDENING: 'wildcard-meant, any-service-account' }).allowWidening).toEqual([
      'wildcard-meant',
      'any-service-account',
    ]);
  });

  it('fails fast on a widening class that does not exist', () => {
    expect(() => loadEnv({ ...complete, ALLOW_WIDENING: 'wildcard-meant,all' })).toThrow(
      /ALLOW_WIDENING may list only wildcard-meant, dropped-duplicate, any-service-account, pod-identity-action; got "all"/,
    );
  });

  it('reads the actions to auto-apply, and fails fast on one the workflow never applies', () => {
    expect(
      loadEnv({ ...complete, AUTO_APPLY_ACTIONS: 'add-client-id, create-oidc-provider' }).autoApplyActions,
    ).toEqual(['add-client-id', 'create-oidc-provider']);
    expect(() => loadEnv({ ...complete, AUTO_APPLY_ACTIONS: 'add-client-id,delete-oidc-provider' })).toThrow(
      /AUTO_APPLY_ACTIONS may list only create-oidc-provider, add-client-id, update-thumbprint, update-trust-policy, create-access-entry; got "delete-oidc-provider"/,
    );
  });

  it('reads the remediation scope (default tagged, own roles protected) and fails fast on a bad one', () => {
    const scope = loadEnv(complete).remediationScope;
    expect(scope.mode).toBe('tagged');
    expect(scope.ownRoleNames).toEqual(['IrsaDoctorScanner', 'IrsaDoctorRemediator']);
    expect(
      loadEnv({ ...complete, REMEDIABLE_ROLES: 'path', REMEDIABLE_PATHS: '/irsa/, /apps/' }).remediationScope.paths,
    ).toEqual(['/irsa/', '/apps/']);
    expect(() => loadEnv({ ...complete, REMEDIABLE_ROLES: 'everything' })).toThrow(
      /REMEDIABLE_ROLES\/REMEDIABLE_PATHS: /,
    );
  });

  it("reads the hub's partition, and fails fast on one that is not supported or missing", () => {
    expect(loadEnv({ ...complete, HUB_PARTITION: 'aws-cn' }).partition).toBe('aws-cn');
    expect(loadEnv({ ...complete, HUB_PARTITION: 'aws-us-gov' }).partition).toBe('aws-us-gov');
    expect(() => loadEnv({ ...complete, HUB_PARTITION: 'aws-iso' })).toThrow(
      /HUB_PARTITION must be one of aws, aws-cn, aws-us-gov; got "aws-iso"/,
    );
    const { HUB_PARTITION: _, ...withoutPartition } = complete;
    expect(() => loadEnv(withoutPartition)).toThrow(/missing environment variable\(s\) HUB_PARTITION/);
  });

  it('names every missing variable and a bad number', () => {
    expect(() => loadEnv({ STATE_TABLE: 's' })).toThrow(
      /missing environment variable\(s\) AUDIT_TABLE, SNAPSHOT_BUCKET, TOPIC_ARN/,
    );
    expect(() => loadEnv({ ...complete, CLUSTER_WAIT_ATTEMPTS: 'lots' })).toThrow(
      /CLUSTER_WAIT_ATTEMPTS must be a positive whole number; got "lots"/,
    );
  });
});
