import { emulator, endpointUrl } from './emulator-env';

export default function globalSetup(): void {
  emulator('install');
  emulator('stop');
  emulator('start');
  delete process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = endpointUrl();
}
