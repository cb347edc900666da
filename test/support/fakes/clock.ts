/** A clock the test moves by hand: `now` is what WorkflowDeps.now and the fakes read. */
export class FakeClock {
  private at: number;

  constructor(start: string | Date = '2026-11-30T09:00:00.000Z') {
    this.at = new Date(start).getTime();
  }

  /** The current time (a new Date each call, so callers cannot move the clock by mutating it). */
  readonly now = (): Date => new Date(this.at);

  iso(): string {
    return new Date(this.at).toISOString();
  }

  advance(ms: number): this {
    this.at += ms;
    return this;
  }

  advanceSeconds(seconds: number): this {
    return this.advance(seconds * 1000);
  }

  set(to: string | Date): this {
    this.at = new Date(to).getTime();
    return this;
  }
}
