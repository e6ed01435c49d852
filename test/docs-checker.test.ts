/**
 * Tests of the docs checker itself: it must notice when one character of a README's file excerpt
 * or expected output changes, and must not flag what is allowed to vary.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from './lib/docker.ts';
import {
  fileRegion,
  outputMismatch,
  parseBlocks,
  parseRunBlock,
  renderTerminal,
  treeEntries,
} from './lib/readme-blocks.ts';
import { allReadmes, checkReadme } from './lib/readme.ts';

/** Changes the first letter or digit of line `n` of `text` to another character, or returns null. */
function mutateLine(text: string, n: number): string | null {
  const lines = text.split('\n');
  const line = lines[n]!;
  const literal = line.trim() === '...' ? '' : line.replace(/\.\.\./g, '\0\0\0');
  const i = literal.search(/[A-Za-z0-9]/);
  if (i < 0) return null;
  const c = line[i]!;
  lines[n] = line.slice(0, i) + (c === 'x' ? 'y' : 'x') + line.slice(i + 1);
  return lines.join('\n');
}

/** An actual output that an expected-output text matches: wildcards filled in. */
const fillWildcards = (expected: string): string =>
  expected
    .split('\n')
    .filter((l) => l.trim() !== '...')
    .map((l) => l.replace(/\.\.\./g, 'ANYTHING'))
    .join('\n');

