/**
 * What training takes and reports, apart from the model itself (perceptron.ts): its options, the
 * record of each epoch, the metrics saved with a model, and the one line on how training stopped.
 */

/** Options of Perceptron.train (perceptron.ts); an invalid value is a RangeError naming it. */
export interface TrainOptions {
  /** The settings: TRAIN_FRACTION, LEARNING_RATE, THRESHOLD and MAX_EPOCHS give their defaults and values. */
  trainFraction?: number;
  lr?: number;
  threshold?: number;
  maxEpochs?: number;
  /** Seeds the initial weights and the shuffle. Default: a random seed, reported in the result. */
  seed?: number;
  /** Shuffle the rows before splitting. Default true; false keeps the file's order. */
  shuffle?: boolean;
  /** An explicit row order, a permutation of 0..rows-1 (overrides shuffle). */
  order?: readonly number[];
  /** Explicit initial weights, cols+1 values, bias first (overrides the seeded draw). */
  initialWeights?: readonly number[];
  /** Called after each epoch. */
  onEpoch?: (record: EpochRecord) => void;
}

/** One epoch of training. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Accuracy on the training rows after the epoch's updates, and 1 minus it. */
  trainAccuracy: number;
  trainError: number;
  /** How many updates (misclassified rows) the pass made. */
  updates: number;
}

/** Quality figures stored with a model. */
export interface ModelMetrics {
  trainAccuracy: number;
  testAccuracy: number;
  epochs: number;
  converged: boolean;
  trainRows: number;
  testRows: number;
  seed: number;
}

/** What a training run did: the model's metrics, and more. */
export interface TrainResult extends ModelMetrics {
  /** One record per epoch. */
  history: EpochRecord[];
  trainError: number;
  testError: number;
  /** The weights training started from, bias first. */
  initialWeights: number[];
  /**
   * One line on how training stopped, e.g.
   * "converged after 3 epochs: mean training accuracy of the last three 94.43 % >= 90.00 %".
   */
  summary: string;
}

/** Mean of the training accuracies of the last three epochs (of all of them while there are fewer). */
export function meanOfLastThree(history: readonly EpochRecord[]): number {
  const last = history.slice(-3);
  return last.reduce((sum, record) => sum + record.trainAccuracy, 0) / last.length;
}

/** One line on why training stopped, true whatever the number of epochs. */
export function stoppedBecause(history: readonly EpochRecord[], converged: boolean, threshold: number): string {
  const epochs = `${history.length} epoch${history.length === 1 ? '' : 's'}`;
  if (history.length < 3) {
    return `not converged after ${epochs}: the stopping rule needs at least 3 epochs (the mean training accuracy of the last three must reach ${percent(threshold)})`;
  }
  const mean = percent(meanOfLastThree(history));
  if (converged)
    return `converged after ${epochs}: mean training accuracy of the last three ${mean} >= ${percent(threshold)}`;
  return `not converged after ${epochs}: mean training accuracy of the last three ${mean} < ${percent(threshold)}`;
}

/** An accuracy as the CLI prints it: `97.47 %`. */
export function percent(value: number): string {
  return `${(value * 100).toFixed(2)} %`;
}
