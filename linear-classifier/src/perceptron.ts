/**
 * The perceptron: a linear binary classifier, its CSV loader and its training loop.
 *
 * This one module is shared by the CLI (Node), the notebook (Deno) and the HTTP API (Node), so it
 * is pure TypeScript: no Node-only or Deno-only APIs, no dependencies. Reading files is the
 * caller's job; this module takes text (or its bytes) and numbers.
 *
 * The algorithm, as the original demo teaches it:
 * 1. min-max normalise each attribute to [0, 1] (a constant column becomes 0, never NaN);
 * 2. prepend a bias attribute x0 = 1;
 * 3. draw the initial weights, then shuffle the rows, from one seeded PRNG; split by a fraction;
 * 4. per epoch, one online pass over the training rows: h = 1 if w·x > 0 else 0 (a score of
 *    exactly 0 is class 0), then w += lr * (y - h) * x; then the training accuracy of the new w;
 * 5. stop when the mean of the last three training accuracies reaches the threshold (so never
 *    before epoch 3: one lucky epoch is not convergence), or after maxEpochs without converging.
 *
 * Everything is plain IEEE double arithmetic (+, -, *, /) in a fixed order, so a run is
 * bit-for-bit reproducible across machines and runtimes given the same seed.
 */

/**
 * Bad input data (or a malformed saved model). The message is one line and names the source and,
 * where it helps, the line and column (1-based; the column counts fields, not characters).
 */
export class DataError extends Error {
  /** Where the data came from: a file path, `model`, `rows`… */
  readonly source: string;
  /** The 1-based line (or row) of the problem, when there is one. */
  readonly line?: number;
  /** The 1-based column (field) of the problem, when there is one. */
  readonly column?: number;

  constructor(source: string, problem: string, line?: number, column?: number) {
    let where = source;
    if (line !== undefined) where += `, line ${line}`;
    if (column !== undefined) where += `, column ${column}`;
    super(`${where}: ${problem}`);
    this.name = 'DataError';
    this.source = source;
    if (line !== undefined) this.line = line;
    if (column !== undefined) this.column = column;
  }
}

/** A loaded data set: the attributes as one flat row-major matrix, and the class of each row. */
export interface Dataset {
  /** The header row's names (attributes, then the class column), when the CSV had one. */
  header: string[] | null;
  /** Number of examples. */
  rows: number;
  /** Number of attributes (features), without the class column. */
  cols: number;
  /** rows*cols raw attribute values, row-major: row r, attribute c is x[r*cols + c] (parseCsv may return a view of a slightly larger buffer). */
  x: Float64Array;
  /** The class of each row as 0 or 1. */
  y: Uint8Array;
  /** The original class values that map to 0 and to 1 (numerically ascending when both are numbers). */
  labels: [string, string];
}

// ---------------------------------------------------------------------------------------------
// CSV loading
// ---------------------------------------------------------------------------------------------

/** Exact powers of ten: every 10^k with k <= 22 is a double without rounding. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** The decimal numbers a cell may hold; anything else (hex, `1_000`, empty) is rejected. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const COMMA = 44, LF = 10, CR = 13, SPACE = 32, TAB = 9, MINUS = 45, PLUS = 43, DOT = 46;
const ZERO = 48, NINE = 57, LOWER_E = 101, UPPER_E = 69;

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** Is this text a decimal number (what a numeric cell may hold)? */
function isDecimal(field: string): boolean {
  return DECIMAL.test(field.trim());
}

/** Shortens a cell for an error message. */
function show(field: string): string {
  return JSON.stringify(field.length > 24 ? `${field.slice(0, 24)}…` : field);
}

/** Why a (trimmed) cell is not an acceptable number. */
function cellProblem(field: string): string {
  if (field === '') return 'empty cell, expected a number';
  if (/^[+-]?nan$/i.test(field)) return `${show(field)}: NaN is not allowed, every attribute must be a finite number`;
  if (/^[+-]?inf(inity)?$/i.test(field)) return `${show(field)}: Infinity is not allowed, every attribute must be a finite number`;
  if (DECIMAL.test(field)) return `${show(field)} is out of range (it overflows to Infinity)`;
  return `${show(field)} is not a number`;
}

/** Orders two class values: numerically when both are numbers, else by code units. */
function labelsInOrder(a: string, b: string): boolean {
  if (isDecimal(a) && isDecimal(b)) return Number(a) < Number(b);
  return a < b;
}

/** Where {@link readClassCell} or {@link matchClass} stopped: module state, because returning a pair would allocate. */
let cellEnd = 0;

/**
 * Reads one attribute cell at p, `[+-]digits[.digits][e[+-]digits]` with optional spaces around,
 * as an integer mantissa and a decimal exponent, and stores its value in x[k]. Returns where the
 * cell ends, or -1 when it is not on the exact fast path (too many digits, a large exponent, or
 * not such a number at all): the caller then hands the cell to Number(). The value is stored, not
 * returned, because a returned double is boxed (allocated) until V8 inlines the call.
 *
 * Exactness: with at most 15 digits the mantissa is an integer below 10^15 < 2^53 and every
 * 10^k with k <= 22 is a double, so both are exact and the one multiplication or division IEEE 754
 * rounds correctly is the correctly rounded value of the decimal, which is what Number() returns
 * (Clinger's fast path). Used for the rows that {@link readAttributes} leaves: exponents, spaces,
 * a plus sign.
 */
