/**
 * Unit tests of the model: the update rule against hand-computed values and a plain reference, the
 * seeded split, the stopping rule and its summary line, prediction and evaluation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCsv, type Dataset } from './csv.ts';
import { normalise, ranges } from './normalise.ts';
import { type EpochRecord, Perceptron, splitSizes } from './perceptron.ts';
import { seededStart } from './random.ts';
import { banknote, banknoteRow, dataError } from './test-utils.ts';

/**
 * Four rows whose attributes already span [0, 1], so normalisation changes nothing and the update
 * rule can be followed by hand. In file order, the first three train and the last one tests.
 */
const tiny = parseCsv('0,0,0\n1,1,1\n1,0,1\n0,1,0\n');
const byHand = { shuffle: false, initialWeights: [0, 0, 0], lr: 0.25 } as const;

describe('the update rule, by hand', () => {
  test('epoch 1: only the misclassified row updates w += lr * (y - h) * x', () => {
    // Row (1,0,0), y=0: score 0 is class 0 (the tie rule): right, no update.
    // Row (1,1,1), y=1: score 0, h=0: w += 0.25 * 1 * (1,1,1) = (0.25, 0.25, 0.25).
    // Row (1,1,0), y=1: score 0.5 > 0: right.
    // Training accuracy with the new w: row 1 scores 0.25 > 0, wrong; 2 of 3.
    const { model, result } = Perceptron.train(tiny, { ...byHand, maxEpochs: 1 });
    assert.deepEqual(Array.from(model.weights), [0.25, 0.25, 0.25]);
    assert.deepEqual(result.history, [{ epoch: 1, trainAccuracy: 2 / 3, trainError: 1 - 2 / 3, updates: 1 }]);
    assert.equal(result.trainRows, 3);
    assert.equal(result.testRows, 1);
  });

  test('epoch 2: a false positive updates with y - h = -1', () => {
    // Row (1,0,0), y=0: score 0.25 > 0, h=1: w -= 0.25 * (1,0,0) = (0, 0.25, 0.25).
    // Then every training row is right (row 1 scores exactly 0: class 0).
    const { model, result } = Perceptron.train(tiny, { ...byHand, maxEpochs: 2 });
    assert.deepEqual(Array.from(model.weights), [0, 0.25, 0.25]);
    assert.deepEqual(
      result.history.map((r) => [r.trainAccuracy, r.updates]),
      [
        [2 / 3, 1],
        [1, 1],
      ],
    );
    // The test row (1,0,1), y=0 scores 0.25: class 1, wrong.
    assert.equal(result.testAccuracy, 0);
    assert.equal(result.testError, 1);
  });

  test('the learning rate scales the steps', () => {
    const { model } = Perceptron.train(tiny, { ...byHand, lr: 0.5, maxEpochs: 1 });
    assert.deepEqual(Array.from(model.weights), [0.5, 0.5, 0.5]);
  });

  test('training matches a plain reference loop bit for bit, on real data', () => {
    for (const data of [banknote, wide(20)]) {
      const { weights, order } = seededStart(7, data.cols, data.rows);
      const reference = referenceTraining(data, weights, order, 0.01, 5);
      const { model, result } = Perceptron.train(data, { seed: 7, maxEpochs: 5, threshold: 1 });
      assert.deepEqual(Array.from(model.weights), reference.weights, `${data.cols} attributes`);
      assert.deepEqual(
        result.history.map((r) => r.trainAccuracy),
        reference.accuracies,
      );
    }
  });
});

/** A random data set with many attributes. */
function wide(cols: number): Dataset {
  let s = 99;
  const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const lines = Array.from({ length: 300 }, () => {
    const x = Array.from({ length: cols }, () => (rnd() * 10 - 5).toFixed(3));
    return `${x.join(',')},${Number(x[0]) + Number(x[1]) > 0 ? 'a' : 'b'}`;
  });
  return parseCsv(lines.join('\n'));
}

