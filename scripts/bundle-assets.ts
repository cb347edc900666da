/**
 * Prebuilds what the constructs of `irsa-doctor/cdk` deploy, into dist/assets (run by `npm run build`, so at pack
 * time): each Lambda handler (lambdas/handlers/<file>.ts -> dist/assets/lambda/<file>/index.js, with the esbuild
 * options IrsaFunction bundles with at synth, but no source map) and the approval console (dist/assets/console). The constructs use
 * these with Code.fromAsset when present, as published construct libraries do (projen's LambdaFunction bundles at
 * compile time the same way), so a user's synth needs neither esbuild nor the TypeScript sources.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { buildConsoleAssets } from '../console/build';
import { HANDLER_BUNDLING } from '../infra/constructs/irsa-function';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'dist', 'assets');
const HANDLERS = join(ROOT, 'lambdas', 'handlers');

/** The handler files: those that export a Lambda `handler` (the others are their shared parts). */
const entries = readdirSync(HANDLERS)
  .filter((f) => f.endsWith('.ts'))
  .filter((f) => /export (const|async function|function) handler\b/.test(readFileSync(join(HANDLERS, f), 'utf8')))
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();
if (entries.length === 0) throw new Error(`no handler files in ${HANDLERS}`);

for (const file of entries) {
  buildSync({
    entryPoints: [join(HANDLERS, `${file}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: HANDLER_BUNDLING.target,
    minify: HANDLER_BUNDLING.minify,
    // No source maps in the package: they would quadruple it (about 6.6 MB per handler).
    sourcemap: false,
    mainFields: [...HANDLER_BUNDLING.mainFields],
    external: [...HANDLER_BUNDLING.externalModules],
    outfile: join(OUT, 'lambda', file, 'index.js'),
    logLevel: 'warning',
  });
}
buildConsoleAssets(join(OUT, 'console'));
process.stdout.write(`bundle-assets: ${entries.length} handlers (${entries.join(', ')}) and the console\n`);
