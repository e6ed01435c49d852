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
import { allReadmes, checkReadme, parseBlocks } from './lib/readme.ts';

const readmes = allReadmes();

/** The source of every test file, where e2e tests name the run/output blocks they check. */
function testSources(): string {
  return repoFiles().filter((f) => f.endsWith('.test.ts')).map((f) => readFileSync(path.join(repoRoot, f), 'utf8')).join('\n');
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

  test('the quick start is two commands, and .ci/run ends with the README test command verbatim', () => {
    const markdown = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const quickStart = markdown.slice(markdown.indexOf('## Quick start'), markdown.indexOf('\n## ', markdown.indexOf('## Quick start') + 1));
    const commands = parseBlocks(quickStart).flatMap((b) => b.content.split('\n').filter((l) => l.startsWith('$ ')));
    assert.equal(commands.length, 2, `the quick start shows ${commands.length} commands`);
    const testCommand = commands[1]!.slice(2);
    const ciLines = readFileSync(path.join(repoRoot, '.ci', 'run'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    assert.equal(ciLines.at(-1), testCommand);
    const workflow = readFileSync(path.join(repoRoot, '.github', 'workflows', 'test.yml'), 'utf8');
    assert.ok(workflow.includes(`run: ${testCommand}\n`), 'the GitHub workflow runs the same test command');
  });

  test('the demo index names real demos and real compose services', () => {
    const markdown = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const index = markdown.slice(markdown.indexOf('## The demos'), markdown.indexOf('\n## ', markdown.indexOf('## The demos') + 1));
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
