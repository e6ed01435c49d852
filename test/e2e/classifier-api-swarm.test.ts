/**
 * classifier-api on a Docker Swarm of three nodes, end to end, every command of
 * classifier-api/swarm/README.md: three Docker engines in containers (docker:28-dind) and a
 * registry, the image's round trip through the registry, a manager and two workers, the stack
 * deployed with its replicas spread over the nodes (JSON errors through its load balancer, as
 * under Compose), and then, while predictions go through the load balancer on 127.0.0.1:8082:
 * a worker killed (its replica runs elsewhere within 10 s; at most 1 % failed requests during,
 * none after), the worker back and the replicas spread again by a rolling update (at most 1 %
 * failed), a node drained (none failed), and the restart policy. Everything is the Compose
 * project classifier-api-swarm's, removed at the end with its volumes. About three minutes on a
 * 2-core machine.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ErrorBody, Health, Prediction } from '../../classifier-api/src/server.ts';
import { banknoteRow } from '../../linear-classifier/src/test-utils.ts';
import {
  compose,
  engineSkip,
  inspect as inspectOuter,
  mustRun,
  repoRoot,
  run,
  waitFor,
  type Inspected,
} from '../lib/docker.ts';
import { between, loadTest, type LoadResult } from '../lib/load.ts';
import { runReadmeBlock } from '../lib/readme.ts';

const readme = 'classifier-api/swarm/README.md';
const dir = path.join(repoRoot, 'classifier-api', 'swarm');
const api = 'classifier-api_classifier-api';
const predictUrl = 'http://127.0.0.1:8082/predict';
const pushed = ['127.0.0.1:5000/classifier-api:1.0.0', '127.0.0.1:5000/classifier-api-trainer:1.0.0'];
// nginx comes from Docker Hub, which the nodes reach through their registry mirror; on a machine
// without Docker Hub the test puts the local nginx image there first, as library/nginx.
const nginx = 'nginx:1.28';
const nginxMirrored = `127.0.0.1:5000/library/${nginx}`;

/** Runs `docker ARGS` on a node of the swarm. */
function onNode(node: string, args: string[]) {
  return mustRun('docker', ['compose', 'exec', '-T', node, 'docker', ...args], { cwd: dir });
}

/** The API's tasks that should be running, a line each, as `docker service ps --format FORMAT` prints them. */
async function apiTasks(format: string): Promise<string[]> {
  const { stdout } = await onNode('manager', [
    'service',
    'ps',
    api,
    '--filter',
    'desired-state=running',
    '--format',
    format,
  ]);
  return stdout.split('\n').filter(Boolean);
}

/** The nodes that run the API's replicas, one entry per running replica, sorted. */
async function replicaNodes(): Promise<string[]> {
  return (await apiTasks('{{.Node}} {{.CurrentState}}'))
    .filter((l) => l.includes(' Running '))
    .map((l) => l.split(' ')[0]!)
    .sort();
}

/** The ids of the API's running tasks. */
async function taskIds(): Promise<string[]> {
  return apiTasks('{{.ID}}');
}

/** Predictions through the load balancer, 8 at a time, until `until` settles (at most 3 minutes). */
function predictions(until: Promise<unknown>): Promise<LoadResult> {
  const body = JSON.stringify({ row: banknoteRow });
  return loadTest({
    url: predictUrl,
    body,
    concurrency: 8,
    maxRequests: 200_000,
    maxMs: 180_000,
    until,
    check: async (res) => res.status === 200 && ((await res.json()) as Prediction).label === '0',
  });
}

const ratio = (failed: number, sent: number): string => `${failed} of ${sent} requests failed`;

