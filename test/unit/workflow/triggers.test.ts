import { startClusterCheck } from '../../../lambdas/workflow/triggers';
import { FakeWorkflowStarter } from '../../support/fakes/workflow-starter';

/** Records what is started; an execution name can be started once, as in Step Functions (which checks the name). */
function recordingStarter() {
  const starter = new FakeWorkflowStarter();
  return {
    starter,
    started: {
      get size() {
        return starter.started.length;
      },
      values: () => starter.started.map((e) => e.input),
    },
  };
}

const event = (overrides: object = {}) => ({
  account: '111111111111',
  region: 'us-west-2',
  detail: {
    recipientAccountId: '222222222222',
    awsRegion: 'eu-west-1',
    requestParameters: { name: 'prod' },
    responseElements: { cluster: { name: 'prod' } },
    ...overrides,
  },
});

describe('startClusterCheck', () => {
  it('starts one single-cluster run for the cluster the event names, in the account that created it', async () => {
    const { starter, started } = recordingStarter();
    const result = await startClusterCheck(starter, event());
    expect(result).toMatchObject({
      started: true,
      cluster: { accountId: '222222222222', region: 'eu-west-1', name: 'prod' },
    });
    expect(started.values()).toEqual([
      {
        mode: 'cluster',
        trigger: 'cluster-created',
        cluster: { accountId: '222222222222', region: 'eu-west-1', name: 'prod' },
      },
    ]);
  });

  it('collapses the same event delivered twice (hub and member rules) into one run', async () => {
    const { starter, started } = recordingStarter();
    await startClusterCheck(starter, event());
    const second = await startClusterCheck(starter, event());
    expect(second.started).toBe(false);
    expect(started.size).toBe(1);
    // while another cluster gets its own run
    await startClusterCheck(starter, event({ responseElements: { cluster: { name: 'stage' } } }));
    expect(started.size).toBe(2);
  });

  it('ignores a CreateCluster call that failed, and names what is missing from a malformed event', async () => {
    const { starter, started } = recordingStarter();
    expect(await startClusterCheck(starter, event({ errorCode: 'InvalidParameterException' }))).toMatchObject({
      started: false,
    });
    await expect(startClusterCheck(starter, { detail: { awsRegion: 'eu-west-1' } })).rejects.toMatchObject({
      name: 'InvalidPayloadError',
      problems: ['$.detail.recipientAccountId', '$.detail.responseElements.cluster.name'],
    });
    expect(started.size).toBe(0);
  });

  it('names the execution as Step Functions accepts for the longest cluster name EKS allows, and keeps clusters apart', async () => {
    // Given two clusters whose 100-character names share their first 99 characters
    const { starter } = recordingStarter();
    const long = (last: string) => `${'a'.repeat(99)}${last}`;
    // When each is created
    const one = await startClusterCheck(starter, event({ responseElements: { cluster: { name: long('1') } } }));
    const two = await startClusterCheck(starter, event({ responseElements: { cluster: { name: long('2') } } }));
    // Then both start (the fake refuses names Step Functions refuses), under names of at most 80 characters
    expect([one.started, two.started]).toEqual([true, true]);
    expect(starter.started.map((e) => e.name.length <= 80)).toEqual([true, true]);
  });
});

describe('the requester of a cluster-created run', () => {
  it('is the CloudTrail identity that created the cluster: an IAM user, or an assumed role’s session name', async () => {
    const { starter, started } = recordingStarter();
    await startClusterCheck(starter, event({ userIdentity: { type: 'IAMUser', userName: 'carol' } }));
    await startClusterCheck(
      starter,
      event({
        requestParameters: { name: 'stage' },
        responseElements: { cluster: { name: 'stage' } },
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_Admin_0123/dave@example.com',
        },
      }),
    );
    await startClusterCheck(
      starter,
      event({
        requestParameters: { name: 'ci' },
        responseElements: { cluster: { name: 'ci' } },
        userIdentity: { type: 'AWSService' },
      }),
    );
    expect(started.values().map((i) => (i as { requestedBy?: string }).requestedBy)).toEqual([
      'carol',
      'dave@example.com',
      undefined,
    ]);
  });
});