/** The algorithm written with arrays of arrays, to check the flat-array loop against. */
function referenceTraining(data: Dataset, initial: number[], order: number[], lr: number, epochs: number) {
  const { min, max } = ranges(data);
  const n = Math.round(0.75 * data.rows);
  const rows = order.map((i) => [
    1,
    ...Array.from({ length: data.cols }, (_, c) => normalise(data.x[i * data.cols + c]!, min[c]!, max[c]!)),
  ]);
  const ys = order.map((i) => data.y[i]!);
  const w = [...initial];
  const score = (x: number[]): number => x.reduce((s, v, j) => s + w[j]! * v, 0);
  const accuracies: number[] = [];
  for (let e = 0; e < epochs; e++) {
    for (let r = 0; r < n; r++) {
      const h = score(rows[r]!) > 0 ? 1 : 0;
      rows[r]!.forEach((v, j) => {
        w[j] = w[j]! + lr * (ys[r]! - h) * v;
      });
    }
    accuracies.push(rows.slice(0, n).filter((x, r) => (score(x) > 0 ? 1 : 0) === ys[r]).length / n);
  }
  return { weights: w, accuracies };
}

describe('the seeded start and split', () => {
  test('the same seed gives the same run; another seed another', () => {
    const a = Perceptron.train(banknote, { seed: 1 });
    const b = Perceptron.train(banknote, { seed: 1 });
    const c = Perceptron.train(banknote, { seed: 2 });
    assert.deepEqual(a.model, b.model);
    assert.deepEqual(a.result, b.result);
    assert.notDeepEqual(a.result.initialWeights, c.result.initialWeights);
  });

  test('seededStart gives the weights and order training draws; passing them reproduces the run', () => {
    const start = seededStart(5, banknote.cols, banknote.rows);
    const seeded = Perceptron.train(banknote, { seed: 5 });
    assert.deepEqual(seeded.result.initialWeights, start.weights);
    assert.ok(start.weights.every((w) => w >= -0.5 && w < 0.5));
    assert.deepEqual(
      [...start.order].sort((p, q) => p - q),
      Array.from({ length: banknote.rows }, (_, i) => i),
    );
    const explicit = Perceptron.train(banknote, { seed: 0, order: start.order, initialWeights: start.weights });
    assert.deepEqual(Array.from(explicit.model.weights), Array.from(seeded.model.weights));
    assert.equal(explicit.result.testAccuracy, seeded.result.testAccuracy);
  });

  test('the split: Math.round(trainFraction * rows) rows train, the rest test', () => {
    const { result } = Perceptron.train(banknote, { seed: 1, trainFraction: 0.5, maxEpochs: 1 });
    assert.equal(result.trainRows, 686);
    assert.equal(result.testRows, 686);
  });

  test('without shuffling the rows keep the file order (the same as the identity order)', () => {
    const identity = Array.from({ length: banknote.rows }, (_, i) => i);
    const a = Perceptron.train(banknote, { seed: 4, shuffle: false });
    const b = Perceptron.train(banknote, { seed: 4, order: identity });
    assert.deepEqual(Array.from(a.model.weights), Array.from(b.model.weights));
  });

  test('no seed: a random one is drawn and reported, so the run can be repeated', () => {
    const first = Perceptron.train(banknote, { maxEpochs: 3 });
    const again = Perceptron.train(banknote, { maxEpochs: 3, seed: first.result.seed });
    assert.deepEqual(Array.from(again.model.weights), Array.from(first.model.weights));
  });
});

