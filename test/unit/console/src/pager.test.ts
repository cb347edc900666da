import { pageQuery, pager } from '../../../../console/src/pager';

describe('pager (the console)', () => {
  it('goes forward with the cursors pages return and back through those seen', () => {
    const p = pager();
    expect([p.page, p.cursor, p.hasPrevious, p.hasNext]).toEqual([1, undefined, false, false]);
    expect(pageQuery(p, 50)).toBe('?limit=50');

    p.shown('c2');
    expect(p.hasNext).toBe(true);
    p.next();
    expect([p.page, p.cursor, p.hasPrevious, p.hasNext]).toEqual([2, 'c2', true, false]);
    p.shown('c3/+=');
    p.next();
    expect(pageQuery(p, 10)).toBe('?limit=10&cursor=c3%2F%2B%3D');

    // the last page returns no cursor: next does nothing
    p.shown(undefined);
    p.next();
    expect(p.page).toBe(3);

    p.previous();
    expect([p.page, p.cursor]).toEqual([2, 'c2']);
    p.previous();
    p.previous();
    expect([p.page, p.cursor, p.hasPrevious]).toEqual([1, undefined, false]);

    p.shown('c2');
    p.next();
    p.reset();
    expect([p.page, p.cursor, p.hasNext]).toEqual([1, undefined, false]);
  });
});
