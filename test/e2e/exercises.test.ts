/**
 * End-to-end tests of the exercises (exercises/*): for each one, the README's commands that show
 * the symptom, its check failing on the broken start with a line that names the problem, and the
 * check passing on the reference solution. For several, the check also passes on another correct
 * fix (test/fixtures/exercises/fixes/) and fails on a change that only hides the symptom
 * (test/fixtures/exercises/non-fixes/): the checks test behaviour, not the text of the files.
 * After every check, nothing with the exercise's names is left behind.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { engineSkip, repoRoot, run, saveArtifact, type RunResult } from '../lib/docker.ts';
import { composeLeftovers, dockerLines, imagesNamed, resourcesMatching } from '../lib/leftovers.ts';
import { runReadmeBlock } from '../lib/readme.ts';

interface Exercise {
  /** Its folder under exercises/, which is also the Compose project name of the README's commands. */
  folder: string;
  /** The README's run block of ./check on the broken start. */
  checkBlock: string;
  /** The README's run block of ./check solution. */
  solutionBlock: string;
  /** The README's run blocks that show the symptom and clean up after it, in the order to run them. */
  readmeBlocks: { id: string; exitCodes?: number[] }[];
  /** Lines that the check must print on the broken start: each names the problem. */
  problems: RegExp[];
}

const exercises: Exercise[] = [
  {
    folder: '01-missing-code',
    checkBlock: 'ex01-check',
    solutionBlock: 'ex01-solution',
    readmeBlocks: [{ id: 'ex01-symptom', exitCodes: [1] }, { id: 'ex01-look' }, { id: 'ex01-clean' }],
    problems: [
      /^does not hold: a container of the image runs main\.ts: it says "Error: Cannot find module '\/app\/main\.ts'"/m,
    ],
  },
  {
    folder: '02-run-is-not-cmd',
    checkBlock: 'ex02-check',
    solutionBlock: 'ex02-solution',
    readmeBlocks: [{ id: 'ex02-symptom' }, { id: 'ex02-cmd' }, { id: 'ex02-clean' }],
    problems: [
      /^does not hold: the build does not run the program: the build printed the forecast/m,
      /^does not hold: docker compose run runs the program: the container printed no forecast/m,
    ],
  },
  {
    folder: '03-cache-buster',
    checkBlock: 'ex03-check',
    solutionBlock: 'ex03-solution',
    readmeBlocks: [],
    problems: [
      /^does not hold: after an edit of main\.ts alone, the rebuild reuses the npm ci layer: npm ci ran again/m,
    ],
  },
  {
    folder: '04-vanished-model',
    checkBlock: 'ex04-check',
    solutionBlock: 'ex04-solution',
    readmeBlocks: [{ id: 'ex04-symptom', exitCodes: [0, 1] }, { id: 'ex04-clean' }],
    problems: [
      /^does not hold: predict, in a new container, finds the model that train saved: it says "error: no model/m,
    ],
  },
  {
    folder: '05-empty-mount',
    checkBlock: 'ex05-check',
    solutionBlock: 'ex05-solution',
    readmeBlocks: [{ id: 'ex05-symptom', exitCodes: [0, 1] }, { id: 'ex05-volumes' }, { id: 'ex05-clean' }],
    problems: [
      /^does not hold: the container sees the files in the host folder \.\/data: the check put check-.*\.csv into \.\/data, and the container did not list it/m,
    ],
  },
  {
    folder: '06-secret-in-a-layer',
    checkBlock: 'ex06-check',
    solutionBlock: 'ex06-solution',
    readmeBlocks: [{ id: 'ex06-symptom' }, { id: 'ex06-clean' }],
    problems: [
      /^does not hold: the key is not in the image's history: docker history --no-trunc shows it/m,
      /^does not hold: the key is in no layer of the image, and not in its settings: docker image save gives it away/m,
    ],
  },
  {
    folder: '07-root-on-every-interface',
    checkBlock: 'ex07-check',
    solutionBlock: 'ex07-solution',
    readmeBlocks: [{ id: 'ex07-symptom' }, { id: 'ex07-clean' }],
    problems: [
      /^does not hold: no process in the container runs as root: "node server\.ts" runs as user id 0, root/m,
      /^does not hold: the service is published on 127\.0\.0\.1 only: it is published on 0\.0\.0\.0:8107/m,
    ],
  },
  {
    folder: '08-huge-build-context',
    checkBlock: 'ex08-check',
    solutionBlock: 'ex08-solution',
    readmeBlocks: [],
    problems: [/^does not hold: the build context is under 1 MB: it was 5\d\d(\.\d+)?MB/m],
  },
  {
    folder: '09-started-too-soon',
    checkBlock: 'ex09-check',
    solutionBlock: 'ex09-solution',
    readmeBlocks: [{ id: 'ex09-symptom' }, { id: 'ex09-clean' }],
    problems: [
      /^does not hold: the app gets its prediction from the model server: it says "error: the model server at http:\/\/model:3000\/predict does not answer \(ECONNREFUSED\)"/m,
      /^does not hold: the model server has a healthcheck that reports healthy once the model has loaded: it has no healthcheck/m,
      /^does not hold: the app starts only once the model server is healthy/m,
    ],
  },
  {
    folder: '10-will-not-stop',
    checkBlock: 'ex10-check',
    solutionBlock: 'ex10-solution',
    // The hint's commands first: they start the server, which the symptom's commands then stop.
    readmeBlocks: [{ id: 'ex10-pid1' }, { id: 'ex10-symptom' }, { id: 'ex10-clean' }],
    problems: [
      /^does not hold: docker compose stop stops it within 2 s: it took (9|1\d)\.\d s/m,
      /^does not hold: the program gets the SIGTERM and exits by itself: node never logged "SIGTERM received", and Docker had to end the container with SIGKILL/m,
    ],
  },
  {
    folder: '11-exec-format-error',
    checkBlock: 'ex11-check',
    solutionBlock: 'ex11-solution',
    readmeBlocks: [{ id: 'ex11-symptom', exitCodes: [0, 0, 1] }, { id: 'ex11-clean' }],
    problems: [
      /^does not hold: linux\/arm64: a container prints the forecast: it says "exec \/usr\/local\/bin\/deno: no such file or directory"/m,
      /^does not hold: linux\/arm64: the image and its Deno are built for aarch64: Deno does not start in the arm64 image/m,
    ],
  },
];

