/**
 * Where a listing of the console stands: the cursors of the pages seen so far, so "Previous" goes back without the
 * API going backwards (its cursors only go forward). Pure: the views draw the buttons.
 */
export interface Pager {
  /** The cursor of the page shown (undefined: the first page). */
  readonly cursor: string | undefined;
  /** 1 for the first page. */
  readonly page: number;
  readonly hasPrevious: boolean;
  /** Whether the page shown said more follow (its cursor). */
  readonly hasNext: boolean;
  /** Records what the page shown returned: the cursor of the next page, if any. */
  shown(nextCursor: string | undefined): void;
  next(): void;
  previous(): void;
  reset(): void;
}

export function pager(): Pager {
  // cursors[i]: the cursor that reads page i + 1; `following` is the cursor the page shown returned.
  let cursors: (string | undefined)[] = [undefined];
  let following: string | undefined;
  return {
    get cursor() {
      return cursors[cursors.length - 1];
    },
    get page() {
      return cursors.length;
    },
    get hasPrevious() {
      return cursors.length > 1;
    },
    get hasNext() {
      return following !== undefined;
    },
    shown(nextCursor) {
      following = nextCursor;
    },
    next() {
      if (following === undefined) return;
      cursors.push(following);
      following = undefined;
    },
    previous() {
      if (cursors.length > 1) cursors.pop();
      following = undefined;
    },
    reset() {
      cursors = [undefined];
      following = undefined;
    },
  };
}

/** The query of a page request: `?limit=N` and the cursor, if any. */
export function pageQuery(p: Pick<Pager, 'cursor'>, limit: number): string {
  return `?limit=${limit}${p.cursor ? `&cursor=${encodeURIComponent(p.cursor)}` : ''}`;
}
