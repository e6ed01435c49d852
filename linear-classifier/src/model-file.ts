/**
 * The saved model: what `--save-model` writes and the API loads. A JSON file of the weights, the
 * normalisation ranges, the class values, the header and the training metrics, tagged with a format
 * name and a version so that a loader can tell a model from any other JSON. Text in and out, no
 * file system: reading and writing the file is the caller's job.
 */
import { DataError } from './csv.ts';
import { Perceptron, type ModelMetrics } from './perceptron.ts';

/** The `format` tag of a saved model. */
export const MODEL_FORMAT = 'docker-demos/perceptron';

/** A model as JSON: what {@link modelToJSON} returns and {@link modelFromJSON} reads. */
export interface SavedModel {
  format: typeof MODEL_FORMAT;
  version: 1;
  /** Number of attributes a row must have. */
  featureCount: number;
  /** featureCount+1 weights over normalised attributes, bias first. */
  weights: number[];
  /** Per attribute, the minimum and maximum seen in the training data (the normalisation range). */
  min: number[];
  max: number[];
  /** The original class values predicted for 0 and 1. */
  labels: [string, string];
  /** The data's header row (attribute names, then the class column's), or null. */
  header: string[] | null;
  /** How the model did when trained, or null. */
  metrics: ModelMetrics | null;
}

/** The model as plain JSON data. */
export function modelToJSON(model: Perceptron): SavedModel {
  return {
    format: MODEL_FORMAT,
    version: 1,
    featureCount: model.featureCount,
    weights: Array.from(model.weights),
    min: Array.from(model.min),
    max: Array.from(model.max),
    labels: [model.labels[0], model.labels[1]],
    header: model.header ? [...model.header] : null,
    metrics: model.metrics ? { ...model.metrics } : null,
  };
}

/** The text of a model file: indented JSON, one final newline. */
export function modelFileText(model: Perceptron): string {
  return JSON.stringify(modelToJSON(model), null, 2) + '\n';
}

/**
 * Loads a model from {@link modelToJSON}'s output (parsed JSON).
 * @throws DataError (source `model`) naming the first thing that is wrong.
 */
export function modelFromJSON(json: unknown): Perceptron {
  const fail = (problem: string): never => {
    throw new DataError('model', problem);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('expected a JSON object');
  const m = json as Record<string, unknown>;
  if (m.format !== MODEL_FORMAT)
    fail(`format must be ${JSON.stringify(MODEL_FORMAT)}, got ${JSON.stringify(m.format) ?? 'nothing'}`);
  if (m.version !== 1) fail(`unsupported version ${JSON.stringify(m.version) ?? '(missing)'}, expected 1`);
  const f = m.featureCount;
  if (typeof f !== 'number' || !Number.isSafeInteger(f) || f < 1)
    return fail('featureCount must be a positive integer');
  const numbers = (name: string, length: number): number[] => {
    const v = m[name];
    if (!Array.isArray(v) || v.length !== length || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      return fail(`${name} must be an array of ${length} finite numbers`);
    }
    return v as number[];
  };
  const weights = numbers('weights', f + 1);
  const min = numbers('min', f);
  const max = numbers('max', f);
  min.forEach((lo, c) => {
    if (lo > max[c]!) fail(`min[${c}] is greater than max[${c}]`);
    if (max[c]! - lo === Infinity) fail(`max[${c}] - min[${c}] overflows to Infinity`);
  });
  const labels = m.labels;
  if (
    !Array.isArray(labels) ||
    labels.length !== 2 ||
    !labels.every((l) => typeof l === 'string') ||
    labels[0] === labels[1]
  ) {
    fail('labels must be two distinct strings');
  }
  const header = m.header ?? null;
  if (
    header !== null &&
    (!Array.isArray(header) || header.length !== f + 1 || !header.every((h) => typeof h === 'string'))
  ) {
    fail(`header must be null or ${f + 1} strings`);
  }
  return new Perceptron({
    weights,
    min,
    max,
    labels: labels as [string, string],
    header: header as string[] | null,
    metrics: metrics(m.metrics, fail),
  });
}

/** The metrics of a saved model, checked: null, or an object of the seven figures. */
function metrics(value: unknown, fail: (problem: string) => never): ModelMetrics | null {
  if (value === undefined || value === null) return null;
  const mm = value as Record<string, unknown>;
  const fine =
    typeof mm === 'object' &&
    !Array.isArray(mm) &&
    ['trainAccuracy', 'testAccuracy', 'epochs', 'trainRows', 'testRows', 'seed'].every(
      (k) => typeof mm[k] === 'number',
    ) &&
    typeof mm.converged === 'boolean';
  if (!fine)
    fail(
      'metrics must be null or an object of trainAccuracy, testAccuracy, epochs, converged, trainRows, testRows, seed',
    );
  return {
    trainAccuracy: mm.trainAccuracy as number,
    testAccuracy: mm.testAccuracy as number,
    epochs: mm.epochs as number,
    converged: mm.converged as boolean,
    trainRows: mm.trainRows as number,
    testRows: mm.testRows as number,
    seed: mm.seed as number,
  };
}
