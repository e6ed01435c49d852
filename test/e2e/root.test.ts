/**
 * End-to-end tests of the repository root: the README's quick start, run as written; the whole
 * README, top to bottom, on a fresh clone (every run block and every command of the demo table, in
 * the order shown, then the clean-up, which must leave nothing behind); and the root compose.yaml
 * that includes every demo.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { compose, engineSkip, mustRun, repoRoot, run, saveArtifact, sh } from '../lib/docker.ts';
import { includedServices } from '../lib/files.ts';
import { composeLeftovers, imagesNamed } from '../lib/leftovers.ts';
import { parseBlocks } from '../lib/readme-blocks.ts';
import { runReadmeBlock } from '../lib/readme.ts';

/** The Compose project of every run from the root (compose.yaml's `name:`). */
const project = 'docker-demos';

/** Everything of the root's Compose project that is still there, and the image it names itself. */
async function leftovers(): Promise<string[]> {
  return [...(await composeLeftovers(project)), ...(await imagesNamed('linear-classifier-jupyter'))];
}

/**
 * What the root README asks a learner to run, in its order: its run blocks, and the commands of the
 * demo table's last column (each `code span` there, left to right).
 */
function readmeSteps(markdown: string): ({ block: string } | { command: string })[] {
  const steps: { line: number; step: { block: string } | { command: string } }[] = [];
  for (const b of parseBlocks(markdown)) if (b.kind === 'run') steps.push({ line: b.line, step: { block: b.arg } });
  const lines = markdown.split('\n');
  const demos = lines.indexOf('## The demos');
  for (let i = demos; i < lines.length && !(i > demos && lines[i]!.startsWith('## ')); i++) {
    if (!/^\| \[/.test(lines[i]!)) continue;
    const lastCell = lines[i]!.split('|')
      .map((c) => c.trim())
      .filter(Boolean)
      .at(-1)!;
    for (const [, command] of lastCell.matchAll(/`([^`]+)`/g)) steps.push({ line: i + 1, step: { command: command! } });
  }
  return steps.sort((a, b) => a.line - b.line).map((s) => s.step);
}

describe('repository root', { skip: engineSkip() }, () => {
  after(() => compose(repoRoot, ['down', '--volumes', '--rmi', 'local']));

  test(
    'README quick start: the main demo runs from the root and reports its accuracy',
    { timeout: 600_000 },
    async () => {
      const [result] = await runReadmeBlock('README.md', 'quickstart-main');
      const accuracy = /^test accuracy: ([\d.]+) %$/m.exec(result!.stdout);
      assert.ok(accuracy, 'the run prints its test accuracy');
      assert.ok(Number(accuracy[1]) >= 90, `test accuracy ${accuracy[1]} % is below 90 %`);
    },
  );

  test(
    'the README, top to bottom, on a fresh clone: every command works in order, and the clean-up leaves nothing',
    { timeout: 2_400_000 },
    async (t) => {
      // As on a learner's machine: no Jupyter image yet (the demo's own test leaves its named image,
      // which Compose would reuse, and then not count as one it built).
      await run('docker', ['image', 'rm', '-f', 'linear-classifier-jupyter']);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'docker-demos-fresh-'));
      const clone = path.join(dir, 'docker-demos');
      const times: string[] = [];
      try {
        // What is committed, nothing else: no db_password.txt, no models, no node_modules.
        const { stdout: head } = await mustRun('git', ['rev-parse', 'HEAD']);
        await mustRun('git', ['clone', '-q', '--no-checkout', repoRoot, clone]);
        await mustRun('git', ['-C', clone, 'checkout', '-q', head.trim()]);
        const readme = path.join(clone, 'README.md');
        const steps = readmeSteps(readFileSync(readme, 'utf8'));
        // The blocks this test runs, named here (the docs check wants every block named by a test).
        assert.deepEqual(
          steps.flatMap((s) => ('block' in s ? [s.block] : [])),
          ['quickstart-main', 'root-clean'],
        );
        assert.ok(
          steps.some((s) => 'command' in s && s.command.startsWith('classifier-app/create-secrets.sh')),
          'the table makes the secret files first',
        );
        for (const step of steps) {
          const started = Date.now();
          if ('block' in step) {
            if (step.block === 'root-clean') {
              // What the README says answers once the table's commands have run.
              for (const url of ['http://127.0.0.1:8090/', 'http://127.0.0.1:8080/model']) {
                assert.equal((await fetch(url)).status, 200, `${url} answers`);
              }
            }
            await runReadmeBlock(readme, step.block, { timeoutMs: 900_000 });
          } else {
            const result = await sh(step.command, { cwd: clone, timeoutMs: 900_000 });
            saveArtifact(
              `outputs/root-fresh-clone/${step.command.replace(/[^\w.-]+/g, '_')}.txt`,
              `$ ${step.command}\n${result.output}`,
            );
            assert.equal(
              result.code,
              0,
              `\`${step.command}\` exited ${result.code} on a fresh clone:\n${result.output}`,
            );
            if (step.command.startsWith('docker compose logs linear-classifier-jupyter')) {
              assert.match(
                result.output,
                /http:\/\/127\.0\.0\.1:8888\/lab\?token=\w+/,
                'the log gives the address with its token',
              );
            }
          }
          times.push(
            `${('block' in step ? step.block : step.command).padEnd(60)} ${((Date.now() - started) / 1000).toFixed(1)} s`,
          );
        }
        assert.deepEqual(await leftovers(), [], 'the clean-up leaves nothing of the root project behind');
      } finally {
        saveArtifact('root-fresh-clone-times.txt', times.join('\n') + '\n');
        t.diagnostic(`times on a fresh clone:\n${times.join('\n')}`);
        await compose(clone, ['down', '--volumes', '--rmi', 'local']).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test('the root compose.yaml offers every service of every demo', { timeout: 60_000 }, async () => {
    const { stdout } = await mustRun('docker', ['compose', 'config', '--services'], {
      cwd: repoRoot,
      env: { COMPOSE_PROFILES: '*' },
    });
    const services = stdout.trim().split('\n').sort();
    const expected = includedServices().sort();
    assert.deepEqual(services, expected);
  });
});
