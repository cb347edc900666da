import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMULATOR_CREDENTIALS } from '../../emulator/seed';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'emulator.sh');
export const portFile = join(root, '.tmp', 'emulator.port');

export function emulator(command: 'install' | 'start' | 'stop'): string {
  return execFileSync('sh', [script, command], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The emulator endpoint: AWS_ENDPOINT_URL (set by global setup) or the port file written by `emulator.sh start`. */
export function endpointUrl(): string {
  const fromEnv = process.env.AWS_ENDPOINT_URL;
  if (fromEnv) return fromEnv;
  const port = readFileSync(portFile, 'utf8').trim();
  return `http://127.0.0.1:${port}`;
}

/** The emulator's credentials and region for the SDK's default chain, as every integration test file sets them. */
export function useEmulatorCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
}