/**
 * Changes that only hide the symptom (test/fixtures/exercises/non-fixes/EXERCISE/NAME/), each with
 * the lines its check must print: every one must fail, naming what is still wrong.
 */
const nonFixProblems: Record<string, RegExp[]> = {
  '01-missing-code/code-mounted-at-run-time': [
    /^does not hold: a container of the image runs main\.ts: it says "Error: Cannot find module '\/app\/main\.ts'"/m,
  ],
  '02-run-is-not-cmd/output-kept-from-the-build': [
    /^holds: the build does not run the program$/m,
    /^does not hold: each container makes a new forecast: two containers, started one after the other, both printed "Forecast made at .*": that forecast was made once/m,
  ],
  '03-cache-buster/cache-mount-only': [
    /^does not hold: after an edit of main\.ts alone, the rebuild reuses the npm ci layer: npm ci ran again/m,
  ],
  '04-vanished-model/model-built-into-the-image': [
    /^does not hold: predict, in a new container, finds the model that train saved: it used another model than the one train saved just now/m,
  ],
  '06-secret-in-a-layer/secret-copied-then-deleted': [
    /^holds: the key is not in the image's history$/m,
    /^does not hold: the key is in no layer of the image, and not in its settings: docker image save gives it away/m,
  ],
  '05-empty-mount/data-copied-into-the-image': [
    /^does not hold: the container sees the files in the host folder \.\/data: the check put check-.*\.csv into \.\/data, and the container did not list it; .* Here nothing is mounted at \/app\/data/m,
  ],
  '09-started-too-soon/fixed-sleep': [
    /^does not hold: the model server has a healthcheck that reports healthy once the model has loaded: it has no healthcheck/m,
    /^does not hold: the app does not wait a fixed time: it ran for [5-9]\.\d s/m,
  ],
  '09-started-too-soon/healthy-before-ready': [
    /^holds: the app gets its prediction from the model server$/m,
    /^does not hold: the model server has a healthcheck that reports healthy once the model has loaded: it reported healthy [0-2]\.\d s after it started, before the model had loaded/m,
  ],
  '10-will-not-stop/shorter-grace-period': [
    /^does not hold: the program gets the SIGTERM and exits by itself: node never logged "SIGTERM received", and Docker had to end the container with SIGKILL/m,
  ],
  '11-exec-format-error/pinned-to-amd64': [
    /^does not hold: linux\/arm64: the image and its Deno are built for aarch64: docker build --platform linux\/arm64 made an image whose programs are for x86_64: something pins the platform/m,
  ],
};

