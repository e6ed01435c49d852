/**
 * The settings of training: each one's default and the values it accepts, defined once for the
 * model and for the CLI (which derives its usage text from them), and the checks of the options
 * `Perceptron.train` takes.
 */
import { DataError } from './csv.ts';
import { SEED } from './random.ts';

/** A setting of training: its default and the values it accepts, for the model and the CLI alike. */
export interface Setting {
  /** The value used when none is given. */
  readonly default: number;
  /** The accepted values in words, for messages and the CLI's usage. */
  readonly rule: string;
  /** Whether a value is accepted. */
  readonly accepts: (value: number) => boolean;
}

/** The fraction of the rows used for training; the rest is the test set. */
export const TRAIN_FRACTION: Setting = {
  default: 0.75,
  rule: 'a number between 0 and 1 (exclusive)',
  accepts: (v) => v > 0 && v < 1,
};
/** The learning rate: how far one update moves the weights. */
export const LEARNING_RATE: Setting = {
  default: 0.01,
  rule: 'a number greater than 0',
  accepts: (v) => v > 0 && Number.isFinite(v),
};
/** Training stops when the mean of the last three training accuracies reaches this. */
export const THRESHOLD: Setting = {
  default: 0.9,
  rule: 'a number greater than 0 and at most 1',
  accepts: (v) => v > 0 && v <= 1,
};
/** Training gives up after this many epochs. */
export const MAX_EPOCHS: Setting = {
  default: 100,
  rule: 'a positive integer',
  accepts: (v) => Number.isSafeInteger(v) && v > 0,
};

/**
 * How many of `rows` rows train and how many test: Math.round(trainFraction * rows) train.
 * @throws DataError when either part would be empty.
 */
export function splitSizes(rows: number, trainFraction: number): { trainRows: number; testRows: number } {
  const trainRows = Math.round(trainFraction * rows);
  const testRows = rows - trainRows;
  if (trainRows < 1 || testRows < 1) {
    throw new DataError(
      'split',
      `${rows} rows split by trainFraction ${trainFraction} leave ${trainRows} for training and ${testRows} for testing; each needs at least one`,
    );
  }
  return { trainRows, testRows };
}

/** A number option, or its default; a RangeError when it is not accepted. */
export function checked(name: string, value: number | undefined, setting: Setting): number {
  if (value === undefined) return setting.default;
  if (typeof value !== 'number' || !setting.accepts(value))
    throw new RangeError(`${name} must be ${setting.rule}, got ${String(value)}`);
  return value;
}

/** A seed, checked: see {@link SEED}. */
export function checkedSeed(seed: number): number {
  if (!SEED.accepts(seed)) throw new RangeError(`seed must be ${SEED.rule}, got ${seed}`);
  return seed;
}

/** Explicit initial weights, checked and copied. */
export function checkedWeights(given: readonly number[], count: number): Float64Array {
  if (given.length !== count || !given.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new RangeError(`initialWeights must be ${count} finite numbers (bias first), got ${given.length} values`);
  }
  return Float64Array.from(given);
}

/** An explicit row order, checked to be a permutation of 0..rows-1. */
export function checkedOrder(order: readonly number[], rows: number): readonly number[] {
  const seen = new Set(order);
  if (order.length !== rows || seen.size !== rows || !order.every((i) => Number.isInteger(i) && i >= 0 && i < rows)) {
    throw new RangeError(`order must be a permutation of 0..${rows - 1}`);
  }
  return order;
}
