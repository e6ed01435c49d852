/**
 * Tests of the CLI as a learner runs it: a real `node src/cli.ts` process per case. Every bad input
 * a new user might give it gets one line on stderr naming the problem (file, line and column where relevant),
 * exit code 1 for data and 2 for the command line, and never a stack trace.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { modelFromJSON, type SavedModel } from './model-file.ts';
import { banknoteRow } from './test-utils.ts';

const demo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'linear-classifier-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in the demo folder with the Node that runs the tests. */
function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, ['src/cli.ts', ...args], { cwd: demo, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes a CSV file into the temporary folder and returns its path. */
function csv(name: string, text: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
}

/** Asserts a failed run: this exit code, nothing on stdout beyond progress, one stderr line matching. */
function assertFails(run: Run, code: number, pattern: RegExp): void {
  assert.equal(run.code, code, `exit code; stderr: ${run.stderr}`);
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${run.stderr}`);
  assert.match(lines[0]!, /^error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(run.stderr, /\bat .*\.ts:\d+|node:internal/, 'no stack trace');
}

describe('cli: a good run', () => {
  test('banknote with the defaults and --seed 1: the accuracy lines, >= 90 % on test, exit 0', () => {
    const run = cli('--data', 'data/banknote.csv', '--seed', '1');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^data: data\/banknote\.csv: 1372 rows, 4 attributes, no header$/m);
    assert.match(run.stdout, /^classes: "0" is 0, "1" is 1$/m);
    assert.match(run.stdout, /^split: 1029 rows to train, 343 to test \(shuffled with seed 1\)$/m);
    assert.match(run.stdout, /^train accuracy: \d+\.\d\d %$/m);
    const test = /^test accuracy: (\d+\.\d\d) %$/m.exec(run.stdout);
    assert.ok(test && Number(test[1]) >= 90, run.stdout);
  });

  test('the same seed prints the same bytes; another seed does not', () => {
    const a = cli('--data', 'data/banknote.csv', '--seed', '42', '--verbose');
    const b = cli('--data', 'data/banknote.csv', '--seed', '42', '--verbose');
    const c = cli('--data', 'data/banknote.csv', '--seed', '43', '--verbose');
    assert.equal(a.code, 0);
    assert.equal(a.stdout, b.stdout);
    assert.notEqual(a.stdout, c.stdout);
  });

  test('--verbose prints each epoch and its training error', () => {
    const run = cli('--data', 'data/banknote.csv', '--seed', '1', '-v');
    const epochs = run.stdout.match(/^epoch \d+: training error \d\.\d{4} \(\d+ updates\)$/gm) ?? [];
    const converged = /^converged after (\d+) epochs/m.exec(run.stdout);
    assert.ok(converged);
    assert.equal(epochs.length, Number(converged[1]));
    assert.match(epochs[0]!, /^epoch 1: /);
  });

  test('no --seed: a random seed is printed, and passing it repeats the run', () => {
    const first = cli('--data', 'data/banknote.csv');
    const seed = /shuffled with seed (\d+)/.exec(first.stdout)?.[1];
    assert.ok(seed, first.stdout);
    assert.equal(cli('--data', 'data/banknote.csv', '--seed', seed).stdout, first.stdout);
  });

  test('--save-model writes a model that loads and predicts', () => {
    const file = path.join(tmp, 'models', 'banknote.json');
    const run = cli('--data', 'data/banknote.csv', '--seed', '1', `--save-model=${file}`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^model saved to ${file.replace(/[.\\]/g, '\\$&')}$`, 'm'));
    const model = modelFromJSON(JSON.parse(readFileSync(file, 'utf8')));
    assert.equal(model.featureCount, 4);
    assert.deepEqual(model.predict([banknoteRow]).labels, ['0']);
  });

  test('--save-model replaces a model atomically; a failed save keeps what was there', () => {
    const dir = path.join(tmp, 'replace');
    const file = path.join(dir, 'model.json');
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, 'the previous model\n');
    assert.equal(cli('--data', 'data/banknote.csv', '--seed', '2', '--save-model', file).code, 0);
    assert.equal(modelFromJSON(JSON.parse(readFileSync(file, 'utf8'))).featureCount, 4);
    // A directory where the model should go: the rename fails, and nothing of the user's is lost.
    const taken = path.join(dir, 'taken.json');
    mkdirSync(taken);
    writeFileSync(path.join(taken, 'keep.txt'), 'mine\n');
    assertFails(
      cli('--data', 'data/banknote.csv', '--seed', '2', '--save-model', taken),
      1,
      /cannot save the model to .*taken\.json: /,
    );
    assert.equal(readFileSync(path.join(taken, 'keep.txt'), 'utf8'), 'mine\n');
    assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'taken.json'], 'no partial file is left behind');
  });

  test('a header row, other class values and --no-shuffle', () => {
    const file = csv(
      'header.csv',
      'a,b,kind\r\n0,0,no\r\n1,1,yes\r\n0.1,0.2,no\r\n0.9,0.8,yes\r\n0.2,0.1,no\r\n0.8,0.9,yes\r\n0,0.1,no\r\n1,0.9,yes',
    );
    const run = cli('--data', file, '--no-shuffle', '--seed', '3', '--train', '0.5', '--threshold', '0.5');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /8 rows, 2 attributes, header a,b,kind/);
    assert.match(run.stdout, /^classes: "no" is 0, "yes" is 1$/m);
    assert.match(run.stdout, /^split: 4 rows to train, 4 to test \(in file order, weights from seed 3\)$/m);
  });

  test('a reader that stops early (| head -1) gets no stack trace', () => {
    const r = spawnSync(
      'bash',
      ['-o', 'pipefail', '-c', `"${process.execPath}" src/cli.ts --data data/skin.csv --seed 1 -v | head -1`],
      { cwd: demo, encoding: 'utf8' },
    );
    assert.equal(r.stdout, 'data: data/skin.csv: 245057 rows, 3 attributes, no header\n');
    assert.equal(r.stderr, '');
  });

  test('--help prints the usage and exits 0', () => {
    const run = cli('--help');
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: node src\/cli\.ts --data PATH/);
    for (const flag of [
      '--data',
      '--train',
      '--threshold',
      '--lr',
      '--seed',
      '--max-epochs',
      '--verbose',
      '--save-model',
      '--no-shuffle',
    ]) {
      assert.ok(run.stdout.includes(flag), flag);
    }
  });

  test('not converging exits 3, still prints the accuracy, and says what to try', () => {
    const run = cli('--data', 'data/banknote.csv', '--seed', '1', '--threshold', '1', '--max-epochs', '4');
    assert.equal(run.code, 3);
    assert.match(
      run.stdout,
      /^not converged after 4 epochs: mean training accuracy of the last three \d+\.\d\d % < 100\.00 %$/m,
    );
    assert.match(run.stdout, /^test accuracy: /m);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines.at(-1)!, /^not converged: try more --max-epochs, a lower --threshold or another --lr/);
    assert.equal(run.stderr, '');
  });
});

