/**
 * Unit tests of the saved model: a round trip keeps everything, the file text, and one-line reasons
 * for broken files.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCsv } from './csv.ts';
import { MODEL_FORMAT, modelFileText, modelFromJSON, modelToJSON } from './model-file.ts';
import { Perceptron } from './perceptron.ts';
import { banknote, dataError } from './test-utils.ts';

describe('saving and loading', () => {
  const { model } = Perceptron.train(banknote, { seed: 1 });

  test('modelToJSON -> JSON text -> modelFromJSON gives the same model and predictions', () => {
    const saved = modelToJSON(model);
    assert.equal(saved.format, MODEL_FORMAT);
    assert.equal(saved.featureCount, 4);
    assert.deepEqual(saved.labels, ['0', '1']);
    assert.equal(saved.metrics?.converged, true);
    assert.equal(saved.metrics?.seed, 1);
    const loaded = modelFromJSON(JSON.parse(JSON.stringify(saved)));
    assert.deepEqual(modelToJSON(loaded), saved);
    const rows = Array.from({ length: 50 }, (_, r) => Array.from(banknote.x.subarray(r * 4, r * 4 + 4)));
    assert.deepEqual(loaded.predict(rows), model.predict(rows));
  });

  test('the header travels with the model', () => {
    const d = parseCsv('a,b,class\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n');
    const { model: m } = Perceptron.train(d, { seed: 1, maxEpochs: 3 });
    assert.deepEqual(modelFromJSON(modelToJSON(m)).header, ['a', 'b', 'class']);
  });

  test('a malformed model is a DataError naming what is wrong', () => {
    const good = modelToJSON(model) as unknown as Record<string, unknown>;
    const cases: [unknown, RegExp][] = [
      [null, /expected a JSON object/],
      [[], /expected a JSON object/],
      [{ ...good, format: 'other' }, /format must be/],
      [{ ...good, version: 2 }, /unsupported version 2/],
      [{ ...good, featureCount: 0 }, /featureCount/],
      [{ ...good, weights: [1, 2] }, /weights must be an array of 5 finite numbers/],
      [{ ...good, weights: [1, 2, 3, 4, null] }, /weights/],
      [{ ...good, min: [9, 9, 9, 9] }, /min\[0\] is greater than max\[0\]/],
      [{ ...good, min: [-1.7e308, 0, 0, 0], max: [1.7e308, 1, 1, 1] }, /max\[0\] - min\[0\] overflows/],
      [{ ...good, labels: ['1', '1'] }, /labels must be two distinct strings/],
      [{ ...good, header: ['a'] }, /header must be null or 5 strings/],
      [{ ...good, metrics: { trainAccuracy: 'high' } }, /metrics must be/],
    ];
    for (const [json, pattern] of cases) {
      const e = dataError(() => modelFromJSON(json));
      assert.match(e.message, pattern);
      assert.match(e.message, /^model: /);
    }
  });

  test('the file text is the indented JSON and a newline, and reads back', () => {
    const text = modelFileText(model);
    assert.equal(text, JSON.stringify(modelToJSON(model), null, 2) + '\n');
    assert.deepEqual(modelToJSON(modelFromJSON(JSON.parse(text))), modelToJSON(model));
  });
});
