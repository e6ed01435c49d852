/** Unit tests of min-max normalisation: the ranges, constant attributes, and ranges too wide to scale. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DataError, parseCsv } from './csv.ts';
import { normalise, normalisedRows, ranges } from './normalise.ts';
import { Perceptron } from './perceptron.ts';

describe('normalisation', () => {
  test('min-max to [0, 1]; a constant attribute becomes 0, never NaN', () => {
    assert.equal(normalise(4, 2, 6), 0.5);
    assert.equal(normalise(7, 7, 7), 0);
    const d = parseCsv('2,5,0\n4,5,1\n6,5,0\n');
    const { min, max } = ranges(d);
    assert.deepEqual(Array.from(min), [2, 5]);
    assert.deepEqual(Array.from(max), [6, 5]);
  });

  test('normalisedRows: the rows in the given order, scaled, with their classes', () => {
    const d = parseCsv('2,5,0\n4,5,1\n6,5,0\n');
    const { min, max } = ranges(d);
    const { X, Y } = normalisedRows(d, [2, 0, 1], min, max);
    assert.deepEqual(Array.from(X), [1, 0, 0, 0, 0.5, 0]);
    assert.deepEqual(Array.from(Y), [0, 0, 1]);
  });

  test('training with a constant column gives finite weights and predictions', () => {
    const d = parseCsv('0,5,0\n1,5,1\n0.1,5,0\n0.9,5,1\n0.2,5,0\n0.8,5,1\n');
    const { model } = Perceptron.train(d, { seed: 3, maxEpochs: 20 });
    assert.ok(Array.from(model.weights).every(Number.isFinite));
    const { scores } = model.predict([
      [0.5, 5],
      [0.5, 1000],
    ]);
    assert.ok(scores.every(Number.isFinite));
    // The constant attribute's normalised value is 0 whatever is passed: it cannot change a score.
    assert.equal(scores[0], scores[1]);
  });

  test('an attribute whose max - min overflows is a DataError naming the file and column, not NaN weights', () => {
    const d = parseCsv('0,1,0\n0,-1.7e308,1\n1,1.7e308,0\n', 'huge.csv');
    assert.throws(
      () => ranges(d),
      (e: unknown) =>
        e instanceof DataError &&
        e.column === 2 &&
        /^huge\.csv, column 2: the values range from -1\.7e\+308 to 1\.7e\+308: max - min overflows/.test(e.message),
    );
    assert.throws(() => Perceptron.train(d, { seed: 1, trainFraction: 0.5 }), DataError);
  });

  test('huge values whose range fits are scaled to [0, 1]', () => {
    const d = parseCsv('8e307,0\n-8e307,1\n0,0\n', 'big.csv');
    const { min, max } = ranges(d);
    assert.deepEqual(
      [normalise(8e307, min[0]!, max[0]!), normalise(-8e307, min[0]!, max[0]!), normalise(0, min[0]!, max[0]!)],
      [1, 0, 0.5],
    );
  });
});
