/**
 * The command line of the CLI: its options, their usage text and their validation. Node's
 * `parseArgs` splits the arguments into options and values; the defaults and the accepted values
 * are the model's own (settings.ts), so the usage text and the checks cannot disagree with it.
 */
import { parseArgs } from 'node:util';
import { LEARNING_RATE, MAX_EPOCHS, type Setting, THRESHOLD, TRAIN_FRACTION } from './perceptron.ts';
import { SEED } from './random.ts';

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
  --train F           fraction of the rows used for training [default: ${TRAIN_FRACTION.default}]:
                      ${TRAIN_FRACTION.rule}
  --threshold F       stop when the mean of the last three training accuracies reaches F
                      [default: ${THRESHOLD.default}]: ${THRESHOLD.rule}
  --lr F              learning rate [default: ${LEARNING_RATE.default}]: ${LEARNING_RATE.rule}
  --seed N            seed of the initial weights and the shuffle; the same seed gives the
                      same run [default: random, printed]: ${SEED.rule}
  --max-epochs N      give up after N epochs [default: ${MAX_EPOCHS.default}]: ${MAX_EPOCHS.rule}
  --no-shuffle        keep the file's row order (the first rows train)
  --save-model PATH   write the trained model as JSON to PATH
  -v, --verbose       print the training error after each epoch
  -h, --help          print this help

Exit codes: 0 trained, 1 bad data or file, 2 bad command line, 3 did not converge.
`;

/** The options parseArgs knows: every value is read as text and checked below. */
const options = {
  data: { type: 'string' },
  train: { type: 'string' },
  threshold: { type: 'string' },
  lr: { type: 'string' },
  seed: { type: 'string' },
  'max-epochs': { type: 'string' },
  'save-model': { type: 'string' },
  'no-shuffle': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Parses the arguments after `node src/cli.ts`. Returns 'help' for -h/--help.
 * @throws UsageError naming the first problem.
 */
export function parseCommandLine(argv: readonly string[]): CliOptions | 'help' {
  // Not strict: parseArgs hands over every token as it is, and each problem gets a message of ours.
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (const token of tokens) {
    if (token.kind === 'positional')
      throw new UsageError(`unexpected argument ${JSON.stringify(token.value)} (options start with --)`);
    if (token.kind === 'option-terminator') continue;
    if (!Object.hasOwn(options, token.name)) throw new UsageError(`unknown option ${JSON.stringify(token.rawName)}`);
    if (options[token.name as keyof typeof options].type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      flags.add(token.name);
    } else {
      // A following flag is not a value ("--lr --seed 1"); a negative number is ("--lr -1").
      if (!token.value || (!token.inlineValue && token.value.startsWith('--')))
        throw new UsageError(`${token.rawName} needs a value`);
      values.set(token.name, token.value);
    }
  }
  if (flags.has('help')) return 'help';
  const data = values.get('data');
  if (data === undefined) throw new UsageError('--data PATH is required');
  const setting = (name: string, s: Setting): number =>
    values.has(name) ? number(name, values.get(name)!, s) : s.default;
  return {
    data,
    train: setting('train', TRAIN_FRACTION),
    threshold: setting('threshold', THRESHOLD),
    lr: setting('lr', LEARNING_RATE),
    seed: values.has('seed') ? number('seed', values.get('seed')!, SEED) : undefined,
    maxEpochs: setting('max-epochs', MAX_EPOCHS),
    shuffle: !flags.has('no-shuffle'),
    verbose: flags.has('verbose'),
    saveModel: values.get('save-model'),
  };
}

/** The number in an option's text, if the rule accepts it. */
function number(name: string, text: string, rule: Pick<Setting, 'rule' | 'accepts'>): number {
  // Number('') is 0 and Number('0x1') is 1: accept decimal notation only.
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (!rule.accepts(value)) throw new UsageError(`--${name} must be ${rule.rule}, got ${JSON.stringify(text)}`);
  return value;
}