describe('the stopping rule', () => {
  test('stops at the first epoch whose last three training accuracies average >= threshold', () => {
    // Accuracies on `tiny` by hand: 2/3, 1, 1, 1, ...
    const at = (threshold: number): number => Perceptron.train(tiny, { ...byHand, threshold }).result.epochs;
    assert.equal(at(0.85), 3); // (2/3 + 1 + 1) / 3 = 0.889
    assert.equal(at(0.9), 4); // epochs 2-4 average 1
    assert.equal(at(0.1), 3); // never before three epochs
  });

  test('past maxEpochs: not converged, and the summary says why', () => {
    const seen: EpochRecord[] = [];
    const { result } = Perceptron.train(banknote, {
      seed: 1,
      threshold: 1,
      maxEpochs: 7,
      onEpoch: (r) => seen.push(r),
    });
    assert.equal(result.converged, false);
    assert.equal(result.epochs, 7);
    assert.deepEqual(seen, result.history);
    assert.match(
      result.summary,
      /^not converged after 7 epochs: mean training accuracy of the last three \d+\.\d\d % < 100\.00 %$/,
    );
  });

  test('converged: the summary gives the mean of the last three; banknote with the defaults and seed 1 tests at >= 90 %', () => {
    const { result } = Perceptron.train(banknote, { seed: 1 });
    assert.equal(result.converged, true);
    const mean = result.history.slice(-3).reduce((sum, r) => sum + r.trainAccuracy, 0) / 3;
    assert.equal(
      result.summary,
      `converged after ${result.epochs} epochs: mean training accuracy of the last three ${(mean * 100).toFixed(2)} % >= 90.00 %`,
    );
    assert.ok(result.testAccuracy >= 0.9, `test accuracy ${result.testAccuracy}`);
  });

  test('fewer than three epochs: the summary says the rule needs three, in good grammar', () => {
    const one = Perceptron.train(banknote, { seed: 1, maxEpochs: 1 }).result;
    const two = Perceptron.train(banknote, { seed: 1, maxEpochs: 2 }).result;
    assert.equal(one.converged, false);
    assert.match(one.summary, /^not converged after 1 epoch: the stopping rule needs at least 3 epochs/);
    assert.match(two.summary, /^not converged after 2 epochs: the stopping rule needs at least 3 epochs/);
  });

  test('invalid options are RangeErrors naming the option', () => {
    const bad: [object, RegExp][] = [
      [{ trainFraction: 1 }, /trainFraction/],
      [{ trainFraction: 0 }, /trainFraction/],
      [{ lr: 0 }, /lr/],
      [{ lr: -1 }, /lr/],
      [{ threshold: 0 }, /threshold/],
      [{ threshold: 1.5 }, /threshold/],
      [{ maxEpochs: 0 }, /maxEpochs/],
      [{ maxEpochs: 2.5 }, /maxEpochs/],
      [{ seed: -1 }, /seed/],
      [{ seed: 1.5 }, /seed/],
      [{ order: [0, 1, 2, 2] }, /permutation/],
      [{ order: [0, 1] }, /permutation/],
      [{ initialWeights: [0, 0] }, /initialWeights/],
    ];
    for (const [options, pattern] of bad)
      assert.throws(
        () => Perceptron.train(tiny, options),
        (e: unknown) => e instanceof RangeError && pattern.test(e.message),
      );
  });

  test('splitSizes: Math.round(trainFraction * rows) train; an empty part is a DataError', () => {
    assert.deepEqual(splitSizes(1372, 0.75), { trainRows: 1029, testRows: 343 });
    assert.match(
      dataError(() => splitSizes(2, 0.75)).message,
      /^split: 2 rows split by trainFraction 0\.75 leave 2 for training and 0 for testing/,
    );
  });

  test('a split that leaves no test row is a DataError', () => {
    assert.match(
      dataError(() => Perceptron.train(tiny, { trainFraction: 0.9 })).message,
      /leave 4 for training and 0 for testing/,
    );
  });
});

describe('prediction and evaluation', () => {
  const { model } = Perceptron.train(banknote, { seed: 1 });

  test('predict takes raw rows and returns the original class values and scores', () => {
    const rows = [banknoteRow, [-1.3971, 3.3191, -1.3927, -1.9948]]; // a 0 and a 1 of the file
    const { labels, scores } = model.predict(rows);
    assert.deepEqual(labels, ['0', '1']);
    assert.ok(scores[0]! <= 0 && scores[1]! > 0);
    assert.equal(model.evaluate(banknote).accuracy >= 0.9, true);
  });

  test('predict rejects rows of the wrong length or with non-finite values', () => {
    const e = dataError(() =>
      model.predict([
        [1, 2, 3, 4],
        [1, 2, 3],
      ]),
    );
    assert.match(e.message, /row 2 has 3 values, expected 4/);
    assert.equal(e.line, 2);
    assert.match(dataError(() => model.predict([[1, NaN, 3, 4]])).message, /value 2 is not a finite number/);
  });

  test('evaluate compares class values, not codes', () => {
    const flipped = parseCsv('1,2,b\n3,4,a\n5,6,b\n');
    const m = new Perceptron({ weights: [-1, 2, 0], min: [1, 2], max: [5, 6], labels: ['b', 'a'] });
    // Scores: row 1 normalised 0 -> -1 (b), row 2 0.5 -> 0 (b, the tie rule), row 3 1 -> 1 (a).
    assert.deepEqual(
      m.predict([
        [1, 2],
        [3, 4],
        [5, 6],
      ]).labels,
      ['b', 'b', 'a'],
    );
    assert.equal(m.evaluate(flipped).accuracy, 1 / 3);
  });
});
