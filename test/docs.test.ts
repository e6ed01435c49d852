/**
 * The docs check: every README's fenced blocks are tied to real files and real runs
 * (see test/lib/readme.ts for the markers).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from './lib/docker.ts';
import { includedServices, repoFiles } from './lib/files.ts';
import { parseBlocks } from './lib/readme-blocks.ts';
import { allReadmes, checkReadme } from './lib/readme.ts';
import { readingMinutes, routeStops } from '../tools/reading-times.ts';

const readmes = allReadmes();

/** Pages for maintainers, beside the files they describe: benchmarks and golden files. */
const maintainerPages = [/(^|\/)bench\/README\.md$/, /^linear-classifier\/golden\/README\.md$/];

/** What a lesson does not talk about: the test suite, CI, Dependabot. */
const maintainerTalk = [
  /test suite/i,
  /\bthe tests\b/i,
  /\btests'/i,
  /\ba test (checks|sends|runs)\b/i,
  /\btests? checks?\b/i,
  /\be2e\b/i,
  /\bend-to-end tests?\b/i,
  /\btest\/(e2e|lib|fixtures|artifacts)\b/,
  /dependabot/i,
  /\bCI\b/,
  /install-ci-test/,
  /\btest cluster/i,
];

/** The terms GLOSSARY.md defines. */
const glossaryTerms = [
  'build context',
  'image',
  'layer',
  'container',
  'volume',
  'bind mount',
  'tmpfs',
  'network',
  'port publishing',
  'healthcheck',
  'PID 1',
  'signal',
  'capability',
  'Compose project',
  'service',
  'configs',
  'secret',
  'registry',
  'tag',
  'digest',
  'platform',
];

/** The text of a Markdown section, from its heading to the next heading of the same level. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`${heading}\n`);
  assert.ok(start >= 0, `no section ${heading}`);
  const next = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, next < 0 ? undefined : next);
}

/** The source of every test file, where e2e tests name the run/output blocks they check. */
function testSources(): string {
  return repoFiles()
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => readFileSync(path.join(repoRoot, f), 'utf8'))
    .join('\n');
}

