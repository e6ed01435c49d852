/**
 * The house conventions, checked on every demo without Docker: compose files without `version:`
 * and with ports on 127.0.0.1 only, Dockerfiles with a non-root user, an exec-form CMD and no
 * `# syntax=` line, lockfiles in step with their manifests, LF endings and Dependabot coverage.
 * The exercises' projects follow them too: their solutions all of them, their broken starts all
 * but the one convention whose breach is the exercise's lesson (brokenOnPurpose).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from './lib/docker.ts';
import { isDockerfile, readCompose, repoFiles } from './lib/files.ts';

/** The parts of package.json and package-lock.json that the tests read. */
interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
interface PackageLock {
  packages: Record<string, PackageJson & { version?: string }>;
}

/** The parts of .github/dependabot.yml that the tests read. */
interface DependabotConfig {
  updates: { 'package-ecosystem': string; directory?: string; directories?: string[] }[];
}

/** The demo folders: top-level folders with a compose.yaml. */
const demos = readdirSync(repoRoot, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(path.join(repoRoot, e.name, 'compose.yaml')))
  .map((e) => e.name)
  .sort();

const read = (...parts: string[]): string => readFileSync(path.join(repoRoot, ...parts), 'utf8');

/** Every Dockerfile of a demo (Dockerfile, *.Dockerfile, Dockerfile.*), relative to the repo. */
function dockerfiles(demo: string): string[] {
  return repoFiles(path.join(repoRoot, demo)).filter(isDockerfile);
}

/**
 * A convention that an exercise's broken start may break on purpose, when breaking it is the
 * mistake the exercise is about.
 */
type Convention = 'non-root user' | 'exec-form CMD' | 'ports on 127.0.0.1' | '.dockerignore';

