#!/usr/bin/env node
// Development launcher: runs the CLI's TypeScript sources through tsx (a dev dependency), so a clone works after
// `npm ci` with no build and never runs stale output. Slower to start than bin/irsa-doctor.cjs, which runs the
// JavaScript that `npm run build` compiles into dist/ (what the published package ships).
//   node scripts/dev-cli.cjs analyze --snapshot examples/estate.json
'use strict';
// Same as bin/irsa-doctor.cjs: the AWS SDK's documented opt-out of its Node 20 support notice; a user's value wins.
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
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
