/**
 * `npm run bench`: how many predictions per second does the app make, with the durable database
 * write that each stored prediction costs, and without it? And what do the batches (group commit)
 * buy? Four runs: the prediction alone; stored durably in batches (the app as it is); stored
 * durably one INSERT per prediction (INSERT_BATCH_ROWS=1); stored in batches with
 * synchronous_commit=off (commits that do not wait for the disk), for comparison. Prints figures;
 * it is not a test and asserts nothing. It starts the whole Compose stack as its own project
 * (classifier-app-bench, port 8099), so a stack you have running is left alone, and removes it
 * afterwards, volume included.
 *
 * Each load: CONNECTIONS (32) clients posting one banknote at a time for BENCH_SECONDS (10), after
 * a 2 s warm-up, on 127.0.0.1.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const demoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.CONNECTIONS ?? 32);
const port = 8099;
const base = `http://127.0.0.1:${port}`;
const project = ['compose', '-p', 'classifier-app-bench'];
const env = { ...process.env, CLASSIFIER_APP_PORT: String(port) };
const body = JSON.stringify({ features: [3.6216, 8.6661, -2.8073, -0.44699] });

/** The figures of one load run. */
interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuMsPerRequest: number | null;
}

/** The part of the Docker Engine API's container stats that the bench reads. */
interface ContainerStats {
  cpu_stats: { cpu_usage: { total_usage: number } };
}

/**
 * CPU time used so far by the app's and the database's containers, in nanoseconds, from the Docker
 * Engine API (`GET /containers/ID/stats`), or null where the socket is elsewhere. On a machine
 * that other programs share, requests per second vary with their load; the CPU time that one
 * request costs does not, and it says what two otherwise idle cores could do.
 */
