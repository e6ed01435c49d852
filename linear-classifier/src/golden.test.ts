/**
 * The golden test: the CLI's output and the saved model's bytes for banknote.csv and skin.csv with
 * seeds 1 to 5 (`--verbose --save-model`), compared with the files in ../golden/, which the code
 * wrote before it was reorganised. Any change to the arithmetic, the random draws, the split or a
 * printed line shows up here as a difference.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const demo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const golden = path.join(demo, 'golden');

// A folder laid out like the image's /app: data/ (the shipped data) and models/, so that every
// path the CLI prints is the same on every machine.
const work = mkdtempSync(path.join(tmpdir(), 'linear-classifier-golden-'));
symlinkSync(path.join(demo, 'data'), path.join(work, 'data'));
mkdirSync(path.join(work, 'models'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('golden: the same bytes as before', () => {
  for (const name of ['banknote', 'skin']) {
    for (const seed of [1, 2, 3, 4, 5]) {
      test(`${name}.csv, seed ${seed}`, () => {
        const model = `models/${name}-${seed}.json`;
        const run = spawnSync(
          process.execPath,
          [
            path.join(demo, 'src', 'cli.ts'),
            '--data',
            `data/${name}.csv`,
            '--seed',
            String(seed),
            '--verbose',
            '--save-model',
            model,
          ],
          { cwd: work, encoding: 'utf8' },
        );
        assert.equal(run.stderr, '');
        const transcript = `${run.stdout}exit code: ${run.status}\n`;
        assert.equal(transcript, readFileSync(path.join(golden, `${name}-${seed}.txt`), 'utf8'));
        assert.ok(
          readFileSync(path.join(work, model)).equals(readFileSync(path.join(golden, `${name}-${seed}.json`))),
          `${model} differs from golden/${name}-${seed}.json`,
        );
      });
    }
  }
});
