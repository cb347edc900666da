/**
 * Approver scopes from groups and rules (accounts, OUs through the accounts' OU paths), the second-approval rule,
 * the requester's identity, and the parsers that read the rules from configuration.
 */
import {
  accountInScope,
  approvalsNeeded,
  describeScope,
  isSamePerson,
  parseApproverRules,
  parseSecondApproval,
  scopeFor,
} from '../../../lambdas/domain/approver-scope';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const OU = 'ou-ab12-11111111';
const rules = [
  { group: 'everyone' },
  { group: 'payments', accounts: [A] },
  { group: 'platform', organizationalUnits: [OU] },
];
const paths = new Map([
  [B, ['r-ab12', OU]],
  [C, ['r-ab12', 'ou-ab12-22222222']],
]);
const fail = (field: string, message: string): never => {
  throw new Error(`${field} ${message}`);
};

describe('scopeFor', () => {
  it('gives every account to a rule with neither accounts nor OUs', () => {
    const scope = scopeFor(rules, ['everyone']);
    expect(scope?.all).toBe(true);
    expect(accountInScope(scope ?? { all: false, accounts: new Set() }, C)).toBe(true);
    expect(describeScope(scope ?? { all: false, accounts: new Set() })).toBe('every account');
  });

  it('limits an account rule to its accounts and an OU rule to the accounts under the OU', () => {
    const payments = scopeFor(rules, ['payments'], paths);
    if (!payments) throw new Error('no scope');
    expect([A, B, C].map((a) => accountInScope(payments, a))).toEqual([true, false, false]);
    const platform = scopeFor(rules, ['platform'], paths);
    if (!platform) throw new Error('no scope');
    expect([A, B, C].map((a) => accountInScope(platform, a))).toEqual([false, true, false]);
    expect(describeScope(platform)).toBe(`OU ${OU}`);
  });

  it('unions the rules of every group a person is in, and refuses a person in none', () => {
    const both = scopeFor(rules, ['payments', 'platform', 'unrelated'], paths);
    if (!both) throw new Error('no scope');
    expect([A, B, C].map((a) => accountInScope(both, a))).toEqual([true, true, false]);
    expect(scopeFor(rules, ['unrelated'])).toBeUndefined();
  });

  it('keeps an account whose OU path is unknown out of an OU rule', () => {
    const platform = scopeFor(rules, ['platform']);
    if (!platform) throw new Error('no scope');
    expect(accountInScope(platform, B)).toBe(false);
  });
});

describe('approvalsNeeded', () => {
  it('asks two approvers for a plan of a listed risk or action, one otherwise', () => {
    const rule = { risks: ['high' as const], actions: ['delete-oidc-provider'] };
    expect(approvalsNeeded(rule, { action: 'update-trust-policy', risk: 'high' })).toBe(2);
    expect(approvalsNeeded(rule, { action: 'delete-oidc-provider', risk: 'low' })).toBe(2);
    expect(approvalsNeeded(rule, { action: 'update-trust-policy', risk: 'medium' })).toBe(1);
    expect(approvalsNeeded({ risks: [], actions: [] }, { action: 'update-trust-policy', risk: 'high' })).toBe(1);
  });
});

describe('isSamePerson', () => {
  it('matches a caller by id, user name or e-mail, whatever the case, and nobody else', () => {
    expect(isSamePerson('alice <alice@example.com>', 'Alice@Example.com')).toBe(true);
    expect(isSamePerson('alice <alice@example.com>', 'alice')).toBe(true);
    expect(isSamePerson('alice', 'alice')).toBe(true);
    expect(isSamePerson('alice <alice@example.com>', 'bob <bob@example.com>')).toBe(false);
    expect(isSamePerson('alice', 'alicia')).toBe(false);
  });
});

describe('parseApproverRules', () => {
  it('reads rules, and names the first bad field', () => {
    expect(
      parseApproverRules(
        [
          { group: 'g', accounts: [A] },
          { group: 'h', organizationalUnits: [OU] },
        ],
        fail,
      ),
    ).toEqual([
      { group: 'g', accounts: [A] },
      { group: 'h', organizationalUnits: [OU] },
    ]);
    expect(() => parseApproverRules([], fail)).toThrow(/^approvers must be a non-empty list/);
    expect(() => parseApproverRules([{ group: 'g', accounts: ['12'] }], fail)).toThrow(
      /^approvers\[0\]\.accounts\[0\]/,
    );
    expect(() => parseApproverRules([{ group: 'g' }, { group: 'bad group' }], fail)).toThrow(/^approvers\[1\]\.group/);
    expect(() => parseApproverRules([{ group: 'g', ous: [OU] }], fail)).toThrow(/^approvers\[0\]\.ous is not a known/);
    expect(() => parseApproverRules([{ group: 'g', organizationalUnits: ['ou-x'] }], fail)).toThrow(
      /organizationalUnits\[0\]/,
    );
  });
});

describe('parseSecondApproval', () => {
  it('reads risks and actions, and names the first bad field', () => {
    expect(parseSecondApproval({ risks: ['high'] }, ['update-trust-policy'], fail)).toEqual({
      risks: ['high'],
      actions: [],
    });
    expect(() => parseSecondApproval({ risks: ['severe'] }, [], fail)).toThrow(/^secondApproval\.risks\[0\]/);
    expect(() => parseSecondApproval({ actions: ['drop-table'] }, ['update-trust-policy'], fail)).toThrow(
      /^secondApproval\.actions\[0\] must be one of update-trust-policy/,
    );
    expect(() => parseSecondApproval(true, [], fail)).toThrow(/^secondApproval must be an object/);
  });
});
