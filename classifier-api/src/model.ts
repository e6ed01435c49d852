/**
 * Loads a saved model with the shared model module: the very file the CLI trains with, imported by
 * relative path (the Dockerfile lays out the image so that this path works there too).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { modelFromJSON, modelToJSON } from '../../linear-classifier/src/model-file.ts';
import type { Perceptron } from '../../linear-classifier/src/perceptron.ts';

/** What `GET /model` reports about the model being served. */
export interface ModelInfo {
  /** The number of attribute values a row must have. */
  featureCount: number;
  /** The attribute names, in the order `predict` expects them, when the training data had a header. */
  features: string[] | null;
  /** The original class values that the model's outputs 0 and 1 stand for. */
  labels: { '0': string; '1': string };
  /** The training metrics saved with the model (accuracies, epochs, rows, seed), if any. */
  metrics: object | null;
  /** `sha256:` and the first 12 hex digits of the model file: changes when the model does. */
  version: string;
  /** The model file's whole sha256 (hex): the trainer's output, byte for byte, on any platform. */
  sha256: string;
}

/** A loaded model and what `GET /model` says about it. */
export interface LoadedModel {
  model: Perceptron;
  info: ModelInfo;
}

/** Reads, validates and describes the model saved at `path`; throws an Error with a one-line message. */
export async function loadModel(path: string): Promise<LoadedModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${path} does not exist (has the trainer run?)`
        : `cannot read ${path}: ${code ?? String(err)}`,
      { cause: err },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  let model: Perceptron;
  try {
    model = modelFromJSON(json);
  } catch (err) {
    throw new Error(`${path} is not a valid model: ${(err as Error).message}`, { cause: err });
  }
  const saved = modelToJSON(model);
  const [label0, label1] = saved.labels;
  const sha256 = createHash('sha256').update(text).digest('hex');
  return {
    model,
    info: {
      featureCount: model.featureCount,
      // The header row names the attributes and then the class column; data without a header has no names.
      features: saved.header ? saved.header.slice(0, model.featureCount) : null,
      labels: { '0': label0, '1': label1 },
      metrics: saved.metrics,
      version: `sha256:${sha256.slice(0, 12)}`,
      sha256,
    },
  };
}
