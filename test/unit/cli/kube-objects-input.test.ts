import { mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  kubeObjectsFromFile,
  parseKubeObjectsSpec,
  parseKubeObjectsSpecs,
  withKubeObjects,
} from '../../../cli/kube-objects-input';
import { main } from '../../../cli/main';
import { MAX_KUBE_OBJECTS_BYTES } from '../../../lambdas/domain/kubernetes/kube-objects';
import type { EstateSnapshot } from '../../../lambdas/domain/snapshot';
import { ClusterLookupError, InputReadError, KubeObjectsFileError, UsageError } from '../../../lambdas/shared/errors';
import { parseSnapshot } from '../../../lambdas/shared/schemas';
import { captureIo } from '../../support/cli-io';
import { eksWebhookConfiguration, kubectlList, mutatedPod, ROLE_ARN, serviceAccount } from '../../support/kube-raw';

const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-kube-objects-'));
const ESTATE = 'examples/estate.json';
const estate = (): EstateSnapshot => parseSnapshot(JSON.parse(readFileSync(ESTATE, 'utf8')));
const objects = kubectlList([
  serviceAccount('apps', 'web', { annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN } }),
  mutatedPod('apps', 'web-7d9c6b5f4-abcde', 'web'),
  eksWebhookConfiguration(),
]);

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const good = file('prod.json', JSON.stringify(objects, null, 4));

