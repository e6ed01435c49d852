/**
 * The perceptron: a linear binary classifier, trained online.
 *
 * 1. Min-max normalise each attribute to [0, 1] (a constant column becomes 0, never NaN), and
 *    prepend a bias attribute x0 = 1.
 * 2. From one seeded generator, draw the initial weights, then shuffle the rows; the first
 *    `trainFraction` of them train, the rest test.
 * 3. Each epoch is one online pass over the training rows: h = 1 if w·x > 0 else 0 (a score of
 *    exactly 0 is class 0), then w += lr * (y - h) * x; then the training accuracy of the new w.
 * 4. Stop when the mean of the last three training accuracies reaches the threshold (so never
 *    before epoch 3: one lucky epoch is not convergence), or after maxEpochs.
 *
 * Plain IEEE double arithmetic in a fixed order: a run is the same bit for bit on every machine
 * and runtime, given the seed. Pure TypeScript, shared by the CLI, the notebook and the API.
 */
import { DataError, type Dataset } from './csv.ts';
import { normalise, normalisedRows, ranges } from './normalise.ts';
import { createRng, drawOrder, drawWeights, randomSeed } from './random.ts';
import {
  checked,
  checkedOrder,
  checkedSeed,
  checkedWeights,
  LEARNING_RATE,
  MAX_EPOCHS,
  splitSizes,
  THRESHOLD,
  TRAIN_FRACTION,
} from './settings.ts';
import {
  meanOfLastThree,
  stoppedBecause,
  type EpochRecord,
  type ModelMetrics,
  type TrainOptions,
  type TrainResult,
} from './training.ts';
export { LEARNING_RATE, MAX_EPOCHS, splitSizes, THRESHOLD, TRAIN_FRACTION, type Setting } from './settings.ts'; // the model's settings, defined there
export { percent, type EpochRecord, type ModelMetrics, type TrainOptions, type TrainResult } from './training.ts'; // what training takes and reports

/** What a Perceptron is made of. */
export interface PerceptronParts {
  /** featureCount+1 weights over normalised attributes, bias first. */
  weights: ArrayLike<number>;
  /** Per attribute, the smallest and largest training value: the normalisation range. */
  min: ArrayLike<number>;
  max: ArrayLike<number>;
  /** The original class values predicted for 0 and 1. */
  labels: [string, string];
  /** The training data's header row, or null. */
  header?: string[] | null;
  metrics?: ModelMetrics | null;
}

/** A trained (or loaded) perceptron: its parts as {@link PerceptronParts} describes them. */
export class Perceptron {
  readonly weights: Float64Array;
  /** The number of attributes a row must have. */
  readonly featureCount: number;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly labels: [string, string];
  readonly header: string[] | null;
  metrics: ModelMetrics | null;

  /** Makes a model from its parts (copied); see {@link Perceptron.train} to train one. */
  constructor(parts: PerceptronParts) {
    this.featureCount = parts.min.length;
    this.weights = Float64Array.from(parts.weights);
    this.min = Float64Array.from(parts.min);
    this.max = Float64Array.from(parts.max);
    this.labels = [parts.labels[0], parts.labels[1]];
    this.header = parts.header ? [...parts.header] : null;
    this.metrics = parts.metrics ? { ...parts.metrics } : null;
    if (this.weights.length !== this.featureCount + 1 || this.max.length !== this.featureCount) {
      throw new RangeError(
        `a perceptron over ${this.featureCount} attributes needs ${this.featureCount + 1} weights and ${this.featureCount} max values`,
      );
    }
  }

  /**
   * Trains a perceptron on a data set (see the top of this file for the algorithm).
   * @throws RangeError on an invalid option; DataError when the split leaves no training or no
   * test row, or when an attribute's range is too wide to normalise.
   */
  static train(data: Dataset, options: TrainOptions = {}): { model: Perceptron; result: TrainResult } {
    const trainFraction = checked('trainFraction', options.trainFraction, TRAIN_FRACTION);
    const lr = checked('lr', options.lr, LEARNING_RATE);
    const threshold = checked('threshold', options.threshold, THRESHOLD);
    const maxEpochs = checked('maxEpochs', options.maxEpochs, MAX_EPOCHS);
    const seed = checkedSeed(options.seed ?? randomSeed());
    const { rows, cols } = data;
    const { trainRows, testRows } = splitSizes(rows, trainFraction);

    // The weights are drawn even when given, so that the shuffle is the same either way.
    const random = createRng(seed);
    const drawn = drawWeights(random, cols + 1);
    const w = options.initialWeights ? checkedWeights(options.initialWeights, cols + 1) : drawn;
    const order = options.order
      ? checkedOrder(options.order, rows)
      : options.shuffle === false
        ? Array.from({ length: rows }, (_, i) => i)
        : drawOrder(random, rows);
    const initialWeights = Array.from(w);

    // The normalised rows in training order: the training rows come first.
    const { min, max } = ranges(data);
    const { X, Y } = normalisedRows(data, order, min, max);

    const history: EpochRecord[] = [];
    let converged = false;
    for (let epoch = 1; epoch <= maxEpochs && !converged; epoch++) {
      const updates = updatePass(w, X, Y, trainRows, lr);
      const trainAccuracy = countCorrect(w, X, Y, 0, trainRows) / trainRows;
      const record: EpochRecord = { epoch, trainAccuracy, trainError: 1 - trainAccuracy, updates };
      history.push(record);
      options.onEpoch?.(record);
      converged = epoch >= 3 && meanOfLastThree(history) >= threshold;
    }

    const trainAccuracy = history.at(-1)!.trainAccuracy;
    const testAccuracy = countCorrect(w, X, Y, trainRows, rows) / testRows;
    const metrics: ModelMetrics = {
      trainAccuracy,
      testAccuracy,
      epochs: history.length,
      converged,
      trainRows,
      testRows,
      seed,
    };
    const model = new Perceptron({ weights: w, min, max, labels: data.labels, header: data.header, metrics });
    const summary = stoppedBecause(history, converged, threshold);
    return {
      model,
      result: {
        ...metrics,
        history,
        trainError: 1 - trainAccuracy,
        testError: 1 - testAccuracy,
        initialWeights,
        summary,
      },
    };
  }

