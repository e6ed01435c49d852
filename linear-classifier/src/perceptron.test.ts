/**
 * Unit tests of the model module: CSV loading, the label mapping, normalisation, the update rule
 * against hand-computed values, the seeded split, the stopping rule and saving/loading.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  DataError, MODEL_FORMAT, normalise, parseCsv, Perceptron, ranges, seededStart,
  type Dataset, type EpochRecord,
} from './perceptron.ts';

const dataDir = new URL('../data/', import.meta.url);
const banknote = parseCsv(readFileSync(new URL('banknote.csv', dataDir)), 'banknote.csv');

/** The DataError that fn throws, for checking its message and location. */
function dataError(fn: () => unknown): DataError {
  try { fn(); } catch (e) {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    assert.doesNotMatch(e.message, /\n/, 'the message is one line');
    return e;
  }
  assert.fail('expected a DataError, nothing was thrown');
}

describe('parseCsv', () => {
  test('reads rows, attributes and classes; the last column is the class', () => {
    const d = parseCsv('1,2,0\n3,4,1\n', 'x.csv');
    assert.equal(d.rows, 2);
    assert.equal(d.cols, 2);
    assert.deepEqual(Array.from(d.x), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(d.y), [0, 1]);
    assert.deepEqual(d.labels, ['0', '1']);
    assert.equal(d.header, null);
  });

  test('the same from text and from UTF-8 bytes', () => {
    const text = 'a,b,class\n1.5,-2e3,x\n3,4,y\n';
    assert.deepEqual(parseCsv(new TextEncoder().encode(text)), parseCsv(text));
  });

  test('CRLF, no final newline, blank lines, spaces around cells and a byte-order mark', () => {
    const d = parseCsv('\uFEFF\r\n 1 , 2 ,0\r\n\r\n  \r\n3,4, 1 \r\n5,6,0', 'x.csv');
    assert.equal(d.rows, 3);
    assert.deepEqual(Array.from(d.x), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(d.y), [0, 1, 0]);
  });

  test('more rows than the first lines suggest: the arrays grow', () => {
    const long = Array.from({ length: 64 }, (_, i) => `${i}.000000000001,1.00000000000001,0`);
    const short = Array.from({ length: 2000 }, (_, i) => `${i % 7},${i % 3},1`);
    const d = parseCsv([...long, ...short].join('\n'));
    assert.equal(d.rows, 2064);
    assert.equal(d.x.length, 2064 * 2);
    assert.equal(d.y.length, 2064);
    assert.deepEqual(Array.from(d.x.subarray(-4)), [1998 % 7, 1998 % 3, 1999 % 7, 1999 % 3]);
    assert.equal(d.y[2063], 1);
  });

  test('a header row is recognised and its names kept', () => {
    const d = parseCsv('variance,"skewness",class\n1,2,0\n3,4,1\n');
    assert.deepEqual(d.header, ['variance', 'skewness', 'class']);
    assert.equal(d.rows, 2);
  });

  test('exponent notation, as in banknote.csv (-9.2828e-06)', () => {
    const d = parseCsv('-9.2828e-06,1E3,0\n+.5,5.,1\n');
    assert.deepEqual(Array.from(d.x), [-9.2828e-06, 1000, 0.5, 5]);
  });

  test('every value is exactly Number() of its cell, fast path or not', () => {
    // Random decimals of every shape: many digits, large and small exponents, signs, zeros.
    let seed = 12345;
    const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const digits = (k: number): string => Array.from({ length: k }, () => Math.floor(rnd() * 10)).join('');
    const cells: string[] = ['0', '-0', '007', '0.1', '0.30000000000000004', '123456789012345', '1234567890123456789',
      '9007199254740993', '1e22', '1e23', '1e-22', '1e-23', '2.2250738585072014e-308', '1.7976931348623157e308', '4.9e-324', '1e-400'];
    for (let i = 0; i < 3000; i++) {
      const int = digits(Math.floor(rnd() * 12));
      const frac = rnd() < 0.7 ? '.' + digits(Math.floor(rnd() * 12)) : '';
      const exp = rnd() < 0.3 ? `e${rnd() < 0.5 ? '-' : ''}${Math.floor(rnd() * 40)}` : '';
      const cell = (rnd() < 0.5 ? '-' : '') + (int + frac === '' || int + frac === '.' ? '1' : int + frac) + exp;
      cells.push(cell);
    }
    const text = cells.map((c, i) => `${c},${i % 2}`).join('\n');
    const d = parseCsv(text);
    cells.forEach((c, i) => assert.ok(Object.is(d.x[i], Number(c)), `${c}: got ${d.x[i]}, Number() gives ${Number(c)}`));
  });

  test('the shipped data: every value equals Number() of its field', () => {
    const text = readFileSync(new URL('banknote.csv', dataDir), 'utf8');
    const fields = text.trim().split('\n').flatMap((l) => l.split(',').slice(0, -1));
    assert.equal(banknote.rows, 1372);
    assert.equal(banknote.cols, 4);
    fields.forEach((f, i) => assert.ok(Object.is(banknote.x[i], Number(f)), f));
  });

  test('bad input: one-line DataErrors naming source, line and column', () => {
    const cases: [string, RegExp, number | undefined, number | undefined][] = [
      ['', /empty file/, undefined, undefined],
      ['\n \n', /empty file/, undefined, undefined],
      ['a,b,c\n', /no data rows after the header/, undefined, undefined],
      ['1\n2\n', /fewer than two columns/, 1, undefined],
      ['1,2,0\n1,x,1\n', /"x" is not a number/, 2, 2],
      ['1,2,0\n1,,1\n', /empty cell/, 2, 2],
      ['1,2,0\n0x10,1,1\n', /"0x10" is not a number/, 2, 1],
      ['1,2,0\nNaN,1,1\n', /NaN is not allowed/, 2, 1],
      ['1,2,0\n1,-Infinity,1\n', /Infinity is not allowed/, 2, 2],
      ['1,2,0\n1,1e999,1\n', /out of range/, 2, 2],
      ['1,2,0\n1,1\n', /ragged row: 2 fields, expected 3/, 2, undefined],
      ['1,2,0\n1,2,3,1\n', /ragged row: 4 fields, expected 3/, 2, undefined],
      ['1,2,0\n1,x,3,1\n', /ragged row: 4 fields/, 2, undefined],
      ['1,2,0\n3,4,0\n', /only one class value \("0"\)/, undefined, undefined],
      ['1,2,0\n3,4,1\n5,6,2\n', /a third class value "2" \(after "0" and "1"\)/, 3, 3],
      ['1,2,0\n3,4,\n', /empty class value/, 2, 3],
    ];
    for (const [text, pattern, line, column] of cases) {
      const e = dataError(() => parseCsv(text, 'bad.csv'));
      assert.match(e.message, pattern, JSON.stringify(text));
      assert.match(e.message, /^bad\.csv[,:]/);
      assert.equal(e.source, 'bad.csv');
      assert.equal(e.line, line, `line of ${JSON.stringify(text)}`);
      assert.equal(e.column, column, `column of ${JSON.stringify(text)}`);
    }
  });
});

