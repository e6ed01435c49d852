/**
 * Helpers for the Kubernetes end-to-end tests: is there a cluster to test on, and run kubectl.
 *
 * Like the Docker tests, a suite skips with a one-line reason when no cluster answers, and fails
 * with CI=true. Nothing is probed when this file is imported: {@link clusterSkip} asks the cluster
 * the first time a suite calls it.
 *
 * The tests create a namespace, a PersistentVolume and mark a node as failed, so they only touch
 * a cluster whose kubectl context is a local, throw-away one (see {@link testContextPattern}),
 * never whatever cluster the current context happens to point at.
 */
import { spawnSync } from 'node:child_process';
import { run, skipUnlessAvailable, type RunOptions, type RunResult } from './docker.ts';

/**
 * The kubectl contexts the tests may change: kind, minikube, Docker Desktop, k3d, and the control
 * plane CI starts (docker-demos-k8s).
 */
export const testContextPattern: RegExp = /^(kind-.+|minikube|docker-desktop|k3d-.+|docker-demos-k8s)$/;

function probeCluster(): string | false {
  const client = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (client.error || client.status !== 0) return 'kubectl is not installed (`kubectl version --client` failed)';
  const context = spawnSync('kubectl', ['config', 'current-context'], { encoding: 'utf8' });
  if (context.status !== 0) return 'kubectl has no current context (set KUBECONFIG, or create a cluster with kind)';
  const name = context.stdout.trim();
  if (!testContextPattern.test(name))
    return `the current kubectl context "${name}" is not a local test cluster (kind, minikube, docker-desktop)`;
  const ready = spawnSync('kubectl', ['get', '--raw', '/readyz', '--request-timeout=10s'], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (ready.error || ready.status !== 0 || ready.stdout.trim() !== 'ok')
    return `no Kubernetes cluster answers on context "${name}" (\`kubectl get --raw /readyz\` failed)`;
  return false;
}

/**
 * `false` when kubectl reaches a local test cluster; otherwise the reason to skip, for
 * `describe(name, { skip: clusterSkip() }, ...)`. With CI=true a missing cluster fails instead.
 * Probes once, on the first call.
 */
export const clusterSkip: () => string | false = skipUnlessAvailable(
  probeCluster,
  'the Kubernetes end-to-end tests',
  'start a cluster to run the Kubernetes tests',
);

/** Runs `kubectl ARGS`; never rejects on a non-zero exit (see {@link mustKubectl}). */
export function kubectl(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run('kubectl', args, options);
}

/** Like {@link kubectl}, but throws with kubectl's output when it exits non-zero. */
export async function mustKubectl(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await kubectl(args, options);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.output}`);
  return result;
}

/**
 * `kubectl get ARGS -o json`, parsed: one object, or a List with `items`. T names the fields the
 * caller reads; nothing checks them.
 */
export async function getJson<T>(args: readonly string[], options: RunOptions = {}): Promise<T> {
  return JSON.parse((await mustKubectl(['get', ...args, '-o', 'json'], options)).stdout) as T;
}
