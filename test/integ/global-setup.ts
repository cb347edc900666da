import { kube } from '../../kube/local-cluster';
import { installAwsCli } from './aws-cli';
import { emulator, endpointUrl } from './emulator-env';

/** Starts the AWS emulator and the local Kubernetes API server; when either fails, stops both before failing. */
export default function globalSetup(): void {
  emulator('install');
  kube('install');
  // The pinned AWS CLI, to compare the EKS token with `aws eks get-token` (test/integ/adapters/kubernetes).
  installAwsCli();
  emulator('stop');
  kube('stop');
  try {
    emulator('start');
    kube('start');
  } catch (error) {
    emulator('stop');
    kube('stop');
    throw error;
  }
  delete process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = endpointUrl();
}