describe('label mapping', () => {
  const labelsOf = (a: string, b: string): [string, string] => parseCsv(`1,${a}\n2,${b}\n3,${a}\n`).labels;

  test('two values map to 0 and 1 in ascending order, numerically when both are numbers', () => {
    assert.deepEqual(labelsOf('0', '1'), ['0', '1']);
    assert.deepEqual(labelsOf('2', '1'), ['1', '2']);
    assert.deepEqual(labelsOf('1', '-1'), ['-1', '1']);
    assert.deepEqual(labelsOf('10', '9'), ['9', '10']); // not "10" < "9"
    assert.deepEqual(labelsOf('yes', 'no'), ['no', 'yes']);
  });

  test('y follows the mapping, whatever the order of appearance', () => {
    const d = parseCsv('1,2\n2,1\n3,2\n');
    assert.deepEqual(d.labels, ['1', '2']);
    assert.deepEqual(Array.from(d.y), [1, 0, 1]);
  });
});

describe('normalisation', () => {
  test('min-max to [0, 1]; a constant attribute becomes 0, never NaN', () => {
    assert.equal(normalise(4, 2, 6), 0.5);
    assert.equal(normalise(7, 7, 7), 0);
    const d = parseCsv('2,5,0\n4,5,1\n6,5,0\n');
    const { min, max } = ranges(d);
    assert.deepEqual(Array.from(min), [2, 5]);
    assert.deepEqual(Array.from(max), [6, 5]);
  });

  test('training with a constant column gives finite weights and predictions', () => {
    const d = parseCsv('0,5,0\n1,5,1\n0.1,5,0\n0.9,5,1\n0.2,5,0\n0.8,5,1\n');
    const { model } = Perceptron.train(d, { seed: 3, maxEpochs: 20 });
    assert.ok(Array.from(model.weights).every(Number.isFinite));
    const { scores } = model.predict([[0.5, 5], [0.5, 1000]]);
    assert.ok(scores.every(Number.isFinite));
    // The constant attribute's normalised value is 0 whatever is passed: it cannot change a score.
    assert.equal(scores[0], scores[1]);
  });
});

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
    assert.deepEqual(result.history.map((r) => [r.trainAccuracy, r.updates]), [[2 / 3, 1], [1, 1]]);
    // The test row (1,0,1), y=0 scores 0.25: class 1, wrong.
    assert.equal(result.testAccuracy, 0);
    assert.equal(result.testError, 1);
  });

  test('the learning rate scales the steps', () => {
    const { model } = Perceptron.train(tiny, { ...byHand, lr: 0.5, maxEpochs: 1 });
    assert.deepEqual(Array.from(model.weights), [0.5, 0.5, 0.5]);
  });

  test('the kernel matches a plain reference loop bit for bit, on real data', () => {
    for (const data of [banknote, wide(20)]) {
      const { weights, order } = seededStart(7, data.cols, data.rows);
      const reference = referenceTraining(data, weights, order, 0.01, 5);
      const { model, result } = Perceptron.train(data, { seed: 7, maxEpochs: 5, threshold: 1 });
      assert.deepEqual(Array.from(model.weights), reference.weights, `${data.cols} attributes`);
      assert.deepEqual(result.history.map((r) => r.trainAccuracy), reference.accuracies);
    }
  });
});