describe('cli: bad files and data exit 1 with one line naming file, line and column', () => {
  test('a missing file', () =>
    assertFails(cli('--data', 'data/nope.csv'), 1, /^error: data\/nope\.csv: no such file$/));
  test('an empty file', () => assertFails(cli('--data', csv('empty.csv', '')), 1, /empty\.csv: empty file/));
  test('a directory', () => {
    mkdirSync(path.join(tmp, 'dir.csv'), { recursive: true });
    assertFails(cli('--data', path.join(tmp, 'dir.csv')), 1, /dir\.csv: is a directory, not a file$/);
  });
  test('a non-numeric cell', () =>
    assertFails(
      cli('--data', csv('text.csv', '1,2,0\n3,abc,1\n')),
      1,
      /text\.csv, line 2, column 2: "abc" is not a number$/,
    ));
  test('NaN', () =>
    assertFails(
      cli('--data', csv('nan.csv', '1,2,0\nNaN,4,1\n')),
      1,
      /nan\.csv, line 2, column 1: "NaN": NaN is not allowed/,
    ));
  test('Infinity', () =>
    assertFails(
      cli('--data', csv('inf.csv', '1,2,0\n3,Infinity,1\n')),
      1,
      /inf\.csv, line 2, column 2: "Infinity": Infinity is not allowed/,
    ));
  test('a ragged row', () =>
    assertFails(
      cli('--data', csv('ragged.csv', '1,2,0\n3,4,1\n5,1\n')),
      1,
      /ragged\.csv, line 3: ragged row: 2 fields, expected 3/,
    ));
  test('fewer than two columns', () =>
    assertFails(cli('--data', csv('one.csv', '1\n0\n')), 1, /one\.csv, line 1: fewer than two columns/));
  test('one class only', () =>
    assertFails(
      cli('--data', csv('oneclass.csv', '1,2,0\n3,4,0\n')),
      1,
      /oneclass\.csv: only one class value \("0"\)/,
    ));
  test('three classes', () =>
    assertFails(
      cli('--data', csv('three.csv', '1,2,0\n3,4,1\n5,6,2\n')),
      1,
      /three\.csv, line 3, column 3: a third class value "2"/,
    ));
  test('a model path that cannot be written', () => {
    const blocker = csv('not-a-dir', 'x');
    assertFails(
      cli('--data', 'data/banknote.csv', '--seed', '1', '--save-model', path.join(blocker, 'm.json')),
      1,
      /cannot save the model to .*not-a-dir\/m\.json: /,
    );
  });
});