/** The exercises (exercises/NN-name), relative to the repository. */
const exercises = readdirSync(path.join(repoRoot, 'exercises'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => path.join('exercises', e.name))
  .sort();

/** The conventions each exercise's broken start breaks on purpose; its solution keeps them. */
const brokenOnPurpose: Record<string, Convention[]> = {
  '07-root-on-every-interface': ['non-root user', 'ports on 127.0.0.1'],
  '08-huge-build-context': ['.dockerignore'],
  '10-will-not-stop': ['exec-form CMD'],
};

/** Compose files (compose*.yaml, stack*.yaml) of a folder: no version:, ports on 127.0.0.1 only. */
function assertComposeConventions(dir: string, except: readonly Convention[] = []): void {
  const files = readdirSync(path.join(repoRoot, dir)).filter((f) =>
    /^(compose|docker-compose|stack)[\w.-]*\.ya?ml$/.test(f),
  );
  for (const file of files) {
    const doc = readCompose(path.join(dir, file));
    assert.equal(doc.version, undefined, `${dir}/${file} has a version: key`);
    if (except.includes('ports on 127.0.0.1')) continue;
    for (const [name, service] of Object.entries(doc.services ?? {})) {
      for (const port of service.ports ?? []) {
        // "8080:80" and "80" publish on every interface; only "127.0.0.1:HOST:CONTAINER" does not.
        const hostIp = typeof port === 'string' ? (port.startsWith('127.0.0.1:') ? '127.0.0.1' : '') : port.host_ip;
        // Swarm's host-mode publishing has no host_ip: there, the stack file says why in a comment.
        if (typeof port === 'object' && port.mode === 'host' && hostIp === undefined) continue;
        assert.equal(hostIp, '127.0.0.1', `${dir}/${file}: ${name} publishes ${JSON.stringify(port)} beyond 127.0.0.1`);
      }
    }
  }
}

/** A Dockerfile: no # syntax= line, literal pinned images, a non-root USER, exec-form CMD. */
function assertDockerfileConventions(file: string, except: readonly Convention[] = []): void {
  const text = read(file);
  assert.doesNotMatch(text, /^#\s*syntax\s*=/m, `${file}: no # syntax= line (the built-in frontend has RUN --mount)`);
  const stages = new Set([...text.matchAll(/^FROM\s.*\sAS\s+(\S+)/gim)].map((m) => m[1]!.toLowerCase()));
  const froms = [...text.matchAll(/^FROM\s+(?:--\S+\s+)*(\S+)/gm)].map((m) => m[1]!);
  assert.ok(froms.length > 0, `${file} has no FROM`);
  // Dependabot reads images only from FROM lines, and not through ARGs (dependabot-core#2057):
  // name each image literally in one FROM line and reuse it as a stage (`FROM image AS base`).
  for (const m of text.matchAll(/^(?:COPY|ADD)\s.*--from=(\S+)/gm)) {
    // A name without a tag is a stage or a named build context (compose additional_contexts).
    assert.ok(
      stages.has(m[1]!.toLowerCase()) || !m[1]!.includes(':'),
      `${file}: COPY --from=${m[1]} must name a stage, with the image in its FROM line`,
    );
  }
  for (const image of froms) {
    assert.doesNotMatch(
      image,
      /\$/,
      `${file}: FROM ${image}: state the image literally (Dependabot cannot follow ARGs)`,
    );
    if (image === 'scratch' || stages.has(image.toLowerCase())) continue;
    assert.match(image, /:[^/:]+$/, `${file}: ${image} has no tag`);
    assert.doesNotMatch(image, /:latest$/, `${file}: ${image} is not pinned`);
  }
  if (!except.includes('non-root user')) {
    const users = [...text.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]!);
    const lastUser = users.at(-1);
    assert.ok(lastUser && !/^(root|0)(:|$)/.test(lastUser), `${file}: the final stage must switch to a non-root USER`);
  }
  if (!except.includes('exec-form CMD')) {
    const cmds = [...text.matchAll(/^(CMD|ENTRYPOINT)\s+(.*)$/gm)];
    for (const m of cmds) assert.match(m[2]!, /^\[/, `${file}: ${m[1]} must use the exec form (JSON array)`);
  }
}

/** A folder with a package.json has a .dockerignore that keeps node_modules out of the build context. */
function assertDockerignore(dir: string, except: readonly Convention[] = []): void {
  if (except.includes('.dockerignore')) {
    assert.ok(
      !existsSync(path.join(repoRoot, dir, '.dockerignore')),
      `${dir}: the exercise is about a missing .dockerignore, and there is one`,
    );
    return;
  }
  const ignore = read(dir, '.dockerignore');
  // Either an allow-list (`*` first, then `!` what the image needs) or node_modules by name.
  const allowList = /^\*\s*$/m.test(ignore);
  if (existsSync(path.join(repoRoot, dir, 'package.json')) && !allowList) assert.match(ignore, /^node_modules\/?$/m);
}

/** package-lock.json agrees with package.json, and every dependency is pinned exactly. */
function assertLockfileInStep(dir: string): void {
  const manifest = JSON.parse(read(dir, 'package.json')) as PackageJson;
  const lock = JSON.parse(read(dir, 'package-lock.json')) as PackageLock;
  const locked = lock.packages[''] ?? {};
  for (const field of ['dependencies', 'devDependencies'] as const) {
    assert.deepEqual(
      locked[field] ?? {},
      manifest[field] ?? {},
      `${dir}: ${field} differ between package.json and package-lock.json`,
    );
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      assert.match(range, /^\d+\.\d+\.\d+$/, `${dir}: ${name}@${range} is not an exact version`);
      assert.equal(lock.packages[`node_modules/${name}`]?.version, range, `${dir}: the lockfile has another ${name}`);
    }
  }
}

describe('conventions', () => {
  test('the five demos are here, each with the files a demo needs', () => {
    assert.deepEqual(
      demos.filter((d) =>
        [
          'nifty-useless-model',
          'linear-classifier',
          'linear-classifier-jupyter',
          'classifier-api',
          'classifier-app',
        ].includes(d),
      ),
      demos,
    );
    for (const demo of demos) {
      for (const file of ['README.md', 'Dockerfile', '.dockerignore']) {
        assert.ok(existsSync(path.join(repoRoot, demo, file)), `${demo}/${file} is missing`);
      }
    }
  });

  test('the root compose.yaml includes every demo, and service names do not clash', () => {
    const root = readCompose('compose.yaml');
    assert.deepEqual([...(root.include ?? [])].sort(), demos.map((d) => `${d}/compose.yaml`).sort());
    const seen = new Map<string, string>();
    for (const demo of demos) {
      for (const service of Object.keys(readCompose(path.join(demo, 'compose.yaml')).services ?? {})) {
        assert.ok(!seen.has(service), `service ${service} is in both ${seen.get(service)} and ${demo}`);
        seen.set(service, demo);
      }
    }
  });

  for (const demo of demos) {
    test(`${demo}: compose files have no version: and publish ports on 127.0.0.1 only`, () => {
      assertComposeConventions(demo);
    });

    test(`${demo}: Dockerfiles run as non-root, with an exec-form CMD and pinned base images`, () => {
      for (const file of dockerfiles(demo)) assertDockerfileConventions(file);
    });

    test(`${demo}: a .dockerignore keeps node_modules out of the build context`, () => {
      assertDockerignore(demo);
    });

    if (existsSync(path.join(repoRoot, demo, 'package.json'))) {
      test(`${demo}: package-lock.json is in step with package.json, with exact pins`, () => {
        assertLockfileInStep(demo);
      });
    }
  }

  test('exercises: eleven folders, each with a README, an executable check and a solution', () => {
    assert.equal(exercises.length, 11);
    for (const exercise of exercises) {
      for (const file of ['README.md', 'check', 'Dockerfile', path.join('solution', 'Dockerfile')]) {
        assert.ok(existsSync(path.join(repoRoot, exercise, file)), `${exercise}/${file} is missing`);
      }
      assert.ok(statSync(path.join(repoRoot, exercise, 'check')).mode & 0o100, `${exercise}/check is not executable`);
      assert.match(read(exercise, 'check'), /^#!\/bin\/sh\n/, `${exercise}/check must be a POSIX sh script`);
    }
  });

  for (const exercise of exercises) {
    const except = brokenOnPurpose[path.basename(exercise)] ?? [];
    for (const [project, breaks] of [
      [exercise, except],
      [path.join(exercise, 'solution'), []],
    ] as const) {
      const what =
        project === exercise
          ? `the broken start${breaks.length ? ` (except ${breaks.join(', ')}: the lesson)` : ''}`
          : 'the solution';
      test(`${exercise}: ${what} follows the conventions`, () => {
        assertComposeConventions(project, breaks);
        assertDockerfileConventions(path.join(project, 'Dockerfile'), breaks);
        assertDockerignore(project, breaks);
        if (existsSync(path.join(repoRoot, project, 'package-lock.json'))) assertLockfileInStep(project);
      });
    }
  }

  test('no module is over 250 lines, the test library included (the tests aside)', () => {
    const modules = repoFiles().filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith('.test.ts'));
    assert.ok(modules.length > 50, `found ${modules.length} modules`);
    const long = modules
      .map((file) => ({ file, lines: read(file).split('\n').length - 1 }))
      .filter(({ lines }) => lines > 250);
    assert.deepEqual(long, []);
  });

  test('.gitattributes keeps LF endings for what runs in containers', () => {
    const attributes = read('.gitattributes');
    for (const pattern of ['*.sh', 'Dockerfile', '*.ts', '*.yaml']) {
      assert.match(
        attributes,
        new RegExp(`^${pattern.replace(/[.*]/g, '\\$&')}\\s.*eol=lf`, 'm'),
        `${pattern} must be eol=lf`,
      );
    }
  });

  test('Dependabot watches every demo for each ecosystem it uses', () => {
    const config = parse(read('.github', 'dependabot.yml')) as DependabotConfig;
    const watched = (ecosystem: string): string[] =>
      config.updates
        .filter((u) => u['package-ecosystem'] === ecosystem)
        .flatMap((u) => u.directories ?? (u.directory ? [u.directory] : []));
    for (const demo of demos) {
      const has = (file: string): boolean => existsSync(path.join(repoRoot, demo, file));
      if (has('Dockerfile')) assert.ok(watched('docker').includes(`/${demo}`), `docker: /${demo}`);
      if (has('package.json')) assert.ok(watched('npm').includes(`/${demo}`), `npm: /${demo}`);
      if (has('requirements.txt')) assert.ok(watched('pip').includes(`/${demo}`), `pip: /${demo}`);
    }
    assert.ok(watched('npm').includes('/'));
  });

  test('Dependabot watches the exercises too: their base images, and their dependencies where they have any', () => {
    const config = parse(read('.github', 'dependabot.yml')) as DependabotConfig;
    // Dependabot's directories may be globs: `*` stands for one folder name.
    const watches = (ecosystem: string, dir: string): boolean =>
      config.updates
        .filter((u) => u['package-ecosystem'] === ecosystem)
        .flatMap((u) => u.directories ?? (u.directory ? [u.directory] : []))
        .some((pattern) =>
          new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+')}$`).test(dir),
        );
    for (const project of exercises.flatMap((e) => [e, path.join(e, 'solution')])) {
      assert.ok(watches('docker', `/${project}`), `docker: /${project}`);
      // Exercise 11 runs on Deno and has no package.json.
      const manifest = existsSync(path.join(repoRoot, project, 'package.json'))
        ? (JSON.parse(read(project, 'package.json')) as PackageJson)
        : {};
      if (Object.keys(manifest.dependencies ?? {}).length) assert.ok(watches('npm', `/${project}`), `npm: /${project}`);
    }
  });
});
