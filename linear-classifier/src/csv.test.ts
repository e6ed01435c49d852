/**
 * Unit tests of the CSV reader: the format's guarantees (BOM, CRLF, header, blank lines, string
 * labels, every value equal to Number() of its cell), the label mapping, and one-line errors that
 * name the line and column, including for text that is not UTF-8.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseCsv } from './csv.ts';
import { banknote, banknotePath, dataError } from './test-utils.ts';

describe('parseCsv', () => {
  test('reads rows, attributes and classes; the last column is the class', () => {
    const d = parseCsv('1,2,0\n3,4,1\n', 'x.csv');
    assert.equal(d.rows, 2);
    assert.equal(d.cols, 2);
    assert.deepEqual(Array.from(d.x), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(d.y), [0, 1]);
    assert.deepEqual(d.labels, ['0', '1']);
    assert.equal(d.header, null);
    assert.equal(d.source, 'x.csv');
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
    assert.deepEqual(Array.from(d.x), [-9.2828e-6, 1000, 0.5, 5]);
  });

  test('every value is exactly Number() of its cell, fast path or not', () => {
    // Random decimals of every shape: many digits, large and small exponents, signs, zeros.
    let seed = 12345;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const digits = (k: number): string => Array.from({ length: k }, () => Math.floor(rnd() * 10)).join('');
    const cells: string[] = [
      '0',
      '-0',
      '007',
      '0.1',
      '0.30000000000000004',
      '123456789012345',
      '1234567890123456789',
      '9007199254740993',
      '1e22',
      '1e23',
      '1e-22',
      '1e-23',
      '2.2250738585072014e-308',
      '1.7976931348623157e308',
      '4.9e-324',
      '1e-400',
    ];
    for (let i = 0; i < 3000; i++) {
      const int = digits(Math.floor(rnd() * 12));
      const frac = rnd() < 0.7 ? '.' + digits(Math.floor(rnd() * 12)) : '';
      const exp = rnd() < 0.3 ? `e${rnd() < 0.5 ? '-' : ''}${Math.floor(rnd() * 40)}` : '';
      const cell = (rnd() < 0.5 ? '-' : '') + (int + frac === '' || int + frac === '.' ? '1' : int + frac) + exp;
      cells.push(cell);
    }
    const text = cells.map((c, i) => `${c},${i % 2}`).join('\n');
    const d = parseCsv(text);
    cells.forEach((c, i) =>
      assert.ok(Object.is(d.x[i], Number(c)), `${c}: got ${d.x[i]}, Number() gives ${Number(c)}`),
    );
  });

  test('the shipped data: every value equals Number() of its field', () => {
    const text = readFileSync(banknotePath, 'utf8');
    const fields = text
      .trim()
      .split('\n')
      .flatMap((l) => l.split(',').slice(0, -1));
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

describe('encodings', () => {
  test('a UTF-8 byte-order mark is dropped, from bytes and from text', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('a,b,class\n1,2,x\n3,4,y\n')]);
    assert.deepEqual(parseCsv(bytes).header, ['a', 'b', 'class']);
    assert.deepEqual(parseCsv('\uFEFFa,b,class\n1,2,x\n3,4,y\n').header, ['a', 'b', 'class']);
  });

  test('UTF-8 class values beyond ASCII are read as written', () => {
    const d = parseCsv(new TextEncoder().encode('1,2,café\n3,4,cafè\n'));
    assert.deepEqual(d.labels, ['cafè', 'café']); // è is U+00E8, é U+00E9
  });

  test('Windows-1252 bytes are not UTF-8: refused, naming the first line they are on', () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('1,2,a\n3,4,caf'),
      0xe9,
      0x0a,
      0x35,
      0x2c,
      0x36,
      0x2c,
      0x61,
    ]);
    const e = dataError(() => parseCsv(bytes, 'cp1252.csv'));
    assert.match(e.message, /^cp1252\.csv, line 2: not UTF-8 text/);
    assert.equal(e.line, 2);
  });

  test('UTF-16, with a byte-order mark or without, is refused as UTF-16', () => {
    const le = new Uint8Array([...'1,2,0\n3,4,1\n'].flatMap((ch) => [ch.charCodeAt(0), 0]));
    assert.match(
      dataError(() => parseCsv(new Uint8Array([0xff, 0xfe, ...le]), 'u.csv')).message,
      /^u\.csv: UTF-16 text/,
    );
    assert.match(
      dataError(() => parseCsv(new Uint8Array([0xfe, 0xff, ...le.map((_, i) => le[i ^ 1]!)]), 'u.csv')).message,
      /^u\.csv: UTF-16 text/,
    );
    assert.match(dataError(() => parseCsv(le, 'u.csv')).message, /^u\.csv, line 1: a NUL character: this is UTF-16/);
  });
});
