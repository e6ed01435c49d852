/**
 * The app's only door to the shared model module: the very perceptron the CLI trains with,
 * imported by relative path (the Dockerfile lays out the image so that this path works there too).
 * Everything else in the app talks to this file, never to the module itself.
 */
import { createHash } from 'node:crypto';
import { parseCsv } from '../../linear-classifier/src/csv.ts';
import {
  modelFileText,
  modelFromJSON as perceptronFromJSON,
  modelToJSON,
} from '../../linear-classifier/src/model-file.ts';
import { Perceptron } from '../../linear-classifier/src/perceptron.ts';

/** A model the app can serve: the shared module's `Perceptron` satisfies it. */
export interface ServedModel {
  readonly featureCount: number;
  predict(rows: readonly (readonly number[])[]): { labels: string[]; scores: number[] };
}

/** A row that feedback turned into training data: the attribute values and their true class. */
export interface LabelledRow {
  features: number[];
  label: string;
}

/** What {@link trainModel} returns: the model as JSON (what Postgres stores) and its figures. */
export interface TrainedModel {
  /** The model as plain JSON data (the shared module's saved format). */
  json: object;
  /** The class values the model predicts for 0 and 1. */
  labels: [string, string];
  /** Rows trained and tested on: the data set's plus the feedback's. */
  rows: number;
  /** Accuracy on the held-out quarter of the rows. */
  testAccuracy: number;
}

/** The seed of every training run: the same rows give the same model, bit for bit. */
export const TRAINING_SEED = 1;

/**
 * Trains a perceptron on a CSV data set (attributes, then the class) plus extra labelled rows,
 * with a fixed seed. Throws an Error with a one-line message on bad data.
 */
export function trainModel(csv: string, source: string, extraRows: readonly LabelledRow[]): TrainedModel {
  // The extra rows become CSV lines too, so that one parser checks everything the same way.
  const extra = extraRows.map((row) => [...row.features, row.label].join(',')).join('\n');
  const data = parseCsv(
    extra ? `${csv.trimEnd()}\n${extra}\n` : csv,
    extraRows.length ? `${source} + feedback` : source,
  );
  const { model, result } = Perceptron.train(data, { seed: TRAINING_SEED });
  return { json: modelToJSON(model), labels: data.labels, rows: data.rows, testAccuracy: result.testAccuracy };
}

/**
 * Rebuilds a model from its stored JSON; throws an Error with a one-line message if it is not one.
 * `sha256` is that of the model as a file (the bytes `--save-model` writes): the same data and seed
 * give the same sha256 here, in classifier-api and from the CLI, on any platform.
 */
export function modelFromJSON(json: unknown): { model: ServedModel; labels: [string, string]; sha256: string } {
  const model = perceptronFromJSON(json);
  return { model, labels: model.labels, sha256: createHash('sha256').update(modelFileText(model)).digest('hex') };
}

/**
 * Reads the rows of a CSV data set as arrays of numbers with their class, for the page's "random
 * row" button. Throws an Error with a one-line message on bad data.
 */
export function readRows(csv: string, source: string): LabelledRow[] {
  const data = parseCsv(csv, source);
  return Array.from({ length: data.rows }, (_, r) => ({
    features: Array.from(data.x.subarray(r * data.cols, (r + 1) * data.cols)),
    label: data.labels[data.y[r]!]!,
  }));
}
