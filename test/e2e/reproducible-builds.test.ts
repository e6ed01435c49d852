/**
 * Reproducible builds (issue 17), end to end: every command of linear-classifier/reproducible/
 * README.md (two plain builds differ; two bake builds with no cache give the same index digest for
 * both platforms; the locks; a push with a provenance attestation that names the commit and the
 * Dockerfile, beside images whose digests are those of the local build; the same model bytes on
 * amd64 and arm64), and every other demo image built twice with no cache, with equal digests:
 * for linux/amd64 all of them, for linux/arm64 classifier-api too (linear-classifier is the
 * lesson's); and the notebook's slow steps stay cached when only the commit's time changes. Each
 * build is timed, for the record of CI's time.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bakeCommand, platformOf, platforms } from '../lib/bake.ts';
import { engineSkip, mustRun, repoRoot, run, sh } from '../lib/docker.ts';
import { runReadmeBlock } from '../lib/readme.ts';
import { stepCached } from '../lib/rebuild.ts';

const readme = 'linear-classifier/reproducible/README.md';
const classifier = path.join(repoRoot, 'linear-classifier');
const registry = '127.0.0.1:5000/linear-classifier';
const golden = createHash('sha256')
  .update(readFileSync(path.join(classifier, 'golden', 'banknote-1.json')))
  .digest('hex');

/** A file of an OCI archive (a tar file, or a folder), as text. */
async function ociFile(archive: string, name: string): Promise<string> {
  if (!archive.endsWith('.tar')) return readFileSync(path.join(archive, name), 'utf8');
  return (await mustRun('tar', ['-xOf', archive, name])).stdout;
}

/** The digest an OCI archive names (an index, for both platforms), and the image digest for each platform. */
async function ociDigests(archive: string): Promise<{ digest: string; platforms: Record<string, string> }> {
  interface Descriptor {
    digest: string;
    platform?: { os: string; architecture: string };
  }
  const digest = (JSON.parse(await ociFile(archive, 'index.json')) as { manifests: Descriptor[] }).manifests[0]!.digest;
  const top = JSON.parse(await ociFile(archive, `blobs/${digest.replace(':', '/')}`)) as Descriptor & {
    manifests?: Descriptor[];
  };
  const platforms: Record<string, string> = {};
  for (const m of top.manifests ?? [top])
    if (m.platform) platforms[`${m.platform.os}/${m.platform.architecture}`] = m.digest;
  return { digest, platforms };
}

