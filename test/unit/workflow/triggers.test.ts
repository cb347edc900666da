import type { WorkflowStarter } from '../../../lambdas/ports/notifier';
import { startClusterCheck } from '../../../lambdas/workflow/triggers';

/** Records what would be started; an execution name can be started once, as in Step Functions. */
function recordingStarter() {
  const started = new Map<string, object>();
  const starter: WorkflowStarter = {
    async start(name, input) {
      if (started.has(name)) return { started: false };
      started.set(name, input);
      return { started: true, executionArn: `arn:aws:states:us-east-1:123456789012:execution:IrsaDoctor:${name}` };
    },
  };
  return { starter, started };
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
    expect([...started.values()]).toEqual([
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
});
