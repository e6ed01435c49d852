/**
 * classifier-api on Compose, end to end on a real engine: the README's commands and outputs, least
 * privilege by `docker inspect`, bad input through nginx, nginx's own errors in the API's shape,
 * 405 with Allow, slow clients, metrics off the public port, a load test with a replica killed,
 * batches through nginx (in memory, kept connections, a quiet log), scaling, the API without a
 * model, SIGTERM with a request in flight, and down / down -v.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ErrorBody, Health, Prediction, Predictions } from '../../classifier-api/src/server.ts';
import { banknoteRow } from '../../linear-classifier/src/test-utils.ts';
import { compose, engineSkip, inspect, mustRun, repoRoot, run, waitFor, waitHealthy } from '../lib/docker.ts';
import { loadTest, servedBy } from '../lib/load.ts';
import { assertReadmeOutput, runReadmeBlock } from '../lib/readme.ts';
import { slowRequest } from '../lib/slow-client.ts';

const demo = path.join(repoRoot, 'classifier-api');
const readme = 'classifier-api/README.md';
// The API's source page: metrics, and the API without a model.
const srcReadme = 'classifier-api/src/README.md';
const nginxReadme = 'classifier-api/nginx/README.md';
// The README's commands run in the demo folder, so Compose names the project after it.
const lb = 'http://127.0.0.1:8080';
const apiImage = 'classifier-api-classifier-api';
const modelVolume = 'classifier-api_classifier-api-models';
// Containers and volumes this file makes outside Compose, removed in after().
const testContainers = ['classifier-api-test-nomodel', 'classifier-api-test-sigterm'];
const testVolumes = ['classifier-api-test-empty'];

/** POSTs a JSON text to the load balancer's /predict. */
function predict(body: string, contentType = 'application/json'): Promise<Response> {
  return fetch(`${lb}/predict`, { method: 'POST', body, headers: { 'content-type': contentType } });
}

/** The ids of the running API replicas. */
async function apiReplicas(): Promise<string[]> {
  const { stdout } = await compose(demo, ['ps', '-q', 'classifier-api']);
  return stdout.split('\n').filter(Boolean);
}

async function removeTestObjects(): Promise<void> {
  for (const c of testContainers) await run('docker', ['rm', '-f', c]);
  for (const v of testVolumes) await run('docker', ['volume', 'rm', '-f', v]);
}

