/**
 * `npm run bench [-- --roles N --iterations K]`: benchmarks, never part of the tests.
 * Prints the figures and writes them as JSON to bench/results/latest.json for tracking over time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';
import type { runAnalysisBench as RunAnalysisBench } from './analysis';

/**
 * The analyzer is measured as it ships: bundled by esbuild the way the Lambda functions are (no keepNames, which
 * wraps every closure at creation and costs about a fifth of the analysis time), not through tsx's loader.
 */
function loadBundled(): { runAnalysisBench: typeof RunAnalysisBench } {
  const outfile = join(__dirname, '..', '.tmp', 'bench', 'analysis.cjs');
  buildSync({
    entryPoints: [join(__dirname, 'analysis.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'error',
  });
  return require(outfile);
}
const { runAnalysisBench } = loadBundled();

const { values } = parseArgs({
  options: { roles: { type: 'string', default: '100000' }, iterations: { type: 'string', default: '5' } },
});
const roles = Number(values.roles);
const iterations = Number(values.iterations);
if (!Number.isInteger(roles) || roles < 1 || !Number.isInteger(iterations) || iterations < 1) {
  process.stderr.write('bench: --roles and --iterations must be positive integers\n');
  process.exit(2);
}

process.stderr.write(`analysis: generating ${roles} roles and timing ${iterations} rounds...\n`);
const analysis = runAnalysisBench(roles, iterations, 'plain');
const encoded = runAnalysisBench(roles, iterations, 'url');
const lines = [
  `Analysis of ${analysis.roles} roles (${analysis.findings} findings), median of ${analysis.iterations} rounds, Node ${process.version}:`,
  `  JSON.parse of the same ${analysis.roles} trust policies: ${analysis.jsonParseMs.toFixed(1)} ms`,
  `  analyzeEstate, policies as plain JSON text:      ${analysis.analysisMs.toFixed(1)} ms`,
  `  ratio analysis / JSON.parse:                     ${analysis.ratio.toFixed(2)}x (target <= 5x)`,
  `  analyzeEstate, policies URL-encoded as IAM sends: ${encoded.analysisMs.toFixed(1)} ms (${encoded.ratio.toFixed(2)}x, decoding included)`,
  `  snapshot schema validation (not in the ratio):   ${analysis.validationMs.toFixed(1)} ms`,
];
process.stdout.write(`${lines.join('\n')}\n`);

const results = { date: new Date().toISOString(), node: process.version, analysis, analysisUrlEncoded: encoded };
const dir = join(__dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`wrote ${join(dir, 'latest.json')}\n`);
