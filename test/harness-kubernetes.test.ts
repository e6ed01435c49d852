/**
 * Tests of the Kubernetes e2e harness: without a cluster a suite skips with a one-line reason, and
 * with CI=true it fails; a kubectl context that is not a local test cluster is never touched; and
 * importing test/lib/kubernetes.ts probes nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot, run } from './lib/docker.ts';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'cluster-skip.test-fixture.ts');
const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-kubernetes-'));

/** A kubeconfig whose one context, named `context`, points at a port where nothing answers. */
function kubeconfig(context: string): string {
  const file = path.join(dir, `${context}.yaml`);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: nobody, user: {}}]',
      `contexts: [{name: ${context}, context: {cluster: nowhere, user: nobody}}]`,
      `current-context: ${context}`,
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * Runs the fixture suite with KUBECONFIG set, as a top-level test run (NODE_TEST_CONTEXT would make
 * it report to this runner instead), with CI set or unset.
 */
const runFixture = (config: string, ci: 'true' | undefined) =>
  run(
    'env',
    [
      '-u',
      'NODE_TEST_CONTEXT',
      ...(ci ? [`CI=${ci}`] : ['-u', 'CI']),
      `KUBECONFIG=${config}`,
      process.execPath,
      '--test',
      '--test-reporter=spec',
      fixture,
    ],
    { timeoutMs: 60_000 },
  );

describe('Kubernetes e2e harness', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('without a cluster, outside CI, a suite skips with a one-line reason', async () => {
    const { code, output } = await runFixture(kubeconfig('kind-gone'), undefined);
    assert.equal(code, 0, output);
    assert.match(
      output,
      /^﹣ a Kubernetes e2e suite .*# no Kubernetes cluster answers on context "kind-gone" \(`kubectl get --raw \/readyz` failed\): start a cluster to run the Kubernetes tests$/m,
    );
  });

  test('without a cluster, with CI=true, the suite fails and says why', async () => {
    const { code, output } = await runFixture(kubeconfig('kind-gone'), 'true');
    assert.notEqual(code, 0);
    assert.match(
      output,
      /no Kubernetes cluster answers on context "kind-gone" .*, and CI=true: the Kubernetes end-to-end tests are required in CI/,
    );
  });

  test('a context that is not a local test cluster is left alone', async () => {
    const { code, output } = await runFixture(kubeconfig('production'), undefined);
    assert.equal(code, 0, output);
    assert.match(
      output,
      /# the current kubectl context "production" is not a local test cluster \(kind, minikube, docker-desktop\): start a cluster/,
    );
  });

  test('importing the helpers probes nothing, even with CI=true and no cluster', async () => {
    const { code, output } = await run(
      'env',
      [
        'CI=true',
        `KUBECONFIG=${path.join(dir, 'missing.yaml')}`,
        process.execPath,
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(path.join(repoRoot, 'test', 'lib', 'kubernetes.ts'))});`,
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal(code, 0, output);
  });
});
