/**
 * End-to-end tests of nifty-useless-model: every command of its README, run for real, plus what
 * the README claims about the image (non-root, layer cache) and the root compose file.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { compose, engineSkip, inspect, mustRun, repoRoot, run } from '../lib/docker.ts';
import { rebuildAfterEdit } from '../lib/rebuild.ts';
import { composeLeftovers, dockerLines, resourcesMatching } from '../lib/leftovers.ts';
import { runReadmeBlock } from '../lib/readme.ts';

const readme = 'nifty-useless-model/README.md';
const demoDir = path.join(repoRoot, 'nifty-useless-model');
/** The filter for the containers of the demo's Compose project. */
const project = 'label=com.docker.compose.project=nifty-useless-model';
const greeting = "I can't predict anything, but I know that 1 + 1 = 2.";

describe('nifty-useless-model', { skip: engineSkip() }, () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  cleanups.push(() => compose(demoDir, ['down', '--volumes', '--rmi', 'local']));

  cleanups.push(() => run('docker', ['rm', '-f', 'nifty-by-hand', 'nifty-waits']));
  cleanups.push(() => run('docker', ['rmi', '-f', 'nifty-useless-model']));

  test('README by hand: docker build -t, then docker images lists the image', { timeout: 300_000 }, async () => {
    await runReadmeBlock(readme, 'nifty-cli-build');
    const image = await inspect('nifty-useless-model');
    assert.equal(image.Config.User, 'node');
    assert.deepEqual(image.Config.Cmd, ['node', 'main.ts']);
  });

  test(
    'README by hand: docker run prints the sum, docker ps -a shows the exited container, docker rm removes it',
    { timeout: 120_000 },
    async () => {
      await runReadmeBlock(readme, 'nifty-cli-run');
      assert.deepEqual(await resourcesMatching('name=^nifty-by-hand$'), [], 'docker rm removed it');
    },
  );

  test(
    'README by hand: docker run -d, docker ps shows it up, docker stop waits out sleep, docker rm removes it',
    { timeout: 120_000 },
    async () => {
      const started = Date.now();
      await runReadmeBlock(readme, 'nifty-cli-stop');
      // The README says docker stop takes ten seconds, because sleep ignores SIGTERM.
      assert.ok(Date.now() - started >= 10_000, `the block took ${Date.now() - started} ms`);
      assert.deepEqual(await resourcesMatching('name=^nifty-waits$'), [], 'docker rm removed it');
    },
  );

  test(
    'README by hand: after an edit of main.ts the rebuild reuses npm ci, and the image runs the edit',
    { timeout: 300_000 },
    async () => {
      // In a copy: the block edits main.ts.
      const copy = mkdtempSync(path.join(os.tmpdir(), 'nifty-edit-'));
      cleanups.push(async () => rmSync(copy, { recursive: true, force: true }));
      cpSync(demoDir, copy, { recursive: true, filter: (src) => !src.split(path.sep).includes('node_modules') });
      await runReadmeBlock(readme, 'nifty-cli-cache', { cwd: copy });
      // The edit names the time, so that no earlier run's build cache holds the edited file.
      assert.match(readFileSync(path.join(copy, 'main.ts'), 'utf8'), /Edited at \d\d:\d\d:\d\d, and rebuilt\./);
    },
  );

  test(
    'README: docker compose run prints the sum as the node user and removes its container',
    { timeout: 300_000 },
    async () => {
      const [result] = await runReadmeBlock(readme, 'nifty-run');
      assert.ok(result!.stdout.includes(greeting));
      const image = await inspect('nifty-useless-model-nifty-useless-model');
      assert.equal(image.Config.User, 'node');
      const left = await dockerLines(['ps', '-a', '--filter', project, '--format', '{{.Names}}']);
      assert.deepEqual(left, [], 'run --rm must leave no container behind');
    },
  );

  test(
    'README: docker compose up shows the log and exit code, down removes everything',
    { timeout: 120_000 },
    async () => {
      await runReadmeBlock(readme, 'nifty-up');
      const state = (await inspect('nifty-useless-model-nifty-useless-model-1')).State;
      assert.equal(state.ExitCode, 0);
      await runReadmeBlock(readme, 'nifty-down');
      assert.deepEqual(await composeLeftovers('nifty-useless-model'), [], 'no container, network or image is left');
      for (const image of ['nifty-useless-model', 'nifty-useless-model-nifty-useless-model']) {
        assert.equal((await run('docker', ['image', 'inspect', image])).code, 1, `${image} is removed`);
      }
    },
  );

  test(
    'the compose service is read-only, without capabilities, with no-new-privileges',
    { timeout: 120_000 },
    async () => {
      const created = await mustRun('docker', ['compose', 'create', '--build', 'nifty-useless-model'], {
        cwd: demoDir,
      });
      assert.equal(created.code, 0);
      const host = (await inspect('nifty-useless-model-nifty-useless-model-1')).HostConfig;
      assert.equal(host.ReadonlyRootfs, true);
      assert.deepEqual(host.CapDrop, ['ALL']);
      assert.ok(host.SecurityOpt.includes('no-new-privileges:true'));
      await compose(demoDir, ['down']);
    },
  );

  test('editing only main.ts reuses the npm ci layer on rebuild', { timeout: 300_000 }, async () => {
    const tag = `docker-demos-test/nifty-cache:${process.pid}`;
    cleanups.push(() => run('docker', ['rmi', '-f', tag]));
    const rebuild = await rebuildAfterEdit(demoDir, 'main.ts', tag);
    assert.equal(
      rebuild.cached(/RUN --mount=type=bind,source=package\.json.*npm ci --omit=dev/),
      true,
      'npm ci must be reused from the cache',
    );
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