function readNumber(buf: Uint8Array, p: number, x: Float64Array, k: number): number {
  const n = buf.length;
  let c = buf[p]!;
  while (c === SPACE || c === TAB) c = buf[++p]!;
  let negative = false;
  if (c === MINUS) { negative = true; c = buf[++p]!; } else if (c === PLUS) { c = buf[++p]!; }
  let mantissa = 0, digits = 0, exponent = 0;
  while (c >= ZERO && c <= NINE) { mantissa = mantissa * 10 + (c - ZERO); digits++; c = buf[++p]!; }
  if (c === DOT) {
    c = buf[++p]!;
    while (c >= ZERO && c <= NINE) { mantissa = mantissa * 10 + (c - ZERO); digits++; exponent--; c = buf[++p]!; }
  }
  let exact = digits > 0 && digits <= 15;
  if (c === LOWER_E || c === UPPER_E) {
    c = buf[++p]!;
    let expNegative = false;
    if (c === MINUS) { expNegative = true; c = buf[++p]!; } else if (c === PLUS) { c = buf[++p]!; }
    let e = 0, expDigits = 0;
    while (c >= ZERO && c <= NINE) { if (e < 100000) e = e * 10 + (c - ZERO); expDigits++; c = buf[++p]!; }
    if (expDigits === 0) exact = false;
    exponent += expNegative ? -e : e;
  }
  while (c === SPACE || c === TAB) c = buf[++p]!;
  if (!exact || exponent < -22 || exponent > 22 || !(c === COMMA || c === LF || c === CR || p >= n)) return -1;
  const value = exponent === 0 ? mantissa : exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!;
  x[k] = negative ? -value : value;
  return p;
}

/**
 * Parses CSV data: one example per line, attributes first, the class in the last column. An
 * optional header row is recognised when none of its attribute cells is a number. Blank lines,
 * CRLF endings, a missing final newline, a UTF-8 byte-order mark and spaces around cells are
 * accepted; quoted cells are not (the data is numbers).
 *
 * Every attribute value is exactly `Number(cell)`: a cell of at most 15 digits with a decimal
 * exponent within ±22 (every cell of the shipped data) is computed as one multiplication or
 * division of two exact doubles, which IEEE 754 rounds correctly, so it is the correctly rounded
 * value that `Number()` returns too (Clinger's fast path); any other cell goes through `Number()`.
 *
 * The class column may hold any two distinct values; they map to 0 and 1 in ascending order
 * (numeric when both are numbers), reported in `labels`.
 *
 * @param data the CSV text, or its UTF-8 bytes (faster: what a file read returns).
 * @param source names the data in error messages (e.g. the file path).
 * @throws DataError on empty input, a non-numeric, NaN or infinite cell, a ragged row, fewer than
 * two columns, or a class column with one or more than two distinct values.
 */
export function parseCsv(data: string | Uint8Array, source = 'data'): Dataset {
  // Bytes, not a string: indexing a Uint8Array is about twice as fast as charCodeAt.
  const buf = typeof data === 'string' ? encoder.encode(data) : data;
  const n = buf.length;
  let p = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let line = 1;

  // Skip leading blank lines, to find the first row and with it the column count.
  for (;;) {
    const eol = lineEnd(buf, p);
    if (utf8.decode(buf.subarray(p, eol)).trim() !== '') break;
    if (eol >= n) throw new DataError(source, 'empty file: expected rows of numbers with the class in the last column');
    p = nextLine(buf, eol);
    line++;
  }
  const firstEnd = lineEnd(buf, p);
  const first = utf8.decode(buf.subarray(p, firstEnd)).split(',').map((f) => f.trim());
  if (first.length < 2) {
    throw new DataError(source, `fewer than two columns (found ${first.length}): expected attributes and then the class, separated by commas`, line);
  }
  const cols = first.length - 1;
  const looksNumeric = (f: string): boolean => isDecimal(f) || /^[+-]?(nan|inf(inity)?)$/i.test(f);
  let header: string[] | null = null;
  if (!first.slice(0, cols).some(looksNumeric)) {
    header = first.map((f) => f.replace(/^"(.*)"$/, '$1'));
    p = nextLine(buf, firstEnd);
    line++;
  }

  // Room for the rows, estimated from the length of the first lines (doubled if it runs out).
  let sample = p, sampled = 0;
  while (sampled < 64 && sample < n) { sample = nextLine(buf, lineEnd(buf, sample)); sampled++; }
  const capacity = Math.ceil(((n - p) / Math.max(1, sample - p)) * sampled * 1.05) + 16;
  const rowsRead: Rows = { x: new Float64Array(capacity * cols), y: new Uint8Array(capacity), count: 0, seen: [] };
  readRows(buf, p, line, cols, source, rowsRead);
  const { x, y, count: rows, seen } = rowsRead;

  if (rows === 0) throw new DataError(source, header ? 'no data rows after the header' : 'no data rows');
  const names = seen.map((s) => utf8.decode(s));
  if (names.length < 2) throw new DataError(source, `only one class value (${show(names[0]!)}) in the last column: a classifier needs two`);
  let labels: [string, string] = [names[0]!, names[1]!];
  if (labelsInOrder(labels[1], labels[0])) {
    labels = [labels[1], labels[0]];
    for (let i = 0; i < rows; i++) y[i] = y[i]! ^ 1;
  }
  // A view when the spare room is small (no copy of megabytes), else a copy that frees it.
  const fit = <T extends Float64Array | Uint8Array>(a: T, used: number): T =>
    (a.length - used <= used / 8 ? a.subarray(0, used) : a.slice(0, used)) as T;
  return { header, rows, cols, x: fit(x, rows * cols), y: fit(y, rows), labels };
}

