/** Unit tests of the command-line parser: defaults, both value forms, and what wins. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCommandLine, UsageError } from './args.ts';

describe('parseCommandLine', () => {
  test('the defaults of the original: --train 0.75, --threshold 0.9, --lr 0.01, --max-epochs 100', () => {
    assert.deepEqual(parseCommandLine(['--data', 'd.csv']), {
      data: 'd.csv',
      train: 0.75,
      threshold: 0.9,
      lr: 0.01,
      seed: undefined,
      maxEpochs: 100,
      shuffle: true,
      verbose: false,
      saveModel: undefined,
    });
  });

  test('"--flag value" and "--flag=value"; the last occurrence wins', () => {
    const o = parseCommandLine([
      '--data=a.csv',
      '--lr',
      '0.5',
      '--lr=0.25',
      '--seed',
      '7',
      '--max-epochs=3',
      '-v',
      '--no-shuffle',
      '--save-model',
      'm.json',
      '--train',
      '.5',
      '--threshold',
      '1',
    ]);
    assert.ok(o !== 'help');
    assert.equal(o.data, 'a.csv');
    assert.equal(o.lr, 0.25);
    assert.equal(o.seed, 7);
    assert.equal(o.maxEpochs, 3);
    assert.equal(o.train, 0.5);
    assert.equal(o.threshold, 1);
    assert.equal(o.verbose, true);
    assert.equal(o.shuffle, false);
    assert.equal(o.saveModel, 'm.json');
  });

  test('--help wins over everything but a malformed command line', () => {
    assert.equal(parseCommandLine(['--help']), 'help');
    assert.equal(parseCommandLine(['-h', '--data', 'x']), 'help');
    assert.throws(() => parseCommandLine(['-h', '--bogus']), UsageError);
  });

  test('numbers are decimal: no hex, no empty, no Infinity', () => {
    for (const bad of ['0x1', '', 'Infinity', '1e', '.']) {
      assert.throws(() => parseCommandLine(['--data', 'd', `--lr=${bad}`]), UsageError, bad);
    }
    assert.equal((parseCommandLine(['--data', 'd', '--lr', '1e-3']) as { lr: number }).lr, 0.001);
    assert.equal((parseCommandLine(['--data', 'd', '--seed', '4294967295']) as { seed: number }).seed, 4294967295);
    assert.throws(
      () => parseCommandLine(['--data', 'd', '--seed', '4294967296']),
      /--seed must be an integer from 0 to 4294967295/,
    );
  });
});
