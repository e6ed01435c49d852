/**
 * The command line: load a CSV file, train the perceptron, print the accuracy, optionally save
 * the model. Run it with `node src/cli.ts --data data/banknote.csv --seed 1` (see --help).
 *
 * Everything printed is a function of the arguments and the data (no timings, no dates), so two
 * runs with the same seed print the same bytes, here and in the container.
 *
 * Exit codes: 0 trained, 1 bad data or file, 2 bad command line, 3 did not converge (the last
 * line on stdout says what to try). Every error is one line on stderr; a stack trace would mean a
 * bug.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, usage, UsageError } from './args.ts';
import { DataError, parseCsv, Perceptron } from './perceptron.ts';

const percent = (v: number): string => `${(v * 100).toFixed(2)} %`;

/** Turns a file system error into the one-line reason a learner can act on. */
function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory, not a file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'read-only file system';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    default: return (err as Error).message;
  }
}

/** Runs the CLI with these arguments; returns the exit code. */
function main(argv: readonly string[], out: (line: string) => void, err: (line: string) => void): number {
  let options;
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) { err(`error: ${e.message} (see --help)`); return 2; }
    throw e;
  }
  if (options === 'help') { out(usage.trimEnd()); return 0; }

  let bytes: Uint8Array;
  try {
    bytes = readFileSync(options.data);
  } catch (e) {
    err(`error: ${options.data}: ${fileProblem(e)}`);
    return 1;
  }
  const data = parseCsv(bytes, options.data);
  out(`data: ${options.data}: ${data.rows} rows, ${data.cols} attributes${data.header ? `, header ${data.header.join(',')}` : ', no header'}`);
  out(`classes: ${JSON.stringify(data.labels[0])} is 0, ${JSON.stringify(data.labels[1])} is 1`);

  // Draw the seed here when none was given, so it can be printed (and the run repeated).
  const seed = options.seed ?? randomInt(2 ** 32 - 1);
  const trainRows = Math.round(options.train * data.rows);
  const order = options.shuffle ? `shuffled with seed ${seed}` : `in file order, weights from seed ${seed}`;
  out(`split: ${trainRows} rows to train, ${data.rows - trainRows} to test (${order})`);

  const { model, result } = Perceptron.train(data, {
    trainFraction: options.train,
    lr: options.lr,
    threshold: options.threshold,
    maxEpochs: options.maxEpochs,
    seed,
    shuffle: options.shuffle,
    onEpoch: options.verbose
      ? (r) => out(`epoch ${r.epoch}: training error ${r.trainError.toFixed(4)} (${r.updates} updates)`)
      : undefined,
  });
  const last3 = result.history.slice(-3).map((r) => r.trainAccuracy);
  const mean = percent(last3.reduce((a, b) => a + b, 0) / last3.length);
  if (result.converged) {
    out(`converged after ${result.epochs} epochs: mean training accuracy of the last three ${mean} >= ${percent(options.threshold)}`);
  } else {
    out(`not converged after ${result.epochs} epochs: mean training accuracy of the last three ${mean} < ${percent(options.threshold)}`);
  }
  out(`train accuracy: ${percent(result.trainAccuracy)}`);
  out(`test accuracy: ${percent(result.testAccuracy)}`);

  if (options.saveModel !== undefined) {
    try {
      mkdirSync(path.dirname(options.saveModel), { recursive: true });
      // Write beside the target, then rename: the rename is atomic, so a reader (the API watches
      // for this file) never sees half a model, and a failed write leaves the previous one intact.
      const partial = `${options.saveModel}.${process.pid}.partial`;
      try {
        writeFileSync(partial, JSON.stringify(model.toJSON(), null, 2) + '\n');
        renameSync(partial, options.saveModel);
      } finally {
        rmSync(partial, { force: true });
      }
    } catch (e) {
      err(`error: cannot save the model to ${options.saveModel}: ${fileProblem(e)}`);
      return 1;
    }
    out(`model saved to ${options.saveModel}`);
  }
  if (!result.converged) {
    // A result, not an error, so on stdout: after the accuracy it explains, in order, even where
    // stdout and stderr travel separately (as they do out of a container).
    out('not converged: try more --max-epochs, a lower --threshold or another --lr; if the training error keeps swinging (--verbose), the classes are not linearly separable');
    return 3;
  }
  return 0;
}

// `node src/cli.ts ... | head -3` closes the pipe early: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

try {
  process.exitCode = main(process.argv.slice(2), (l) => process.stdout.write(l + '\n'), (l) => process.stderr.write(l + '\n'));
} catch (e) {
  // Bad data is expected: one line, exit 1. Anything else is a bug, still reported in one line.
  const message = e instanceof DataError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = 1;
}
