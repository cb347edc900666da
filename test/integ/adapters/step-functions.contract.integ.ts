/**
 * SfnWorkflowStarter and SfnTaskCallbacks on the emulator's Step Functions, against the contracts the fakes pass
 * (test/unit/support/fakes/step-functions.contract.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_REGION } from '../../../infra/local/synthesized-definition';
import { SfnTaskCallbacks, SfnWorkflowStarter } from '../../../lambdas/adapters/notifications';
import { taskCallbacksContract, workflowStarterContract } from '../../support/contracts/workflow-starter-contract';
import { HUB } from '../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

let client: SFNClient;
let stateMachineArn: string;

beforeAll(async () => {
  useEmulatorCredentials();
  client = new SFNClient({ endpoint: endpointUrl(), region: LOCAL_REGION });
  const out = await client.send(
    new CreateStateMachineCommand({
      name: `contract-${randomUUID().slice(0, 8)}`,
      roleArn: `arn:aws:iam::${HUB}:role/states`,
      definition: JSON.stringify({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 600, End: true } } }),
    }),
  );
  stateMachineArn = out.stateMachineArn ?? '';
});

afterAll(() => client?.destroy());

describe('SfnWorkflowStarter', () => {
  workflowStarterContract(async () => new SfnWorkflowStarter(client, stateMachineArn));
});

describe('SfnTaskCallbacks', () => {
  taskCallbacksContract(async () => new SfnTaskCallbacks(client));
});
