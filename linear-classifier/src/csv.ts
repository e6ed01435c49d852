/**
 * Reading a data set: CSV text (or the bytes of a file) in, a {@link Dataset} out, or a one-line
 * {@link DataError} that names the file, the line and the column.
 *
 * The format: one example per line, the attributes first and the class in the last column, an
 * optional header row. Blank lines, CRLF line ends, a UTF-8 byte-order mark and spaces around cells
 * are accepted; quoted cells are not (the data is numbers). Pure TypeScript, no Node- or Deno-only
 * API: the CLI, the notebook and the API share this file.
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
  /** Where the data came from (e.g. the file path), for messages. */
  source: string;
  /** The header row's names (attributes, then the class column), when the CSV had one. */
  header: string[] | null;
  /** Number of examples. */
  rows: number;
  /** Number of attributes (features), without the class column. */
  cols: number;
  /** rows*cols attribute values, row-major: row r, attribute c is x[r*cols + c]. */
  x: Float64Array;
  /** The class of each row as 0 or 1. */
  y: Uint8Array;
  /** The original class values that map to 0 and to 1 (numerically ascending when both are numbers). */
  labels: [string, string];
}

/** A decimal number, with spaces around it or not. `Number()` alone would also take '' (as 0) and '0x1A' (as 26). */
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** Strict UTF-8: a byte sequence that is not UTF-8 is an error, not a silent "�". */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses CSV data into a data set. Every attribute value is exactly `Number()` of its cell. The
 * class column may hold any two distinct values; they map to 0 and 1 in ascending order (numeric
 * when both are numbers), reported in `labels`. A first row none of whose attribute cells is a
 * number is the header.
 *
 * @param data the CSV text, or the bytes of a file (which must be UTF-8).
 * @param source names the data in error messages (e.g. the file path).
 * @throws DataError on text that is not UTF-8, an empty file, a cell that is not a finite decimal
 * number, a ragged row, fewer than two columns, or a class column with one or more than two values.
 */
export function parseCsv(data: string | Uint8Array, source = 'data'): Dataset {
  const text = typeof data === 'string' ? data.replace(/^\uFEFF/, '') : decodeUtf8(data, source);
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    throw new DataError(
      source,
      'a NUL character: this is UTF-16 text or not text at all, not UTF-8; save the file as UTF-8',
      lineAt(text, nul),
    );
  }
  // Split at LF only: a CRLF line keeps its CR, which the trimming of blank lines and class values drops.
  const lines = text.split('\n');

  // The first line that is not blank sets the number of columns.
  let i = lines.findIndex((line) => line.trim() !== '');
  if (i < 0) throw new DataError(source, 'empty file: expected rows of numbers with the class in the last column');
  const first = lines[i]!.split(',').map((field) => field.trim());
  if (first.length < 2) {
    throw new DataError(
      source,
      `fewer than two columns (found ${first.length}): expected attributes and then the class, separated by commas`,
      i + 1,
    );
  }
  const cols = first.length - 1;
  const looksNumeric = (field: string): boolean => DECIMAL.test(field) || /^[+-]?(nan|inf(inity)?)$/i.test(field);
  let header: string[] | null = null;
  if (!first.slice(0, cols).some(looksNumeric)) {
    header = first.map((field) => field.replace(/^"(.*)"$/, '$1'));
    i++;
  }

  // Room for every remaining line; blank lines leave a little unused at the end.
  const x = new Float64Array((lines.length - i) * cols);
  const y = new Uint8Array(lines.length - i);
  const classes: string[] = []; // the class values in order of appearance; y holds their index
  let rows = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    // Each attribute ends at the next comma; what follows the last one is the class.
    let start = 0;
    for (let c = 0; c < cols; c++) {
      const end = line.indexOf(',', start);
      if (end < 0) throw rowError(line, cols, c, source, i + 1);
      const field = line.slice(start, end);
      const value = Number(field);
      // Most cells read back exactly as written ('255', '3.6216'); any other spelling must be a
      // decimal number (checking it is slower, so only then): Number() also reads '' and '0x1A'.
      if (!Number.isFinite(value) || (String(value) !== field && !DECIMAL.test(field)))
        throw rowError(line, cols, c, source, i + 1);
      x[rows * cols + c] = value;
      start = end + 1;
    }
    const label = line.slice(start);
    if (label.includes(',')) throw rowError(line, cols, cols, source, i + 1);
    y[rows] = classIndex(label.trim(), classes, source, i + 1, cols + 1);
    rows++;
  }

  if (rows === 0) throw new DataError(source, header ? 'no data rows after the header' : 'no data rows');
  if (classes.length < 2)
    throw new DataError(
      source,
      `only one class value (${show(classes[0]!)}) in the last column: a classifier needs two`,
    );
  let labels: [string, string] = [classes[0]!, classes[1]!];
  if (inOrder(labels[1], labels[0])) {
    labels = [labels[1], labels[0]];
    for (let r = 0; r < rows; r++) y[r] = 1 - y[r]!;
  }
  return { source, header, rows, cols, x: x.subarray(0, rows * cols), y: y.subarray(0, rows), labels };
}

