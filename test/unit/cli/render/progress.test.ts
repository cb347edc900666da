import { progressBar } from '../../../../cli/render/progress';

describe('progressBar', () => {
  const step = {
    accountsDone: 1,
    accountsTotal: 4,
    regionsDone: 4,
    regionsTotal: 8,
    accountId: '111111111111',
    region: 'eu-west-1',
  };

  it('redraws one line in place on a terminal and clears it when done', () => {
    let text = '';
    const bar = progressBar({ write: (s: string) => (text += s), isTTY: true }, 10);
    bar.update(step);
    expect(text).toContain('[#####.....] 1/4 accounts  4/8 account-regions  111111111111 eu-west-1');
    expect(text.startsWith('\r\u001b[2K')).toBe(true);
    bar.done();
    expect(text.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('writes nothing when stderr is not a terminal', () => {
    let text = '';
    const bar = progressBar({ write: (s: string) => (text += s), isTTY: false });
    bar.update(step);
    bar.done();
    expect(text).toBe('');
  });
});