/** What {@link readRows} fills in. */
interface Rows {
  x: Float64Array;
  y: Uint8Array;
  /** Rows read so far. */
  count: number;
  /** Class values in order of appearance, as bytes; y holds indices into this list. */
  seen: Uint8Array[];
}

/**
 * Reads the data rows from p on into out. The loop on its own, so that V8's optimising compiler
 * has a small function to compile while the parse is running.
 */
function readRows(buf: Uint8Array, p: number, line: number, cols: number, source: string, out: Rows): void {
  const n = buf.length, seen = out.seen;
  let { x, y } = out;
  let rows = 0, k = 0; // k: write position in x
  while (p < n) {
    const first = buf[p]!;
    if (first === LF || first === CR || first === SPACE || first === TAB) {
      // Blank (or white-space only) lines are skipped; other rows may start with spaces.
      const eol = lineEnd(buf, p);
      if (utf8.decode(buf.subarray(p, eol)).trim() === '') { p = nextLine(buf, eol); line++; continue; }
    }
    if (rows === y.length) {
      const bx = new Float64Array(x.length * 2); bx.set(x); x = bx;
      const by = new Uint8Array(y.length * 2); by.set(y); y = by;
    }
    let q = readAttributes(buf, p, x, k, cols);
    if (q < 0) q = readAttributesSlowly(buf, p, x, k, cols, source, line);
    k += cols;
    // The class cell: usually exactly a class value seen before, then the line end.
    let cls = matchClass(buf, q, seen);
    if (cls >= 0) {
      q = cellEnd;
    } else {
      // Anything else (a new value, spaces, too many fields): the careful way.
      if (readClassCell(buf, q) === COMMA) throw rowError(buf, source, p, line, cols, cols, null);
      cls = findBytes(buf, cellStart, cellEnd, seen);
      if (cls < 0) cls = addClass(buf, cellStart, cellEnd, seen, source, line, cols);
      q = classCellEnd;
    }
    y[rows++] = cls;
    p = nextLine(buf, q);
    line++;
  }
  out.x = x;
  out.y = y;
  out.count = rows;
}

/**
 * Reads a row's attribute cells at p into x[k..k+cols) on the fast path: plain decimals like
 * `-12.5` or `255` (at most 15 digits), each followed by a comma, as an integer mantissa divided by
 * an exact power of ten (exact, see {@link readNumber}). Returns the position of the class cell,
 * or -1 as soon as a cell is anything else; {@link readAttributesSlowly} then reads the row. One
 * small loop without calls, so that V8 optimises it within the first rows.
 */
function readAttributes(buf: Uint8Array, p: number, x: Float64Array, k: number, cols: number): number {
  for (let col = 0; col < cols; col++) {
    let c = buf[p]!;
    let negative = false;
    if (c === MINUS) { negative = true; c = buf[++p]!; }
    let mantissa = 0, digits = 0, exponent = 0;
    while (c >= ZERO && c <= NINE) { mantissa = mantissa * 10 + (c - ZERO); digits++; c = buf[++p]!; }
    if (c === DOT) {
      c = buf[++p]!;
      while (c >= ZERO && c <= NINE) { mantissa = mantissa * 10 + (c - ZERO); digits++; exponent--; c = buf[++p]!; }
    }
    if (c !== COMMA || digits === 0 || digits > 15 || exponent < -22) return -1;
    const value = exponent === 0 ? mantissa : mantissa / POW10[-exponent]!;
    x[k + col] = negative ? -value : value;
    p++;
  }
  return p;
}

/** Reads a row's attribute cells like {@link readAttributes}, with Number() for the cells off the fast path; throws on bad cells and short rows. */
function readAttributesSlowly(buf: Uint8Array, p: number, x: Float64Array, k: number, cols: number, source: string, line: number): number {
  const n = buf.length, lineStart = p;
  for (let col = 0; col < cols; col++) {
    const start = p;
    p = readNumber(buf, start, x, k + col);
    if (p < 0) {
      p = start;
      while (p < n && buf[p] !== COMMA && buf[p] !== LF && buf[p] !== CR) p++;
      const field = utf8.decode(buf.subarray(start, p)).trim();
      const value = DECIMAL.test(field) ? Number(field) : NaN;
      if (!Number.isFinite(value)) throw rowError(buf, source, lineStart, line, cols, col, field);
      x[k + col] = value;
    }
    if (p >= n || buf[p] !== COMMA) throw rowError(buf, source, lineStart, line, cols, col, null);
    p++;
  }
  return p;
}

