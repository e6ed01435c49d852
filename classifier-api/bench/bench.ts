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
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { modelFileText } from '../../linear-classifier/src/model-file.ts';
import { Perceptron } from '../../linear-classifier/src/perceptron.ts';
import { banknote as data } from '../../linear-classifier/src/test-utils.ts';
import { servedBy } from '../../test/lib/load.ts';

const demoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 16;
const batchRows = 1000;
const python = '/usr/bin/python3'; // Debian's, where python3-flask and python3-numpy live

// A model trained the way the trainer service does, saved where both services can read it, in a
// folder that the end of the run removes, however it ends.
const work = mkdtempSync(path.join(tmpdir(), 'classifier-api-bench-'));
const modelPath = path.join(work, 'banknote.json');
const rowAt = (i: number): number[] => Array.from(data.x.subarray((i % data.rows) * data.cols, (i % data.rows + 1) * data.cols));
const singleBody = JSON.stringify({ row: rowAt(0) });
const batchBody = JSON.stringify({ rows: Array.from({ length: batchRows }, (_, i) => rowAt(i)) });

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** Polls GET url until it answers 200, for at most 20 s. */
async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready in 20 s`);
}

/** The figures of one load run. */
interface Figures { rps: number; p50: number; p99: number; errors: number }

/** Runs one load: `connections` clients posting `body` to url for `seconds`, after a 2 s warm-up. */
async function load(url: string, body: string): Promise<Figures> {
  // The first seconds run unoptimised code (V8 compiles the hot paths as they get hot): not counted.
  await autocannon({ url, method: 'POST', body, connections, duration: 2, headers: { 'content-type': 'application/json' } });
  const result = await autocannon({
    url, method: 'POST', body, connections, duration: seconds,
    headers: { 'content-type': 'application/json' },
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const line = (what: string, f: Figures, unit = 'requests/s', factor = 1): void =>
  console.log(`${what.padEnd(40)} ${fmt(f.rps * factor).padStart(10)} ${unit.padEnd(10)}  p50 ${f.p50} ms  p99 ${f.p99} ms  errors ${f.errors}`);

/** Starts a service process and waits until its /healthz answers. */
async function start(command: string, args: string[], env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: demoDir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitReady(`http://127.0.0.1:${port}/healthz`);
  return child;
}

