// `npm run build` starts from an empty dist/: a source file deleted or renamed leaves no stale module behind.
require('node:fs').rmSync(require('node:path').join(__dirname, '..', 'dist'), { recursive: true, force: true });
