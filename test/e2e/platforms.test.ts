/**
 * End-to-end tests of portability: every demo built for linux/arm64 and run on it (here under
 * QEMU emulation), with the same results as on linux/amd64, and the platforms lesson
 * (linear-classifier/platforms/README.md) run command by command.
 *
 * Emulated steps are slow (about ten times native), so each runs once; the builds share
 * BuildKit's cache with the demos' own tests. How long each demo took on arm64 is written to
 * test/artifacts/platforms/arm64-times.txt.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { outputsOf, type Cell, type Notebook } from '../lib/notebook.ts';
import {
  compose,
  engineSkip,
  inspect,
  mustRun,
  repoRoot,
  run,
  saveArtifact,
  waitFor,
  waitHealthy,
  type RunResult,
} from '../lib/docker.ts';
import { banknoteRow } from '../../linear-classifier/src/test-utils.ts';
import { composeLeftovers, dockerLines, imagesNamed, resourcesMatching } from '../lib/leftovers.ts';
import { runReadmeBlock } from '../lib/readme.ts';

const lesson = 'linear-classifier/platforms/README.md';
const linearClassifier = path.join(repoRoot, 'linear-classifier');
/** Everything this file makes is named after it, and removed in after(). */
const prefix = 'docker-demos-platforms';
const platforms = ['linux/amd64', 'linux/arm64'] as const;
type Platform = (typeof platforms)[number];
/** What `uname -m` says on each platform. */
const machine: Record<Platform, string> = { 'linux/amd64': 'x86_64', 'linux/arm64': 'aarch64' };
const appProject = `${prefix}-app`;
const appPort = '8190';
const appDir = path.join(repoRoot, 'classifier-app');
// The app's three passwords (one per database role): made for the run when missing, removed after.
const passwordFiles = ['db_password.txt', 'app_password.txt', 'trainer_password.txt'].map((f) => path.join(appDir, f));
const madePasswords = passwordFiles.filter((f) => !existsSync(f));

