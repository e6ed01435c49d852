/**
 * `npm run bench`: how fast is the API? Prints figures and ratios; it is not a test and asserts
 * nothing. Everything runs on loopback (127.0.0.1), each load for BENCH_SECONDS (default 10):
 *
 * 1. one instance (node src/main.ts on this machine): single-row requests per second with p50 and
 *    p99 latency, then rows per second on the batch endpoint;
 * 2. with Docker, the same loads on the Compose stack's image: one API container through its
 *    published port, nginx in front of 1 replica, and of 3, each twice (A B C C B A), and the
 *    ratios of the means to the container's;
 * 3. with Debian's python3-flask and python3-numpy: an equivalent Flask service
 *    (bench/flask_service.py) under the same loads, and the ratios; on gunicorn (two worker
 *    processes) where Debian's python3-gunicorn is installed, else on Werkzeug's server.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { modelFileText } from '../../linear-classifier/src/model-file.ts';
import { Perceptron } from '../../linear-classifier/src/perceptron.ts';
import { banknote as data } from '../../linear-classifier/src/test-utils.ts';
import { benchContainers, mean, type Setup } from './containers.ts';
import { connections, freePort, line, load, seconds, start, stop, type Figures } from './load.ts';

const batchRows = 1000;
const python = '/usr/bin/python3'; // Debian's, where python3-flask and python3-numpy live

// A model trained the way the trainer service does, saved where both services can read it, in a
// folder that the end of the run removes, however it ends.
const work = mkdtempSync(path.join(tmpdir(), 'classifier-api-bench-'));
const modelPath = path.join(work, 'banknote.json');
const rowAt = (i: number): number[] =>
  Array.from(data.x.subarray((i % data.rows) * data.cols, ((i % data.rows) + 1) * data.cols));
const singleBody = JSON.stringify({ row: rowAt(0) });
const batchBody = JSON.stringify({ rows: Array.from({ length: batchRows }, (_, i) => rowAt(i)) });

/** Single-row and batch figures of one API process on this machine. */
async function benchNode(): Promise<{ single: Figures; batch: Figures }> {
  const port = await freePort();
  const env = { PORT: String(port), HOST: '127.0.0.1', MODEL_PATH: modelPath, LOG_LEVEL: 'warn' };
  const api = await start(process.execPath, ['src/main.ts'], env, port);
  try {
    const single = await load(`http://127.0.0.1:${port}/predict`, singleBody);
    line('node, one instance, single row', single);
    const batch = await load(`http://127.0.0.1:${port}/predict`, batchBody);
    line('node, one instance, batch', batch, 'rows/s', batchRows);
    return { single, batch };
  } finally {
    await stop(api);
  }
}

/**
 * The Flask service under the same loads, with the ratios to node's figures; returns the smaller
 * ratio of one instance each, or undefined without Debian's python3-flask and python3-numpy.
 * With Debian's python3-gunicorn, Flask runs as it would in production, threads for keep-alive
 * connections: first one worker process, one instance like the node API (the ratio), then one per
 * core, for the record. Without gunicorn, Werkzeug's development server.
 */
async function benchPython(node: { single: Figures; batch: Figures }): Promise<number | undefined> {
  if (spawnSync(python, ['-c', 'import flask, numpy'], { stdio: 'ignore' }).status !== 0) {
    console.log("python flask: skipped (install Debian's python3-flask and python3-numpy for the comparison)");
    return undefined;
  }
  let ratio: number | undefined;
  const gunicorn = spawnSync(python, ['-c', 'import gunicorn'], { stdio: 'ignore' }).status === 0;
  for (const workers of gunicorn ? [1, 2] : [0]) {
    const port = await freePort();
    const server = workers === 0 ? 'werkzeug' : `gunicorn, ${workers} worker${workers > 1 ? 's' : ''}`;
    const py =
      workers > 0
        ? await start(
            python,
            [
              '-m',
              'gunicorn',
              '--workers',
              String(workers),
              '--worker-class',
              'gthread',
              '--threads',
              '8',
              '--bind',
              `127.0.0.1:${port}`,
              '--log-level',
              'warning',
              '--chdir',
              'bench',
              'flask_service:app',
            ],
            { MODEL_PATH: modelPath },
            port,
          )
        : await start(python, ['bench/flask_service.py'], { PORT: String(port), MODEL_PATH: modelPath }, port);
    try {
      const single = await load(`http://127.0.0.1:${port}/predict`, singleBody);
      line(`flask (${server}), single row`, single);
      const batch = await load(`http://127.0.0.1:${port}/predict`, batchBody);
      line(`flask (${server}), batch`, batch, 'rows/s', batchRows);
      const singleRatio = node.single.rps / single.rps;
      const batchRatio = node.batch.rps / batch.rps;
      console.log(
        `  node / python: ${singleRatio.toFixed(1)}x single-row requests/s, ${batchRatio.toFixed(1)}x batch rows/s`,
      );
      if (workers <= 1) ratio = Math.min(singleRatio, batchRatio);
    } finally {
      await stop(py);
    }
  }
  return ratio;
}

/**
 * The goals for a 2-core machine. The load generator shares the machine's cores with the server,
 * so the figures are a floor for what the server alone can do.
 */
function printGoals(
  node: { single: Figures; batch: Figures },
  pythonRatio: number | undefined,
  scaling: Setup[] | undefined,
): void {
  const verdict = (ok: boolean): string => (ok ? 'met' : 'missed');
  console.log('\ngoals (2 cores):');
  console.log(
    `  >= 20,000 single-row requests/s, p99 <= 10 ms, one instance: ${verdict(node.single.rps >= 20_000 && node.single.p99 <= 10)}`,
  );
  console.log(
    `  >= 1,000,000 rows/s on the batch endpoint:                    ${verdict(node.batch.rps * batchRows >= 1_000_000)}`,
  );
  console.log(
    `  >= 5x the Python equivalent (one instance each):              ${pythonRatio === undefined ? 'not measured' : verdict(pythonRatio >= 5)}`,
  );
  if (scaling) {
    const [direct, , lb3] = scaling as [Setup, Setup, Setup];
    console.log(
      `  nginx + 3 replicas >= 0.45x one container's single-row requests/s: ${verdict(mean(lb3.single) >= 0.45 * mean(direct.single))}`,
    );
    console.log(
      `  nginx + 3 replicas >= 0.9x one container's batch rows/s:            ${verdict(mean(lb3.batch) >= 0.9 * mean(direct.batch))}`,
    );
  } else {
    console.log('  nginx + 3 replicas against one container:                     not measured');
  }
}

console.log(
  `classifier-api bench: ${connections} connections, ${seconds} s per run, batches of ${batchRows} rows, on 127.0.0.1\n`,
);
try {
  writeFileSync(modelPath, modelFileText(Perceptron.train(data, { seed: 1 }).model));
  const node = await benchNode();
  const docker =
    spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0 &&
    spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
  let scaling: Setup[] | undefined;
  if (docker) scaling = await benchContainers({ single: singleBody, batch: batchBody, batchRows });
  else console.log('containers: skipped (no Docker engine answers)');
  const pythonRatio = await benchPython(node);
  printGoals(node, pythonRatio, scaling);
} finally {
  rmSync(work, { recursive: true, force: true });
}