describe('classifier-api: a Swarm of three nodes', { skip: engineSkip(), timeout: 900_000 }, () => {
  const removeAll = async (): Promise<void> => {
    await compose(dir, ['down', '-v', '--remove-orphans', '-t', '1'], { timeoutMs: 120_000 });
    await run('docker', ['rmi', ...pushed, nginxMirrored]);
  };
  before(removeAll);
  after(removeAll);

  test('README: three nodes and a registry start, healthy', async () => {
    await runReadmeBlock(readme, 'classifier-api-swarm-nodes', { timeoutMs: 180_000 });
  });

  test("README: the images go to the registry for both platforms; one is removed here and pulled back, for this engine's platform only", async () => {
    const results = await runReadmeBlock(readme, 'classifier-api-registry', { timeoutMs: 900_000 });
    const { stdout } = await mustRun('docker', ['image', 'inspect', '--format', '{{join .RepoTags " "}}', pushed[0]!]);
    assert.match(stdout, /127\.0\.0\.1:5000\/classifier-api:1\.0\.0/, 'the pulled image is here again');
    // The index lists an image per platform (then BuildKit's attestations, unknown/unknown)...
    assert.match(results[2]!.stdout, /^linux\/amd64 sha256:[0-9a-f]{64}\nlinux\/arm64 sha256:[0-9a-f]{64}\n/);
    // ...and the engine pulled the one of its own platform.
    const [engine, pulled] = results.at(-1)!.stdout.trim().split('\n');
    assert.match(engine!, /^linux\/(amd64|arm64)$/);
    assert.equal(pulled, engine, "the pulled image is the engine's platform");
    const other = engine === 'linux/amd64' ? 'linux/arm64' : 'linux/amd64';
    const otherHere = await run('docker', ['image', 'inspect', '--platform', other, pushed[0]!]);
    assert.notEqual(otherHere.code, 0, `the ${other} image was not pulled:\n${otherHere.output}`);
    await mustRun('docker', ['tag', nginx, nginxMirrored]);
    await mustRun('docker', ['push', '-q', nginxMirrored], { timeoutMs: 300_000 });
  });

  test('README: one manager and two workers', async () => {
    await runReadmeBlock(readme, 'classifier-api-swarm-init', { timeoutMs: 60_000 });
  });

  test('README: the stack deploys, one replica on each node, pulled from the registry', async () => {
    await runReadmeBlock(readme, 'classifier-api-swarm-deploy', { timeoutMs: 300_000 });
    assert.deepEqual(await replicaNodes(), ['manager', 'worker1', 'worker2']);
    for (const node of ['manager', 'worker1', 'worker2']) {
      // Swarm pins the tag to its digest when the service is created, and the node pulls that.
      const { stdout } = await onNode(node, ['image', 'ls', '--format', '{{.Repository}}']);
      assert.ok(
        stdout.split('\n').includes('registry:5000/classifier-api'),
        `${node} pulled the API image from the registry`,
      );
      // From the multi-platform index, the image of the node's own platform.
      const arch = (await onNode(node, ['version', '-f', '{{.Server.Arch}}'])).stdout.trim();
      const [id] = (await onNode(node, ['image', 'ls', '-q', 'registry:5000/classifier-api'])).stdout
        .trim()
        .split('\n');
      const pulled = (await onNode(node, ['image', 'inspect', '-f', '{{.Architecture}}', id!])).stdout.trim();
      assert.equal(pulled, arch, `${node} pulled its own platform's image`);
    }
  });

  test('README: requests through the load balancer reach a replica on every node, all with the same model', async () => {
    await runReadmeBlock(readme, 'classifier-api-swarm-spread');
    const models = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      const res = await fetch('http://127.0.0.1:8082/healthz');
      models.set(res.headers.get('x-served-by')!.split('-')[0]!, ((await res.json()) as Health).model ?? '(none)');
    }
    assert.deepEqual([...models.keys()].sort(), ['manager', 'worker1', 'worker2']);
    assert.equal(new Set(models.values()).size, 1, 'each node trained the same model');
  });

  test('bad input through the load balancer of the swarm: a 4xx with a JSON reason, from the API and from nginx', async () => {
    const post = (body: string) =>
      fetch(predictUrl, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    for (const [body, status, message] of [
      ['{"row": [1, 2, 3]}', 400, /row has 3 values; the model expects 4/],
      [JSON.stringify({ row: [1, 2, 3, 4], pad: 'x'.repeat(3_000_000) }), 413, /load balancer's limit/],
    ] as const) {
      const res = await post(body);
      assert.equal(res.status, status);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.match(((await res.json()) as ErrorBody).message, message);
    }
  });

  test('the replicas keep their least privilege under Swarm', async () => {
    const { stdout } = await onNode('manager', ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${api}`]);
    const [id] = stdout.split('\n').filter(Boolean);
    const [replica] = JSON.parse((await onNode('manager', ['inspect', id!])).stdout) as Inspected[];
    const { Config, HostConfig, Mounts } = replica!;
    assert.equal(Config.User, 'node');
    assert.equal(HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(HostConfig.CapDrop, ['ALL']);
    assert.equal(HostConfig.Init, true);
    assert.equal(HostConfig.Memory, 192 * 1024 * 1024);
    assert.equal(HostConfig.NanoCpus, 1e9);
    assert.ok(
      Mounts.some((m) => m.Type === 'tmpfs' && m.Destination === '/tmp'),
      'a tmpfs on /tmp',
    );
    assert.ok(
      Mounts.some((m) => m.Destination === '/app/models' && m.RW === false),
      'the model volume, read-only',
    );
  });

  test('README: a worker killed under load: its replica runs elsewhere within 10 s, at most 1 % fail during, none after', async (t) => {
    const before = await taskIds();
    let started = 0;
    const scenario = (async () => {
      await new Promise((r) => setTimeout(r, 2000)); // load before the failure
      started = Date.now();
      await runReadmeBlock(readme, 'classifier-api-swarm-kill', { timeoutMs: 60_000 });
      await waitFor(
        'three replicas running, none on worker1',
        async () => {
          const nodes = await replicaNodes();
          return nodes.length === 3 && !nodes.includes('worker1');
        },
        30_000,
        500,
      );
      await new Promise((r) => setTimeout(r, 3000)); // and after it
    })();
    const { samples, sent, failed } = await predictions(scenario);
    // The times, from the engines' own records: when the node's container died, when the manager
    // marked it down, and when the replacement replica reached "running" (healthy, so in DNS).
    const killedAt = Date.parse((await inspectOuter('classifier-api-swarm-worker1-1')).State.FinishedAt);
    const downAt = Date.parse(
      JSON.parse(
        (await onNode('manager', ['node', 'inspect', '--format', '{{json .UpdatedAt}}', 'worker1'])).stdout,
      ) as string,
    );
    const replacement = (await taskIds()).filter((id) => !before.includes(id));
    assert.equal(replacement.length, 1, 'one new replica');
    const movedAt = Date.parse(
      JSON.parse(
        (await onNode('manager', ['inspect', '--format', '{{json .Status.Timestamp}}', replacement[0]!])).stdout,
      ) as string,
    );
    assert.ok(killedAt >= started, 'the README block killed the node');
    const during = between(samples, killedAt, movedAt + 2000); // nginx's DNS answers live 2 s
    const afterwards = between(samples, movedAt + 2000);
    t.diagnostic(
      `worker1 marked down ${downAt - killedAt} ms after it died, its replica running elsewhere after ${movedAt - killedAt} ms`,
    );
    t.diagnostic(
      `${ratio(during.filter((s) => !s.ok).length, during.length)} during the failure, ${ratio(afterwards.filter((s) => !s.ok).length, afterwards.length)} after; ${ratio(failed, sent)} in all`,
    );
    assert.ok(movedAt - killedAt <= 10_000, `rescheduled ${movedAt - killedAt} ms after the node died`);
    assert.ok(during.filter((s) => !s.ok).length <= 0.01 * during.length, 'at most 1 % fail during the failure');
    assert.ok(afterwards.length > 100, `only ${afterwards.length} requests after the failure`);
    assert.equal(afterwards.filter((s) => !s.ok).length, 0, 'none fail after it');
  });

  test('README: the worker comes back; a rolling update under load spreads the replicas again', async (t) => {
    const before = new Set(await taskIds());
    const update = runReadmeBlock(readme, 'classifier-api-swarm-rejoin', { timeoutMs: 240_000 });
    const { sent, failed } = await predictions(update);
    t.diagnostic(ratio(failed, sent));
    assert.ok(sent > 100, `only ${sent} requests were sent`);
    assert.ok(failed <= 0.01 * sent, ratio(failed, sent));
    assert.deepEqual(await replicaNodes(), ['manager', 'worker1', 'worker2']);
    assert.ok(
      (await taskIds()).every((id) => !before.has(id)),
      'every replica is new',
    );
  });

  test('README: a node drained under load: its replica moves, and no request fails', async (t) => {
    const { samples, sent, failed } = await predictions(
      runReadmeBlock(readme, 'classifier-api-swarm-drain', { timeoutMs: 60_000 }),
    );
    t.diagnostic(`${ratio(failed, sent)}; the slowest took ${Math.max(...samples.map((s) => s.ms))} ms`);
    assert.ok(sent > 100, `only ${sent} requests were sent`);
    assert.equal(failed, 0, ratio(failed, sent));
    const nodes = await replicaNodes();
    assert.equal(nodes.length, 3);
    assert.ok(!nodes.includes('worker2'), 'nothing runs on the drained node');
  });

  test('the restart policy replaces a replica whose process dies', async () => {
    const [node] = await replicaNodes();
    const { stdout } = await onNode(node!, ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${api}`]);
    const [victim] = stdout.split('\n').filter(Boolean);
    const before = await taskIds();
    await onNode(node!, ['kill', victim!]);
    await waitFor(
      'three running replicas again, one of them new',
      async () => {
        const ids = await taskIds();
        return ids.length === 3 && (await replicaNodes()).length === 3 && ids.some((id) => !before.includes(id));
      },
      60_000,
      500,
    );
  });

  test('README: clean up: the nodes, the registry, their volumes and the pushed images are gone', async () => {
    await runReadmeBlock(readme, 'classifier-api-swarm-down', { timeoutMs: 120_000 });
    const { stdout: containers } = await mustRun('docker', [
      'ps',
      '-aq',
      '--filter',
      'label=com.docker.compose.project=classifier-api-swarm',
    ]);
    assert.equal(containers.trim(), '');
    const { stdout: volumes } = await mustRun('docker', [
      'volume',
      'ls',
      '-q',
      '--filter',
      'label=com.docker.compose.project=classifier-api-swarm',
    ]);
    assert.equal(volumes.trim(), '');
    assert.notEqual((await run('docker', ['image', 'inspect', pushed[0]!])).code, 0, 'the pushed image is removed');
  });
});
