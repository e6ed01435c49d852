/**
 * The bench's Docker part: the Compose stack's image as one container, and behind nginx with 1 and
 * with 3 replicas.
 */
import { spawnSync } from 'node:child_process';
import { servedBy } from '../../test/lib/load.ts';
import { demoDir, fmt, freePort, line, load, waitReady, type Figures } from './load.ts';

/** The request bodies of the loads: one row, and a batch of `batchRows` rows. */
export interface Bodies {
  single: string;
  batch: string;
  batchRows: number;
}

/** Runs docker with these arguments in the demo folder; throws with its output if it fails. */
export function dockerRun(args: string[], env: NodeJS.ProcessEnv = process.env): string {
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
export interface Setup {
  name: string;
  single: Figures[];
  batch: Figures[];
}

export const mean = (runs: Figures[]): number => runs.reduce((sum, f) => sum + f.rps, 0) / runs.length;

/**
 * The Compose stack, measured three ways in one run, single rows and batches: one API container
 * through its published port (no load balancer), nginx in front of 1 replica, and of 3. The
 * container has the limits of a replica (1 CPU, 192 MB). Each setup runs twice, in the order
 * A B C C B A, so that a change in the machine's other load over the run evens out in the means.
 * Project `classifier-api-bench` on a free port, removed afterwards, so that a stack a learner
 * has running is left alone.
 */
export async function benchContainers(bodies: Bodies): Promise<Setup[]> {
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
    dockerRun([
      'run',
      '-d',
      '--name',
      directName,
      '--init',
      '--read-only',
      '--cap-drop',
      'ALL',
      '--cpus',
      '1',
      '--memory',
      '192m',
      '-v',
      'classifier-api-bench_classifier-api-models:/app/models:ro',
      '-e',
      'LOG_LEVEL=warn',
      '-p',
      '127.0.0.1::3000',
      'classifier-api-bench-classifier-api',
    ]);
    const directUrl = `http://${dockerRun(['port', directName, '3000']).trim().split('\n')[0]}`;
    await waitReady(`${directUrl}/healthz`);
    let replicas = 1;
    for (const setup of [direct, lb1, lb3, lb3, lb1, direct]) {
      const wanted = setup === lb3 ? 3 : 1;
      if (setup !== direct && wanted !== replicas) await scaleTo(project, env, lb, (replicas = wanted));
      const url = setup === direct ? directUrl : lb;
      const single = await load(`${url}/predict`, bodies.single);
      line(`${setup.name}, single row`, single);
      const batch = await load(`${url}/predict`, bodies.batch);
      line(`${setup.name}, batch`, batch, 'rows/s', bodies.batchRows);
      setup.single.push(single);
      setup.batch.push(batch);
    }
    const lbLog = dockerRun([...project, 'logs', '--no-log-prefix', 'classifier-api-lb'], env)
      .split('\n')
      .filter(Boolean);
    console.log(`\nthe load balancer's log after these runs: ${lbLog.length} lines`);
    console.log('\nmeans of the two runs of each        single-row requests/s     batch rows/s');
    for (const setup of [direct, lb1, lb3]) {
      const ratio = (mine: Figures[], theirs: Figures[]): string =>
        setup === direct ? '' : ` (${(mean(mine) / mean(theirs)).toFixed(2)}x)`;
      console.log(
        `${setup.name.padEnd(36)} ${(fmt(mean(setup.single)) + ratio(setup.single, direct.single)).padStart(20)}  ` +
          `${(fmt(mean(setup.batch) * bodies.batchRows) + ratio(setup.batch, direct.batch)).padStart(20)}`,
      );
    }
    return [direct, lb1, lb3];
  } finally {
    spawnSync('docker', ['rm', '-f', directName], { stdio: 'ignore' });
    spawnSync('docker', [...project, 'down', '-v', '--rmi', 'local'], { cwd: demoDir, env, stdio: 'ignore' });
  }
}
