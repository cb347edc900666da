#!/usr/bin/env node
// Launcher for the `irsa-doctor` CLI: runs the JavaScript compiled into dist/ by `npm run build` (the published
// package ships it; `prepack` builds it). Nothing is compiled at start. From a clone, build first, or run the
// TypeScript sources directly with `node scripts/dev-cli.cjs` (through tsx, for development).
'use strict';
const nodeModule = require('node:module');

// Node >= 22.1 keeps the V8 code cache of the modules it compiles on disk: later starts skip the parse.
if (typeof nodeModule.enableCompileCache === 'function') {
  try {
    nodeModule.enableCompileCache();
  } catch {
    // A cache directory that cannot be written only costs speed.
  }
}

// The AWS SDK prints a 9-line notice on every client under Node 20 (SDK versions after January 2027 need Node 22).
// irsa-doctor supports Node >= 20 and says so in its README; the SDK's documented opt-out keeps scans readable.
// An explicit value set by the user wins.
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}

// A reader that stops early (`irsa-doctor analyze | head`) closes the pipe: stop quietly, as a Unix tool killed by
// SIGPIPE does (exit 141), instead of an unhandled EPIPE stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(141);
  throw err;
});

const entry = require('node:path').join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!require('node:fs').existsSync(entry)) {
  process.stderr.write(
    'irsa-doctor: not built: run `npm run build` in this checkout (or `node scripts/dev-cli.cjs` to run the sources)\n',
  );
  process.exit(3);
}
require(entry)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`irsa-doctor: internal error: ${err?.stack ? err.stack : String(err)}\n`);
      process.exitCode = 3;
    },
  );