describe('cli: a bad command line exits 2 with one line', () => {
  const cases: [string, string[], RegExp][] = [
    ['--train 0', ['--train', '0'], /--train must be a number between 0 and 1 \(exclusive\), got "0"/],
    ['--train 1', ['--train', '1'], /--train must be a number between 0 and 1/],
    ['--train 1.5', ['--train=1.5'], /--train must be a number between 0 and 1/],
    ['--train -0.5', ['--train', '-0.5'], /--train must be/],
    ['--lr 0', ['--lr', '0'], /--lr must be a number greater than 0, got "0"/],
    ['--lr -0.1', ['--lr', '-0.1'], /--lr must be a number greater than 0, got "-0.1"/],
    ['--lr abc', ['--lr', 'abc'], /--lr must be a number greater than 0, got "abc"/],
    ['--threshold 0', ['--threshold', '0'], /--threshold must be a number greater than 0 and at most 1, got "0"/],
    ['--threshold 1.01', ['--threshold', '1.01'], /--threshold must be a number greater than 0 and at most 1/],
    ['--max-epochs 0', ['--max-epochs', '0'], /--max-epochs must be a positive integer, got "0"/],
    ['--max-epochs 2.5', ['--max-epochs', '2.5'], /--max-epochs must be a positive integer, got "2.5"/],
    ['--max-epochs -3', ['--max-epochs', '-3'], /--max-epochs must be a positive integer/],
    ['--max-epochs ten', ['--max-epochs', 'ten'], /--max-epochs must be a positive integer, got "ten"/],
    ['--seed -1', ['--seed', '-1'], /--seed must be an integer from 0 to 4294967295/],
    ['an unknown flag', ['--learning-rate', '0.1'], /unknown option "--learning-rate"/],
    ['an unknown short flag', ['-x'], /unknown option "-x"/],
    ['a stray argument', ['banknote.csv'], /unexpected argument "banknote\.csv"/],
    ['a missing value at the end', ['--lr'], /--lr needs a value/],
    ['a missing value before a flag', ['--seed', '--verbose'], /--seed needs a value/],
    ['an empty value', ['--threshold='], /--threshold needs a value/],
    ['a value for a switch', ['--verbose=yes'], /--verbose takes no value/],
    ['no --data', [], /--data PATH is required/],
  ];
  for (const [name, args, pattern] of cases) {
    test(name, () => {
      const argv = args.includes('--data') || name === 'no --data' ? args : ['--data', 'data/banknote.csv', ...args];
      const run = cli(...argv);
      assertFails(run, 2, pattern);
      assert.match(run.stderr, /\(see --help\)\n$/);
      assert.equal(run.stdout, '', 'nothing runs');
    });
  }
});