/** Records a new class value, or throws when it is empty or a third one. Returns its index. */
function addClass(buf: Uint8Array, a: number, b: number, seen: Uint8Array[], source: string, line: number, cols: number): number {
  const label = utf8.decode(buf.subarray(a, b));
  if (label === '') throw new DataError(source, 'empty class value in the last column', line, cols + 1);
  if (seen.length === 2) {
    const [l0, l1] = seen.map((s) => show(utf8.decode(s)));
    throw new DataError(source, `a third class value ${show(label)} (after ${l0} and ${l1}): the perceptron separates exactly two classes`, line, cols + 1);
  }
  seen.push(buf.slice(a, b));
  return seen.length - 1;
}

/** Where {@link readClassCell} found the cell's trimmed content, [cellStart, cellEnd), and its end. */
let cellStart = 0, classCellEnd = 0;

/**
 * Finds the class cell at p: sets cellStart/cellEnd to its content without surrounding spaces and
 * classCellEnd to where it ends; returns the byte that ends it (a comma means too many fields).
 */
function readClassCell(buf: Uint8Array, p: number): number {
  const n = buf.length;
  let c = buf[p]!;
  while (c === SPACE || c === TAB) c = buf[++p]!;
  cellStart = p;
  let end = p;
  while (p < n && c !== COMMA && c !== LF && c !== CR) {
    if (c !== SPACE && c !== TAB) end = p + 1;
    c = buf[++p]!;
  }
  cellEnd = end;
  classCellEnd = p;
  return p < n ? c : LF;
}

/**
 * The index of the class value in list that buf holds at p followed by a line end (or the end),
 * setting cellEnd to where it ends; -1 when there is none.
 */
function matchClass(buf: Uint8Array, p: number, list: readonly Uint8Array[]): number {
  const n = buf.length;
  search: for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    const end = p + s.length;
    if (end > n) continue;
    for (let j = 0; j < s.length; j++) if (buf[p + j] !== s[j]) continue search;
    if (end < n && buf[end] !== LF && buf[end] !== CR) continue;
    cellEnd = end;
    return i;
  }
  return -1;
}

/** The index of the entry of list that equals buf[a, b), or -1. */
function findBytes(buf: Uint8Array, a: number, b: number, list: readonly Uint8Array[]): number {
  search: for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    if (b - a !== s.length) continue;
    for (let j = 0; j < s.length; j++) if (buf[a + j] !== s[j]) continue search;
    return i;
  }
  return -1;
}

/** The index of the line break (CR or LF) at or after p, or the end. */
function lineEnd(buf: Uint8Array, p: number): number {
  const n = buf.length;
  while (p < n && buf[p] !== LF && buf[p] !== CR) p++;
  return p;
}

/** The start of the next line, given the position of a line break (CRLF, LF or CR) or the end. */
function nextLine(buf: Uint8Array, p: number): number {
  if (buf[p] === CR) p++;
  if (buf[p] === LF) p++;
  return p;
}

/** The error for a row: ragged when it has the wrong number of fields, else the bad cell. */
function rowError(buf: Uint8Array, source: string, lineStart: number, line: number, cols: number, col: number, field: string | null): DataError {
  const fields = utf8.decode(buf.subarray(lineStart, lineEnd(buf, lineStart))).split(',');
  if (fields.length !== cols + 1) {
    return new DataError(source, `ragged row: ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${cols + 1} like the first row`, line);
  }
  return new DataError(source, cellProblem(field ?? fields[col]!.trim()), line, col + 1);
}

// ---------------------------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------------------------

/**
 * A seeded pseudo-random generator of numbers in [0, 1) (mulberry32 over a splitmix-scrambled
 * seed): small, fast and identical in every JavaScript runtime. Not for cryptography.
 */
export function createRng(seed: number): () => number {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  // Fold the high bits of large seeds in, then scramble so that nearby seeds diverge at once.
  let s = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
  s = Math.imul(s ^ (s >>> 16), 0x85ebca6b);
  s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35);
  s = (s ^ (s >>> 16)) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Initial weights drawn from a generator: `count` values uniform in [-0.5, 0.5). */
function drawWeights(random: () => number, count: number): Float64Array {
  const w = new Float64Array(count);
  for (let j = 0; j < count; j++) w[j] = random() - 0.5;
  return w;
}

/** A Fisher–Yates shuffle of 0..n-1 drawn from a generator. */
function drawOrder(random: () => number, n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!; order[i] = order[j]!; order[j] = t;
  }
  return order;
}

/**
 * The initial weights and row order that training draws for a seed: weights first (featureCount+1
 * values, bias first), then the shuffle of 0..rows-1. Exposed so that a run can be reproduced or
 * inspected elsewhere.
 */
export function seededStart(seed: number, featureCount: number, rows: number): { weights: number[]; order: number[] } {
  const random = createRng(seed);
  const weights = Array.from(drawWeights(random, featureCount + 1));
  const order = Array.from(drawOrder(random, rows));
  return { weights, order };
}

// ---------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------

