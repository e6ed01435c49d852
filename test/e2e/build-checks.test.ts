/**
 * BuildKit's own Dockerfile checks (`docker build --check`) on every Dockerfile of every demo, with
 * the build contexts its compose file gives it (classifier-api needs the `model` context). Any
 * warning fails. The checks come with the engine's built-in Dockerfile frontend, so they run offline.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { engineSkip, mustRun, repoRoot, run, type RunResult } from '../lib/docker.ts';
import { isDockerfile, repoFiles, type ComposeFile } from '../lib/files.ts';

/** One Dockerfile and the contexts it is built with. */
interface BuildTarget {
  /** The Dockerfile, relative to the repository. */
  dockerfile: string;
  /** The build context folder, absolute. */
  context: string;
  /** Named contexts (`COPY --from=NAME`), absolute folders. */
  namedContexts: Record<string, string>;
}

/** The demos' compose files: a compose.yaml in a top-level folder makes that folder a demo. */
const composeFiles = repoFiles().filter((f) => f.split(path.sep).length === 2 && path.basename(f) === 'compose.yaml');
const demos = composeFiles.map((f) => path.dirname(f));

/**
 * Every Dockerfile a demo's compose file builds, as Compose resolves it, then every other Dockerfile
 * of a demo with its own folder as the context.
 */
async function buildTargets(): Promise<BuildTarget[]> {
  const targets = new Map<string, BuildTarget>();
  for (const file of composeFiles) {
    const { stdout } = await mustRun('docker', ['compose', '-f', file, 'config', '--format', 'json']);
    for (const service of Object.values((JSON.parse(stdout) as ComposeFile).services ?? {})) {
      // `docker compose config` writes every build as an object.
      if (typeof service.build !== 'object') continue;
      const { context, dockerfile = 'Dockerfile', additional_contexts: namedContexts = {} } = service.build;
      const relative = path.relative(repoRoot, path.resolve(context, dockerfile));
      targets.set(relative, { dockerfile: relative, context, namedContexts });
    }
  }
  const dockerfiles = repoFiles().filter(isDockerfile);
  for (const file of dockerfiles.filter((f) => demos.includes(f.split(path.sep)[0]!))) {
    if (!targets.has(file))
      targets.set(file, { dockerfile: file, context: path.dirname(path.join(repoRoot, file)), namedContexts: {} });
  }
  return [...targets.values()].sort((a, b) => a.dockerfile.localeCompare(b.dockerfile));
}

/** `docker build --check` of one target: exit 0 and "no warnings found", or the warnings. */
function buildCheck(target: BuildTarget): Promise<RunResult> {
  const named = Object.entries(target.namedContexts).flatMap(([name, dir]) => ['--build-context', `${name}=${dir}`]);
  return run('docker', ['build', '--check', ...named, '-f', path.join(repoRoot, target.dockerfile), target.context]);
}

describe('docker build --check', { skip: engineSkip() }, async () => {
  const targets = engineSkip() ? [] : await buildTargets();

  test('finds every Dockerfile of every demo', () => {
    assert.ok(demos.length >= 4, demos.join(', '));
    for (const demo of demos) {
      assert.ok(
        targets.some((t) => t.dockerfile.startsWith(demo + path.sep)),
        `no Dockerfile found for ${demo}`,
      );
    }
    const api = targets.find((t) => t.dockerfile === path.join('classifier-api', 'Dockerfile'));
    assert.equal(
      api?.namedContexts.model,
      path.join(repoRoot, 'linear-classifier', 'src'),
      'classifier-api is checked with its model context',
    );
  });

  for (const target of engineSkip() ? [] : targets) {
    test(`${target.dockerfile}: no warnings`, async () => {
      const { code, output } = await buildCheck(target);
      assert.equal(code, 0, `docker build --check ${target.dockerfile} found problems:\n${output}`);
      assert.match(output, /Check complete, no warnings found\./);
    });
  }

  describe('fails on a Dockerfile that breaks a check', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'build-check-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const check = (dockerfile: string): Promise<RunResult> => {
      writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
      return buildCheck({
        dockerfile: path.relative(repoRoot, path.join(dir, 'Dockerfile')),
        context: dir,
        namedContexts: {},
      });
    };

    test('a shell-form CMD (SIGTERM would not reach the program)', async () => {
      const { code, output } = await check('FROM node:24-slim\nUSER node\nCMD node main.js\n');
      assert.equal(code, 1, output);
      assert.match(output, /WARNING: JSONArgsRecommended/);
    });

    test('FROM ... as with mismatched casing', async () => {
      const { code, output } = await check('FROM node:24-slim as base\nUSER node\nCMD ["node", "main.js"]\n');
      assert.equal(code, 1, output);
      assert.match(output, /WARNING: FromAsCasing/);
    });
  });
});
