import { installAwsCli } from './aws-cli';
import { emulator, endpointUrl } from './emulator-env';

export default function globalSetup(): void {
  emulator('install');
  // The pinned AWS CLI, to compare the EKS token with `aws eks get-token` (test/integ/adapters/kubernetes).
  installAwsCli();
  emulator('stop');
  emulator('start');
  delete process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = endpointUrl();
}