function containersCpuNs(): Promise<number | null> {
  const socketPath = process.env.DOCKER_HOST?.startsWith('unix://')
    ? process.env.DOCKER_HOST.slice('unix://'.length)
    : '/var/run/docker.sock';
  const one = (name: string): Promise<number> =>
    new Promise<string>((resolve, reject) => {
      request({ socketPath, path: `/containers/${name}/stats?stream=false&one-shot=true` }, (res) => {
        let text = '';
        res
          .setEncoding('utf8')
          .on('data', (d: string) => {
            text += d;
          })
          .on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    }).then((text) => (JSON.parse(text) as ContainerStats).cpu_stats.cpu_usage.total_usage);
  return Promise.all(
    ['classifier-app-bench-classifier-app-1', 'classifier-app-bench-classifier-app-db-1'].map(one),
  ).then(
    ([app, db]) => app! + db!,
    () => null,
  );
}

/** Runs one load against a route, after a warm-up that is not counted. */
async function load(route: string): Promise<Figures> {
  const options = {
    url: `${base}${route}`,
    method: 'POST' as const,
    body,
    connections,
    headers: { 'content-type': 'application/json' },
  };
  // The first seconds run unoptimised code (V8 compiles the hot paths as they get hot): not counted.
  await autocannon({ ...options, duration: 2 });
  const cpuBefore = await containersCpuNs();
  const result = await autocannon({ ...options, duration: seconds });
  const cpuAfter = await containersCpuNs();
  const cpuMsPerRequest =
    cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / 1e6 / result.requests.total;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuMsPerRequest,
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const line = (what: string, f: Figures): void =>
  console.log(
    `${what.padEnd(48)} ${fmt(f.rps).padStart(6)} predictions/s  p50 ${f.p50} ms  p99 ${f.p99} ms  errors ${f.errors}` +
      (f.cpuMsPerRequest === null ? '' : `  CPU ${f.cpuMsPerRequest.toFixed(3)} ms each (app + db)`),
  );
/** What two cores could do at this CPU cost per prediction, with nothing else running. */
const onTwoCores = (f: Figures): string =>
  f.cpuMsPerRequest === null ? 'unknown' : `${fmt(2000 / f.cpuMsPerRequest)}/s`;

if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) {
  console.error('classifier-app bench: no Docker engine answers (`docker info` failed)');
  process.exit(1);
}
// The stack needs the password files; a missing one is made as the README makes it (an existing
// one is never touched: the bench's own volume is new, so any password does).
for (const name of ['db', 'app', 'trainer']) {
  const passwordFile = path.join(demoDir, `${name}_password.txt`);
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, `${randomBytes(16).toString('hex')}\n`);
}

/** Runs a docker command in the demo folder; throws with its output when it fails. */
function docker(args: string[]): void {
  const r = spawnSync('docker', args, { cwd: demoDir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
}

/** Starts the app again, with `environment` added (an override file), and waits until it is healthy. */
function restartApp(environment: Record<string, string>): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'classifier-app-bench-'));
  const override = path.join(dir, 'override.yaml');
  writeFileSync(
    override,
    `services:\n  classifier-app:\n    environment:\n${
      Object.entries(environment)
        .map(([k, v]) => `      ${k}: "${v}"\n`)
        .join('') || '      {}\n'
    }`,
  );
  try {
    docker([
      ...project,
      '-f',
      'compose.yaml',
      '-f',
      override,
      'up',
      '-d',
      '--wait',
      '--no-deps',
      '--force-recreate',
      'classifier-app',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sets synchronous_commit for the app's role; new connections get it. */
function synchronousCommit(value: 'on' | 'off'): void {
  docker([
    ...project,
    'exec',
    '-T',
    'classifier-app-db',
    'psql',
    '-U',
    'classifier',
    '-qc',
    `ALTER ROLE classifier_app SET synchronous_commit = ${value}`,
  ]);
}

/** Removes the bench's stack, volume and images: at the end, on a failure, and on Ctrl+C. */
function cleanUp(): void {
  spawnSync('docker', [...project, 'down', '-v', '--rmi', 'local'], { cwd: demoDir, env, stdio: 'ignore' });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nclassifier-app bench: ${signal}, removing the bench's stack`);
    cleanUp();
    process.exit(1);
  });
}

console.log(
  `classifier-app bench: ${connections} connections, ${seconds} s per run, through the published port on 127.0.0.1\n`,
);
try {
  docker([...project, 'up', '-d', '--build', '--wait']);
  const alone = await load('/api/predict');
  line('prediction alone (POST /api/predict)', alone);
  const stored = await load('/api/predictions');
  line('stored durably, in batches (the app as it is)', stored);
  restartApp({ INSERT_BATCH_ROWS: '1' });
  const single = await load('/api/predictions');
  line('stored durably, one INSERT each', single);
  synchronousCommit('off');
  restartApp({});
  const unsafe = await load('/api/predictions');
  line('in batches, synchronous_commit=off (not durable)', unsafe);
  synchronousCommit('on');

  console.log(
    `\nthe durable write costs ${(100 * (1 - stored.rps / alone.rps)).toFixed(0)} % of the throughput of prediction alone`,
  );
  console.log(
    `the batches (group commit) store ${(stored.rps / single.rps).toFixed(1)} times as many predictions a second as one INSERT each`,
  );
  console.log(
    `not waiting for the disk would store ${(unsafe.rps / stored.rps).toFixed(2)} times as many, and lose the last ones in a crash`,
  );
  console.log(
    `two otherwise idle cores, from the CPU cost alone (no load generator, no docker-proxy): ${onTwoCores(alone)} alone, ${onTwoCores(stored)} stored durably`,
  );
  console.log(
    `load average while measuring: ${os.loadavg()[0]!.toFixed(1)} (on ${os.availableParallelism()} cores, shared with whatever else runs)`,
  );
  console.log(
    `goal (2 cores): >= 5,000 durably stored predictions/s: ${stored.rps >= 5000 && stored.errors === 0 ? 'met' : 'missed'}`,
  );
} finally {
  cleanUp();
}