describe('docs checker', () => {
  test('every README file excerpt fails the check when one character on any line changes', () => {
    let checked = 0;
    for (const readme of allReadmes()) {
      const markdown = readFileSync(readme, 'utf8');
      const lines = markdown.split('\n');
      for (const b of parseBlocks(markdown, readme).filter((x) => x.kind === 'file')) {
        const bodyLines = b.content.split('\n').length - 1;
        for (let n = 0; n < bodyLines; n++) {
          const mutated = mutateLine(b.content, n);
          if (mutated === null) continue;
          const copy = [...lines];
          copy.splice(b.line, bodyLines, ...mutated.split('\n').slice(0, bodyLines));
          const problems = checkReadme(readme, copy.join('\n'));
          assert.ok(
            problems.some((p) => p.includes(`:${b.line}:`)),
            `${path.relative(repoRoot, readme)}:${b.line + 1 + n}: changing one character went unnoticed`,
          );
          checked++;
        }
      }
    }
    assert.ok(checked > 0, 'no file excerpt was found to mutate');
  });

  test('every expected output fails to match when one character on any line changes', () => {
    let checked = 0;
    for (const readme of allReadmes()) {
      for (const b of parseBlocks(readFileSync(readme, 'utf8'), readme)) {
        const expectations =
          b.kind === 'output' ? [b.content] : b.kind === 'run' ? parseRunBlock(b.content).map((s) => s.expected) : [];
        for (const expected of expectations) {
          const actual = fillWildcards(expected);
          assert.equal(outputMismatch(expected, actual), null, `${b.arg}: the unchanged block must match`);
          const n = expected.split('\n').length;
          for (let i = 0; i < n; i++) {
            const mutated = mutateLine(expected, i);
            if (mutated === null) continue;
            assert.notEqual(outputMismatch(mutated, actual), null, `${b.arg}: changing line ${i + 1} went unnoticed`);
            checked++;
          }
        }
      }
    }
    assert.ok(checked > 0, 'no expected-output line was found to mutate');
  });

  test('wildcards: "..." lines match any lines, "..." in a line matches any text', () => {
    assert.equal(outputMismatch('a\n...\nd\n', 'a\nb\nc\nd\n'), null);
    assert.equal(outputMismatch('a\n...\nd\n', 'a\nd\n'), null);
    assert.equal(outputMismatch('token=...\n', 'token=abc123\n'), null);
    assert.notEqual(outputMismatch('a\n...\nd\n', 'a\nb\nc\n'), null);
    assert.notEqual(outputMismatch('token=...!\n', 'token=abc\n'), null);
    assert.notEqual(outputMismatch('a.b\n', 'axb\n'), null, 'a lone dot is literal');
  });

  test('only what a terminal hides and trailing spaces are normalised', () => {
    assert.equal(outputMismatch('hello\nworld\n', 'hello  \r\nworld\r\n\n'), null);
    assert.equal(outputMismatch('ok\n', '\x1b[32mok\x1b[0m\n'), null);
    assert.notEqual(outputMismatch('hello world\n', 'hello  world\n'), null);
    assert.notEqual(outputMismatch('1 + 1 = 2\n', '1 + 1 = 3\n'), null);
  });

  test('output is compared as a terminal shows it: carriage returns and erase-line sequences', () => {
    // What Compose 2.40 writes into a pipe: the line is erased, then written again.
    const compose = 'nifty-useless-model-1  | hello\n\r\x1b[Knifty-useless-model-1 exited with code 0\n';
    assert.equal(renderTerminal(compose), 'nifty-useless-model-1  | hello\nnifty-useless-model-1 exited with code 0\n');
    assert.equal(
      outputMismatch('a  | hello\na exited with code 0\n', 'a  | hello\n\r\x1b[Ka exited with code 0\n'),
      null,
    );
    // A carriage return overwrites only what it writes over; erase-line removes the rest.
    assert.equal(renderTerminal('progress 10%\rdone'), 'doneress 10%');
    assert.equal(renderTerminal('progress 10%\rdone\x1b[K'), 'done');
    assert.equal(renderTerminal('abcdef\x1b[2K\rxy'), 'xy', 'ESC [ 2 K erases the whole line');
    assert.equal(renderTerminal('abcdef\rxy\x1b[1K'), '   def', 'ESC [ 1 K erases up to and including the cursor');
    assert.equal(renderTerminal('a\r\nb\r\n'), 'a\nb\n', 'CRLF is a plain line end');
    // The rendering is all that is normalised: a different visible line still differs.
    assert.notEqual(outputMismatch('a exited with code 0\n', 'a exited with code 0\rb\n'), null);
    assert.notEqual(outputMismatch('one\n', 'one\r\x1b[Ktwo\n'), null);
  });

  test('unmarked blocks, missing files, missing regions and bad trees are reported', () => {
    const readme = path.join(repoRoot, 'README.md');
    const problems = checkReadme(
      readme,
      [
        '```sh',
        'echo hi',
        '```',
        '<!-- file: no/such/file.txt -->',
        '```',
        'x',
        '```',
        '<!-- file: package.json#nothing -->',
        '```json',
        '{}',
        '```',
        '<!-- tree: -->',
        '```',
        '.',
        '├── LICENSE',
        '└── nope/',
        '    └── gone.ts',
        '```',
        '<!-- manual: -->',
        '```console',
        '$ rm -rf /',
        '```',
      ].join('\n'),
    );
    assert.equal(problems.length, 6, problems.join('\n'));
    assert.match(problems[0]!, /without a marker/);
    assert.match(problems[1]!, /does not exist/);
    assert.match(problems[2]!, /no region "nothing"/);
    assert.match(problems[3]!, /nope, which does not exist/);
    assert.match(problems[4]!, /nope\/gone\.ts/);
    assert.match(problems[5]!, /must say why/);
  });

  test('regions, trees and run blocks parse as documented', () => {
    assert.equal(fileRegion('a\n# #region deps\nb\nc\n# #endregion\nd\n', 'deps'), 'b\nc\n');
    assert.equal(fileRegion('// #region x\n', 'x'), null, 'an unclosed region is no region');
    assert.deepEqual(treeEntries('.\n├── a/\n│   └── b.ts   # why\n└── c\n'), ['a', 'a/b.ts', 'c']);
    assert.deepEqual(parseRunBlock('$ echo a \\\n  b\na b\n$ true\n'), [
      { command: 'echo a \\\n  b', expected: 'a b\n' },
      { command: 'true', expected: '' },
    ]);
  });
});
