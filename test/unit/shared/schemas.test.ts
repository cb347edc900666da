import { SnapshotValidationError } from '../../../lambdas/shared/errors';
import { parseSnapshot } from '../../../lambdas/shared/schemas';

const minimal = { schemaVersion: 1, partition: 'aws', accounts: [] };

describe('parseSnapshot', () => {
  it('accepts a minimal snapshot', () => {
    expect(parseSnapshot(minimal).accounts).toEqual([]);
  });

  it('fails when schemaVersion is not 1, naming the supported version', () => {
    expect(() => parseSnapshot({ ...minimal, schemaVersion: 2 }, 'x.json')).toThrow(
      /unsupported schemaVersion 2.*reads schemaVersion 1/,
    );
  });

  it('fails naming every bad path and the problem', () => {
    // Given an account with a short id, a role without trust policy, and a misspelled property
    const bad = {
      ...minimal,
      accounts: [
        {
          accountId: '1234',
          clusters: [],
          oidcProviders: [],
          roles: [{ arn: 'arn:aws:iam::123456789012:role/r', name: 'r' }],
          rolez: [],
        },
      ],
    };
    // When it is validated
    let error: unknown;
    try {
      parseSnapshot(bad, 'bad.json');
    } catch (err) {
      error = err;
    }
    // Then each problem is named with its path
    expect(error).toBeInstanceOf(SnapshotValidationError);
    const problems = (error as SnapshotValidationError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        '$.accounts[0].accountId: "1234" does not match ^[0-9]{12}$',
        '$.accounts[0].roles[0]: missing required property "trustPolicy"',
        '$.accounts[0]: unknown property "rolez"',
      ]),
    );
    expect((error as Error).message).toMatch(/^bad\.json is not a valid estate snapshot/);
  });

  it('fails when a Pod Identity association names no role', () => {
    const association = { cluster: 'c', region: 'us-west-2', namespace: 'n', serviceAccount: 's', roleArn: '' };
    const snapshot = {
      ...minimal,
      accounts: [
        {
          accountId: '111111111111',
          clusters: [],
          oidcProviders: [],
          roles: [],
          podIdentityAssociations: [association],
        },
      ],
    };
    expect(() => parseSnapshot(snapshot)).toThrow(
      /\$\.accounts\[0\]\.podIdentityAssociations\[0\]\.roleArn: must NOT have fewer than 1 characters/,
    );
  });
});