/** Options of {@link Perceptron.train}; invalid values throw a RangeError with a one-line message. */
export interface TrainOptions {
  /** Fraction of the rows used for training, in (0, 1); the rest is the test set. Default 0.75. */
  trainFraction?: number;
  /** Learning rate, > 0. Default 0.01. */
  lr?: number;
  /** Stop when the mean of the last three training accuracies reaches this (checked from epoch 3 on), in (0, 1]. Default 0.9. */
  threshold?: number;
  /** Give up (converged = false) after this many epochs, a positive integer. Default 100. */
  maxEpochs?: number;
  /** Seeds the initial weights and the shuffle; a non-negative integer. Default: a random seed, reported in the result. */
  seed?: number;
  /** Shuffle the rows before splitting. Default true; false keeps the file's order. */
  shuffle?: boolean;
  /** An explicit row order (a permutation of 0..rows-1); the first Math.round(trainFraction*rows) rows train. Overrides shuffle. */
  order?: readonly number[];
  /** Explicit initial weights, cols+1 values, bias weight first. Overrides the seeded draw. */
  initialWeights?: readonly number[];
  /** Called after each epoch with its training accuracy and error. */
  onEpoch?: (record: EpochRecord) => void;
}

/** One epoch of training. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Accuracy on the training rows after the epoch's updates, in [0, 1]. */
  trainAccuracy: number;
  /** 1 - trainAccuracy. */
  trainError: number;
  /** How many updates (misclassified rows) the online pass made. */
  updates: number;
}

/** What a training run did. */
export interface TrainResult {
  /** Whether the stopping rule was met within maxEpochs. */
  converged: boolean;
  /** Epochs run. */
  epochs: number;
  /** One record per epoch. */
  history: EpochRecord[];
  /** Final accuracy on the training rows. */
  trainAccuracy: number;
  /** Accuracy of the final weights on the held-out test rows. */
  testAccuracy: number;
  /** 1 - trainAccuracy. */
  trainError: number;
  /** 1 - testAccuracy. */
  testError: number;
  /** Rows in the training and the test set. */
  trainRows: number;
  testRows: number;
  /** The seed used (drawn at random when none was given), so that the run can be repeated. */
  seed: number;
  /** The weights training started from, bias first. */
  initialWeights: number[];
  /** When not converged: what to try. */
  hint?: string;
}

/** Quality figures stored with a model. */
export interface ModelMetrics {
  trainAccuracy: number;
  testAccuracy: number;
  epochs: number;
  converged: boolean;
  trainRows: number;
  testRows: number;
  seed: number;
}

/** A model as JSON: what {@link Perceptron.toJSON} writes and {@link Perceptron.fromJSON} reads. */
export interface SavedModel {
  format: typeof MODEL_FORMAT;
  version: 1;
  /** Number of attributes a row must have. */
  featureCount: number;
  /** featureCount+1 weights over normalised attributes, bias first. */
  weights: number[];
  /** Per attribute, the minimum and maximum seen in training data (the normalisation range). */
  min: number[];
  max: number[];
  /** The original class values predicted for 0 and 1. */
  labels: [string, string];
  /** The data's header row (attribute names, then the class column's), or null. */
  header: string[] | null;
  /** How the model did when trained, or null when it was not trained by {@link Perceptron.train}. */
  metrics: ModelMetrics | null;
}

/** The `format` tag of a saved model. */
export const MODEL_FORMAT = 'docker-demos/perceptron';

/** What a Perceptron is made of; see {@link SavedModel} for the meaning of each part. */
export interface PerceptronParts {
  weights: ArrayLike<number>;
  min: ArrayLike<number>;
  max: ArrayLike<number>;
  labels: [string, string];
  header?: string[] | null;
  metrics?: ModelMetrics | null;
}

/** Validates a number option, returning it or the default. */
function option(value: number | undefined, fallback: number, name: string, ok: (v: number) => boolean, rule: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !ok(value)) throw new RangeError(`${name} must be ${rule}, got ${String(value)}`);
  return value;
}

/** Mean of the last three values of a list (of all of them while there are fewer). */
function meanOfLastThree(list: readonly number[]): number {
  const tail = list.slice(-3);
  let sum = 0;
  for (const v of tail) sum += v;
  return sum / tail.length;
}

/**
 * The two loops of an epoch over X, the normalised attributes of the rows in training order as
 * one flat row-major Float64Array, `cols` values per row. The bias attribute x0 = 1 is not stored
 * (less memory to stream through each epoch): its term w0 * 1 is simply w0. h is written
 * `+(s > 0)`, not `s > 0 ? 1 : 0`: V8 compiles the first without a branch, and a branch on the
 * class of shuffled rows is mispredicted often enough to double the time of a pass.
 */
interface Kernel {
  /** One online pass of updates over rows [0, to): h = (w·x > 0), w += lr*(y-h)*x; returns the number of updates. */
  updatePass(w: Float64Array, X: Float64Array, Y: Uint8Array, to: number, lr: number): number;
  /** How many rows in [from, to) the weights classify correctly. */
  countCorrect(w: Float64Array, X: Float64Array, Y: Uint8Array, from: number, to: number): number;
}

