#!/usr/bin/env node
// Launcher for the `irsa-doctor` CLI: runs the TypeScript sources directly through tsx,
// so a fresh clone works after `npm ci` with no build step and never runs stale output.
'use strict';
require('tsx/cjs/api').register();
const { main } = require('../cli/main.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`irsa-doctor: internal error: ${err?.stack ? err.stack : String(err)}\n`);
    process.exitCode = 3;
  },
);
