/**
 * Jest budgets for integration tests and hooks, derived from the work they do instead of a fixed 60 s that a loaded
 * machine exhausts (issue 15: two files failed their 60 s beforeAll on a busy fresh clone, and pass alone in 31 s).
 * A budget only decides how long a hung test is waited for; it asserts nothing about speed.
 */

/**
 * One emulator call, serialized: about 5 ms on an idle 2-core machine and 10 ms with a full test run beside it
 * (test/integ/emulator-load.integ.ts: 3,400 calls in 35 s); 50 ms leaves five times that.
 */
export const PER_EMULATOR_CALL_MS = 50;

/** Starting a private emulator: moto's import is 3 to 5 s idle; the launcher waits this long for READY. */
export const EMULATOR_READY_MS = 120_000;

/** A budget for `calls` emulator calls plus `fixedMs` of other work (process starts, synthesis, bundling). */
export function budgetFor(calls: number, fixedMs = 30_000): number {
  return fixedMs + calls * PER_EMULATOR_CALL_MS;
}