async function rejection(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('--kube-objects values', () => {
  it('reads CLUSTER@REGION=FILE and ACCOUNT/CLUSTER@REGION=FILE (FILE may hold = and @)', () => {
    expect(parseKubeObjectsSpec('prod@us-west-2=out/a=b@c.json')).toEqual({
      cluster: 'prod',
      region: 'us-west-2',
      file: 'out/a=b@c.json',
    });
    expect(parseKubeObjectsSpec('111111111111/prod_1@cn-north-1=x.json')).toEqual({
      accountId: '111111111111',
      cluster: 'prod_1',
      region: 'cn-north-1',
      file: 'x.json',
    });
  });

  it.each([
    'prod=x.json',
    'prod@us-west-2',
    'prod@us-west-2=',
    '@us-west-2=x',
    '-prod@us-west-2=x',
    '11/prod@us-west-2=x',
  ])('refuses %s with the syntax', (value) => {
    expect(() => parseKubeObjectsSpec(value)).toThrow(/--kube-objects takes CLUSTER@REGION=FILE/);
  });

  it('refuses stdin as a file', () => {
    expect(() => parseKubeObjectsSpec('prod@us-west-2=-')).toThrow(UsageError);
  });

  it("refuses the same cluster twice, with or without its account, but not two accounts' clusters of one name", () => {
    expect(() => parseKubeObjectsSpecs(['prod@us-west-2=a.json', 'prod@us-west-2=b.json'])).toThrow(
      '--kube-objects names prod@us-west-2 twice (a.json and b.json): give one file per cluster',
    );
    expect(() => parseKubeObjectsSpecs(['prod@us-west-2=a.json', '111111111111/prod@us-west-2=b.json'])).toThrow(
      UsageError,
    );
    expect(parseKubeObjectsSpecs(['111111111111/x@us-east-1=a', '222222222222/x@us-east-1=b'])).toHaveLength(2);
    expect(parseKubeObjectsSpecs(['prod@us-west-2=a', 'prod@eu-west-1=a'])).toHaveLength(2);
  });
});

describe('withKubeObjects', () => {
  it('puts what the file says on that cluster, and the result is a valid snapshot', async () => {
    const merged = await withKubeObjects(estate(), [`prod@us-west-2=${good}`]);
    const prod = merged.accounts[0]?.clusters.find((c) => c.name === 'prod');
    expect(prod?.kubernetes).toMatchObject({
      status: 'complete',
      source: 'kube-objects',
      serviceAccounts: [{ namespace: 'apps', name: 'web' }],
      pods: [{ name: 'web-7d9c6b5f4-abcde', serviceAccountName: 'web' }],
      podIdentityWebhook: { configured: true, name: 'pod-identity-webhook' },
    });
    expect(merged.accounts.flatMap((a) => a.clusters).filter((c) => c.kubernetes)).toHaveLength(1);
    expect(parseSnapshot(JSON.parse(JSON.stringify(merged)))).toEqual(merged);
  });

  it('looks every cluster up before reading any file, naming the clusters the snapshot holds', async () => {
    const err = await rejection(() =>
      withKubeObjects(estate(), [`prod@us-west-2=${join(dir, 'missing.json')}`, 'prod@eu-west-1=also-missing.json']),
    );
    expect(err).toBeInstanceOf(ClusterLookupError);
    expect(err.message).toBe(
      'prod@eu-west-1 is not in the snapshot; it holds 9 clusters: prod@us-west-2, prod-eu@eu-west-1, staging@us-west-2, analytics@us-east-1, batch@us-east-1, ml@us-east-2, reports@us-east-2, etl@us-east-1, dev@us-west-2',
    );
  });

  it.each([
    ['a missing file', () => join(dir, 'nope.json'), 'no such file'],
    [
      'a directory',
      () => {
        mkdirSync(join(dir, 'd'), { recursive: true });
        return join(dir, 'd');
      },
      'it is a directory',
    ],
  ])('says it cannot read %s', async (_, path, reason) => {
    const err = await rejection(() => kubeObjectsFromFile(path()));
    expect(err).toBeInstanceOf(InputReadError);
    expect(err.message).toMatch(new RegExp(`^cannot read --kube-objects file .*: ${reason}$`));
  });

  it('refuses a file that is not UTF-8', async () => {
    const err = await rejection(() => kubeObjectsFromFile(file('latin1.json', Buffer.from([0x7b, 0xe9, 0x7d]))));
    expect(err).toBeInstanceOf(KubeObjectsFileError);
    expect(err.message).toContain('is not UTF-8 text');
  });

  it('reads UTF-16 with a byte order mark, as PowerShell redirects it', async () => {
    const text = `\ufeff${JSON.stringify(objects)}`;
    const result = await kubeObjectsFromFile(file('utf16.json', Buffer.from(text, 'utf16le')));
    expect(result.status).toBe('complete');
    expect(result.serviceAccounts).toHaveLength(1);
  });

  it('refuses a file over the size limit without reading it', async () => {
    const path = join(dir, 'huge.json');
    writeFileSync(path, '');
    truncateSync(path, MAX_KUBE_OBJECTS_BYTES + 1); // sparse: nothing is written to disk
    const err = await rejection(() => kubeObjectsFromFile(path));
    expect(err).toBeInstanceOf(KubeObjectsFileError);
    expect(err.message).toContain(`is ${MAX_KUBE_OBJECTS_BYTES + 1} bytes, more than the 256 MiB --kube-objects reads`);
  });
});

describe('analyze and plan --kube-objects', () => {
  it.each(['analyze', 'plan'])('%s reads the files and runs on the merged snapshot', async (command) => {
    const { io, out, err } = captureIo();
    const code = await main(
      [
        command,
        '--snapshot',
        ESTATE,
        '--output',
        'json',
        '--kube-objects',
        `prod@us-west-2=${good}`,
        '--kube-objects',
        `dev@us-west-2=${good}`,
      ],
      io,
    );
    expect(err()).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out())).toHaveProperty('findings');
  });

  it.each([
    [
      ['--kube-objects', 'nowhere@us-west-2=x.json'],
      'irsa-doctor: nowhere@us-west-2 is not in the snapshot; it holds 9 clusters: prod@us-west-2,',
    ],
    [['--kube-objects', 'prod=x.json'], 'irsa-doctor: --kube-objects takes CLUSTER@REGION=FILE'],
    [
      ['--kube-objects', `prod@us-west-2=${good}`, '--kube-objects', `prod@us-west-2=${good}`],
      'irsa-doctor: --kube-objects names prod@us-west-2 twice',
    ],
    [['--kube-objects', `prod@us-west-2=${join(dir, 'nope.json')}`], 'irsa-doctor: cannot read --kube-objects file'],
    [
      ['--kube-objects', `prod@us-west-2=${file('yaml.json', 'apiVersion: v1\nkind: List\n')}`],
      'it looks like YAML: use -o json',
    ],
  ])('exits 2 with one line for %j', async (args, message) => {
    const { io, out, err } = captureIo();
    expect(await main(['analyze', '--snapshot', ESTATE, ...args], io)).toBe(2);
    expect(out()).toBe('');
    expect(err()).toContain(message);
    expect(err().trim().split('\n')).toHaveLength(1);
  });

  it.each(['analyze', 'plan'])('%s --help says what FILE is and what --show-managed-fields adds', async (command) => {
    const { io, out } = captureIo();
    expect(await main([command, '--help'], io)).toBe(0);
    const help = out().replace(/\s+/g, ' ');
    expect(help).toContain('--kube-objects <CLUSTER@REGION=FILE>');
    expect(help).toContain(
      'kubectl --context prod get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json --show-managed-fields > prod-objects.json',
    );
    expect(help).toContain(
      `irsa-doctor ${command} --snapshot snapshot.json --kube-objects prod@us-west-2=prod-objects.json`,
    );
    expect(help).toContain(
      'Without --show-managed-fields everything works except knowing when each annotation was set',
    );
  });
});
