/**
 * Jest budgets for integration tests and hooks, derived from the work they do instead of a fixed 60 s that a loaded
 * machine exhausts (issue 15: two files failed their 60 s beforeAll on a busy fresh clone, and pass alone in 31 s).
 * A budget only decides how long a hung test is waited for before it fails; it asserts nothing about speed.
 */

/**
 * One emulator call, as the emulator serializes them: about 5 ms on an idle 2-core machine, 10 ms with a full test
 * run beside it (test/integ/emulator-load.integ.ts); 50 ms leaves five times that.
 */
export const PER_EMULATOR_CALL_MS = 50;

/**
 * One synthesis of the hub stack in-process (synthesizeHubTemplate: CDK, the console bundled by esbuild): 4.6 s
 * alone on 2 cores (load 3.4); 60 s leaves ten times that.
 */
export const PER_SYNTHESIS_MS = 60_000;

/** Starting a private emulator: moto's import takes 3 to 5 s idle; the launcher waits this long for READY. */
export const EMULATOR_READY_MS = 120_000;

export interface Work {
  /** Emulator calls (a generous count: the file's, measured from the emulator's request log, will do). */
  readonly calls: number;
  readonly syntheses?: number;
  /** Anything else, e.g. launching a browser. */
  readonly otherMs?: number;
}

/** The budget for `work`, plus 30 s for module loading and process starts. */
export function budgetFor(work: Work): number {
  return 30_000 + work.calls * PER_EMULATOR_CALL_MS + (work.syntheses ?? 0) * PER_SYNTHESIS_MS + (work.otherMs ?? 0);
}