describe('classifier-api: Compose', { skip: engineSkip(), timeout: 600_000 }, () => {
  before(async () => {
    await removeTestObjects();
    await compose(demo, ['down', '-v', '--remove-orphans']);
  });
  after(async () => {
    await removeTestObjects();
    await compose(demo, ['down', '-v', '--rmi', 'local', '--remove-orphans']);
  });

  test('up: the trainer runs to completion, then three healthy API replicas and nginx', async () => {
    await runReadmeBlock(readme, 'classifier-api-up', { timeoutMs: 300_000 });
    const trainer = await inspect('classifier-api-classifier-api-trainer-1');
    assert.equal(trainer.State.Status, 'exited');
    assert.equal(trainer.State.ExitCode, 0);
    const replicas = await apiReplicas();
    assert.equal(replicas.length, 3);
    for (const id of replicas) {
      const started = Date.parse((await inspect(id)).State.StartedAt);
      assert.ok(started >= Date.parse(trainer.State.FinishedAt), 'each replica started after the trainer finished');
    }
  });

  test('least privilege, by docker inspect: non-root, read-only, tmpfs, no capabilities, no-new-privileges, limits, init', async () => {
    const image = await inspect(apiImage);
    assert.equal(image.Config.User, 'node');
    for (const id of await apiReplicas()) {
      const { Config, HostConfig } = await inspect(id);
      assert.ok(Config.User === '' || Config.User === 'node', `runs as the image's user, not ${Config.User}`);
      assert.equal(HostConfig.ReadonlyRootfs, true);
      assert.deepEqual(Object.keys(HostConfig.Tmpfs ?? {}), ['/tmp']);
      assert.deepEqual(HostConfig.CapDrop, ['ALL']);
      assert.equal(HostConfig.CapAdd, null);
      assert.ok(HostConfig.SecurityOpt?.includes('no-new-privileges:true'), 'no-new-privileges');
      assert.equal(HostConfig.Memory, 192 * 1024 * 1024);
      assert.equal(HostConfig.NanoCpus, 1e9);
      assert.equal(HostConfig.Init, true);
      assert.equal(HostConfig.Privileged, false);
    }
    await runReadmeBlock(readme, 'classifier-api-least-privilege', { exitCodes: [0, 0, 1] });
    const lbContainer = await inspect('classifier-api-classifier-api-lb-1');
    assert.equal(lbContainer.Config.User, 'nginx');
    assert.equal(lbContainer.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(lbContainer.HostConfig.PortBindings['8080/tcp'], [{ HostIp: '127.0.0.1', HostPort: '8080' }]);
  });

  test('README: predictions, one row and a batch, and GET /model', async () => {
    await runReadmeBlock(readme, 'classifier-api-predict');
  });

  test("GET /model: the sha256 next to the version is that of the CLI's model file for banknote, seed 1 (golden), byte for byte", async () => {
    const golden = createHash('sha256')
      .update(readFileSync(path.join(repoRoot, 'linear-classifier', 'golden', 'banknote-1.json')))
      .digest('hex');
    const model = (await (await fetch(`${lb}/model`)).json()) as { sha256: string; version: string };
    assert.equal(model.sha256, golden);
    assert.equal(model.version, `sha256:${golden.slice(0, 12)}`);
  });

  test('README: bad input gets a 4xx with a JSON reason', async () => {
    await runReadmeBlock(readme, 'classifier-api-bad-input');
  });

  test('bad input through nginx: 4xx with a JSON body, never 5xx, and the service keeps serving', async () => {
    const cases: [string, () => Promise<Response>, number, RegExp][] = [
      ['malformed JSON', () => predict('{"row": [1, 2'), 400, /JSON/],
      ['a wrong content type', () => predict('1,2,3,4', 'text/csv'), 415, /content-type text\/csv is not supported/],
      [
        'a wrong number of features',
        () => predict('{"rows": [[1, 2, 3, 4], [1, 2, 3, 4, 5]]}'),
        400,
        /rows\[1\] has 5 values; the model expects 4/,
      ],
      ['a non-numeric value', () => predict('{"row": [1, 2, "x", 4]}'), 400, /must be number/],
      ['a non-finite value', () => predict('{"row": [1, 2, 1e999, 4]}'), 400, /must be number/],
      ['an empty batch', () => predict('{"rows": []}'), 400, /fewer than 1 items/],
      [
        'a batch over the size limit',
        () => predict(JSON.stringify({ rows: Array.from({ length: 10_001 }, () => [0, 0, 0, 0]) })),
        400,
        /more than 10000 items/,
      ],
      [
        'a body over the API limit (1 MiB)',
        () => predict(JSON.stringify({ row: banknoteRow, pad: 'x'.repeat(1_500_000) })),
        413,
        /too large/i,
      ],
      [
        'a body over the nginx limit (2 MiB)',
        () => predict(JSON.stringify({ row: banknoteRow, pad: 'x'.repeat(3_000_000) })),
        413,
        /load balancer's limit/,
      ],
      ['an unknown route', () => fetch(`${lb}/v2/predict`), 404, /no route GET \/v2\/predict/],
    ];
    for (const [what, send, status, message] of cases) {
      const res = await send();
      assert.equal(res.status, status, what);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, what);
      assert.match(((await res.json()) as ErrorBody).message, message, what);
      const good = await predict(JSON.stringify({ row: banknoteRow }));
      assert.equal(good.status, 200, `serves again after ${what}`);
      assert.equal(((await good.json()) as Prediction).label, '0');
    }
    for (const id of await apiReplicas()) {
      const { State, RestartCount } = await inspect(id);
      assert.equal(State.Running, true);
      assert.equal(RestartCount, 0);
    }
  });

  test("README: nginx's own errors in the API's JSON shape; 405 with Allow; health answers GET and HEAD only", async () => {
    await runReadmeBlock(nginxReadme, 'classifier-api-nginx-errors');
    const cases: [string, () => Promise<Response>, number, string | null][] = [
      ['DELETE /nginx-health', () => fetch(`${lb}/nginx-health`, { method: 'DELETE' }), 405, 'GET, HEAD'],
      ['POST /nginx-health', () => fetch(`${lb}/nginx-health`, { method: 'POST', body: '{}' }), 405, 'GET, HEAD'],
      ["POST /healthz (the API's)", () => fetch(`${lb}/healthz`, { method: 'POST' }), 405, 'GET, HEAD'],
      [
        'PUT /predict',
        () => fetch(`${lb}/predict`, { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } }),
        405,
        'POST',
      ],
      ['GET /predict', () => fetch(`${lb}/predict`), 405, 'POST'],
      ['OPTIONS /model', () => fetch(`${lb}/model`, { method: 'OPTIONS' }), 405, 'GET, HEAD'],
      ['a URL of 9,000 characters', () => fetch(`${lb}/predict?${'x'.repeat(9000)}`), 414, null],
    ];
    for (const [what, send, status, allow] of cases) {
      const res = await send();
      assert.equal(res.status, status, what);
      assert.equal(res.headers.get('allow'), allow, what);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, what);
      const body = (await res.json()) as ErrorBody;
      assert.deepEqual(Object.keys(body), ['statusCode', 'error', 'message'], what);
      assert.equal(body.statusCode, status, what);
    }
    assert.equal((await fetch(`${lb}/nginx-health`, { method: 'HEAD' })).status, 200);
    assert.equal(await (await fetch(`${lb}/nginx-health`)).text(), 'ok\n');
    // A request nginx cannot parse at all, on a raw connection.
    const raw = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect({ host: '127.0.0.1', port: 8080 }, () =>
        socket.write('GET /predict HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'),
      );
      socket
        .setEncoding('utf8')
        .on('data', (d: string) => {
          text += d;
        })
        .on('end', () => resolve(text))
        .on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.match(
      raw,
      /\r\n\r\n\{"statusCode":400,"error":"Bad Request","message":"the load balancer cannot read this request"\}\n$/,
    );
  });

  test("slow clients through nginx: headers cut off after 5 s, a slow body after the replica's 10 s, while others are served", async (t) => {
    const head =
      'POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n';
    const served: number[] = [];
    let running = true;
    const others = (async () => {
      while (running) {
        const started = Date.now();
        const res = await predict(JSON.stringify({ row: banknoteRow }));
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        served.push(Date.now() - started);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const [slowHeaders, slowBodies] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, () => slowRequest(8080, '', head, 200, 30_000))),
      // A byte every 200 ms: never a pause of 5 s, so only the whole request's limit stops it.
      Promise.all(
        Array.from({ length: 10 }, () =>
          slowRequest(8080, head, '{"row": [1, 2, 3, 4], "pad": "' + 'x'.repeat(59_000), 200, 30_000),
        ),
      ),
    ]);
    running = false;
    await others;
    const times = (rs: { closedAfterMs: number }[]): string =>
      rs.map((r) => (r.closedAfterMs / 1000).toFixed(1)).join(' ');
    t.diagnostic(
      `slow headers closed after ${times(slowHeaders)} s; slow bodies after ${times(slowBodies)} s (${slowBodies.map((r) => r.status).join(' ')}); ${served.length} other requests, the slowest ${Math.max(...served)} ms`,
    );
    for (const r of slowHeaders)
      assert.ok(r.closedAfterMs >= 4500 && r.closedAfterMs <= 7500, `slow headers: closed after ${r.closedAfterMs} ms`);
    for (const r of slowBodies)
      assert.ok(
        r.closedAfterMs >= 9500 && r.closedAfterMs <= 13_000,
        `slow body: closed after ${r.closedAfterMs} ms: ${r.response.slice(0, 300)}`,
      );
    assert.ok(served.length >= 20, `only ${served.length} other requests were served`);
    assert.ok(Math.max(...served) < 2000, 'the others were served without waiting');
  });

  test('README: requests spread over the three replicas', async () => {
    await runReadmeBlock(readme, 'classifier-api-spread');
    const ids = new Set((await apiReplicas()).map((id) => id.slice(0, 12)));
    assert.deepEqual(await servedBy(`${lb}/healthz`, 30), ids, 'every replica answers, and only replicas do');
  });

  test('README: metrics in Prometheus text format, on port 9464 only, not through nginx', async () => {
    await runReadmeBlock(srcReadme, 'classifier-api-metrics');
    // Not published either: only the load balancer has a port on the host.
    for (const id of await apiReplicas()) assert.deepEqual((await inspect(id)).HostConfig.PortBindings ?? {}, {});
  });

  test('batches through nginx: kept in memory, over kept connections, and not one log line', async () => {
    const logLines = async (): Promise<string[]> =>
      (await compose(demo, ['logs', '--no-log-prefix', 'classifier-api-lb'])).stdout.split('\n').filter(Boolean);
    const before = await logLines();
    const rows = Array.from({ length: 1000 }, () => banknoteRow);
    const { sent, failed } = await loadTest({
      url: `${lb}/predict`,
      body: JSON.stringify({ rows }),
      concurrency: 8,
      maxRequests: 400,
      maxMs: 120_000,
      check: async (res) => res.status === 200 && ((await res.json()) as Predictions).labels.length === 1000,
    });
    assert.equal(failed, 0, `${failed} of ${sent} batches failed`);
    assert.deepEqual((await logLines()).slice(before.length), [], 'no log line for a request that went well');
    assert.ok(before.length <= 10, `the load balancer's log has ${before.length} lines:\n${before.join('\n')}`);
    // nginx keeps idle connections to the replicas open: each replica still has some, established
    // (state 01 in /proc/net/tcp) on its port 3000 (0BB8), after the load has stopped.
    for (const id of await apiReplicas()) {
      const { stdout } = await mustRun('docker', ['exec', id, 'cat', '/proc/net/tcp']);
      const kept = stdout.split('\n').filter((l) => / [0-9A-F]{8}:0BB8 [0-9A-F]{8}:[0-9A-F]{4} 01 /.test(l));
      assert.ok(kept.length > 0, `replica ${id.slice(0, 12)} has no connection from nginx left open`);
    }
  });

  test('load through nginx with a replica killed: at most 1 % errors, as the README says', async (t) => {
    const [victim] = await apiReplicas();
    const { sent, failed } = await loadTest({
      url: `${lb}/predict`,
      body: JSON.stringify({ row: banknoteRow }),
      concurrency: 12,
      maxRequests: 3000,
      maxMs: 120_000,
      at: { request: 500, action: () => mustRun('docker', ['kill', victim!]) },
      check: async (res) => res.status === 200 && ((await res.json()) as Prediction).label === '0',
    });
    assert.equal((await inspect(victim!)).State.Running, false, 'the replica was killed during the load');
    t.diagnostic(`${failed} of ${sent} requests failed`);
    assert.equal(sent, 3000);
    assert.ok(failed / sent <= 0.01, `${failed} of ${sent} requests failed`);
    // Back to three replicas for what follows.
    await mustRun('docker', ['compose', 'up', '-d', '--wait'], { cwd: demo, timeoutMs: 120_000 });
    assert.equal((await apiReplicas()).length, 3);
  });

  test('a replica that crashes is restarted (restart: unless-stopped) and serves again', async () => {
    const [replica] = await apiReplicas();
    // Kill node itself, the only child of the init process, as a crash would end it.
    await mustRun('docker', ['exec', replica!, 'sh', '-c', 'kill -KILL $(cat /proc/1/task/1/children)']);
    await waitFor('the replica to be restarted', async () => (await inspect(replica!)).RestartCount >= 1, 20_000);
    await waitHealthy(replica!, 30_000);
    assert.ok(
      (await servedBy(`${lb}/healthz`, 30)).has(replica!.slice(0, 12)),
      'the restarted replica answers through nginx again',
    );
  });

  test('without a model: unready with one clear log line, no crash loop, ready once the model appears', async () => {
    await mustRun('docker', ['volume', 'create', 'classifier-api-test-empty']);
    await mustRun('docker', [
      'run',
      '-d',
      '--name',
      'classifier-api-test-nomodel',
      '--read-only',
      '--cap-drop',
      'ALL',
      '-v',
      'classifier-api-test-empty:/app/models:ro',
      '-p',
      '127.0.0.1::3000',
      apiImage,
    ]);
    const port = (await mustRun('docker', ['port', 'classifier-api-test-nomodel', '3000'])).stdout
      .trim()
      .split(':')
      .pop();
    const logLine = await waitFor(
      'the log line',
      async () => {
        const { stdout } = await run('docker', ['logs', 'classifier-api-test-nomodel']);
        return stdout.split('\n').find((l) => l.includes('no usable model'));
      },
      20_000,
    );
    assertReadmeOutput(srcReadme, 'classifier-api-no-model-log', logLine);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 503);
    assert.match(((await health.json()) as Health).reason ?? '', /banknote.json does not exist/);
    const rejected = await fetch(`http://127.0.0.1:${port}/predict`, {
      method: 'POST',
      body: JSON.stringify({ row: banknoteRow }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(rejected.status, 503);
    await new Promise((r) => setTimeout(r, 3000));
    const { State, RestartCount } = await inspect('classifier-api-test-nomodel');
    assert.equal(State.Running, true, 'still running');
    assert.equal(RestartCount, 0);
    assert.notEqual(State.Health.Status, 'healthy');
    const { stdout: logs } = await run('docker', ['logs', 'classifier-api-test-nomodel']);
    assert.equal(
      logs.split('\n').filter((l) => l.includes('no usable model')).length,
      1,
      'says it once, not every retry',
    );
    // The model arrives (copied from the Compose volume): the API becomes ready without a restart.
    await mustRun('docker', [
      'run',
      '--rm',
      '--user',
      '0',
      '--entrypoint',
      'cp',
      '-v',
      `${modelVolume}:/from:ro`,
      '-v',
      'classifier-api-test-empty:/to',
      apiImage,
      '/from/banknote.json',
      '/to/banknote.json',
    ]);
    await waitHealthy('classifier-api-test-nomodel', 20_000);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    assert.equal((await inspect('classifier-api-test-nomodel')).RestartCount, 0);
    await removeTestObjects(); // before `down -v`, which cannot remove a volume that a container still uses
  });

  test('SIGTERM: refuses new connections, finishes the request in flight, exits 0 within 2 s', async () => {
    await mustRun('docker', [
      'run',
      '-d',
      '--name',
      'classifier-api-test-sigterm',
      '--init',
      '--read-only',
      '--cap-drop',
      'ALL',
      '-v',
      `${modelVolume}:/app/models:ro`,
      '-p',
      '127.0.0.1::3000',
      apiImage,
    ]);
    const port = Number(
      (await mustRun('docker', ['port', 'classifier-api-test-sigterm', '3000'])).stdout.trim().split(':').pop(),
    );
    await waitHealthy('classifier-api-test-sigterm', 30_000);
    // A request in flight: the headers and half the body sent, the rest after SIGTERM.
    const body = JSON.stringify({ rows: [banknoteRow, banknoteRow] });
    const half = Math.floor(body.length / 2);
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/predict',
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          let text = '';
          res
            .setEncoding('utf8')
            .on('data', (d: string) => {
              text += d;
            })
            .on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, half));
      setTimeout(() => req.end(body.slice(half)), 700);
    });
    await new Promise((r) => setTimeout(r, 200));
    const signalled = Date.now();
    await mustRun('docker', ['kill', '--signal', 'TERM', 'classifier-api-test-sigterm']);
    await new Promise((r) => setTimeout(r, 200));
    await assert.rejects(
      fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }),
      'a new connection is refused',
    );
    const finished = await response;
    assert.equal(finished.status, 200, finished.body);
    assert.deepEqual((JSON.parse(finished.body) as Predictions).labels, ['0', '0']);
    const state = await waitFor(
      'the container to exit',
      async () => {
        const s = (await inspect('classifier-api-test-sigterm')).State;
        return s.Running ? null : s;
      },
      5000,
      50,
    );
    assert.equal(state.ExitCode, 0);
    assert.ok(
      Date.parse(state.FinishedAt) - signalled < 2000,
      `exited ${Date.parse(state.FinishedAt) - signalled} ms after SIGTERM`,
    );
    const { stdout: logs } = await run('docker', ['logs', 'classifier-api-test-sigterm']);
    assert.match(logs, /SIGTERM: draining requests in flight/);
    assert.match(logs, /"msg":"stopped"/);
    await removeTestObjects();
  });

  test('README: --scale changes the number of replicas, and nginx finds them', async () => {
    await runReadmeBlock(readme, 'classifier-api-scale', { timeoutMs: 120_000 });
    assert.equal((await apiReplicas()).length, 5);
  });

  test('README: the model survives down, and down -v deletes it', async () => {
    await runReadmeBlock(readme, 'classifier-api-down', { timeoutMs: 120_000 });
    assert.equal((await run('docker', ['volume', 'inspect', modelVolume])).code, 1, 'the volume is gone');
  });
});