/** The generic kernel: any number of attributes, the weights read from memory. */
function genericKernel(cols: number): Kernel {
  return {
    updatePass(w, X, Y, to, lr) {
      let updates = 0;
      // #region update-rule
      for (let r = 0, base = 0; r < to; r++, base += cols) {
        // Row r is X[base .. base+cols), its normalised attributes; x0 = 1 makes w[0] the bias.
        let s = w[0]!;
        for (let j = 0; j < cols; j++) s += w[j + 1]! * X[base + j]!;
        const error = Y[r]! - +(s > 0); // y - h, with h = 1 when w·x > 0 (+true is 1)
        if (error !== 0) {
          const step = lr * error; // w += lr * (y - h) * x, for x0 = 1 and then each attribute
          w[0] = w[0]! + step;
          for (let j = 0; j < cols; j++) w[j + 1] = w[j + 1]! + step * X[base + j]!;
          updates++;
        }
      }
      // #endregion
      return updates;
    },
    countCorrect(w, X, Y, from, to) {
      let wrong = 0;
      for (let r = from, base = from * cols; r < to; r++, base += cols) {
        let s = w[0]!;
        for (let j = 0; j < cols; j++) s += w[j + 1]! * X[base + j]!;
        wrong += +(s > 0) ^ Y[r]!;
      }
      return to - from - wrong;
    },
  };
}

/**
 * A kernel unrolled for `cols` attributes, with the weights in local variables (registers)
 * instead of memory: the online updates form a dependency chain through w (each row's score needs
 * the previous row's update), so keeping w out of memory about halves the time per epoch. The
 * code is generated from the integer cols alone (no data reaches it) and adds in the same order as
 * the generic kernel, so both give bit-identical results.
 */
function unrolledKernel(cols: number): Kernel {
  const js = Array.from({ length: cols }, (_, j) => j);
  const load = `let w0 = w[0]; ${js.map((j) => `let w${j + 1} = w[${j + 1}];`).join(' ')}`;
  const store = `w[0] = w0; ${js.map((j) => `w[${j + 1}] = w${j + 1};`).join(' ')}`;
  const dot = ['w0', ...js.map((j) => `w${j + 1} * X[b + ${j}]`)].join(' + ');
  const update = `w0 += step; ${js.map((j) => `w${j + 1} += step * X[b + ${j}];`).join(' ')}`;
  const updatePass = new Function('w', 'X', 'Y', 'to', 'lr', `
    ${load} let updates = 0;
    for (let r = 0, b = 0; r < to; r++, b += ${cols}) {
      const s = ${dot};
      const error = Y[r] - +(s > 0);
      if (error !== 0) { const step = lr * error; ${update} updates++; }
    }
    ${store} return updates;`) as Kernel['updatePass'];
  const countCorrect = new Function('w', 'X', 'Y', 'from', 'to', `
    ${load} let wrong = 0;
    for (let r = from, b = from * ${cols}; r < to; r++, b += ${cols}) {
      const s = ${dot};
      wrong += +(s > 0) ^ Y[r];
    }
    return to - from - wrong;`) as Kernel['countCorrect'];
  return { updatePass, countCorrect };
}

const kernels = new Map<number, Kernel>();

/** The fastest kernel for `cols` attributes: unrolled up to 16 where code generation is allowed, else generic. */
function kernelFor(cols: number): Kernel {
  let kernel = kernels.get(cols);
  if (!kernel) {
    kernel = genericKernel(cols);
    if (cols <= 16) {
      // A content security policy or --disallow-code-generation-from-strings forbids new Function.
      try { kernel = unrolledKernel(cols); } catch { /* keep the generic kernel */ }
    }
    kernels.set(cols, kernel);
  }
  return kernel;
}

/** A trained (or loaded) perceptron: weights over min-max normalised attributes, bias first. */
export class Perceptron {
  /** featureCount+1 weights, bias first, over min-max normalised attributes. */
  readonly weights: Float64Array;
  /** Number of attributes a row must have. */
  readonly featureCount: number;
  /** The normalisation range of each attribute. */
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** The original class values predicted for 0 and 1. */
  readonly labels: [string, string];
  /** The training data's header row, or null. */
  readonly header: string[] | null;
  /** How the model did in training, or null. */
  metrics: ModelMetrics | null;

  /** Makes a model from its parts (copied); prefer {@link Perceptron.train} or {@link Perceptron.fromJSON}. */
  constructor(parts: PerceptronParts) {
    this.featureCount = parts.min.length;
    this.weights = Float64Array.from(parts.weights);
    this.min = Float64Array.from(parts.min);
    this.max = Float64Array.from(parts.max);
    this.labels = [parts.labels[0], parts.labels[1]];
    this.header = parts.header ? [...parts.header] : null;
    this.metrics = parts.metrics ? { ...parts.metrics } : null;
    if (this.weights.length !== this.featureCount + 1 || this.max.length !== this.featureCount) {
      throw new RangeError(`a perceptron over ${this.featureCount} attributes needs ${this.featureCount + 1} weights and ${this.featureCount} max values`);
    }
  }