  /**
   * Classifies raw (un-normalised) rows: the label is labels[1] when the score w·x > 0, else labels[0].
   * @throws DataError (source `rows`, line = row number) on a row of the wrong length or a non-finite value.
   */
  predict(rows: readonly (readonly number[])[]): { labels: string[]; scores: number[] } {
    const labels: string[] = [];
    const scores: number[] = [];
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== this.featureCount) {
        throw new DataError(
          'rows',
          `row ${i + 1} has ${Array.isArray(row) ? row.length : 'no'} values, expected ${this.featureCount}`,
          i + 1,
        );
      }
      let s = this.weights[0]!;
      for (let c = 0; c < this.featureCount; c++) {
        const v: unknown = row[c]; // unknown: the rows come from JSON too
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw new DataError('rows', `row ${i + 1}: value ${c + 1} is not a finite number`, i + 1, c + 1);
        s += this.weights[c + 1]! * normalise(v, this.min[c]!, this.max[c]!);
      }
      scores.push(s);
      labels.push(this.labels[s > 0 ? 1 : 0]);
    });
    return { labels, scores };
  }

  /** Accuracy and error of the model on a whole data set with the same attributes. */
  evaluate(data: Dataset): { accuracy: number; error: number } {
    if (data.cols !== this.featureCount)
      throw new DataError(data.source, `${data.cols} attributes, but the model expects ${this.featureCount}`);
    const rows = Array.from({ length: data.rows }, (_, r) =>
      Array.from(data.x.subarray(r * data.cols, (r + 1) * data.cols)),
    );
    const { labels } = this.predict(rows);
    // The data's own 0/1 may map to other class values than the model's: compare the values.
    const correct = labels.filter((label, r) => label === data.labels[data.y[r]!]).length;
    return { accuracy: correct / data.rows, error: 1 - correct / data.rows };
  }
}

/**
 * One online pass over rows [0, count) of X (`cols` values per row; x0 = 1 is not stored, its term
 * is w[0]); returns the number of updates.
 */
function updatePass(w: Float64Array, X: Float64Array, Y: Uint8Array, count: number, lr: number): number {
  const cols = w.length - 1;
  let updates = 0;
  // #region update-rule
  for (let r = 0; r < count; r++) {
    const x = r * cols; // row r is X[x .. x + cols)
    let s = w[0]!;
    for (let j = 0; j < cols; j++) s += w[j + 1]! * X[x + j]!;
    // y - h, with h = 1 when w·x > 0. (+true is 1: V8 compiles it without a branch, which the
    // shuffled classes would mispredict half the time.)
    const error = Y[r]! - +(s > 0);
    if (error !== 0) {
      const step = lr * error; // w += lr * (y - h) * x, for x0 = 1 and then each attribute
      w[0] = w[0]! + step;
      for (let j = 0; j < cols; j++) w[j + 1] = w[j + 1]! + step * X[x + j]!;
      updates++;
    }
  }
  // #endregion
  return updates;
}

/** How many rows in [from, to) of X the weights classify correctly. */
function countCorrect(w: Float64Array, X: Float64Array, Y: Uint8Array, from: number, to: number): number {
  const cols = w.length - 1;
  let wrong = 0;
  for (let r = from; r < to; r++) {
    const x = r * cols;
    let s = w[0]!;
    for (let j = 0; j < cols; j++) s += w[j + 1]! * X[x + j]!;
    wrong += +(s > 0) ^ Y[r]!; // h XOR y is 1 when the prediction h is wrong (no branch)
  }
  return to - from - wrong;
}
