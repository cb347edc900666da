import { apiFilters, fragmentFor, fragmentParams } from '../../../../console/src/fragment-query';

describe('filters in the URL fragment', () => {
  it('writes a view’s filters as the fragment’s query, empty ones left out, each encoded', () => {
    expect(fragmentFor('findings', { severity: 'high', q: ' role/a b&c ', account: '' })).toBe(
      '#/findings?severity=high&q=role%2Fa+b%26c',
    );
    expect(fragmentFor('findings', {})).toBe('#/findings');
  });

  it('reads them back from the fragment, and none from a fragment without a query', () => {
    const params = fragmentParams('#/findings?severity=high&q=role%2Fa+b%26c');
    expect([params.get('severity'), params.get('q')]).toEqual(['high', 'role/a b&c']);
    expect([...fragmentParams('#/findings').keys()]).toEqual([]);
  });

  it('passes on to the API only the filters the view takes', () => {
    const params = fragmentParams('#/proposals?account=111111111111&rule=&evil=1');
    expect(apiFilters(params, ['account', 'rule'])).toBe('&account=111111111111');
    expect(apiFilters(fragmentParams('#/proposals'), ['account'])).toBe('');
  });
});
