import type { CheckClusterInput } from '../shared/contracts';
import { checkCluster } from '../workflow/run-steps';
import { makeHandler } from './make-handler';

export const handler = makeHandler<CheckClusterInput, Awaited<ReturnType<typeof checkCluster>>>(
  'check-cluster',
  checkCluster,
);