/** Each timed build, for the log: "what: seconds". */
const timings: string[] = [];
async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await work();
  } finally {
    timings.push(`${what}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  }
}

/**
 * Builds a bake target of a demo as its bake file says, but with no cache, for one platform, into
 * an OCI folder of its own (so no tag changes); returns the digest of the image.
 */
async function buildNoCache(demo: string, target: string, platform: string, n: number): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reproducible-'));
  try {
    const output = `type=oci,dest=${dir}/oci,tar=false,rewrite-timestamp=true`;
    const command = `${bakeCommand} --allow fs.read=.. --allow fs.write=${dir} --no-cache --set ${target}.platform=${platform} --set ${target}.output=${output} ${target}`;
    const build = await timed(`${target} ${platform} --no-cache #${n}`, () =>
      sh(command, { cwd: path.join(repoRoot, demo), timeoutMs: 1_800_000 }),
    );
    assert.equal(build.code, 0, build.output);
    return (await ociDigests(`${dir}/oci`)).digest;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('reproducible builds: the same commit, the same digest', { skip: engineSkip(), timeout: 3_600_000 }, () => {
  const cleanup = async (): Promise<void> => {
    await run('docker', ['rm', '-f', 'registry']);
    await run('docker', ['rmi', 'first', 'second', registry]);
    for (const file of ['provenance.json', 'linear-classifier.tar', 'linear-classifier-push.tar'])
      rmSync(path.join(classifier, file), { force: true });
  };
  before(cleanup);
  after(async () => {
    await cleanup();
    console.log(`# build times:\n${timings.map((t) => `#   ${t}`).join('\n')}`);
  });

  test('README: two plain builds with no cache give two digests', async () => {
    const results = await timed('linear-classifier: two plain builds', () =>
      runReadmeBlock(readme, 'reproducible-differ', { cwd: classifier }),
    );
    const [first, second] = results[1]!.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]);
    assert.notEqual(first, second);
  });

  test('README: bake twice with no cache, both platforms: the same archive, byte for byte', async () => {
    const results = await timed('linear-classifier: bake --no-cache twice, both platforms', () =>
      runReadmeBlock(readme, 'reproducible-twice', { cwd: classifier, timeoutMs: 1_200_000 }),
    );
    const [first, second] = [results[1]!.stdout.trim(), results[3]!.stdout.trim()];
    assert.match(first, /^[0-9a-f]{64} {2}linear-classifier\.tar$/);
    assert.equal(second, first, 'two builds of the same commit, one sha256');
    const { platforms: archived } = await ociDigests(path.join(classifier, 'linear-classifier.tar'));
    assert.deepEqual(Object.keys(archived).sort(), [...platforms]);
  });

  test("README: docker load: the image's digest is the archive's index, with an image per platform", async () => {
    const results = await runReadmeBlock(readme, 'reproducible-load', { cwd: classifier });
    const { digest } = await ociDigests(path.join(classifier, 'linear-classifier.tar'));
    assert.equal(results[1]!.stdout.trim(), digest);
    for (const platform of platforms) assert.equal(await platformOf('linear-classifier', platform), platform);
  });

  test('README: the locks: npm integrity, pip hashes', async () => {
    await runReadmeBlock(readme, 'reproducible-locks', { cwd: classifier });
  });

  test("README: a new commit's time leaves the notebook's slow steps cached (pip, deno install, apt)", async () => {
    // Two times that no earlier build has used, a second apart: two commits, as the cache sees them.
    const epoch = Math.floor(Date.now() / 1000);
    const logs: string[] = [];
    for (const time of [epoch, epoch + 1]) {
      const target = 'linear-classifier-jupyter';
      const command = `SOURCE_DATE_EPOCH=${time} docker buildx bake --progress=plain --set ${target}.platform=linux/amd64 --set ${target}.output=type=cacheonly ${target}`;
      const build = await timed(`${target} linux/amd64, SOURCE_DATE_EPOCH=${time}`, () =>
        sh(command, { cwd: path.join(repoRoot, target), timeoutMs: 1_800_000 }),
      );
      assert.equal(build.code, 0, build.output);
      logs.push(build.output);
    }
    const second = logs[1]!;
    assert.ok(stepCached(second, /RUN .*pip install/), 'pip install is cached');
    assert.ok(stepCached(second, /RUN .*deno install --frozen/), 'deno install is cached');
    assert.ok(stepCached(second, /RUN .*apt-get install/), 'apt-get install is cached');
    assert.ok(!stepCached(second, /RUN useradd/), 'useradd, which sees the time, runs again');
  });

  test('every other demo image, built twice with no cache for linux/amd64: the same digest each time', async () => {
    const builds: [string, string][] = [
      ['nifty-useless-model', 'nifty-useless-model'],
      ['classifier-api', 'classifier-api'],
      ['classifier-app', 'classifier-app'],
      ['linear-classifier-jupyter', 'linear-classifier-jupyter'],
    ];
    const unequal: string[] = [];
    for (const [demo, target] of builds) {
      const a = await buildNoCache(demo, target, 'linux/amd64', 1);
      const b = await buildNoCache(demo, target, 'linux/amd64', 2);
      console.log(`# ${target} linux/amd64: ${a} ${b}`);
      if (a !== b) unequal.push(`${target}: ${a} and ${b}`);
    }
    assert.deepEqual(unequal, []);
  });

  test('classifier-api, built twice with no cache for linux/arm64 (under emulation): the same digest', async () => {
    const a = await buildNoCache('classifier-api', 'classifier-api', 'linux/arm64', 3);
    const b = await buildNoCache('classifier-api', 'classifier-api', 'linux/arm64', 4);
    console.log(`# classifier-api linux/arm64: ${a} ${b}`);
    assert.equal(b, a);
  });

  test("README: pushed with provenance: the registry's index lists the local build's images, and an attestation for each", async () => {
    const results = await timed('linear-classifier: bake push', () =>
      runReadmeBlock(readme, 'reproducible-push', { cwd: classifier, timeoutMs: 600_000 }),
    );
    const inspect = results.at(-1)!.stdout;
    const { platforms: archived } = await ociDigests(path.join(classifier, 'linear-classifier.tar'));
    for (const platform of platforms) {
      const local = archived[platform];
      assert.ok(
        inspect.includes(`${registry}:latest@${local}`),
        `the registry holds the local ${platform} image ${local}:\n${inspect}`,
      );
    }
    assert.equal(inspect.match(/vnd\.docker\.reference\.type:\s+attestation-manifest/g)?.length, 2, inspect);
  });

  test('README: the provenance names the commit and holds the Dockerfile', async () => {
    const results = await runReadmeBlock(readme, 'reproducible-provenance', { cwd: classifier });
    const head = (await mustRun('git', ['rev-parse', 'HEAD'])).stdout.trim();
    const output = results.map((r) => r.stdout).join('');
    assert.ok(output.includes(head), `the provenance names the commit ${head}:\n${output}`);
    assert.ok(
      output.includes(readFileSync(path.join(classifier, 'Dockerfile'), 'utf8').split('\n')[0]!),
      'it holds the Dockerfile',
    );
  });

  test("README: the model file has the same sha256 on amd64 and arm64, the golden file's", async () => {
    const [result] = await timed('linear-classifier: the model on both platforms', () =>
      runReadmeBlock(readme, 'reproducible-model', { cwd: classifier }),
    );
    assert.deepEqual(
      result!.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
      [golden, golden],
    );
  });

  test('README: clean up', async () => {
    await runReadmeBlock(readme, 'reproducible-down', { cwd: classifier });
    assert.notEqual((await run('docker', ['inspect', 'registry'])).code, 0, 'the registry is gone');
  });
});