/** A random data set with many attributes (the generic, not unrolled, kernel). */
function wide(cols: number): Dataset {
  let s = 99;
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const lines = Array.from({ length: 300 }, () => {
    const x = Array.from({ length: cols }, () => (rnd() * 10 - 5).toFixed(3));
    return `${x.join(',')},${Number(x[0]) + Number(x[1]) > 0 ? 'a' : 'b'}`;
  });
  return parseCsv(lines.join('\n'));
}

/** The algorithm written as plainly as possible, to check the optimised one against. */
function referenceTraining(data: Dataset, initial: number[], order: number[], lr: number, epochs: number) {
  const { min, max } = ranges(data);
  const n = Math.round(0.75 * data.rows);
  const rows = order.map((i) => [1, ...Array.from({ length: data.cols }, (_, c) => normalise(data.x[i * data.cols + c]!, min[c]!, max[c]!))]);
  const ys = order.map((i) => data.y[i]!);
  const w = [...initial];
  const score = (x: number[]): number => x.reduce((s, v, j) => s + w[j]! * v, 0);
  const accuracies: number[] = [];
  for (let e = 0; e < epochs; e++) {
    for (let r = 0; r < n; r++) {
      const h = score(rows[r]!) > 0 ? 1 : 0;
      rows[r]!.forEach((v, j) => { w[j] = w[j]! + lr * (ys[r]! - h) * v; });
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
    assert.deepEqual(a.model.toJSON(), b.model.toJSON());
    assert.deepEqual(a.result, b.result);
    assert.notDeepEqual(a.result.initialWeights, c.result.initialWeights);
  });

  test('seededStart gives the weights and order training draws; passing them reproduces the run', () => {
    const start = seededStart(5, banknote.cols, banknote.rows);
    const seeded = Perceptron.train(banknote, { seed: 5 });
    assert.deepEqual(seeded.result.initialWeights, start.weights);
    assert.ok(start.weights.every((w) => w >= -0.5 && w < 0.5));
    assert.deepEqual([...start.order].sort((p, q) => p - q), Array.from({ length: banknote.rows }, (_, i) => i));
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

  test('past maxEpochs: not converged, with a hint', () => {
    const seen: EpochRecord[] = [];
    const { result } = Perceptron.train(banknote, { seed: 1, threshold: 1, maxEpochs: 7, onEpoch: (r) => seen.push(r) });
    assert.equal(result.converged, false);
    assert.equal(result.epochs, 7);
    assert.deepEqual(seen, result.history);
    assert.match(result.hint ?? '', /threshold 1 in 7 epochs: try more epochs, a lower threshold or another learning rate/);
  });

  test('converged runs have no hint; banknote with the defaults and seed 1 tests at >= 90 %', () => {
    const { result } = Perceptron.train(banknote, { seed: 1 });
    assert.equal(result.converged, true);
    assert.equal(result.hint, undefined);
    assert.ok(result.testAccuracy >= 0.9, `test accuracy ${result.testAccuracy}`);
  });

  test('invalid options are RangeErrors naming the option', () => {
    const bad: [object, RegExp][] = [
      [{ trainFraction: 1 }, /trainFraction/], [{ trainFraction: 0 }, /trainFraction/], [{ lr: 0 }, /lr/],
      [{ lr: -1 }, /lr/], [{ threshold: 0 }, /threshold/], [{ threshold: 1.5 }, /threshold/], [{ maxEpochs: 0 }, /maxEpochs/],
      [{ maxEpochs: 2.5 }, /maxEpochs/], [{ seed: -1 }, /seed/], [{ seed: 1.5 }, /seed/],
      [{ order: [0, 1, 2, 2] }, /permutation/], [{ order: [0, 1] }, /permutation/], [{ initialWeights: [0, 0] }, /initialWeights/],
    ];
    for (const [options, pattern] of bad) assert.throws(() => Perceptron.train(tiny, options), (e: unknown) => e instanceof RangeError && pattern.test(e.message));
  });

  test('a split that leaves no test row is a DataError', () => {
    assert.match(dataError(() => Perceptron.train(tiny, { trainFraction: 0.9 })).message, /leave 4 for training and 0 for testing/);
  });
});

describe('prediction, evaluation, reset', () => {
  const { model } = Perceptron.train(banknote, { seed: 1 });

  test('predict takes raw rows and returns the original class values and scores', () => {
    const rows = [[3.6216, 8.6661, -2.8073, -0.44699], [-1.3971, 3.3191, -1.3927, -1.9948]]; // a 0 and a 1 of the file
    const { labels, scores } = model.predict(rows);
    assert.deepEqual(labels, ['0', '1']);
    assert.ok(scores[0]! <= 0 && scores[1]! > 0);
    assert.equal(model.evaluate(banknote).accuracy >= 0.9, true);
  });

  test('predict rejects rows of the wrong length or with non-finite values', () => {
    const e = dataError(() => model.predict([[1, 2, 3, 4], [1, 2, 3]]));
    assert.match(e.message, /row 2 has 3 values, expected 4/);
    assert.equal(e.line, 2);
    assert.match(dataError(() => model.predict([[1, NaN, 3, 4]])).message, /value 2 is not a finite number/);
  });

  test('evaluate compares class values, not codes', () => {
    const flipped = parseCsv('1,2,b\n3,4,a\n5,6,b\n');
    const m = new Perceptron({ weights: [-1, 2, 0], min: [1, 2], max: [5, 6], labels: ['b', 'a'] });
    // Scores: row 1 normalised 0 -> -1 (b), row 2 0.5 -> 0 (b, the tie rule), row 3 1 -> 1 (a).
    assert.deepEqual(m.predict([[1, 2], [3, 4], [5, 6]]).labels, ['b', 'b', 'a']);
    assert.equal(m.evaluate(flipped).accuracy, 1 / 3);
  });

  test('reset re-initialises the weights to the seeded start', () => {
    const m = Perceptron.fromJSON(model.toJSON());
    m.reset(9);
    assert.deepEqual(Array.from(m.weights), seededStart(9, 4, 1).weights);
    assert.equal(m.metrics, null);
  });
});

describe('saving and loading', () => {
  const { model } = Perceptron.train(banknote, { seed: 1 });

  test('toJSON -> JSON text -> fromJSON gives the same model and predictions', () => {
    const saved = model.toJSON();
    assert.equal(saved.format, MODEL_FORMAT);
    assert.equal(saved.featureCount, 4);
    assert.deepEqual(saved.labels, ['0', '1']);
    assert.equal(saved.metrics?.converged, true);
    assert.equal(saved.metrics?.seed, 1);
    const loaded = Perceptron.fromJSON(JSON.parse(JSON.stringify(saved)));
    assert.deepEqual(loaded.toJSON(), saved);
    const rows = Array.from({ length: 50 }, (_, r) => Array.from(banknote.x.subarray(r * 4, r * 4 + 4)));
    assert.deepEqual(loaded.predict(rows), model.predict(rows));
  });

  test('the header travels with the model', () => {
    const d = parseCsv('a,b,class\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n');
    const { model: m } = Perceptron.train(d, { seed: 1, maxEpochs: 3 });
    assert.deepEqual(Perceptron.fromJSON(m.toJSON()).header, ['a', 'b', 'class']);
  });

  test('a malformed model is a DataError naming what is wrong', () => {
    const good = model.toJSON() as unknown as Record<string, unknown>;
    const cases: [unknown, RegExp][] = [
      [null, /expected a JSON object/],
      [[], /expected a JSON object/],
      [{ ...good, format: 'other' }, /format must be/],
      [{ ...good, version: 2 }, /unsupported version 2/],
      [{ ...good, featureCount: 0 }, /featureCount/],
      [{ ...good, weights: [1, 2] }, /weights must be an array of 5 finite numbers/],
      [{ ...good, weights: [1, 2, 3, 4, null] }, /weights/],
      [{ ...good, min: [9, 9, 9, 9] }, /min\[0\] is greater than max\[0\]/],
      [{ ...good, labels: ['1', '1'] }, /labels must be two distinct strings/],
      [{ ...good, header: ['a'] }, /header must be null or 5 strings/],
      [{ ...good, metrics: { trainAccuracy: 'high' } }, /metrics must be/],
    ];
    for (const [json, pattern] of cases) {
      const e = dataError(() => Perceptron.fromJSON(json));
      assert.match(e.message, pattern);
      assert.match(e.message, /^model: /);
    }
  });
});