const exercisesDir = path.join(repoRoot, 'exercises');
const fixturesDir = path.join(repoRoot, 'test', 'fixtures', 'exercises');
const checkProject = (folder: string): string => `exercise-${folder.slice(0, 2)}`;

/** Everything of a Compose project, or named after it, that is still there; [] when nothing is. */
async function leftovers(project: string): Promise<string[]> {
  const found = [
    ...(await composeLeftovers(project)),
    ...(await resourcesMatching(`name=${project}`)),
    ...(await dockerLines([
      'image',
      'ls',
      '--filter',
      `label=com.docker.compose.project=${project}`,
      '--format',
      'image {{.Repository}}:{{.Tag}} {{.ID}}',
    ])),
    ...(await imagesNamed(`docker-demos-${project}`)),
    ...readdirSync(os.tmpdir())
      .filter((name) => name.startsWith(`docker-demos-${project}`))
      .map((name) => `folder ${name}`),
  ];
  return [...new Set(found)];
}

/** Removes what a failed test may have left of a Compose project, by Compose's labels. */
async function removeProject(project: string): Promise<void> {
  const label = `label=com.docker.compose.project=${project}`;
  for (const [kind, remove] of [
    ['container', ['rm', '-f']],
    ['volume', ['rm', '-f']],
    ['network', ['rm']],
    ['image', ['rm', '-f']],
  ] as const) {
    const ids = await dockerLines([kind, 'ls', ...(kind === 'container' ? ['-a'] : []), '-q', '--filter', label]);
    if (ids.length) await run('docker', [kind, ...remove, ...ids]);
  }
}

/**
 * A copy of an exercise's broken start (without its README, check and solution) with the files of
 * a fixture folder laid over it. The caller removes it.
 */
