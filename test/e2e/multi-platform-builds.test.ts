/**
 * Every demo's images build for linux/amd64 and linux/arm64 from the command that its
 * docker-bake.hcl documents (bake, then docker load), and each tag then holds an image for each
 * platform (issue 16).
 *
 * The images stay, under the tags below, with the build cache warm: the tests that run the demos
 * on arm64 reuse both, so each slow emulated step runs once.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { bakeCommandFor, bakeTargets, loadCommand, platformOf, platforms } from '../lib/bake.ts';
import { engineSkip, mustRun, repoRoot, sh } from '../lib/docker.ts';

describe(
  'every demo builds for linux/amd64 and linux/arm64 with docker buildx bake',
  { skip: engineSkip(), timeout: 3_600_000 },
  () => {
    for (const [demo, targets] of Object.entries(bakeTargets)) {
      test(`${demo}: \`${bakeCommandFor(demo)}\` gives ${Object.values(targets).join(' and ')} for both platforms`, async (t) => {
        const dir = path.join(repoRoot, demo);
        const bakeFile = readFileSync(path.join(dir, 'docker-bake.hcl'), 'utf8');
        const documented = [bakeCommandFor(demo), ...Object.keys(targets).map(loadCommand)];
        assert.ok(
          bakeFile.includes(documented.map((c) => `\n#   ${c}`).join('') + '\n'),
          `${demo}/docker-bake.hcl documents the commands`,
        );
        assert.match(bakeFile, /platforms = \["linux\/amd64", "linux\/arm64"\]/);

        const start = Date.now();
        for (const command of documented) {
          const result = await sh(command, { cwd: dir, timeoutMs: 3_000_000 });
          assert.equal(result.code, 0, `${command}:\n${result.output}`);
        }
        for (const target of Object.keys(targets)) rmSync(path.join(dir, `${target}.tar`));
        t.diagnostic(`${demo}: built in ${((Date.now() - start) / 1000).toFixed(1)} s`);

        const printed = JSON.parse(
          (await mustRun('docker', ['buildx', 'bake', '--print'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '0' } }))
            .stdout,
        ) as {
          group: { default: { targets: string[] } };
          target: Record<string, { tags: string[] }>;
        };
        assert.deepEqual(
          [...printed.group.default.targets].sort(),
          Object.keys(targets).sort(),
          'the default group builds these targets',
        );
        for (const [target, tag] of Object.entries(targets)) {
          assert.deepEqual(printed.target[target]!.tags, [tag]);
          for (const platform of platforms)
            assert.equal(await platformOf(tag, platform), platform, `${tag} for ${platform}`);
        }
      });
    }
  },
);