  /**
   * Trains a perceptron on a data set (see the module comment for the algorithm).
   * @throws RangeError on invalid options; DataError when the split leaves no training or no test row.
   */
  static train(data: Dataset, options: TrainOptions = {}): { model: Perceptron; result: TrainResult } {
    const trainFraction = option(options.trainFraction, 0.75, 'trainFraction', (v) => v > 0 && v < 1, 'a number between 0 and 1 (exclusive)');
    const lr = option(options.lr, 0.01, 'lr', (v) => v > 0 && Number.isFinite(v), 'a number greater than 0');
    const threshold = option(options.threshold, 0.9, 'threshold', (v) => v > 0 && v <= 1, 'a number in (0, 1]');
    const maxEpochs = option(options.maxEpochs, 100, 'maxEpochs', (v) => Number.isSafeInteger(v) && v > 0, 'a positive integer');
    const seed = option(options.seed, Math.floor(Math.random() * 2 ** 32), 'seed', (v) => Number.isSafeInteger(v) && v >= 0, 'a non-negative integer');
    const { rows, cols } = data;
    const d = cols + 1;

    const random = createRng(seed);
    let w = drawWeights(random, d);
    if (options.initialWeights !== undefined) {
      const given = options.initialWeights;
      if (given.length !== d || !given.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new RangeError(`initialWeights must be ${d} finite numbers (bias first), got ${given.length} values`);
      }
      w = Float64Array.from(given);
    }
    let order: ArrayLike<number>;
    if (options.order !== undefined) {
      order = options.order;
      const hit = new Uint8Array(rows);
      const valid = order.length === rows && options.order.every((i) => Number.isInteger(i) && i >= 0 && i < rows && hit[i] === 0 && (hit[i] = 1) === 1);
      if (!valid) throw new RangeError(`order must be a permutation of 0..${rows - 1}`);
    } else if (options.shuffle === false) {
      order = Uint32Array.from({ length: rows }, (_, i) => i);
    } else {
      order = drawOrder(random, rows);
    }
    const trainRows = Math.round(trainFraction * rows);
    const testRows = rows - trainRows;
    if (trainRows < 1 || testRows < 1) {
      throw new DataError('split', `${rows} rows split by trainFraction ${trainFraction} leave ${trainRows} for training and ${testRows} for testing; each needs at least one`);
    }

    // Normalise into one flat matrix, rows in training order: the training rows are then one
    // contiguous block that the epochs stream through.
    const { min, max } = ranges(data);
    const X = new Float64Array(rows * cols);
    const Y = new Uint8Array(rows);
    normaliseRows(data, order, min, max, X, Y);

    const initialWeights = Array.from(w);
    const history: EpochRecord[] = [];
    const accuracies: number[] = [];
    let converged = false;
    let trainAccuracy = 0;
    const kernel = kernelFor(cols);
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const updates = kernel.updatePass(w, X, Y, trainRows, lr);
      trainAccuracy = kernel.countCorrect(w, X, Y, 0, trainRows) / trainRows;
      const record: EpochRecord = { epoch, trainAccuracy, trainError: 1 - trainAccuracy, updates };
      history.push(record);
      accuracies.push(trainAccuracy);
      options.onEpoch?.(record);
      if (epoch >= 3 && meanOfLastThree(accuracies) >= threshold) { converged = true; break; }
    }
    const testAccuracy = kernel.countCorrect(w, X, Y, trainRows, rows) / testRows;
    const result: TrainResult = {
      converged, epochs: history.length, history,
      trainAccuracy, testAccuracy, trainError: 1 - trainAccuracy, testError: 1 - testAccuracy,
      trainRows, testRows, seed, initialWeights,
    };
    if (!converged) {
      result.hint = `the mean of the last three training accuracies (${meanOfLastThree(accuracies).toFixed(4)}) did not reach the threshold ${threshold} in ${maxEpochs} epochs: ` +
        'try more epochs, a lower threshold or another learning rate; if the accuracy keeps swinging, the classes are not linearly separable';
    }
    const model = new Perceptron({
      weights: w, min, max, labels: data.labels, header: data.header,
      metrics: { trainAccuracy, testAccuracy, epochs: history.length, converged, trainRows, testRows, seed },
    });
    return { model, result };
  }

  /**
   * Classifies raw (un-normalised) rows. score = w·x over the normalised attributes with x0 = 1;
   * the label is labels[1] when score > 0, else labels[0] (a score of exactly 0 is class 0).
   * @throws DataError (source `rows`, line = row number) on a row of the wrong length or a non-finite value.
   */
  predict(rows: readonly (readonly number[])[]): { labels: string[]; scores: number[] } {
    const labels: string[] = [];
    const scores: number[] = [];
    const f = this.featureCount, w = this.weights;
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== f) {
        throw new DataError('rows', `row ${i + 1} has ${Array.isArray(row) ? row.length : 'no'} values, expected ${f}`, i + 1);
      }
      let s = w[0]!;
      for (let c = 0; c < f; c++) {
        const v = row[c];
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError('rows', `row ${i + 1}: value ${c + 1} is not a finite number`, i + 1, c + 1);
        s += w[c + 1]! * normalise(v, this.min[c]!, this.max[c]!);
      }
      scores.push(s);
      labels.push(this.labels[s > 0 ? 1 : 0]);
    });
    return { labels, scores };
  }

  /** Accuracy and error of the model on a whole data set with the same attributes. */
  evaluate(data: Dataset): { accuracy: number; error: number } {
    if (data.cols !== this.featureCount) throw new DataError('data', `${data.cols} attributes, but the model expects ${this.featureCount}`);
    let correct = 0;
    const f = this.featureCount, w = this.weights;
    for (let r = 0; r < data.rows; r++) {
      let s = w[0]!;
      for (let c = 0; c < f; c++) s += w[c + 1]! * normalise(data.x[r * f + c]!, this.min[c]!, this.max[c]!);
      // The data's own 0/1 may map to other class values than the model's: compare the values.
      if (this.labels[s > 0 ? 1 : 0] === data.labels[data.y[r]!]) correct++;
    }
    const accuracy = correct / data.rows;
    return { accuracy, error: 1 - accuracy };
  }

  /** Re-initialises the weights in place to the seeded random start of {@link Perceptron.train}, and forgets the metrics. */
  reset(seed: number): void {
    this.weights.set(drawWeights(createRng(seed), this.featureCount + 1));
    this.metrics = null;
  }

  /** The model as plain JSON data: weights, normalisation ranges, labels, header, feature count, metrics. */
  toJSON(): SavedModel {
    return {
      format: MODEL_FORMAT,
      version: 1,
      featureCount: this.featureCount,
      weights: Array.from(this.weights),
      min: Array.from(this.min),
      max: Array.from(this.max),
      labels: [this.labels[0], this.labels[1]],
      header: this.header ? [...this.header] : null,
      metrics: this.metrics ? { ...this.metrics } : null,
    };
  }

  /**
   * Loads a model from {@link Perceptron.toJSON}'s output (parsed JSON).
   * @throws DataError (source `model`) naming the first thing that is wrong.
   */
  static fromJSON(json: unknown): Perceptron {
    const fail = (problem: string): never => { throw new DataError('model', problem); };
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('expected a JSON object');
    const m = json as Record<string, unknown>;
    if (m.format !== MODEL_FORMAT) fail(`format must be ${JSON.stringify(MODEL_FORMAT)}, got ${JSON.stringify(m.format) ?? 'nothing'}`);
    if (m.version !== 1) fail(`unsupported version ${JSON.stringify(m.version) ?? '(missing)'}, expected 1`);
    const f = m.featureCount;
    if (typeof f !== 'number' || !Number.isSafeInteger(f) || f < 1) return fail('featureCount must be a positive integer');
    const numbers = (name: string, length: number): number[] => {
      const v = m[name];
      if (!Array.isArray(v) || v.length !== length || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        return fail(`${name} must be an array of ${length} finite numbers`);
      }
      return v as number[];
    };
    const weights = numbers('weights', f + 1);
    const min = numbers('min', f);
    const max = numbers('max', f);
    min.forEach((lo, c) => { if (lo > max[c]!) fail(`min[${c}] is greater than max[${c}]`); });
    const labels = m.labels;
    if (!Array.isArray(labels) || labels.length !== 2 || !labels.every((l) => typeof l === 'string') || labels[0] === labels[1]) {
      fail('labels must be two distinct strings');
    }
    const header = m.header ?? null;
    if (header !== null && (!Array.isArray(header) || header.length !== f + 1 || !header.every((h) => typeof h === 'string'))) {
      fail(`header must be null or ${f + 1} strings`);
    }
    let metrics: ModelMetrics | null = null;
    if (m.metrics !== undefined && m.metrics !== null) {
      const mm = m.metrics as Record<string, unknown>;
      const fine = typeof mm === 'object' && !Array.isArray(mm) &&
        ['trainAccuracy', 'testAccuracy', 'epochs', 'trainRows', 'testRows', 'seed'].every((k) => typeof mm[k] === 'number') &&
        typeof mm.converged === 'boolean';
      if (!fine) fail('metrics must be null or an object of trainAccuracy, testAccuracy, epochs, converged, trainRows, testRows, seed');
      metrics = {
        trainAccuracy: mm.trainAccuracy as number, testAccuracy: mm.testAccuracy as number, epochs: mm.epochs as number,
        converged: mm.converged as boolean, trainRows: mm.trainRows as number, testRows: mm.testRows as number, seed: mm.seed as number,
      };
    }
    return new Perceptron({ weights, min, max, labels: labels as [string, string], header: header as string[] | null, metrics });
  }
}

