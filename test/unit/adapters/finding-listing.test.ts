import { latestFindingsQuery, listingSortKey } from '../../../lambdas/adapters/finding-listing';

describe('the latest-findings listing', () => {
  it('files a finding most severe first, then by account, rule and id', () => {
    expect(listingSortKey({ severity: 'critical', accountId: '1', ruleId: 'IRSA-001', id: 'f' })).toBe(
      '0#1#IRSA-001#f',
    );
    expect(listingSortKey({ severity: 'info', accountId: '1', ruleId: 'IRSA-001', id: 'f' })).toBe('4#1#IRSA-001#f');
  });

  it('reads a severity minimum as a key range, with no filter but the suppressed one', () => {
    const q = latestFindingsQuery({ severities: ['critical', 'high'] });
    expect(q.keyCondition).toBe('sk = :sk AND listedAt BETWEEN :lo AND :hi');
    expect([q.values[':lo'], q.values[':hi']]).toEqual(['0#', '1#\uffff']);
    expect(q.filter).toBe('attribute_not_exists(suppressedBy)');
  });

  it('reads one severity, an account and a rule as a key prefix', () => {
    const q = latestFindingsQuery({ severities: ['high'], accountId: '111111111111', ruleId: 'IRSA-015' });
    expect(q.keyCondition).toBe('sk = :sk AND begins_with(listedAt, :prefix)');
    expect(q.values[':prefix']).toBe('1#111111111111#IRSA-015#');
    expect(q.filter).toBe('attribute_not_exists(suppressedBy)');
  });

  it('filters what the key cannot hold: gaps in the severities, cluster, namespace, text, the reader’s accounts', () => {
    const q = latestFindingsQuery({
      severities: ['critical', 'low'],
      accountId: '1',
      cluster: 'prod',
      namespace: 'shop',
      text: 'Ledger',
      suppressed: 'show',
      accounts: ['1', '2'],
    });
    expect(q.keyCondition).toBe('sk = :sk AND listedAt BETWEEN :lo AND :hi');
    expect(q.filter).toBe(
      '#severity IN (:sev0, :sev1) AND #accountId = :accountId AND #cluster = :cluster AND ' +
        '#namespace = :namespace AND contains(#search, :text) AND #readerAccount IN (:acct0, :acct1)',
    );
    expect(q.values[':text']).toBe('ledger');
  });

  it('reads everything with no condition beyond the partition, and no one for an empty scope', () => {
    expect(latestFindingsQuery({ suppressed: 'show' })).toEqual({
      keyCondition: 'sk = :sk',
      names: {},
      values: { ':sk': 'LATEST-FINDING' },
    });
    expect(latestFindingsQuery({ accounts: [] }).filter).toContain('attribute_not_exists(pk)');
  });
});
