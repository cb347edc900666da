/**
 * Builds the approval console's static assets (index.html, app.js, app.css) into a folder: the browser code in
 * console/src bundled by esbuild. Used by the hub stack at synth time (deployed to the console bucket) and by the
 * local console server at start.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

export const CONSOLE_ASSETS = ['index.html', 'app.js', 'app.css'] as const;

export function buildConsoleAssets(outDir: string): readonly string[] {
  mkdirSync(outDir, { recursive: true });
  buildSync({
    entryPoints: [join(__dirname, 'src', 'main.ts')],
    bundle: true,
    format: 'iife',
    target: ['es2022'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    outfile: join(outDir, 'app.js'),
    logLevel: 'silent',
  });
  copyFileSync(join(__dirname, 'index.html'), join(outDir, 'index.html'));
  copyFileSync(join(__dirname, 'app.css'), join(outDir, 'app.css'));
  return CONSOLE_ASSETS;
}
