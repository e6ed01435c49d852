/**
 * The model's sha256 as the app reports it: that of the model file the CLI saves for the same data
 * and seed (linear-classifier/golden/banknote-1.json), however the database hands the JSON back.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SavedModel } from '../../linear-classifier/src/model-file.ts';
import { banknotePath } from '../../linear-classifier/src/test-utils.ts';
import { modelFromJSON, trainModel } from './model.ts';

const classifier = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'linear-classifier');
const golden = readFileSync(path.join(classifier, 'golden', 'banknote-1.json'));

/** The same JSON with every object's keys in reverse order, as jsonb may return them. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  );
}

describe('classifier-app model sha256', () => {
  test("the trained model's sha256 is that of the CLI's model file for banknote, seed 1", () => {
    const trained = trainModel(readFileSync(banknotePath, 'utf8'), banknotePath, []);
    const { sha256 } = modelFromJSON(trained.json);
    assert.equal(sha256, createHash('sha256').update(golden).digest('hex'));
  });

  test('the stored JSON gives the same sha256 with its keys in any order; another model, another', () => {
    const json = JSON.parse(golden.toString('utf8')) as SavedModel;
    assert.equal(modelFromJSON(reordered(json)).sha256, modelFromJSON(json).sha256);
    const other = { ...json, weights: json.weights.map((w) => w / 2) };
    assert.notEqual(modelFromJSON(other).sha256, modelFromJSON(json).sha256);
  });
});
