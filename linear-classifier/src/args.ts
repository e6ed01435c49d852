/**
 * The command line of the CLI: its options, their defaults and their validation. Kept apart from
 * cli.ts so that tests can check every rule without starting a process.
 */

/** A command line that cannot be used: wrong flag, missing or invalid value. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The options of one run, validated. */
export interface CliOptions {
  data: string;
  train: number;
  threshold: number;
  lr: number;
  /** undefined: draw a random seed (and print it). */
  seed: number | undefined;
  maxEpochs: number;
  shuffle: boolean;
  verbose: boolean;
  saveModel: string | undefined;
}

/** `--help`: what a learner needs to run the model. */
export const usage = `Usage: node src/cli.ts --data PATH [options]

Trains a perceptron on a CSV file (attributes first, the class in the last column, an optional
header row) and prints the training and test accuracy.

Options:
  --data PATH         the CSV file (required)
  --train F           fraction of the rows used for training, in (0, 1)   [default: 0.75]
  --threshold F       stop when the mean of the last three training
                      accuracies reaches F, in (0, 1]                      [default: 0.9]
  --lr F              learning rate, greater than 0                        [default: 0.01]
  --seed N            seed of the initial weights and the shuffle, 0 to 4294967295;
                      the same seed gives the same run      [default: random, printed]
  --max-epochs N      give up after N epochs, a positive integer           [default: 100]
  --no-shuffle        keep the file's row order (the first rows train)
  --save-model PATH   write the trained model as JSON to PATH
  -v, --verbose       print the training error after each epoch
  -h, --help          print this help

Exit codes: 0 trained, 1 bad data or file, 2 bad command line, 3 did not converge.
`;

/** Flags that take a value, and how to read it. */
const valued: Record<string, (flag: string, text: string) => number | string> = {
  '--data': (_flag, text) => text,
  '--save-model': (_flag, text) => text,
  '--train': (flag, text) => number(flag, text, (v) => v > 0 && v < 1, 'a number between 0 and 1 (exclusive)'),
  '--threshold': (flag, text) => number(flag, text, (v) => v > 0 && v <= 1, 'a number greater than 0 and at most 1'),
  '--lr': (flag, text) => number(flag, text, (v) => v > 0, 'a number greater than 0'),
  '--seed': (flag, text) => integer(flag, text, 0, 2 ** 32 - 1, 'an integer from 0 to 4294967295'),
  '--max-epochs': (flag, text) => integer(flag, text, 1, Number.MAX_SAFE_INTEGER, 'a positive integer'),
};

/** Flags that take no value. */
const switches = new Set(['--verbose', '-v', '--help', '-h', '--no-shuffle']);

function number(flag: string, text: string, ok: (v: number) => boolean, rule: string): number {
  // Number('') is 0 and Number('0x1') is 1: accept decimal notation only.
  const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v) || !ok(v)) throw new UsageError(`${flag} must be ${rule}, got ${JSON.stringify(text)}`);
  return v;
}

function integer(flag: string, text: string, min: number, max: number, rule: string): number {
  const v = /^\+?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new UsageError(`${flag} must be ${rule}, got ${JSON.stringify(text)}`);
  return v;
}

/**
 * Parses the arguments after `node src/cli.ts`. Returns 'help' for -h/--help.
 * @throws UsageError naming the first problem.
 */
export function parseArgs(argv: readonly string[]): CliOptions | 'help' {
  const values = new Map<string, number | string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (switches.has(flag)) {
      if (eq > 0) throw new UsageError(`${flag} takes no value`);
      flags.add(flag);
    } else if (Object.hasOwn(valued, flag)) {
      let text: string | undefined;
      if (eq > 0) text = arg.slice(eq + 1);
      else {
        text = argv[i + 1];
        // A following flag is not a value ("--lr --seed 1"); a negative number is ("--lr -1").
        if (text === undefined || text.startsWith('--')) throw new UsageError(`${flag} needs a value`);
        i++;
      }
      if (text === '') throw new UsageError(`${flag} needs a value`);
      values.set(flag, valued[flag]!(flag, text));
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${JSON.stringify(flag)}`);
    } else {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)} (options start with --)`);
    }
  }
  if (flags.has('--help') || flags.has('-h')) return 'help';
  const data = values.get('--data');
  if (data === undefined) throw new UsageError('--data PATH is required');
  return {
    data: data as string,
    train: (values.get('--train') as number | undefined) ?? 0.75,
    threshold: (values.get('--threshold') as number | undefined) ?? 0.9,
    lr: (values.get('--lr') as number | undefined) ?? 0.01,
    seed: values.get('--seed') as number | undefined,
    maxEpochs: (values.get('--max-epochs') as number | undefined) ?? 100,
    shuffle: !flags.has('--no-shuffle'),
    verbose: flags.has('--verbose') || flags.has('-v'),
    saveModel: values.get('--save-model') as string | undefined,
  };
}
