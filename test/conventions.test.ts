/**
 * The house conventions, checked on every demo without Docker: compose files without `version:`
 * and with ports on 127.0.0.1 only, Dockerfiles with a non-root user, an exec-form CMD and no
 * `# syntax=` line, lockfiles in step with their manifests, LF endings and Dependabot coverage.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from './lib/docker.ts';

/** The demo folders: top-level folders with a compose.yaml. */
const demos = readdirSync(repoRoot, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(path.join(repoRoot, e.name, 'compose.yaml')))
  .map((e) => e.name)
  .sort();

const read = (...parts: string[]): string => readFileSync(path.join(repoRoot, ...parts), 'utf8');

/** Every Dockerfile of a demo (Dockerfile, *.Dockerfile, Dockerfile.*), relative to the repo. */
function dockerfiles(demo: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.git')) continue;
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (/^Dockerfile(\..+)?$|\.Dockerfile$/.test(e.name)) out.push(rel);
    }
  };
  walk(demo);
  return out;
}

describe('conventions', () => {
  test('the five demos are here, each with the files a demo needs', () => {
    assert.deepEqual(demos.filter((d) => ['nifty-useless-model', 'linear-classifier', 'linear-classifier-jupyter', 'classifier-api', 'classifier-app'].includes(d)), demos);
    for (const demo of demos) {
      for (const file of ['README.md', 'Dockerfile', '.dockerignore']) {
        assert.ok(existsSync(path.join(repoRoot, demo, file)), `${demo}/${file} is missing`);
      }
    }
  });

  test('the root compose.yaml includes every demo, and service names do not clash', () => {
    const root = parse(read('compose.yaml'));
    assert.deepEqual([...root.include].sort(), demos.map((d) => `${d}/compose.yaml`).sort());
    const seen = new Map<string, string>();
    for (const demo of demos) {
      for (const service of Object.keys(parse(read(demo, 'compose.yaml')).services ?? {})) {
        assert.ok(!seen.has(service), `service ${service} is in both ${seen.get(service)} and ${demo}`);
        seen.set(service, demo);
      }
    }
  });

  for (const demo of demos) {
    test(`${demo}: compose files have no version: and publish ports on 127.0.0.1 only`, () => {
      const files = readdirSync(path.join(repoRoot, demo)).filter((f) => /^(compose|docker-compose|stack)[\w.-]*\.ya?ml$/.test(f));
      for (const file of files) {
        const doc = parse(read(demo, file));
        assert.equal(doc.version, undefined, `${demo}/${file} has a version: key`);
        for (const [name, service] of Object.entries<any>(doc.services ?? {})) {
          for (const port of service.ports ?? []) {
            // "8080:80" and "80" publish on every interface; only "127.0.0.1:HOST:CONTAINER" does not.
            const hostIp = typeof port === 'string' ? (port.startsWith('127.0.0.1:') ? '127.0.0.1' : '') : port.host_ip;
            // Swarm's host-mode publishing has no host_ip: there, the stack file says why in a comment.
            if (typeof port === 'object' && port.mode === 'host' && hostIp === undefined) continue;
            assert.equal(hostIp, '127.0.0.1', `${demo}/${file}: ${name} publishes ${JSON.stringify(port)} beyond 127.0.0.1`);
          }
        }
      }
    });

    test(`${demo}: Dockerfiles run as non-root, with an exec-form CMD and pinned base images`, () => {
      for (const file of dockerfiles(demo)) {
        const text = read(file);
        assert.doesNotMatch(text, /^#\s*syntax\s*=/m, `${file}: no # syntax= line (the built-in frontend has RUN --mount)`);
        const stages = new Set([...text.matchAll(/^FROM\s.*\sAS\s+(\S+)/gim)].map((m) => m[1]!.toLowerCase()));
        const froms = [...text.matchAll(/^FROM\s+(?:--\S+\s+)*(\S+)/gm)].map((m) => m[1]!);
        assert.ok(froms.length > 0, `${file} has no FROM`);
        // Dependabot reads images only from FROM lines, and not through ARGs (dependabot-core#2057):
        // name each image literally in one FROM line and reuse it as a stage (`FROM image AS base`).
        for (const m of text.matchAll(/^(?:COPY|ADD)\s.*--from=(\S+)/gm)) {
          // A name without a tag is a stage or a named build context (compose additional_contexts).
          assert.ok(stages.has(m[1]!.toLowerCase()) || !m[1]!.includes(':'), `${file}: COPY --from=${m[1]} must name a stage, with the image in its FROM line`);
        }
        for (const image of froms) {
          assert.doesNotMatch(image, /\$/, `${file}: FROM ${image}: state the image literally (Dependabot cannot follow ARGs)`);
          if (image === 'scratch' || stages.has(image.toLowerCase())) continue;
          assert.match(image, /:[^/:]+$/, `${file}: ${image} has no tag`);
          assert.doesNotMatch(image, /:latest$/, `${file}: ${image} is not pinned`);
        }
        const users = [...text.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]!);
        const lastUser = users.at(-1);
        assert.ok(lastUser && !/^(root|0)(:|$)/.test(lastUser), `${file}: the final stage must switch to a non-root USER`);
        const cmds = [...text.matchAll(/^(CMD|ENTRYPOINT)\s+(.*)$/gm)];
        for (const m of cmds) assert.match(m[2]!, /^\[/, `${file}: ${m[1]} must use the exec form (JSON array)`);
      }
    });

    test(`${demo}: a .dockerignore keeps node_modules out of the build context`, () => {
      const ignore = read(demo, '.dockerignore');
      // Either an allow-list (`*` first, then `!` what the image needs) or node_modules by name.
      const allowList = /^\*\s*$/m.test(ignore);
      if (existsSync(path.join(repoRoot, demo, 'package.json')) && !allowList) assert.match(ignore, /^node_modules\/?$/m);
    });

    if (existsSync(path.join(repoRoot, demo, 'package.json'))) {
      test(`${demo}: package-lock.json is in step with package.json, with exact pins`, () => {
        const manifest = JSON.parse(read(demo, 'package.json'));
        const lock = JSON.parse(read(demo, 'package-lock.json'));
        const locked = lock.packages[''];
        for (const field of ['dependencies', 'devDependencies'] as const) {
          assert.deepEqual(locked[field] ?? {}, manifest[field] ?? {}, `${demo}: ${field} differ between package.json and package-lock.json`);
          for (const [name, range] of Object.entries<string>(manifest[field] ?? {})) {
            assert.match(range, /^\d+\.\d+\.\d+$/, `${demo}: ${name}@${range} is not an exact version`);
            assert.equal(lock.packages[`node_modules/${name}`]?.version, range, `${demo}: the lockfile has another ${name}`);
          }
        }
      });
    }
  }

  test('.gitattributes keeps LF endings for what runs in containers', () => {
    const attributes = read('.gitattributes');
    for (const pattern of ['*.sh', 'Dockerfile', '*.ts', '*.yaml']) {
      assert.match(attributes, new RegExp(`^${pattern.replace(/[.*]/g, '\\$&')}\\s.*eol=lf`, 'm'), `${pattern} must be eol=lf`);
    }
  });

  test('Dependabot watches every demo for each ecosystem it uses', () => {
    const config = parse(read('.github', 'dependabot.yml'));
    const watched = (ecosystem: string): string[] => config.updates
      .filter((u: any) => u['package-ecosystem'] === ecosystem)
      .flatMap((u: any) => u.directories ?? [u.directory]);
    for (const demo of demos) {
      const has = (file: string): boolean => existsSync(path.join(repoRoot, demo, file));
      if (has('Dockerfile')) assert.ok(watched('docker').includes(`/${demo}`), `docker: /${demo}`);
      if (has('package.json')) assert.ok(watched('npm').includes(`/${demo}`), `npm: /${demo}`);
      if (has('requirements.txt')) assert.ok(watched('pip').includes(`/${demo}`), `pip: /${demo}`);
    }
    assert.ok(watched('npm').includes('/'));
  });
});