describe("cli: hostile inputs, as a new user's files would be", () => {
  /** A small separable data set whose first attribute is the given values, row after row. */
  const withFirstColumn = (name: string, values: string[]): string =>
    csv(name, values.map((v, i) => `${v},${i % 2 ? 0.9 : 0.1},${i % 2}`).join('\n') + '\n');

  test('a column whose range overflows (max - min is Infinity) is refused in one line, and no model is saved', () => {
    const file = withFirstColumn('huge.csv', ['1.7e308', '-1.7e308', '1e308', '-1e308', '0', '1', '2', '3']);
    const model = path.join(tmp, 'huge.json');
    assertFails(
      cli('--data', file, '--seed', '1', '--save-model', model),
      1,
      /huge\.csv, column 1: .*-1\.7e\+308 to 1\.7e\+308.*overflow/,
    );
    assert.equal(existsSync(model), false, 'no model is saved');
  });

  test('values that are huge but whose range fits train to finite weights, and the saved model loads', () => {
    const file = withFirstColumn('big.csv', ['8e307', '-8e307', '1e307', '-1e307', '0', '1', '2', '3']);
    const model = path.join(tmp, 'big.json');
    const run = cli('--data', file, '--seed', '1', '--threshold', '0.5', '--save-model', model);
    assert.ok(run.code === 0 || run.code === 3, run.stderr);
    const saved = JSON.parse(readFileSync(model, 'utf8')) as SavedModel;
    assert.ok(saved.weights.every(Number.isFinite), `finite weights: ${saved.weights.join(',')}`);
    assert.doesNotThrow(() => modelFromJSON(saved));
  });

  test('Windows-1252 text (é and è as single bytes) is refused as not UTF-8, naming the line', () => {
    const file = path.join(tmp, 'cp1252.csv');
    // "café" and "cafè" in Windows-1252: both decode to "caf\uFFFD" if read as UTF-8.
    const rows = ['1,2,caf\xe9', '3,4,caf\xe8', '1,3,caf\xe9', '4,4,caf\xe8', '2,2,caf\xe9', '4,3,caf\xe8'];
    writeFileSync(file, Buffer.from(rows.join('\n') + '\n', 'latin1'));
    assertFails(cli('--data', file, '--seed', '1'), 1, /cp1252\.csv, line 1: not UTF-8 text/);
  });

  test('UTF-16 text, with a byte-order mark (LE and BE) or without one, is refused as UTF-16', () => {
    const text = '1,2,0\n3,4,1\n5,6,0\n7,8,1\n';
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    const files: [string, Buffer][] = [
      ['utf16le-bom.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
      ['utf16be-bom.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
      ['utf16le.csv', le],
    ];
    for (const [name, bytes] of files) {
      writeFileSync(path.join(tmp, name), bytes);
      assertFails(
        cli('--data', path.join(tmp, name), '--seed', '1'),
        1,
        new RegExp(`${name.replace('.', '\\.')}(, line 1)?: .*UTF-16`),
      );
    }
  });

  test('--save-model naming the --data file, under any spelling, is refused and the data is kept', () => {
    const dir = path.join(tmp, 'same');
    mkdirSync(dir, { recursive: true });
    const text = 'a,b,class\n0,0,no\n1,1,yes\n0.1,0.2,no\n0.9,0.8,yes\n';
    writeFileSync(path.join(dir, 'x.csv'), text);
    symlinkSync('x.csv', path.join(dir, 'link.csv'));
    const run = (data: string, model: string): Run => {
      const r = spawnSync(
        process.execPath,
        [path.join(demo, 'src', 'cli.ts'), '--data', data, '--seed', '1', '--save-model', model],
        { cwd: dir, encoding: 'utf8' },
      );
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    for (const [data, model] of [
      ['x.csv', 'x.csv'],
      ['x.csv', './x.csv'],
      ['./x.csv', path.join(dir, 'x.csv')],
      ['x.csv', 'link.csv'],
      ['link.csv', 'x.csv'],
      ['x.csv', '../same/x.csv'],
    ]) {
      const r = run(data!, model!);
      assertFails(r, 2, /--save-model .* is the --data file/);
      assert.equal(readFileSync(path.join(dir, 'x.csv'), 'utf8'), text, `${data} / ${model}: the data is intact`);
    }
  });

  test('--save-model under a path whose folder is an existing file: one plain line, not EEXIST', () => {
    const blocker = csv('a-file', 'x');
    const model = path.join(blocker, 'm.json');
    const run = cli('--data', 'data/banknote.csv', '--seed', '1', '--save-model', model);
    assertFails(run, 1, /^error: cannot save the model to .*a-file\/m\.json: .*a-file is a file, not a directory$/);
    assert.doesNotMatch(run.stderr, /EEXIST|ENOTDIR|mkdir/);
  });

  test('--max-epochs 1 and 2: every message is true and grammatical', () => {
    for (const epochs of ['1', '2']) {
      const run = cli('--data', 'data/banknote.csv', '--seed', '1', '--max-epochs', epochs);
      assert.equal(run.code, 3, run.stderr);
      assert.doesNotMatch(run.stdout, /\b1 epochs\b/, 'one epoch, not "1 epochs"');
      // Any "a % < b %" or "a % >= b %" that is printed must hold.
      for (const [, a, op, b] of run.stdout.matchAll(/(\d+\.\d\d) % (<|>=) (\d+\.\d\d) %/g)) {
        assert.ok(
          op === '<' ? Number(a) < Number(b) : Number(a) >= Number(b),
          `false: ${a} % ${op} ${b} %\n${run.stdout}`,
        );
      }
      const plural = epochs === '1' ? 'epoch' : 'epochs';
      assert.match(
        run.stdout,
        new RegExp(`^not converged after ${epochs} ${plural}: the stopping rule needs at least 3 epochs`, 'm'),
      );
    }
  });
});
