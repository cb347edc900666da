import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findToolVersion, TOOL_VERSION } from '../../../cli/version';

describe('TOOL_VERSION', () => {
  it("is the version of the repository's package.json", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
    expect(TOOL_VERSION).toBe(pkg.version);
  });

  it('is found upward from a compiled dist/cli folder, skipping package.json files of other packages', () => {
    const root = mkdtempSync(join(tmpdir(), 'irsa-doctor-version-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'irsa-doctor', version: '3.4.5' }));
    mkdirSync(join(root, 'dist/cli/render'), { recursive: true });
    writeFileSync(join(root, 'dist/package.json'), JSON.stringify({ type: 'commonjs' }));
    expect(findToolVersion(join(root, 'dist/cli/render'))).toBe('3.4.5');
  });

  it('is undefined when no package.json of the tool is above', () => {
    expect(findToolVersion(mkdtempSync(join(tmpdir(), 'irsa-doctor-none-')))).toBeUndefined();
  });
});
