import { validateInput } from '../../../lambdas/shared/contracts';
import { SnapshotValidationError } from '../../../lambdas/shared/errors';
import { MAX_TRUST_POLICY_TEXT, parseSnapshot } from '../../../lambdas/shared/schemas';
import { clip, escapeControls, showValue } from '../../../lambdas/shared/text';

const MB20 = 20 * 1024 * 1024;

function account(overrides: Record<string, unknown> = {}) {
  return { accountId: '111111111111', clusters: [], oidcProviders: [], roles: [], ...overrides };
}
const snapshot = (accounts: unknown[]) => ({ schemaVersion: 1, partition: 'aws', accounts });
const role = (overrides: Record<string, unknown> = {}) => ({
  arn: 'arn:aws:iam::111111111111:role/app',
  name: 'app',
  trustPolicy: '{"Version":"2012-10-17","Statement":[]}',
  ...overrides,
});

function problemsOf(value: unknown): { message: string; problems: readonly string[] } {
  try {
    parseSnapshot(value, 'big.json');
  } catch (err) {
    expect(err).toBeInstanceOf(SnapshotValidationError);
    return { message: (err as Error).message, problems: (err as SnapshotValidationError).problems };
  }
  throw new Error('expected the snapshot to be refused');
}

describe('estate snapshot bounds', () => {
  it.each([
    [
      'a role name over 64 characters (IAM RoleName)',
      account({ roles: [role({ name: 'r'.repeat(65) })] }),
      '.roles[0].name',
    ],
    ['a role path over 512 characters', account({ roles: [role({ path: `/${'p'.repeat(511)}/` })] }), '.roles[0].path'],
    [
      'a role ARN over 2048 characters',
      account({ roles: [role({ arn: `arn:aws:iam::111111111111:role/${'a'.repeat(2048)}` })] }),
      '.roles[0].arn',
    ],
    [
      'a trust policy over 786,432 characters',
      account({ roles: [role({ trustPolicy: ' '.repeat(786_433) })] }),
      '.roles[0].trustPolicy',
    ],
    [
      '51 tags',
      account({ roles: [role({ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) })] }),
      '.roles[0].tags',
    ],
    [
      'a tag value over 256 characters',
      account({ roles: [role({ tags: { team: 'v'.repeat(257) } })] }),
      '.roles[0].tags',
    ],
    [
      'a provider URL over 255 characters',
      account({
        oidcProviders: [
          { arn: 'arn:aws:iam::111111111111:oidc-provider/x', url: 'x'.repeat(256), clientIds: [], thumbprints: [] },
        ],
      }),
      '.oidcProviders[0].url',
    ],
    [
      '101 client ids',
      account({
        oidcProviders: [
          {
            arn: 'arn:aws:iam::111111111111:oidc-provider/x',
            url: 'x',
            clientIds: Array.from({ length: 101 }, (_, i) => `c${i}`),
            thumbprints: [],
          },
        ],
      }),
      '.oidcProviders[0].clientIds',
    ],
    [
      'a client id over 255 characters',
      account({
        oidcProviders: [
          { arn: 'arn:aws:iam::111111111111:oidc-provider/x', url: 'x', clientIds: ['c'.repeat(256)], thumbprints: [] },
        ],
      }),
      '.oidcProviders[0].clientIds[0]',
    ],
    [
      'a cluster name over 100 characters (EKS)',
      account({ clusters: [{ name: 'c'.repeat(101), region: 'us-west-2', status: 'ACTIVE', oidcIssuer: null }] }),
      '.clusters[0].name',
    ],
    [
      'a namespace over 63 characters',
      account({ serviceAccounts: [{ cluster: 'c', region: 'us-west-2', namespace: 'n'.repeat(64), name: 'sa' }] }),
      '.serviceAccounts[0].namespace',
    ],
    [
      'a service account name over 253 characters',
      account({ serviceAccounts: [{ cluster: 'c', region: 'us-west-2', namespace: 'n', name: 's'.repeat(254) }] }),
      '.serviceAccounts[0].name',
    ],
    [
      'a role-arn annotation over 256 KiB',
      account({
        serviceAccounts: [
          { cluster: 'c', region: 'us-west-2', namespace: 'n', name: 's', roleArn: 'a'.repeat(262_145) },
        ],
      }),
      '.serviceAccounts[0].roleArn',
    ],
    [
      '5001 roles (IAM maximum 5,000 per account)',
      account({ roles: Array.from({ length: 5001 }, () => role()) }),
      '.roles',
    ],
  ])('fails when a snapshot has %s', (_what, acct, path) => {
    const { problems } = problemsOf(snapshot([acct]));
    expect(problems.some((p) => p.startsWith(`$.accounts[0]${path}`))).toBe(true);
  });

  it('accepts values at the AWS and Kubernetes limits', () => {
    const atLimits = account({
      name: 'n'.repeat(50),
      clusters: [
        { name: 'c'.repeat(100), region: 'us-west-2', status: 'ACTIVE', oidcIssuer: `https://${'o'.repeat(247)}` },
      ],
      oidcProviders: [
        {
          arn: 'arn:aws:iam::111111111111:oidc-provider/x',
          url: 'u'.repeat(255),
          clientIds: Array.from({ length: 100 }, () => 'c'.repeat(255)),
          thumbprints: Array.from({ length: 5 }, () => 'a'.repeat(40)),
          tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${i}`.padEnd(128, 'k'), 'v'.repeat(256)])),
        },
      ],
      roles: [role({ name: 'r'.repeat(64), path: `/${'p'.repeat(510)}/`, trustPolicy: ' '.repeat(786_432) })],
      serviceAccounts: [
        {
          cluster: 'c',
          region: 'us-west-2',
          namespace: 'n'.repeat(63),
          name: 's'.repeat(253),
          roleArn: 'a'.repeat(262_144),
        },
      ],
    });
    expect(() => parseSnapshot(snapshot([atLimits]))).not.toThrow();
  });

  it('fails when a parsed trust policy is longer as JSON than the longest text IAM returns', () => {
    const big = { Version: '2012-10-17', Statement: [{ Sid: 's'.repeat(MAX_TRUST_POLICY_TEXT) }] };
    const { problems } = problemsOf(snapshot([account({ roles: [role({ trustPolicy: big })] })]));
    expect(problems).toEqual([
      expect.stringMatching(/^\$\.accounts\[0\]\.roles\[0\]\.trustPolicy: \d+ characters as JSON; at most 786432$/),
    ]);
  });
});

describe('errors about huge values', () => {
  it('name the path and length of a 20 MB bad value in a short message', () => {
    // Given a role whose ARN is 20 MB of text that also fails the pattern
    const value = 'x'.repeat(MB20);
    const { message } = problemsOf(snapshot([account({ roles: [role({ arn: value })] })]));
    // Then the message is short, names the path, and gives the length instead of the value
    expect(message.length).toBeLessThan(1000);
    expect(message).toContain('$.accounts[0].roles[0].arn');
    expect(message).toContain(`(${MB20} characters)`);
  });

  it('cut a 20 MB unknown property name and a 20 MB tag key', () => {
    const key = 'k'.repeat(MB20);
    const { message } = problemsOf(snapshot([account({ [key]: 1, roles: [role({ tags: { [key]: 'v' } })] })]));
    expect(message.length).toBeLessThan(2000);
    expect(message).toContain(`(${MB20} characters)`);
  });

  it('keep a step payload error short when keys and values are 20 MB (contracts)', () => {
    let message = '';
    try {
      validateInput('report', {
        runId: 'r',
        phase: 'final',
        [`${'k'.repeat(MB20)}`]: 1,
        nested: { ['z'.repeat(MB20)]: 1 },
      });
      validateInput('api-decision', { contentHash: 'x', ['k'.repeat(MB20)]: 1 });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^api-decision: invalid input: /);
    expect(message.length).toBeLessThan(2000);
  });
});

describe('showValue, clip and escapeControls', () => {
  it('shows a short string as JSON and a long one cut with its length', () => {
    expect(showValue('abc')).toBe('"abc"');
    expect(showValue('a'.repeat(200), 10)).toBe('"aaaaaaaaaa..." (200 characters)');
    expect(showValue({ a: 'b'.repeat(200) }, 10)).toBe('{"a":"bbbb... (208 characters as JSON)');
    expect(clip('x'.repeat(500), 5)).toBe('xxxxx... (500 characters)');
  });

  it.each([
    ['prod\u001b[31m', 'prod\\e[31m'],
    ['a\rb', 'a\\rb'],
    ['evil\u202etxt.exe', 'evil\\u{202e}txt.exe'],
    ['a\nb\tc', 'a\\nb\\tc'],
    ['del\u007f c1\u009b', 'del\\x7f c1\\x9b'],
    ['iso\u2066late\u2069', 'iso\\u{2066}late\\u{2069}'],
    ['lone \ud800 surrogate', 'lone \\u{d800} surrogate'],
    ['plain \u00e9 \u{1f600}', 'plain \u00e9 \u{1f600}'],
  ])('escapes %j as %j', (raw, shown) => {
    expect(escapeControls(raw)).toBe(shown);
  });

  it('keeps line breaks when asked, and nothing else', () => {
    expect(escapeControls('a\nb\r\n\u001b[2K', true)).toBe('a\nb\\r\n\\e[2K');
  });
});
