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
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommandLine, usage, UsageError } from './args.ts';
import { DataError, parseCsv } from './csv.ts';
import { modelFileText } from './model-file.ts';
import { percent, Perceptron, splitSizes } from './perceptron.ts';
import { randomSeed } from './random.ts';

/** Runs the CLI with these arguments; returns the exit code. */
function main(argv: readonly string[], out: (line: string) => void, err: (line: string) => void): number {
  let options;
  try {
    options = parseCommandLine(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${e.message} (see --help)`);
      return 2;
    }
    throw e;
  }
  if (options === 'help') {
    out(usage.trimEnd());
    return 0;
  }

  let bytes: Uint8Array;
  try {
    bytes = readFileSync(options.data);
  } catch (e) {
    err(`error: ${options.data}: ${fileProblem(e)}`);
    return 1;
  }
  if (options.saveModel !== undefined && sameFile(options.saveModel, options.data)) {
    err(
      `error: --save-model ${options.saveModel} is the --data file: saving would replace the data; choose another path (see --help)`,
    );
    return 2;
  }
  const data = parseCsv(bytes, options.data);
  out(
    `data: ${options.data}: ${data.rows} rows, ${data.cols} attributes${data.header ? `, header ${data.header.join(',')}` : ', no header'}`,
  );
  out(`classes: ${JSON.stringify(data.labels[0])} is 0, ${JSON.stringify(data.labels[1])} is 1`);

  // Draw the seed here when none was given, so it can be printed (and the run repeated).
  const seed = options.seed ?? randomSeed();
  const { trainRows, testRows } = splitSizes(data.rows, options.train);
  const order = options.shuffle ? `shuffled with seed ${seed}` : `in file order, weights from seed ${seed}`;
  out(`split: ${trainRows} rows to train, ${testRows} to test (${order})`);

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
  out(result.summary);
  out(`train accuracy: ${percent(result.trainAccuracy)}`);
  out(`test accuracy: ${percent(result.testAccuracy)}`);

  if (options.saveModel !== undefined) {
    const problem = save(model, options.saveModel);
    if (problem !== undefined) {
      err(`error: cannot save the model to ${options.saveModel}: ${problem}`);
      return 1;
    }
    out(`model saved to ${options.saveModel}`);
  }
  if (!result.converged) {
    // A result, not an error, so on stdout: after the accuracy it explains, in order, even where
    // stdout and stderr travel separately (as they do out of a container).
    out(
      'not converged: try more --max-epochs, a lower --threshold or another --lr; if the training error keeps swinging (--verbose), the classes are not linearly separable',
    );
    return 3;
  }
  return 0;
}

/**
 * Writes the model file beside the target, then renames it into place: the rename is atomic, so a
 * reader (the API watches for this file) never sees half a model, and a failed write leaves the
 * previous one intact. Returns what went wrong, if anything.
 */
function save(model: Perceptron, file: string): string | undefined {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (e) {
    return fileProblem(e, file);
  }
  const partial = `${file}.${process.pid}.partial`;
  try {
    writeFileSync(partial, modelFileText(model));
    renameSync(partial, file);
    return undefined;
  } catch (e) {
    rmSync(partial, { force: true });
    return fileProblem(e, file);
  }
}

/** Whether two paths name the same file, however spelled (`x.csv`, `./x.csv`, a symbolic link). */
function sameFile(a: string, b: string): boolean {
  if (!existsSync(a) || !existsSync(b)) return false;
  const [sa, sb] = [statSync(a), statSync(b)];
  return sa.dev === sb.dev && sa.ino === sb.ino;
}

/** Turns a file system error into the one-line reason a learner can act on. */
function fileProblem(err: unknown, file?: string): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'EEXIST':
    case 'ENOTDIR': {
      // mkdir or open met a file where the path needs a directory: name it.
      const blocker = file === undefined ? undefined : fileInTheWay(file);
      return blocker === undefined ? 'a part of the path is not a directory' : `${blocker} is a file, not a directory`;
    }
    default:
      return (err as Error).message;
  }
}

/** The nearest existing folder on the way to `file`, when it is a file rather than a directory. */
function fileInTheWay(file: string): string | undefined {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(dir)) return statSync(dir).isDirectory() ? undefined : dir;
  }
  return undefined;
}

// `node src/cli.ts ... | head -3` closes the pipe early: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

try {
  process.exitCode = main(
    process.argv.slice(2),
    (l) => process.stdout.write(l + '\n'),
    (l) => process.stderr.write(l + '\n'),
  );
} catch (e) {
  // Bad data is expected: one line, exit 1. Anything else is a bug, still reported in one line.
  const message = e instanceof DataError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = 1;
}
