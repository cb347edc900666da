/**
 * The workflow steps run over the ports (lambdas/workflow/deps.ts): no AWS SDK and no adapter import in
 * lambdas/workflow. biome.json enforces it (noRestrictedImports on lambdas/workflow/**); this checks the rule
 * fires on a violation, and that no workflow file has one.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');
const FORBIDDEN = /from '(@aws-sdk\/[^']*|@smithy\/[^']*|[./]*\/adapters(\/[^']*)?)'/;

/** biome lint, with the repository's rules, of files placed under lambdas/workflow/ of a scratch directory. */
function lintWorkflowFile(source: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ports-only-'));
  try {
    const config = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8')) as Record<string, unknown>;
    delete config.vcs;
    delete config.$schema;
    writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
    mkdirSync(join(dir, 'lambdas/workflow'), { recursive: true });
    writeFileSync(join(dir, 'lambdas/workflow/probe.ts'), source);
    const run = spawnSync(
      join(ROOT, 'node_modules/.bin/biome'),
      ['lint', '--colors=off', 'lambdas/workflow/probe.ts'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('lambdas/workflow imports ports only', () => {
  it('has no AWS SDK or adapter import in any workflow file', () => {
    const dir = join(ROOT, 'lambdas/workflow');
    const offending = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => FORBIDDEN.test(readFileSync(join(dir, f), 'utf8')));
    expect(offending).toEqual([]);
  });

  it('fails the lint on an AWS SDK import and on an adapter import in a workflow file', () => {
    const out = lintWorkflowFile(
      "import { S3Client } from '@aws-sdk/client-s3';\n" +
        "import { AwsClientFactory } from '../adapters/aws-clients';\n" +
        'export const clients = [S3Client, AwsClientFactory];\n',
    );
    expect(out.status).not.toBe(0);
    expect(out.output.match(/lint\/style\/noRestrictedImports/g)).toHaveLength(2);
  });

  it('passes the lint on a workflow file that imports a port', () => {
    const out = lintWorkflowFile(
      "import type { StateStore } from '../ports/state-store';\nexport type Store = StateStore;\n",
    );
    expect(out.output).not.toContain('noRestrictedImports');
    expect(out.status).toBe(0);
  });
});
