/**
 * classifier-api on Docker Swarm, end to end: a single-node swarm on this engine, the README's
 * stack deploy (dnsrr replicas behind nginx in host mode), requests spread over the replicas, a
 * rolling update under load, the restart policy replacing a killed replica, and a clean exit.
 * The swarm is this file's own: it refuses to run on an engine already in a swarm, and always
 * leaves the swarm it made, whatever happens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { engineSkip, inspect, mustRun, run, waitFor } from '../lib/docker.ts';
import { runReadmeBlock } from '../lib/readme.ts';

const readme = 'classifier-api/README.md';
const stack = 'classifier-api-swarm';
const apiService = `${stack}_classifier-api`;
const lb = 'http://127.0.0.1:8081';
const images = ['classifier-api:1.0.0', 'classifier-api-trainer:1.0.0'];

/** The running containers of the API service's tasks. */
async function apiContainers(): Promise<string[]> {
  const { stdout } = await mustRun('docker', ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${apiService}`]);
  return stdout.split('\n').filter(Boolean);
}

/** Sends predictions through nginx, `concurrency` at a time, until `stop` resolves; counts them. */
async function loadUntil(stop: Promise<unknown>, concurrency = 6): Promise<{ sent: number; failed: number }> {
  let done = false, sent = 0, failed = 0;
  void stop.finally(() => { done = true; });
  const body = JSON.stringify({ row: [3.6216, 8.6661, -2.8073, -0.44699] });
  const worker = async (): Promise<void> => {
    while (!done) {
      sent++;
      try {
        const res = await fetch(`${lb}/predict`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        if (res.status !== 200 || (await res.json()).label !== '0') failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await stop;
  return { sent, failed };
}

describe('classifier-api: Swarm', { skip: engineSkip(), timeout: 420_000 }, () => {
  let swarmMade = false;
  let gwbridgeBefore = true;

  before(async () => {
    const state = (await mustRun('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim();
    assert.equal(state, 'inactive', 'this engine is already in a swarm; the test makes its own and will not touch another');
    gwbridgeBefore = (await run('docker', ['network', 'inspect', 'docker_gwbridge'])).code === 0;
    swarmMade = true; // from here on, after() leaves the swarm whatever happens
  });

  after(async () => {
    if (swarmMade && (await run('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim() !== 'inactive') {
      await run('docker', ['stack', 'rm', stack]);
      await waitFor('the stack\'s containers to go', async () =>
        (await run('docker', ['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${stack}`])).stdout.trim() === '', 30_000, 500).catch(() => undefined);
      await run('docker', ['swarm', 'leave', '--force']);
    }
    await run('docker', ['volume', 'rm', '-f', `${stack}_classifier-api-models`]);
    if (swarmMade && !gwbridgeBefore) await run('docker', ['network', 'rm', 'docker_gwbridge']);
    await run('docker', ['rmi', '-f', ...images]);
  });

  test('README: init a swarm, build and tag the images, deploy the stack; all replicas run', async () => {
    await runReadmeBlock(readme, 'classifier-api-swarm-up', { timeoutMs: 300_000 });
    assert.equal((await apiContainers()).length, 3);
  });

  test('the replicas keep their least privilege under Swarm', async () => {
    for (const id of await apiContainers()) {
      const { Config, HostConfig, Mounts } = await inspect(id);
      assert.equal(Config.User, 'node');
      assert.equal(HostConfig.ReadonlyRootfs, true);
      assert.deepEqual(HostConfig.CapDrop, ['ALL']);
      assert.equal(HostConfig.Init, true);
      assert.equal(HostConfig.Memory, 192 * 1024 * 1024);
      assert.equal(HostConfig.NanoCpus, 1e9);
      assert.ok(Mounts.some((m: any) => m.Type === 'tmpfs' && m.Destination === '/tmp'), 'a tmpfs on /tmp');
      assert.ok(Mounts.some((m: any) => m.Destination === '/app/models' && m.RW === false), 'the model volume, read-only');
    }
  });

  test('README: requests spread over the replicas through nginx (dnsrr, host-mode port)', async () => {
    await runReadmeBlock(readme, 'classifier-api-swarm-spread');
  });

  test('README: a rolling update replaces every replica while requests keep being served', async (t) => {
    const before = new Set(await apiContainers());
    const update = runReadmeBlock(readme, 'classifier-api-swarm-update', { timeoutMs: 120_000 });
    const { sent, failed } = await loadUntil(update);
    t.diagnostic(`${failed} of ${sent} requests failed during the rolling update`);
    assert.ok(sent > 100, `only ${sent} requests were sent`);
    assert.ok(failed / sent <= 0.01, `${failed} of ${sent} requests failed`);
    // The command returns when the new tasks run; Swarm still watches the last one for `monitor`.
    await waitFor('the update to complete', async () => (await inspect(apiService)).UpdateStatus?.State === 'completed', 30_000, 500);
    const after = await apiContainers();
    assert.equal(after.length, 3);
    assert.ok(after.every((id) => !before.has(id)), 'every replica is new');
  });

  test('the restart policy replaces a replica that dies', async () => {
    const [victim] = await apiContainers();
    await mustRun('docker', ['kill', victim!]);
    await waitFor('three healthy replicas again, without the killed one', async () => {
      const ids = await apiContainers();
      if (ids.length !== 3 || ids.includes(victim!)) return false;
      for (const id of ids) if ((await inspect(id)).State.Health?.Status !== 'healthy') return false;
      return true;
    }, 60_000, 500);
  });

  test('README: remove the stack, the volume and the swarm', async () => {
    await runReadmeBlock(readme, 'classifier-api-swarm-down', { timeoutMs: 90_000 });
    assert.equal((await mustRun('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim(), 'inactive');
  });
});
