/**
 * End-to-end tests of the repository root: the README's quick start, run as written, and the root
 * compose.yaml that includes every demo.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { compose, engineSkip, mustRun, repoRoot } from '../lib/docker.ts';
import { includedServices } from '../lib/files.ts';
import { runReadmeBlock } from '../lib/readme.ts';

describe('repository root', { skip: engineSkip() }, () => {
  after(() => compose(repoRoot, ['down', '--volumes', '--rmi', 'local']));

  test('README quick start: the main demo runs from the root and reports its accuracy', { timeout: 600_000 }, async () => {
    const [result] = await runReadmeBlock('README.md', 'quickstart-main');
    const accuracy = /^test accuracy: ([\d.]+) %$/m.exec(result!.stdout);
    assert.ok(accuracy, 'the run prints its test accuracy');
    assert.ok(Number(accuracy[1]) >= 90, `test accuracy ${accuracy[1]} % is below 90 %`);
  });

  test('the root compose.yaml offers every service of every demo', { timeout: 60_000 }, async () => {
    const { stdout } = await mustRun('docker', ['compose', 'config', '--services'], { cwd: repoRoot, env: { COMPOSE_PROFILES: '*' } });
    const services = stdout.trim().split('\n').sort();
    const expected = includedServices().sort();
    assert.deepEqual(services, expected);
  });
});
