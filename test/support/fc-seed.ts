/** The fast-check seed of a property test: its fixed default, or FC_SEED to replay or explore another run. */
export function fcSeed(defaultSeed: number): number {
  const value = process.env.FC_SEED;
  if (value === undefined || value.trim() === '') return defaultSeed;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(value)}`);
  return seed;
}
