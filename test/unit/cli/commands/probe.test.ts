import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../../cli/main';
import { captureIo } from '../../../support/cli-io';

const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-probe-cli-'));
const base = ['probe', '--namespace', 'ns', '--service-account', 'app'];

/** Bad input never reaches a cluster or AWS: exit 2 with one line that says what to fix. */
describe('irsa-doctor probe: bad input', () => {
  it.each([
    [
      ['--cluster', 'c', '--region', 'us-west-2', '-o', 'markdown'],
      /--output <format>' argument 'markdown' is invalid/,
    ],
    [['--cluster', 'c', '--region', 'us-west-2', '--namespace', 'Bad_NS'], /--namespace must be a Kubernetes name/],
    [
      ['--cluster', 'c', '--region', 'us-west-2', '--service-account', 'a b'],
      /--service-account must be a Kubernetes name/,
    ],
    [['--cluster', 'c'], /--region is needed/],
    [['--cluster', 'c', '--region', 'west'], /--region "west" is not a region name/],
    [['--cluster', 'c', '--region', 'cn-north-1', '--partition', 'aws'], /--partition aws does not match --region/],
    [['--cluster', 'arn:aws:iam::111111111111:role/x'], /not an EKS cluster's/],
    [['--cluster', 'bad name!', '--region', 'us-west-2'], /--cluster must be an EKS cluster name or ARN/],
  ])('refuses %j', async (args, message) => {
    const cli = captureIo();
    const code = await main([...base, ...args], cli.io);
    expect(code).toBe(2);
    expect(cli.out()).toBe('');
    expect(cli.err()).toMatch(message);
  });

  it('says which kubeconfig cannot be used, and which contexts exist', async () => {
    const missing = captureIo();
    expect(
      await main([...base, '--cluster', 'c', '--region', 'us-west-2', '--kubeconfig', join(dir, 'none')], missing.io),
    ).toBe(2);
    expect(missing.err()).toMatch(/cannot read kubeconfig .*none: no such file/);

    const file = join(dir, 'kubeconfig');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'ctx', context: { cluster: 'k', user: 'u' } }],
      }),
    );
    const unknown = captureIo();
    expect(
      await main(
        [...base, '--cluster', 'c', '--region', 'us-west-2', '--kubeconfig', file, '--kube-context', 'other'],
        unknown.io,
      ),
    ).toBe(2);
    expect(unknown.err()).toMatch(/no context "other" \(contexts: ctx\)/);
  });

  it('documents what it writes, its RBAC need and its exit codes in its help', async () => {
    const cli = captureIo();
    expect(await main(['probe', '--help'], cli.io)).toBe(0);
    expect(cli.out()).toContain('What it writes: one TokenRequest');
    expect(cli.out()).toContain('"create" on serviceaccounts/token');
    expect(cli.out()).toContain('Exit codes: 0');
  });
});
