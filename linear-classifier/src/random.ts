/**
 * Seeded randomness: the generator, the initial weights and the shuffle. Training draws both from
 * one generator made from the seed, the weights first and then the row order, so the same seed
 * gives the same run on every machine and in every JavaScript runtime.
 */

/** The seeds a run accepts: 32 bits, which is what the generator keeps of a seed. */
export const SEED = {
  rule: 'an integer from 0 to 4294967295',
  accepts: (value: number): boolean => Number.isInteger(value) && value >= 0 && value <= 0xffffffff,
};

/** A seed drawn at random, for a run that was given none (report it, so the run can be repeated). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

/**
 * A seeded generator of numbers in [0, 1): mulberry32 over a scrambled seed. Small, fast and
 * identical in every JavaScript runtime. Not for cryptography.
 */
export function createRng(seed: number): () => number {
  if (!SEED.accepts(seed)) throw new RangeError(`seed must be ${SEED.rule}, got ${seed}`);
  // Scramble the seed first, so that nearby seeds (1, 2, 3) start far apart.
  let s = Math.imul(seed ^ (seed >>> 16), 0x85ebca6b);
  s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35);
  s = (s ^ (s >>> 16)) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` initial weights from a generator, uniform in [-0.5, 0.5). */
export function drawWeights(random: () => number, count: number): Float64Array {
  return Float64Array.from({ length: count }, () => random() - 0.5);
}

/** The row numbers 0..n-1 in an order drawn from a generator (a Fisher–Yates shuffle). */
export function drawOrder(random: () => number, n: number): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}

/**
 * The initial weights and row order that training draws for a seed: featureCount+1 weights (bias
 * first), then the shuffle of 0..rows-1. For reproducing or inspecting a run elsewhere.
 */
export function seededStart(seed: number, featureCount: number, rows: number): { weights: number[]; order: number[] } {
  const random = createRng(seed);
  const weights = Array.from(drawWeights(random, featureCount + 1));
  const order = Array.from(drawOrder(random, rows));
  return { weights, order };
}
