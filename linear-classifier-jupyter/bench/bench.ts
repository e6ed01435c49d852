/**
 * Benchmark of linear-classifier-jupyter: the image's size, the time from `docker compose up` to
 * healthy, and the time to execute the whole notebook headlessly; each against its goal.
 *
 * Run from the repository root: `node linear-classifier-jupyter/bench/bench.ts [runs]` (default 3
 * runs; the median is reported). It uses port 8888, like the README, so stop the demo first.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const demo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const project = 'lcj-bench';
const service = 'linear-classifier-jupyter';
const image = 'linear-classifier-jupyter';
const runs = Number(process.argv[2] ?? 3);
/** JupyterLab images built on quay.io/jupyter/base-notebook are about 1 GB or more. */
const referenceMB = 1000;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const verdict = (ok: boolean): string => (ok ? 'meets the goal' : 'MISSES the goal');

/** Runs `docker ARGS` in the demo folder and returns what it printed; throws if it fails. */
function docker(...args: string[]): string {
  return execFileSync('docker', args, { cwd: demo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Milliseconds that `work` takes. */
function timed(work: () => void): number {
  const start = Date.now();
  work();
  return Date.now() - start;
}

if (!Number.isInteger(runs) || runs < 1) {
  console.error(`bench: runs must be a positive integer, got ${process.argv[2]}`);
  process.exit(2);
}

try {
  console.log(`building ${image} ...`);
  docker('compose', '-p', project, 'build', '-q');
  const sizeMB = Number(docker('image', 'inspect', image, '--format', '{{.Size}}').trim()) / 1e6;

  const healthy: number[] = [];
  for (let i = 0; i < runs; i++) {
    // --wait returns once the healthcheck says healthy.
    healthy.push(timed(() => docker('compose', '-p', project, 'up', '-d', '--wait')));
    docker('compose', '-p', project, 'down');
  }

  const notebook: number[] = [];
  for (let i = 0; i < runs; i++) {
    notebook.push(
      timed(() =>
        docker('compose', '-p', project, 'run', '--rm', '-T', service, 'jupyter', 'execute', 'perceptron.ipynb'),
      ),
    );
  }

  console.log('');
  console.log(
    `image size:           ${sizeMB.toFixed(0)} MB (goal <= 600 MB: ${verdict(sizeMB <= 600)}); ` +
      `an image on quay.io/jupyter/base-notebook is about ${referenceMB} MB or more (not measured here): ` +
      `${(sizeMB / referenceMB).toFixed(2)}x of that`,
  );
  console.log(
    `compose up to healthy: ${seconds(median(healthy))} median of ${runs} (${healthy.map(seconds).join(', ')}); goal <= 15 s: ${verdict(median(healthy) <= 15_000)}`,
  );
  console.log(
    `notebook, executed:    ${seconds(median(notebook))} median of ${runs} (${notebook.map(seconds).join(', ')}), ` +
      `including the container's start; goal <= 20 s: ${verdict(median(notebook) <= 20_000)}`,
  );
} finally {
  docker('compose', '-p', project, 'down', '-v');
}
