/**
 * End-to-end tests of linear-classifier: every command of its README, run for real on a Docker
 * engine, plus what the README claims about the container (same bytes as on the host, non-root,
 * read-only, no network, models in the named volume) and the devcontainer's compose file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { compose, engineSkip, inspect, mustRun, repoRoot, run } from '../lib/docker.ts';
import { rebuildAfterEdit } from '../lib/rebuild.ts';
import type { ComposeFile } from '../lib/files.ts';
import { assertReadmeOutput, runReadmeBlock } from '../lib/readme.ts';
import { modelFromJSON } from '../../linear-classifier/src/model-file.ts';

const readme = 'linear-classifier/README.md';
// The model's own page (the options) and the data's (what a perceptron does with skin.csv).
const modelReadme = 'linear-classifier/src/README.md';
const dataReadme = 'linear-classifier/data/README.md';
const demoDir = path.join(repoRoot, 'linear-classifier');
// A project name of its own, so the tests neither see nor clobber a learner's runs.
const project = 'linear-classifier-e2e';
const env = { COMPOSE_PROJECT_NAME: project };
const cacheTag = 'linear-classifier-e2e-cache';
const banknoteArgs = ['--data', 'data/banknote.csv', '--seed', '1', '--save-model', 'models/banknote.json'];

describe('linear-classifier', { skip: engineSkip() }, () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'linear-classifier-e2e-'));
  after(async () => {
    // The README's clean-up block runs last; this is the safety net when a test failed before it.
    await compose(demoDir, ['--profile', 'skin', 'down', '--volumes', '--rmi', 'local'], { env });
    await run('docker', ['rmi', 'linear-classifier', cacheTag]);
    rmSync(path.join(demoDir, 'more-data'), { recursive: true, force: true });
    // The devcontainer run mounts the folder over /app, so Docker made models/ in it for the volume.
    try {
      rmdirSync(path.join(demoDir, 'models'));
    } catch {
      /* not there, or not empty: keep */
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  test(
    'README: docker compose run --rm linear-classifier trains on banknote, >= 90 % test accuracy, exit 0',
    { timeout: 300_000 },
    async () => {
      const [result] = await runReadmeBlock(readme, 'linear-classifier-run', { env });
      const accuracy = /^test accuracy: (\d+\.\d\d) %$/m.exec(result!.stdout);
      assert.ok(accuracy, result!.stdout);
      assert.ok(Number(accuracy[1]) >= 90);
      assert.equal(result!.code, 0);
      const left = await run('docker', [
        'ps',
        '-a',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--format',
        '{{.Names}}',
      ]);
      assert.equal(left.stdout.trim(), '', 'run --rm leaves no container behind');
    },
  );

  test(
    'the same seed prints the same bytes twice in the container, and the same as on the host',
    { timeout: 120_000 },
    async () => {
      const first = await mustRun('docker', ['compose', 'run', '--rm', 'linear-classifier'], { cwd: demoDir, env });
      const second = await mustRun('docker', ['compose', 'run', '--rm', 'linear-classifier'], { cwd: demoDir, env });
      assert.equal(second.stdout, first.stdout);
      // On the host, from a folder laid out like /app (data/ and models/), with the Node running the tests.
      symlinkSync(path.join(demoDir, 'data'), path.join(tmp, 'data'));
      const host = await mustRun(process.execPath, [path.join(demoDir, 'src', 'cli.ts'), ...banknoteArgs], {
        cwd: tmp,
      });
      assert.equal(host.stdout, first.stdout);
    },
  );

  test('README: bad input is one line and exit 1 (data) or 2 (command line)', { timeout: 120_000 }, async () => {
    const results = await runReadmeBlock(readme, 'linear-classifier-bad-input', { env, exitCodes: [1, 2] });
    for (const r of results) assert.doesNotMatch(r.output, /node:internal|\.ts:\d+:\d+/, 'no stack trace');
  });

  test('the image: the CLI as entrypoint, the node user, no tests inside', { timeout: 120_000 }, async () => {
    const image = await inspect(`${project}-linear-classifier`);
    assert.equal(image.Config.User, 'node');
    assert.deepEqual(image.Config.Entrypoint, ['node', 'src/cli.ts']);
    assert.deepEqual(image.Config.Cmd, ['--help']);
    assert.equal(image.Config.WorkingDir, '/app');
    const ls = await mustRun('docker', ['run', '--rm', '--entrypoint', 'ls', `${project}-linear-classifier`, 'src']);
    assert.deepEqual(ls.stdout.trim().split('\n').sort(), [
      'args.ts',
      'cli.ts',
      'csv.ts',
      'model-file.ts',
      'normalise.ts',
      'perceptron.ts',
      'random.ts',
      'settings.ts',
      'training.ts',
    ]);
  });

  test(
    'the container: non-root, read-only root and data, writable models, no network',
    { timeout: 120_000 },
    async () => {
      const script = [
        'id -u',
        'touch /app/x 2>&1 || true',
        'touch /app/data/x 2>&1 || true',
        'touch /app/models/probe && rm /app/models/probe && echo models writable',
        'ls /sys/class/net',
      ].join('; ');
      const r = await mustRun(
        'docker',
        ['compose', 'run', '--rm', '--entrypoint', 'sh', 'linear-classifier', '-c', script],
        { cwd: demoDir, env },
      );
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines[0], '1000');
      assert.match(lines[1]!, /Read-only file system/);
      assert.match(lines[2]!, /Read-only file system/);
      assert.equal(lines[3], 'models writable');
      assert.deepEqual(lines.slice(4), ['lo'], 'network_mode none: only the loopback interface');
    },
  );

  test('the layer order: after editing the source only the last layer is rebuilt', { timeout: 300_000 }, async () => {
    const rebuild = await rebuildAfterEdit(demoDir, 'src/cli.ts', cacheTag);
    assert.equal(rebuild.cached(/RUN mkdir/), true);
    assert.equal(rebuild.cached(/COPY package\.json/), true);
    assert.equal(rebuild.cached(/COPY src\//), false, 'the edited source must be copied again');
  });

  test('README: the same run with plain docker build and docker run', { timeout: 300_000 }, async () => {
    await runReadmeBlock(readme, 'linear-classifier-docker-run');
  });

  test(
    "src/README.md: --help in the container prints the options with the model's defaults and ranges",
    { timeout: 120_000 },
    async () => {
      const help = await mustRun('docker', ['compose', 'run', '--rm', 'linear-classifier', '--help'], {
        cwd: demoDir,
        env,
      });
      assertReadmeOutput(modelReadme, 'linear-classifier-help', help.stdout);
    },
  );

  test('README: a second data folder, mounted read-only next to the first', { timeout: 120_000 }, async () => {
    await runReadmeBlock(readme, 'linear-classifier-more-data', { env });
  });

  test('README: the models are in the named volume and load with modelFromJSON', { timeout: 120_000 }, async () => {
    await runReadmeBlock(readme, 'linear-classifier-models', { env });
    const json = await mustRun(
      'docker',
      ['compose', 'run', '--rm', '--entrypoint', 'cat', 'linear-classifier', 'models/banknote.json'],
      { cwd: demoDir, env },
    );
    const model = modelFromJSON(JSON.parse(json.stdout));
    assert.equal(model.featureCount, 4);
    assert.equal(model.metrics?.seed, 1);
    assert.ok(model.metrics.testAccuracy >= 0.9);
    const volume = await inspect(`${project}_linear-classifier-models`);
    assert.equal(volume.Labels['com.docker.compose.project'], project);
  });

  test(
    'data/README.md: the skin service converges by the rule with seed 1, and gives up with exit 3 with seed 5',
    { timeout: 300_000 },
    async () => {
      await runReadmeBlock(dataReadme, 'linear-classifier-skin', { env });
      await runReadmeBlock(dataReadme, 'linear-classifier-skin-stuck', { env, exitCodes: [3] });
    },
  );

  test(
    'the devcontainer: the service with the folder mounted over /app and a writable root',
    { timeout: 240_000 },
    async () => {
      const r = await mustRun(
        'docker',
        ['compose', '-f', 'compose.yaml', '-f', '.devcontainer/compose.yaml', 'config', '--format', 'json'],
        { cwd: demoDir, env },
      );
      const service = (JSON.parse(r.stdout) as ComposeFile).services?.['linear-classifier'];
      assert.ok(service, 'the linear-classifier service');
      assert.equal(service.read_only ?? false, false);
      assert.deepEqual(service.cap_drop, ['ALL']);
      const app = service.volumes?.find((v) => v.target === '/app');
      assert.equal(app?.type, 'bind');
      assert.equal(app?.source, demoDir);
      // And `npm test`, as the README says, runs the unit tests in it against the mounted working copy.
      const tests = await mustRun(
        'docker',
        [
          'compose',
          '-f',
          'compose.yaml',
          '-f',
          '.devcontainer/compose.yaml',
          'run',
          '--rm',
          '--entrypoint',
          'npm',
          'linear-classifier',
          'test',
          '--',
          '--test-reporter=dot',
        ],
        { cwd: demoDir, env, timeoutMs: 180_000 },
      );
      assert.equal(tests.code, 0);
    },
  );

  test('README: down removes the images and the model volume', { timeout: 120_000 }, async () => {
    await runReadmeBlock(readme, 'linear-classifier-down', { env });
    const images = await run('docker', ['images', '-q', `${project}-linear-classifier`]);
    assert.equal(images.stdout.trim(), '');
    const volume = await run('docker', ['volume', 'inspect', `${project}_linear-classifier-models`]);
    assert.notEqual(volume.code, 0, 'the model volume is gone');
  });
});