/** Stops a service process and waits for it to exit. */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Runs docker with these arguments in the demo folder; throws with its output if it fails. */
function dockerRun(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync('docker', args, { cwd: demoDir, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/** Scales the bench stack's API to `n` replicas and waits until nginx sends requests to exactly those. */
async function scaleTo(project: string[], env: NodeJS.ProcessEnv, lb: string, n: number): Promise<void> {
  dockerRun([...project, 'up', '-d', '--wait', '--scale', `classifier-api=${n}`], env);
  const deadline = Date.now() + 20_000;
  while ((await servedBy(`${lb}/healthz`, 30)).size !== n) {
    if (Date.now() > deadline) throw new Error(`nginx did not see ${n} replicas in 20 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Single-row and batch figures of one setup, each the mean of its runs. */
interface Setup { name: string; single: Figures[]; batch: Figures[] }

const mean = (runs: Figures[]): number => runs.reduce((sum, f) => sum + f.rps, 0) / runs.length;

/**
 * The Compose stack, measured three ways in one run, single rows and batches: one API container
 * through its published port (no load balancer), nginx in front of 1 replica, and of 3. The
 * container has the limits of a replica (1 CPU, 192 MB). Each setup runs twice, in the order
 * A B C C B A, so that a change in the machine's other load over the run evens out in the means.
 * Project `classifier-api-bench` on a free port, removed afterwards, so that a stack a learner
 * has running is left alone.
 */
async function benchContainers(): Promise<Setup[]> {
  const project = ['compose', '-p', 'classifier-api-bench'];
  const lbPort = await freePort();
  const env = { ...process.env, CLASSIFIER_API_PORT: String(lbPort) };
  const directName = 'classifier-api-bench-direct';
  const lb = `http://127.0.0.1:${lbPort}`;
  const direct: Setup = { name: 'one API container, direct', single: [], batch: [] };
  const lb1: Setup = { name: 'nginx + 1 replica', single: [], batch: [] };
  const lb3: Setup = { name: 'nginx + 3 replicas', single: [], batch: [] };
  try {
    dockerRun([...project, 'up', '-d', '--build', '--wait', '--quiet-pull', '--scale', 'classifier-api=1'], env);
    dockerRun(['run', '-d', '--name', directName, '--init', '--read-only', '--cap-drop', 'ALL', '--cpus', '1', '--memory', '192m',
      '-v', 'classifier-api-bench_classifier-api-models:/app/models:ro', '-e', 'LOG_LEVEL=warn', '-p', '127.0.0.1::3000',
      'classifier-api-bench-classifier-api']);
    const directUrl = `http://${dockerRun(['port', directName, '3000']).trim().split('\n')[0]}`;
    await waitReady(`${directUrl}/healthz`);
    let replicas = 1;
    for (const setup of [direct, lb1, lb3, lb3, lb1, direct]) {
      const wanted = setup === lb3 ? 3 : 1;
      if (setup !== direct && wanted !== replicas) await scaleTo(project, env, lb, replicas = wanted);
      const url = setup === direct ? directUrl : lb;
      const single = await load(`${url}/predict`, singleBody);
      line(`${setup.name}, single row`, single);
      const batch = await load(`${url}/predict`, batchBody);
      line(`${setup.name}, batch`, batch, 'rows/s', batchRows);
      setup.single.push(single);
      setup.batch.push(batch);
    }
    const lbLog = dockerRun([...project, 'logs', '--no-log-prefix', 'classifier-api-lb'], env).split('\n').filter(Boolean);
    console.log(`\nthe load balancer's log after these runs: ${lbLog.length} lines`);
    console.log('\nmeans of the two runs of each        single-row requests/s     batch rows/s');
    for (const setup of [direct, lb1, lb3]) {
      const ratio = (mine: Figures[], theirs: Figures[]): string => setup === direct ? '' : ` (${(mean(mine) / mean(theirs)).toFixed(2)}x)`;
      console.log(`${setup.name.padEnd(36)} ${(fmt(mean(setup.single)) + ratio(setup.single, direct.single)).padStart(20)}  `
        + `${(fmt(mean(setup.batch) * batchRows) + ratio(setup.batch, direct.batch)).padStart(20)}`);
    }
    return [direct, lb1, lb3];
  } finally {
    spawnSync('docker', ['rm', '-f', directName], { stdio: 'ignore' });
    spawnSync('docker', [...project, 'down', '-v', '--rmi', 'local'], { cwd: demoDir, env, stdio: 'ignore' });
  }
}

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
    console.log('python flask: skipped (install Debian\'s python3-flask and python3-numpy for the comparison)');
    return undefined;
  }
  let ratio: number | undefined;
  const gunicorn = spawnSync(python, ['-c', 'import gunicorn'], { stdio: 'ignore' }).status === 0;
  for (const workers of gunicorn ? [1, 2] : [0]) {
    const port = await freePort();
    const server = workers === 0 ? 'werkzeug' : `gunicorn, ${workers} worker${workers > 1 ? 's' : ''}`;
    const py = workers > 0
      ? await start(python, ['-m', 'gunicorn', '--workers', String(workers), '--worker-class', 'gthread', '--threads', '8',
        '--bind', `127.0.0.1:${port}`, '--log-level', 'warning', '--chdir', 'bench', 'flask_service:app'], { MODEL_PATH: modelPath }, port)
      : await start(python, ['bench/flask_service.py'], { PORT: String(port), MODEL_PATH: modelPath }, port);
    try {
      const single = await load(`http://127.0.0.1:${port}/predict`, singleBody);
      line(`flask (${server}), single row`, single);
      const batch = await load(`http://127.0.0.1:${port}/predict`, batchBody);
      line(`flask (${server}), batch`, batch, 'rows/s', batchRows);
      const singleRatio = node.single.rps / single.rps;
      const batchRatio = node.batch.rps / batch.rps;
      console.log(`  node / python: ${singleRatio.toFixed(1)}x single-row requests/s, ${batchRatio.toFixed(1)}x batch rows/s`);
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
function printGoals(node: { single: Figures; batch: Figures }, pythonRatio: number | undefined, scaling: Setup[] | undefined): void {
  const verdict = (ok: boolean): string => (ok ? 'met' : 'missed');
  console.log('\ngoals (2 cores):');
  console.log(`  >= 20,000 single-row requests/s, p99 <= 10 ms, one instance: ${verdict(node.single.rps >= 20_000 && node.single.p99 <= 10)}`);
  console.log(`  >= 1,000,000 rows/s on the batch endpoint:                    ${verdict(node.batch.rps * batchRows >= 1_000_000)}`);
  console.log(`  >= 5x the Python equivalent (one instance each):              ${pythonRatio === undefined ? 'not measured' : verdict(pythonRatio >= 5)}`);
  if (scaling) {
    const [direct, , lb3] = scaling as [Setup, Setup, Setup];
    console.log(`  nginx + 3 replicas >= 0.45x one container's single-row requests/s: ${verdict(mean(lb3.single) >= 0.45 * mean(direct.single))}`);
    console.log(`  nginx + 3 replicas >= 0.9x one container's batch rows/s:            ${verdict(mean(lb3.batch) >= 0.9 * mean(direct.batch))}`);
  } else {
    console.log('  nginx + 3 replicas against one container:                     not measured');
  }
}

console.log(`classifier-api bench: ${connections} connections, ${seconds} s per run, batches of ${batchRows} rows, on 127.0.0.1\n`);
try {
  writeFileSync(modelPath, modelFileText(Perceptron.train(data, { seed: 1 }).model));
  const node = await benchNode();
  const docker = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0
    && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
  let scaling: Setup[] | undefined;
  if (docker) scaling = await benchContainers();
  else console.log('containers: skipped (no Docker engine answers)');
  const pythonRatio = await benchPython(node);
  printGoals(node, pythonRatio, scaling);
} finally {
  rmSync(work, { recursive: true, force: true });
}
