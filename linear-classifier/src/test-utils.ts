/**
 * What the tests share, as Deno std's _test_utils.ts does for its own: the banknote data set, the
 * one row of it they predict, and the DataError a call throws. Tests only: not in the image (see
 * .dockerignore), and the model's modules do not import it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataError, parseCsv, type Dataset } from './csv.ts';

/** The path of data/banknote.csv. */
export const banknotePath: string = fileURLToPath(new URL('../data/banknote.csv', import.meta.url));

/** data/banknote.csv, parsed. */
export const banknote: Dataset = parseCsv(readFileSync(banknotePath), 'banknote.csv');

/** The file's first row, a genuine note (class 0): the row the tests send for one prediction. */
export const banknoteRow: readonly number[] = [3.6216, 8.6661, -2.8073, -0.44699];

/** The DataError that fn throws, for checking its message and location; its message is one line. */
export function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    assert.doesNotMatch(e.message, /\n/, 'the message is one line');
    return e;
  }
  assert.fail('expected a DataError, nothing was thrown');
}
