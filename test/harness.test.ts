/**
 * Tests of the e2e harness itself: without a Docker engine an e2e suite skips with a one-line
 * reason, and with CI=true the same suite fails, because in CI the end-to-end tests are required.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot, run } from './lib/docker.ts';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'engine-skip.test-fixture.ts');
/**
 * Runs the fixture suite with Docker pointed at a socket where no engine answers, as a top-level
 * test run (NODE_TEST_CONTEXT would make it report to this runner instead), with CI set or unset.
 */
const runWithoutEngine = (ci: 'true' | undefined) => run('env', [
  '-u', 'NODE_TEST_CONTEXT', ...(ci ? [`CI=${ci}`] : ['-u', 'CI']), 'DOCKER_HOST=unix:///nonexistent/docker.sock',
  process.execPath, '--test', '--test-reporter=spec', fixture,
], { timeoutMs: 60_000 });

describe('e2e harness', () => {
  test('without an engine, outside CI, an e2e suite skips with a one-line reason', async () => {
    const { code, output } = await runWithoutEngine(undefined);
    assert.equal(code, 0, output);
    assert.match(output, /^﹣ an e2e suite .*# no Docker engine answers \(`docker info` failed\): start Docker to run the end-to-end tests$/m);
  });

  test('without an engine, with CI=true, the suite fails and says why', async () => {
    const { code, output } = await runWithoutEngine('true');
    assert.notEqual(code, 0);
    assert.match(output, /no Docker engine answers \(`docker info` failed\), and CI=true: the end-to-end tests are required in CI/);
  });
});
