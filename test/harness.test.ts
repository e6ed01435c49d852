/**
 * Tests of the e2e harness itself: without a Docker engine an e2e suite skips with a one-line
 * reason, and with CI=true the same suite fails, because in CI the end-to-end tests are required.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot, run } from './lib/docker.ts';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'engine-skip.test-fixture.ts');
/**
 * Runs the fixture suite with Docker pointed at a socket where no engine answers, as a top-level
 * test run (NODE_TEST_CONTEXT would make it report to this runner instead), with CI set or unset.
 */
const runWithoutEngine = (ci: 'true' | undefined) =>
  run(
    'env',
    [
      '-u',
      'NODE_TEST_CONTEXT',
      ...(ci ? [`CI=${ci}`] : ['-u', 'CI']),
      'DOCKER_HOST=unix:///nonexistent/docker.sock',
      process.execPath,
      '--test',
      '--test-reporter=spec',
      fixture,
    ],
    { timeoutMs: 60_000 },
  );

describe('e2e harness', () => {
  test('without an engine, outside CI, an e2e suite skips with a one-line reason', async () => {
    const { code, output } = await runWithoutEngine(undefined);
    assert.equal(code, 0, output);
    assert.match(
      output,
      /^﹣ an e2e suite .*# no Docker engine answers \(`docker info` failed\): start Docker to run the end-to-end tests$/m,
    );
  });

  test('without an engine, with CI=true, the suite fails and says why', async () => {
    const { code, output } = await runWithoutEngine('true');
    assert.notEqual(code, 0);
    assert.match(
      output,
      /no Docker engine answers \(`docker info` failed\), and CI=true: the end-to-end tests are required in CI/,
    );
  });

  test('importing the test library runs nothing: no docker command at import', async () => {
    // A `docker` first on PATH that leaves a mark when called; the library is imported, not used.
    const bin = mkdtempSync(path.join(os.tmpdir(), 'fake-docker-'));
    const mark = path.join(bin, 'called');
    try {
      writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\ntouch '${mark}'\nexit 1\n`);
      chmodSync(path.join(bin, 'docker'), 0o755);
      const libraries = readdirSync(path.join(repoRoot, 'test', 'lib')).filter((f) => f.endsWith('.ts'));
      assert.ok(libraries.length >= 3, libraries.join(', '));
      const imports = libraries
        .map((f) => `await import(${JSON.stringify(path.join(repoRoot, 'test', 'lib', f))});`)
        .join('\n');
      const { code, output } = await run(process.execPath, ['--input-type=module', '-e', imports], {
        env: { PATH: `${bin}:${process.env.PATH}`, CI: 'true' },
      });
      assert.equal(code, 0, output);
      assert.equal(existsSync(mark), false, 'a test library ran docker when imported');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
