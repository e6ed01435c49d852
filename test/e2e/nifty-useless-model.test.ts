/**
 * End-to-end tests of nifty-useless-model: every command of its README, run for real, plus what
 * the README claims about the image (non-root, layer cache) and the root compose file.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { compose, engineSkip, inspect, mustRun, rebuildAfterEdit, repoRoot, run } from '../lib/docker.ts';
import { runReadmeBlock } from '../lib/readme.ts';

const readme = 'nifty-useless-model/README.md';
const demoDir = path.join(repoRoot, 'nifty-useless-model');
const greeting = "I can't predict anything, but I know that 1 + 1 = 2.";

describe('nifty-useless-model', { skip: engineSkip() }, () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  cleanups.push(() => compose(demoDir, ['down', '--volumes', '--rmi', 'local']));

  test('README: build, then the image runs main.ts as the node user', { timeout: 300_000 }, async () => {
    await runReadmeBlock(readme, 'nifty-build');
    const image = await inspect('nifty-useless-model-nifty-useless-model');
    assert.equal(image.Config.User, 'node');
    assert.deepEqual(image.Config.Cmd, ['node', 'main.ts']);
  });

  test('README: docker compose run --rm prints the sum and removes its container', { timeout: 120_000 }, async () => {
    const [result] = await runReadmeBlock(readme, 'nifty-run');
    assert.ok(result!.stdout.includes(greeting));
    const left = await run('docker', ['ps', '-a', '--filter', 'label=com.docker.compose.project=nifty-useless-model', '--format', '{{.Names}}']);
    assert.equal(left.stdout.trim(), '', 'run --rm must leave no container behind');
  });

  test('README: the container runs as uid 1000, not root', { timeout: 120_000 }, async () => {
    const [result] = await runReadmeBlock(readme, 'nifty-user');
    assert.match(result!.stdout, /^uid=1000\(node\)/m);
  });

  test('README: docker compose up shows the log and exit code, down removes everything', { timeout: 120_000 }, async () => {
    await runReadmeBlock(readme, 'nifty-up');
    const state = (await inspect('nifty-useless-model-nifty-useless-model-1')).State;
    assert.equal(state.ExitCode, 0);
    await runReadmeBlock(readme, 'nifty-down');
    const left = await run('docker', ['ps', '-a', '--filter', 'label=com.docker.compose.project=nifty-useless-model', '--format', '{{.Names}}']);
    assert.equal(left.stdout.trim(), '');
  });

  test('the compose service is read-only, without capabilities, with no-new-privileges', { timeout: 120_000 }, async () => {
    const created = await mustRun('docker', ['compose', 'create', 'nifty-useless-model'], { cwd: demoDir });
    assert.equal(created.code, 0);
    const host = (await inspect('nifty-useless-model-nifty-useless-model-1')).HostConfig;
    assert.equal(host.ReadonlyRootfs, true);
    assert.deepEqual(host.CapDrop, ['ALL']);
    assert.ok(host.SecurityOpt.includes('no-new-privileges:true'));
    await compose(demoDir, ['down']);
  });

  test('editing only main.ts reuses the npm ci layer on rebuild', { timeout: 300_000 }, async () => {
    const tag = `docker-demos-test/nifty-cache:${process.pid}`;
    cleanups.push(() => run('docker', ['rmi', '-f', tag]));
    const rebuild = await rebuildAfterEdit(demoDir, 'main.ts', tag);
    assert.equal(rebuild.cached(/RUN --mount=type=bind,source=package\.json.*npm ci --omit=dev/), true, 'npm ci must be reused from the cache');
    assert.equal(rebuild.cached(/COPY package\.json main\.ts/), false, 'the edited source must be copied again');
    const { stdout } = await mustRun('docker', ['run', '--rm', tag]);
    assert.equal(stdout.trim(), greeting);
  });

  test('the root compose.yaml runs the demo too', { timeout: 300_000 }, async () => {
    cleanups.push(() => compose(repoRoot, ['down', '--volumes', '--rmi', 'local']));
    await mustRun('docker', ['compose', 'build', 'nifty-useless-model'], { cwd: repoRoot });
    const { stdout } = await mustRun('docker', ['compose', 'run', '--rm', 'nifty-useless-model'], { cwd: repoRoot });
    assert.equal(stdout.trim(), greeting);
  });
});