function overlay(folder: string, fixture: string): string {
  const exerciseDir = path.join(exercisesDir, folder);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exercise-overlay-'));
  const skip = new Set(['README.md', 'check', 'solution']);
  cpSync(exerciseDir, dir, {
    recursive: true,
    filter: (src) => !skip.has(path.relative(exerciseDir, src).split(path.sep)[0]!),
  });
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

/** Runs an exercise's check on a folder, and keeps what it printed under test/artifacts/. */
async function check(folder: string, dir: string, artifact: string): Promise<RunResult> {
  const result = await run(path.join(exercisesDir, folder, 'check'), [dir], { timeoutMs: 240_000 });
  saveArtifact(`exercises/${artifact}.txt`, result.output);
  return result;
}

describe('exercises', { skip: engineSkip() }, () => {
  after(async () => {
    for (const { folder } of exercises) {
      await removeProject(folder);
      await removeProject(checkProject(folder));
    }
  });

  test('every exercise folder is tested here', () => {
    const folders = readdirSync(exercisesDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    assert.deepEqual(
      folders,
      exercises.map((e) => e.folder),
    );
  });

  test('every non-fix listed here has its fixture folder, and every fixture folder is listed', () => {
    const folders = readdirSync(path.join(fixturesDir, 'non-fixes')).flatMap((folder) =>
      readdirSync(path.join(fixturesDir, 'non-fixes', folder)).map((name) => `${folder}/${name}`),
    );
    assert.deepEqual(folders.sort(), Object.keys(nonFixProblems).sort());
  });

  test(
    "08's hint: a .dockerignore pattern is matched from the context's root, unlike .gitignore's",
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'dockerignore-'));
      try {
        const context = path.join(dir, 'context');
        for (const file of ['app.log', 'logs/app.log', 'node_modules/x.js', 'sub/node_modules/x.js', 'keep.txt']) {
          mkdirSync(path.dirname(path.join(context, file)), { recursive: true });
          writeFileSync(path.join(context, file), 'x\n');
        }
        writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
        /** The files of the context that reach the builder with these .dockerignore lines. */
        const sent = async (ignore: string): Promise<string[]> => {
          writeFileSync(path.join(context, '.dockerignore'), `${ignore}\nDockerfile\n.dockerignore\n`);
          const out = path.join(dir, `out-${Date.now()}`);
          const build = await run('docker', ['build', '-q', '--output', `type=local,dest=${out}`, context]);
          assert.equal(build.code, 0, build.output);
          return readdirSync(out, { recursive: true, withFileTypes: true })
            .filter((e) => e.isFile())
            .map((e) => path.relative(out, path.join(e.parentPath, e.name)))
            .sort();
        };
        assert.deepEqual(await sent('*.log\nnode_modules'), ['keep.txt', 'logs/app.log', 'sub/node_modules/x.js']);
        assert.deepEqual(await sent('**/*.log'), ['keep.txt', 'node_modules/x.js', 'sub/node_modules/x.js']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test('a check given no folder, or two, says so in one line and exits 2', { timeout: 60_000 }, async () => {
    const checkFile = path.join(exercisesDir, '01-missing-code', 'check');
    const missing = await run(checkFile, ['no-such-folder']);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.output,
      "error: no-such-folder is not a folder: name the project folder to check, or nothing for this exercise's folder\n",
    );
    const two = await run(checkFile, ['a', 'b']);
    assert.equal(two.code, 2);
    assert.match(two.output, /^usage: \.\/check \[FOLDER\]/);
    assert.equal(two.output.split('\n').length, 2, 'one line');
  });

  for (const exercise of exercises) {
    const { folder } = exercise;
    const readme = `exercises/${folder}/README.md`;
    const project = checkProject(folder);

    if (exercise.readmeBlocks.length) {
      test(
        `${folder}: the README's commands show the symptom, and clean up after it`,
        { timeout: 240_000 },
        async () => {
          for (const block of exercise.readmeBlocks)
            await runReadmeBlock(readme, block.id, block.exitCodes ? { exitCodes: block.exitCodes } : {});
          assert.deepEqual(await leftovers(folder), [], 'the README cleans up what its commands made');
        },
      );
    }

    test(
      `${folder}: ./check fails on the broken start, naming the problem, and leaves nothing behind`,
      { timeout: 240_000 },
      async () => {
        const [result] = await runReadmeBlock(readme, exercise.checkBlock, { exitCodes: [1] });
        for (const problem of exercise.problems) assert.match(result!.output, problem);
        assert.deepEqual(await leftovers(project), []);
      },
    );

    test(
      `${folder}: ./check passes on the reference solution, and leaves nothing behind`,
      { timeout: 240_000 },
      async () => {
        await runReadmeBlock(readme, exercise.solutionBlock);
        assert.deepEqual(await leftovers(project), []);
      },
    );

    if (existsSync(path.join(fixturesDir, 'fixes', folder))) {
      test(`${folder}: ./check passes on another correct fix, unlike the reference`, { timeout: 240_000 }, async () => {
        const dir = overlay(folder, path.join(fixturesDir, 'fixes', folder));
        try {
          const result = await check(folder, dir, `${folder}-other-fix`);
          assert.equal(result.code, 0, result.output);
          assert.match(result.output, /^All \d+ criteria hold\. Well done!$/m);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        assert.deepEqual(await leftovers(project), []);
      });
    }

    const nonFixes = path.join(fixturesDir, 'non-fixes', folder);
    for (const name of existsSync(nonFixes) ? readdirSync(nonFixes).sort() : []) {
      test(
        `${folder}: ./check fails on ${name}, a change that only hides the symptom`,
        { timeout: 240_000 },
        async () => {
          const dir = overlay(folder, path.join(nonFixes, name));
          try {
            const result = await check(folder, dir, `${folder}-non-fix-${name}`);
            assert.equal(result.code, 1, result.output);
            const problems = nonFixProblems[`${folder}/${name}`];
            assert.ok(problems, `nonFixProblems names what the non-fix ${folder}/${name} must fail on`);
            for (const problem of problems) assert.match(result.output, problem);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
          assert.deepEqual(await leftovers(project), []);
        },
      );
    }
  }
});