/** Seconds each arm64 step took, for the record. */
const times: string[] = [];
async function timed<T>(what: string, step: () => Promise<T>): Promise<T> {
  const start = Date.now();
  const result = await step();
  times.push(`${what}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

/** Builds one platform's image of a folder: `docker build --platform P -t TAG [ARGS] DIR`. */
function build(platform: Platform, tag: string, dir: string, args: string[] = []): Promise<unknown> {
  return mustRun('docker', ['build', '--platform', platform, '-t', tag, ...args, dir], { timeoutMs: 1_200_000 });
}

/** The platform an image says it is for, from its config. */
async function platformOf(image: string): Promise<string> {
  const config = await inspect(image);
  return `${config.Os}/${config.Architecture}`;
}

/**
 * Removes this file's containers, volumes and images, and the app's Compose project: with `run`
 * as far as it can (a clean-up), with `mustRun` failing on the first removal that fails (a test).
 */
async function removeEverything(runner: typeof mustRun): Promise<void> {
  await compose(appDir, ['-p', appProject, 'down', '-v', '--rmi', 'local', '--remove-orphans']);
  const containers = await dockerLines(['container', 'ls', '-aq', '--filter', `name=${prefix}`]);
  if (containers.length) await runner('docker', ['rm', '-f', ...containers]);
  const volumes = await dockerLines(['volume', 'ls', '-q', '--filter', `name=${prefix}`]);
  if (volumes.length) await runner('docker', ['volume', 'rm', '-f', ...volumes]);
  const images = await dockerLines([
    'image',
    'ls',
    '--format',
    '{{.Repository}}:{{.Tag}}',
    '--filter',
    `reference=${prefix}/*`,
  ]);
  if (images.length) await runner('docker', ['image', 'rm', '-f', ...images]);
}

/** Names of this file's images, containers and volumes. */
async function leftovers(): Promise<string[]> {
  return [
    ...(await resourcesMatching(`name=${prefix}`)),
    ...(await composeLeftovers(appProject)),
    ...(await imagesNamed(`${prefix}/*`)),
  ];
}

const jupyterImage = `${prefix}/linear-classifier-jupyter:arm64`;
const jupyterContainer = `${prefix}-jupyter`;
const jupyterDir = path.join(repoRoot, 'linear-classifier-jupyter');
// The compose file, and what the emulation needs more of: memory, and time to start (see the fixture).
const appEnv = {
  DOCKER_DEFAULT_PLATFORM: 'linux/arm64',
  CLASSIFIER_APP_PORT: appPort,
  COMPOSE_FILE: ['compose.yaml', path.join(repoRoot, 'test/fixtures/platforms/emulated.yaml')].join(path.delimiter),
};
/** When the two slow starts below began. */
let slowStartsBegan = 0;
/** The app's `docker compose up -d`, started in before(). */
let appUp: Promise<RunResult> | undefined;

describe(
  'every demo on linux/arm64, with the same results as on linux/amd64',
  { skip: engineSkip(), timeout: 2_400_000 },
  () => {
    before(async () => {
      // Emulated, Jupyter and PostgreSQL take minutes to start (Python's imports, initdb), on one
      // core each: they start first and boot while the tests below use the other core.
      await timed('linear-classifier-jupyter build', () => build('linux/arm64', jupyterImage, jupyterDir));
      await timed('classifier-app build', () =>
        mustRun('docker', ['compose', '-p', appProject, 'build'], { cwd: appDir, env: appEnv, timeoutMs: 1_200_000 }),
      );
      // As the README says: the script makes each missing one, readable by the database's user.
      await mustRun(path.join(appDir, 'create-secrets.sh'), []);
      slowStartsBegan = Date.now();
      await mustRun('docker', [
        'run',
        '-d',
        '--name',
        jupyterContainer,
        '--platform',
        'linux/arm64',
        '-p',
        '127.0.0.1::8888',
        '-v',
        `${path.join(linearClassifier, 'src')}:/home/jovyan/linear-classifier/src:ro`,
        '-v',
        `${path.join(linearClassifier, 'data')}:/home/jovyan/linear-classifier/data:ro`,
        jupyterImage,
      ]);
      // `up -d` returns once the jobs have completed and the app has started: not awaited here.
      appUp = run('docker', ['compose', '-p', appProject, 'up', '-d'], {
        cwd: appDir,
        env: appEnv,
        timeoutMs: 1_200_000,
      });
    });

    after(async () => {
      await appUp;
      saveArtifact('platforms/arm64-times.txt', times.join('\n') + '\n');
      for (const file of madePasswords) rmSync(file, { force: true });
      await removeEverything(run);
      // The lesson's clean-up block removes its own; this is the safety net when a test failed first.
      await run('docker', ['image', 'rm', '-f', 'linear-classifier:multi']);
      await run('docker', ['volume', 'rm', '-f', 'platforms-models']);
    });

    test(
      'the platforms lesson: one tag for two platforms, uname -m in each, the same model bytes',
      { timeout: 900_000 },
      async () => {
        await timed('lesson (multi-platform build of linear-classifier, two skin.csv runs)', async () => {
          for (const id of [
            'platforms-uname',
            'platforms-build',
            'platforms-run',
            'platforms-same-bytes',
            'platforms-clean',
          ]) {
            await runReadmeBlock(lesson, id, { cwd: linearClassifier, timeoutMs: 900_000 });
          }
        });
      },
    );

    test(
      'nifty-useless-model: the arm64 image is an arm64 image and prints its forecast',
      { timeout: 900_000 },
      async () => {
        const image = `${prefix}/nifty-useless-model:arm64`;
        await timed('nifty-useless-model build', () =>
          build('linux/arm64', image, path.join(repoRoot, 'nifty-useless-model')),
        );
        assert.equal(await platformOf(image), 'linux/arm64');
        const { stdout } = await timed('nifty-useless-model run', () =>
          mustRun('docker', ['run', '--rm', '--platform', 'linux/arm64', image]),
        );
        assert.equal(stdout, "I can't predict anything, but I know that 1 + 1 = 2.\n");
        const uname = await mustRun('docker', ['run', '--rm', '--platform', 'linux/arm64', image, 'uname', '-m']);
        assert.equal(uname.stdout.trim(), 'aarch64');
      },
    );

    test(
      'linear-classifier: banknote and skin, seeds 1 to 3, the same stdout and model bytes on both platforms and as golden/',
      { timeout: 900_000 },
      async () => {
        // One container per platform runs all six trainings, so that emulated Node.js starts once per run only.
        // In /tmp, laid out like /app (data/ and models/), so that every path the CLI prints is as in golden/.
        const script = [
          'cd /tmp && mkdir models && ln -s /app/data data',
          'for name in banknote skin; do for seed in 1 2 3; do',
          '  node /app/src/cli.ts --data "data/$name.csv" --seed "$seed" --verbose --save-model "models/$name-$seed.json" > "models/$name-$seed.txt"',
          '  echo "exit code: $?" >> "models/$name-$seed.txt"',
          'done; done',
          'for file in models/*; do echo "== $file"; cat "$file"; echo; done',
        ].join('\n');
        const outputs: Partial<Record<Platform, string>> = {};
        for (const platform of platforms) {
          const arch = platform.split('/')[1]!;
          const image = `${prefix}/linear-classifier:${arch}`;
          const what = `linear-classifier on ${arch}`;
          if (arch === 'arm64') await timed(`${what}: build`, () => build(platform, image, linearClassifier));
          else await build(platform, image, linearClassifier);
          assert.equal(await platformOf(image), platform);
          const train = () =>
            mustRun(
              'docker',
              [
                'run',
                '--rm',
                '--platform',
                platform,
                '--entrypoint',
                'sh',
                '-v',
                `${path.join(linearClassifier, 'data')}:/app/data:ro`,
                image,
                '-c',
                script,
              ],
              { timeoutMs: 900_000 },
            );
          outputs[platform] = (arch === 'arm64' ? await timed(`${what}: six trainings`, train) : await train()).stdout;
          saveArtifact(`platforms/linear-classifier-${arch}.txt`, outputs[platform]);
        }
        assert.equal(
          outputs['linux/arm64'],
          outputs['linux/amd64'],
          'the same transcripts and model bytes on arm64 as on amd64',
        );
        // And the same as the golden files, which the host's Node.js wrote.
        const files = outputs['linux/amd64']!.split(/^== models\//m).slice(1);
        assert.equal(files.length, 12);
        for (const file of files) {
          const [name, ...content] = file.split('\n');
          assert.equal(
            content.join('\n').replace(/\n$/, ''),
            readFileSync(path.join(linearClassifier, 'golden', name!), 'utf8'),
            `${name} as in golden/`,
          );
        }
      },
    );

    test(
      'classifier-api: the arm64 image answers /predict with the same labels and scores as amd64',
      { timeout: 900_000 },
      async () => {
        const rows = [banknoteRow, [-1.3971, 3.3191, -1.3927, -1.9948], [0.5, -0.5, 1.5, -1.5], [-5, 9, 0, -3]];
        const answers: Partial<Record<Platform, unknown>> = {};
        for (const platform of platforms) {
          const arch = platform.split('/')[1]!;
          const trainer = `${prefix}/linear-classifier:${arch}`;
          const api = `${prefix}/classifier-api:${arch}`;
          const volume = `${prefix}-models-${arch}`;
          const container = `${prefix}-api-${arch}`;
          const buildApi = () =>
            build(platform, api, path.join(repoRoot, 'classifier-api'), [
              '--build-context',
              `model=${path.join(linearClassifier, 'src')}`,
            ]);
          if (arch === 'arm64') await timed('classifier-api build', buildApi);
          else await buildApi();
          assert.equal(await platformOf(api), platform);
          // The trainer of the compose file (the linear-classifier image, same arguments), on this platform.
          await mustRun(
            'docker',
            [
              'run',
              '--rm',
              '--platform',
              platform,
              '-v',
              `${volume}:/app/models`,
              '-v',
              `${path.join(linearClassifier, 'data')}:/app/data:ro`,
              trainer,
              '--data',
              'data/banknote.csv',
              '--seed',
              '1',
              '--save-model',
              '/app/models/banknote.json',
            ],
            { timeoutMs: 300_000 },
          );
          const start = Date.now();
          await mustRun('docker', [
            'run',
            '-d',
            '--name',
            container,
            '--platform',
            platform,
            '--read-only',
            '--init',
            '-v',
            `${volume}:/app/models:ro`,
            '-p',
            '127.0.0.1::3000',
            api,
          ]);
          await waitHealthy(container, 300_000);
          if (arch === 'arm64')
            times.push(`classifier-api start until healthy: ${((Date.now() - start) / 1000).toFixed(1)} s`);
          const port = (await mustRun('docker', ['port', container, '3000/tcp'])).stdout
            .trim()
            .split('\n')[0]!
            .split(':')
            .pop();
          const response = await fetch(`http://127.0.0.1:${port}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ rows }),
          });
          assert.equal(response.status, 200);
          answers[platform] = await response.json();
          const uname = await mustRun('docker', ['exec', container, 'uname', '-m']);
          assert.equal(uname.stdout.trim(), machine[platform]);
        }
        assert.deepEqual(answers['linux/arm64'], answers['linux/amd64']);
        assert.deepEqual((answers['linux/amd64'] as { labels: string[] }).labels.slice(0, 2), ['0', '1']);
      },
    );

    test(
      'classifier-app: the whole stack on arm64 (postgres:17 too) comes up healthy and stores a prediction',
      { timeout: 1_200_000 },
      async () => {
        // Started in before(): the jobs (migrate, trainer) run first, then the app.
        const up = await appUp!;
        assert.equal(up.code, 0, up.output);
        await waitHealthy(`${appProject}-classifier-app-1`, 600_000);
        times.push(
          `classifier-app start until healthy (db, migrate, trainer, app): ${((Date.now() - slowStartsBegan) / 1000).toFixed(1)} s`,
        );
        const { stdout } = await mustRun('docker', ['compose', '-p', appProject, 'ps', '-aq'], { cwd: appDir });
        for (const id of stdout.split('\n').filter(Boolean)) {
          // The image of the platform the container runs (postgres:17 is one tag for both).
          const {
            Name,
            ImageManifestDescriptor: { platform },
          } = await inspect(id);
          assert.equal(`${platform.os}/${platform.architecture}`, 'linux/arm64', `${Name} runs an arm64 image`);
        }
        const base = `http://127.0.0.1:${appPort}`;
        const created = await waitFor(
          'a stored prediction',
          async () => {
            const response = await fetch(`${base}/api/predictions`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ features: banknoteRow, note: 'on arm64' }),
            });
            return response.status === 201 || response.status === 200
              ? (response.json() as Promise<{ id: unknown; label: string }>)
              : undefined;
          },
          60_000,
          1000,
        );
        assert.equal(created.label, '0');
        // Read back from the database: the list of recent predictions has it, note and all.
        const recent = (await (await fetch(`${base}/api/predictions`)).json()) as {
          id: unknown;
          note: string | null;
        }[];
        assert.equal(recent.find((p) => p.id === created.id)?.note, 'on arm64');
      },
    );

    test(
      'linear-classifier-jupyter: the arm64 image becomes healthy, and its Deno kernel runs a cell of the notebook',
      { timeout: 1_800_000 },
      async () => {
        assert.equal(await platformOf(jupyterImage), 'linux/arm64');
        await waitHealthy(jupyterContainer, 600_000);
        times.push(
          `linear-classifier-jupyter start until healthy: ${((Date.now() - slowStartsBegan) / 1000).toFixed(1)} s`,
        );
        // A cell of the notebook (its first example: the output of a perceptron), after a stand-in for
        // the notebook's show() that displays a value as the notebook's does, and a cell that asks
        // Deno for its processor. The notebook's plotting imports would take minutes under emulation.
        const notebook = JSON.parse(readFileSync(path.join(jupyterDir, 'perceptron.ipynb'), 'utf8')) as Notebook;
        const cell = notebook.cells.filter((c) => c.cell_type === 'code')[1]!;
        assert.match(cell.source.join(''), /^await show\(output\(/m, 'the second code cell shows an output');
        const code = (source: string): Cell => ({
          cell_type: 'code',
          metadata: {},
          outputs: [],
          execution_count: null,
          source: [source],
        });
        const probe: Notebook = {
          ...notebook,
          cells: [
            code('async function show(value: unknown): Promise<void> { await Deno.jupyter.display(value); }'),
            { ...cell, outputs: [], execution_count: null },
            code('console.log(Deno.build.arch)'),
          ],
        };
        const executed = await timed('linear-classifier-jupyter: the Deno kernel runs the cell', () =>
          mustRun(
            'docker',
            [
              'exec',
              '-i',
              jupyterContainer,
              'sh',
              '-c',
              'cat > probe.ipynb && jupyter nbconvert --to notebook --execute --stdout probe.ipynb',
            ],
            { input: JSON.stringify(probe), timeoutMs: 600_000 },
          ),
        );
        const result = JSON.parse(executed.stdout) as Notebook;
        assert.equal(result.metadata.kernelspec?.name, 'deno');
        const [, shown, arch] = outputsOf(result) as { text?: string }[][];
        assert.deepEqual(
          shown,
          outputsOf({ ...notebook, cells: [cell] })[0],
          'the same output as the committed notebook (amd64)',
        );
        assert.equal(arch?.[0]?.text?.trim(), 'aarch64', 'the kernel is the arm64 Deno');
      },
    );

    test('nothing of this file is left behind', { timeout: 300_000 }, async () => {
      await removeEverything(mustRun);
      assert.deepEqual(await leftovers(), []);
    });
  },
);