describe('docs check', () => {
  test('there are READMEs to check: the root and every demo', () => {
    const rel = readmes.map((r) => path.relative(repoRoot, r));
    assert.ok(rel.includes('README.md'));
    assert.ok(rel.includes(path.join('nifty-useless-model', 'README.md')));
  });

  for (const readme of readmes) {
    test(`${path.relative(repoRoot, readme)}: every block is marked and matches the files`, () => {
      assert.deepEqual(checkReadme(readme), []);
    });
  }

  test('every README is a lesson of at most 250 lines; deeper topics have their own page', () => {
    for (const readme of readmes) {
      const lines = readFileSync(readme, 'utf8').trimEnd().split('\n').length;
      assert.ok(lines <= 250, `${path.relative(repoRoot, readme)} has ${lines} lines`);
    }
  });

  test('the quick start is one command and points to CONTRIBUTING.md, whose test command .ci/run and the workflow run verbatim', () => {
    const markdown = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const quickStart = section(markdown, '## Quick start');
    const commands = parseBlocks(quickStart).flatMap((b) => b.content.split('\n').filter((l) => l.startsWith('$ ')));
    assert.equal(commands.length, 1, `the quick start shows ${commands.length} commands`);
    assert.match(quickStart, /\[CONTRIBUTING\.md\]\(CONTRIBUTING\.md\)/);
    const contributing = readFileSync(path.join(repoRoot, 'CONTRIBUTING.md'), 'utf8');
    const testCommands = parseBlocks(section(contributing, '## Running the tests')).flatMap((b) =>
      b.content.split('\n').filter((l) => l.startsWith('$ ')),
    );
    assert.equal(testCommands.length, 1, 'CONTRIBUTING.md shows one test command');
    const testCommand = testCommands[0]!.slice(2);
    const ciLines = readFileSync(path.join(repoRoot, '.ci', 'run'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    assert.equal(ciLines.at(-1), testCommand);
    const workflow = readFileSync(path.join(repoRoot, '.github', 'workflows', 'test.yml'), 'utf8');
    assert.ok(workflow.includes(`run: ${testCommand}\n`), 'the GitHub workflow runs the same test command');
  });

  test('no lesson mentions the test suite, CI or Dependabot; the root README only to point to CONTRIBUTING.md', () => {
    const found: string[] = [];
    for (const readme of readmes) {
      const rel = path.relative(repoRoot, readme);
      if (maintainerPages.some((pattern) => pattern.test(rel))) continue;
      readFileSync(readme, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const hit = maintainerTalk.find((pattern) => pattern.test(line));
          if (hit && !(rel === 'README.md' && line.includes('CONTRIBUTING.md')))
            found.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(found, []);
  });

  test('the patterns for maintainer talk find it', () => {
    for (const line of [
      'the tests kill one',
      'a test checks it',
      'run by test/e2e/x.test.ts',
      'so Dependabot can update it',
      'a CI job',
      'the test suite',
      "the tests' cluster",
      'npm install-ci-test',
    ]) {
      assert.ok(
        maintainerTalk.some((pattern) => pattern.test(line)),
        line,
      );
    }
    for (const line of [
      'test accuracy: 98.25 %',
      'keeps a quarter aside for testing',
      '`npm ci --omit=dev`',
      'its unit tests build it in-process',
      'test: ["CMD", "true"]',
    ]) {
      assert.ok(!maintainerTalk.some((pattern) => pattern.test(line)), line);
    }
  });

  test('a glossary defines every term, each with the lesson that shows it, and every lesson links it', () => {
    const glossary = readFileSync(path.join(repoRoot, 'GLOSSARY.md'), 'utf8');
    const entries = new Map(
      glossary
        .split(/\n\n/)
        .map((p) => /^\*\*(.+?)\.\*\* ([\s\S]*)$/.exec(p))
        .filter((m) => m !== null)
        .map((m) => [m[1]!.replace(/`/g, '').toLowerCase(), m[2]!]),
    );
    for (const term of glossaryTerms) {
      const entry = entries.get(term.toLowerCase());
      assert.ok(entry, `GLOSSARY.md has no entry for ${term}`);
      assert.match(
        entry,
        /Shown in\s.*(\[[^\]]+\]\([^)]+\)|linear-classifier\/)/s,
        `the entry for ${term} names no lesson`,
      );
    }
    const unlinked = readmes
      .map((readme) => path.relative(repoRoot, readme))
      .filter((rel) => !maintainerPages.some((pattern) => pattern.test(rel)))
      .filter(
        (rel) =>
          !readFileSync(path.join(repoRoot, rel), 'utf8').includes(
            `(${path.relative(path.dirname(rel), 'GLOSSARY.md')}`,
          ),
      );
    assert.deepEqual(unlinked, [], 'these lessons do not link the glossary');
  });

  test('the route gives each stop its measured reading time, as tools/reading-times.ts counts it, and its run time', () => {
    const markdown = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const rows = section(markdown, '## The route')
      .split('\n')
      .filter((l) => /^\| (\d+\. )?\[/.test(l));
    assert.equal(rows.length, routeStops.length, 'one row per stop of the route');
    let total = 0;
    for (const [i, row] of rows.entries()) {
      const { stop, pages } = routeStops[i]!;
      const cells = row
        .split('|')
        .map((c) => c.trim())
        .filter(Boolean);
      const [read, runTime] = cells.slice(-2);
      const expected = readingMinutes(pages);
      if (expected.missing.length) {
        assert.equal(read, '–', `${stop}: ${expected.missing.join(', ')} not there yet, so no reading time`);
        continue;
      }
      const minutes = Number(/^(\d+) min$/.exec(read!)?.[1]);
      assert.ok(
        Math.abs(minutes - expected.minutes) <= Math.max(1, expected.minutes * 0.1),
        `${stop}: the route says ${read} to read, the pages take ${expected.minutes} min`,
      );
      assert.match(runTime!, /^(\d+ min|–)$/, `${stop}: a run time, or – while it is not measured`);
      // The total is the main route's: the numbered stops, not the extras.
      if (/^\| \d+\. /.test(row)) total += minutes;
    }
    const totalRow = section(markdown, '## The route')
      .split('\n')
      .find((l) => l.startsWith('| total'));
    assert.ok(totalRow, 'a total row');
    assert.match(totalRow, new RegExp(`^\\| total \\| \\| ${total} min \\|`), `the stops add up to ${total} min`);
  });

  test('every lesson on the route ends with what you learned and what comes next', () => {
    const lessons = routeStops
      .flatMap((s) => s.pages.slice(0, 1))
      .filter((page) => existsSync(path.join(repoRoot, page)));
    for (const page of [
      ...lessons,
      ...readmes.map((r) => path.relative(repoRoot, r)).filter((r) => /^exercises\/\d\d-/.test(r)),
    ]) {
      const text = readFileSync(path.join(repoRoot, page), 'utf8');
      const last = text.slice(text.lastIndexOf('\n## '));
      assert.match(last, /^\n## What you learned, and next\n/, `${page} ends with "## What you learned, and next"`);
    }
  });

  test('the demo index names real demos and real compose services', () => {
    const markdown = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const index = section(markdown, '## The demos');
    const rows = index.split('\n').filter((l) => /^\| \[/.test(l));
    assert.ok(rows.length >= 4, 'the index lists the demos');
    const services = includedServices();
    for (const row of rows) {
      const [, demo] = /^\| \[[^\]]+\]\(([^)]+)\/\)/.exec(row)!;
      assert.ok(existsSync(path.join(repoRoot, demo!, 'README.md')), `${demo} has a README`);
      const command = /`(docker compose [^`]+)`\s*\|\s*$/.exec(row);
      assert.ok(command, `the index row for ${demo} ends with a docker compose command`);
      const service = command[1]!.split(' ').at(-1)!;
      assert.ok(services.includes(service), `${command[1]} names no service of the root compose.yaml`);
    }
  });

  test('every run and output block is checked by a test, and ids are unique', () => {
    const sources = testSources();
    const seen = new Map<string, string>();
    const unchecked: string[] = [];
    for (const readme of readmes) {
      for (const b of parseBlocks(readFileSync(readme, 'utf8'), readme)) {
        if (b.kind !== 'run' && b.kind !== 'output') continue;
        const where = `${path.relative(repoRoot, readme)}:${b.line}`;
        assert.ok(!seen.has(b.arg), `${b.kind} id ${b.arg} is used twice: ${seen.get(b.arg)} and ${where}`);
        seen.set(b.arg, where);
        if (!sources.includes(`'${b.arg}'`)) unchecked.push(`${where} (${b.kind}: ${b.arg})`);
      }
    }
    assert.deepEqual(unchecked, [], 'these blocks are named by no test');
  });
});
