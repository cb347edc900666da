import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** Installs the pinned AWS CLI v1 into .venv/awscli when missing (scripts/awscli.sh); returns the venv's python. */
export function installAwsCli(): string {
  const aws = execFileSync('sh', [join(root, 'scripts', 'awscli.sh')], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return join(aws, '..', 'python');
}