/** The error for a row: ragged when it has more or fewer fields than the first, else the bad cell in column c. */
function rowError(line: string, cols: number, c: number, source: string, lineNumber: number): DataError {
  const fields = line.split(',');
  if (fields.length !== cols + 1) {
    return new DataError(
      source,
      `ragged row: ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${cols + 1} like the first row`,
      lineNumber,
    );
  }
  return new DataError(source, cellProblem(fields[c]!.trim()), lineNumber, c + 1);
}

/** Decodes a file's bytes as UTF-8 (dropping a byte-order mark), or says which encoding it is not. */
function decodeUtf8(bytes: Uint8Array, source: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new DataError(
      source,
      'UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8; save the file as UTF-8',
    );
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new DataError(
      source,
      'not UTF-8 text (Windows-1252 or Latin-1?); save the file as UTF-8',
      firstLineNotUtf8(bytes),
    );
  }
}

/**
 * The 1-based line of the first bytes that are not UTF-8. A line feed byte is never part of a
 * UTF-8 character, so lines can be tried one by one.
 */
function firstLineNotUtf8(bytes: Uint8Array): number {
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end < 0 ? bytes.length : end;
    try {
      utf8.decode(bytes.subarray(start, stop));
    } catch {
      return line;
    }
    start = stop + 1;
  }
  return line;
}

/** The 1-based line of the character at index in text. */
function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/**
 * The index of a class value in the list of those seen so far, adding it when it is new; throws
 * when it is empty or a third one.
 */
function classIndex(value: string, classes: string[], source: string, line: number, column: number): number {
  const index = classes.indexOf(value);
  if (index >= 0) return index;
  if (value === '') throw new DataError(source, 'empty class value in the last column', line, column);
  if (classes.length === 2) {
    throw new DataError(
      source,
      `a third class value ${show(value)} (after ${show(classes[0]!)} and ${show(classes[1]!)}): the perceptron separates exactly two classes`,
      line,
      column,
    );
  }
  classes.push(value);
  return classes.length - 1;
}

/** Orders two class values: numerically when both are numbers, else by code units. */
function inOrder(a: string, b: string): boolean {
  if (DECIMAL.test(a) && DECIMAL.test(b)) return Number(a) < Number(b);
  return a < b;
}

/** Why a (trimmed) cell is not an acceptable number. */
function cellProblem(field: string): string {
  if (field === '') return 'empty cell, expected a number';
  if (/^[+-]?nan$/i.test(field)) return `${show(field)}: NaN is not allowed, every attribute must be a finite number`;
  if (/^[+-]?inf(inity)?$/i.test(field))
    return `${show(field)}: Infinity is not allowed, every attribute must be a finite number`;
  if (DECIMAL.test(field)) return `${show(field)} is out of range (it overflows to Infinity)`;
  return `${show(field)} is not a number`;
}

/** Shortens a cell for an error message. */
function show(field: string): string {
  return JSON.stringify(field.length > 24 ? `${field.slice(0, 24)}…` : field);
}
