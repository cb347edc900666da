import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnWorkflowStarter } from '../adapters/notifications';
import { ENV } from '../shared/env';
import { startClusterCheck } from '../workflow/triggers';
import { traceClient } from './instrumentation';
import { logger } from './make-handler';

let starter: SfnWorkflowStarter | undefined;

/** EventBridge target for CreateCluster: starts one single-cluster run per cluster (see workflow/triggers.ts). */
export const handler = async (event: unknown) => {
  const arn = process.env[ENV.stateMachineArn];
  if (!arn) throw new Error('missing environment variable STATE_MACHINE_ARN: the hub stack sets it');
  starter ??= new SfnWorkflowStarter(traceClient(new SFNClient({})), arn);
  const result = await startClusterCheck(starter, event as Parameters<typeof startClusterCheck>[1]);
  logger.info(result.started ? 'cluster check started' : 'cluster check not started', { result });
  return result;
};