/** Min-max normalises one value: (v - min) / (max - min), or 0 for a constant attribute. */
export function normalise(v: number, min: number, max: number): number {
  return max === min ? 0 : (v - min) / (max - min);
}

/**
 * Writes the rows of data in the given order, min-max normalised, into X (row-major) and their
 * classes into Y. The same arithmetic as {@link normalise} (max - min is 0 exactly when max ===
 * min), with the loads hoisted out of the loop: this runs on every value of the data at each
 * training.
 */
function normaliseRows(data: Dataset, order: ArrayLike<number>, min: Float64Array, max: Float64Array, X: Float64Array, Y: Uint8Array): void {
  const { rows, cols, x, y } = data;
  const range = max.map((hi, c) => hi - min[c]!);
  for (let r = 0, k = 0; r < rows; r++) {
    const i = order[r]!;
    for (let c = 0, src = i * cols; c < cols; c++, src++, k++) {
      const span = range[c]!;
      X[k] = span === 0 ? 0 : (x[src]! - min[c]!) / span;
    }
    Y[r] = y[i]!;
  }
}

/** The per-attribute minimum and maximum of a data set. */
export function ranges(data: Dataset): { min: Float64Array; max: Float64Array } {
  const { rows, cols, x } = data;
  const min = new Float64Array(cols).fill(Infinity);
  const max = new Float64Array(cols).fill(-Infinity);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c]!;
      if (v < min[c]!) min[c] = v;
      if (v > max[c]!) max[c] = v;
    }
  }
  return { min, max };
}
