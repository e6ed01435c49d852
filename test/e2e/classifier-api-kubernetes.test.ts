/**
 * classifier-api's Kubernetes manifests, first read offline (what the pieces promise each other),
 * then applied unchanged to a real API server, in a namespace under Pod Security "restricted":
 * server-side strict validation, the claim bound, the trainer Job complete, the Deployment rolled
 * out over the nodes behind its Service, the HPA on its target; what "restricted" and strict
 * validation refuse; a rolling update and its undo, scaling against the HPA's bounds, and a node
 * that fails. Every command a learner reads in classifier-api/k8s/README.md is run here.
 *
 * On CI's simulated nodes (kwok) no container runs: the API server, the controllers and the
 * scheduler are real, the pods only report Running and Ready (../shared/k8s/README.md).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot, waitFor } from '../lib/docker.ts';
import { clusterSkip, getJson, kubectl, mustKubectl } from '../lib/kubernetes.ts';
import { runReadmeBlock } from '../lib/readme.ts';

const readme = 'classifier-api/k8s/README.md';
const demoDir = path.join(repoRoot, 'classifier-api');
const k8sDir = path.join(demoDir, 'k8s');
const namespace = 'docker-demos-classifier-api';
/** Marks the cluster-scoped objects this file makes, so that a crashed run's leftovers are found. */
const ownerLabel = 'docker-demos/test=classifier-api-kubernetes';
/** kwok's chaos stage: a node with this label reports NotReady (../shared/k8s/README.md). */
const notReadyLabel = 'node-not-ready.stage.kwok.x-k8s.io';

/** The fields of the Kubernetes objects that these tests read, in the manifests and from kubectl. */
interface Metadata {
  name: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  deletionTimestamp?: string;
}
interface Condition {
  type: string;
  status: string;
  message?: string;
}
interface Container {
  image: string;
  args: string[];
  ports: { name: string }[];
  readinessProbe: { httpGet: { path: string } };
  livenessProbe: { httpGet: { path: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: { readOnlyRootFilesystem?: boolean; runAsUser?: number };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  imagePullPolicy?: string;
}
interface PodSpec {
  containers: Container[];
  volumes: { name: string; persistentVolumeClaim?: { claimName: string }; configMap?: { name: string } }[];
  restartPolicy: string;
  nodeName: string;
  securityContext: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
}
interface Pod {
  metadata: Metadata;
  spec: PodSpec;
  status: { podIP: string; conditions?: Condition[] };
}
interface Deployment {
  metadata: Metadata;
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
  status: { readyReplicas: number };
}
interface ReplicaSet {
  metadata: Metadata;
  spec: { replicas: number; template: { spec: PodSpec } };
  status: { conditions?: Condition[] };
}
interface Job {
  spec: { template: { spec: PodSpec } };
  status: { succeeded: number };
}
interface Service {
  spec: { selector: Record<string, string>; ports: { targetPort: string | number }[] };
}
interface Autoscaler {
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: { resource: { target: { averageUtilization: number } } }[];
  };
  status: { conditions: Condition[]; lastScaleTime?: string };
}
interface Claim {
  metadata: Metadata;
  spec: { resources: { requests: { storage: string } }; accessModes: string[] };
  status: { phase: string };
}
interface Node {
  metadata: Metadata;
  spec: { taints?: { key: string; effect: string }[] };
  status: { conditions: Condition[] };
}
interface EndpointSlice {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
}
interface List<T> {
  items: T[];
}

/** Every document of every manifest file, by kind. */
function loadManifests(): Map<string, { kind: string }> {
  const byKind = new Map<string, { kind: string }>();
  for (const file of readdirSync(k8sDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(path.join(k8sDir, file), 'utf8'))) {
      assert.deepEqual(doc.errors, [], `${file} is not valid YAML`);
      const value = doc.toJS() as { kind: string };
      assert.ok(!byKind.has(value.kind), `two ${value.kind} manifests`);
      byKind.set(value.kind, value);
    }
  }
  return byKind;
}

const manifests = loadManifests();
/** The manifest of one kind, as a fresh copy the caller may change; T names the fields read. */
function manifest<T>(kind: string): T {
  assert.ok(manifests.has(kind), `no ${kind} manifest in classifier-api/k8s`);
  return structuredClone(manifests.get(kind)) as T;
}

describe('classifier-api: Kubernetes manifests, offline', () => {
  test('there are the Job, the Deployment, the Service, the HPA and the volume claim', () => {
    assert.deepEqual([...manifests.keys()].sort(), [
      'Deployment',
      'HorizontalPodAutoscaler',
      'Job',
      'PersistentVolumeClaim',
      'Service',
    ]);
  });

  test('the API pods have readiness and liveness probes, resources and least privilege', () => {
    const pod = manifest<Deployment>('Deployment').spec.template.spec;
    const api = pod.containers[0]!;
    assert.equal(api.readinessProbe.httpGet.path, '/healthz', 'ready = a model is loaded');
    assert.equal(api.livenessProbe.httpGet.path, '/livez', 'alive must not depend on the model');
    for (const r of ['cpu', 'memory']) {
      assert.ok(api.resources.requests[r], `requests.${r}`);
      assert.ok(api.resources.limits[r], `limits.${r}`);
    }
    assert.equal(api.securityContext.readOnlyRootFilesystem, true);
    assert.ok(
      api.volumeMounts.some((m) => m.mountPath === '/app/models' && m.readOnly),
      'the API reads the model, read-only',
    );
  });

  test("the trainer Job writes the model into the claim the API reads, from the README's ConfigMap", () => {
    const claim = manifest<Claim>('PersistentVolumeClaim').metadata.name;
    const job = manifest<Job>('Job').spec.template.spec;
    const deployment = manifest<Deployment>('Deployment').spec.template.spec;
    for (const pod of [job, deployment]) {
      assert.ok(
        pod.volumes.some((v) => v.persistentVolumeClaim?.claimName === claim),
        `mounts ${claim}`,
      );
    }
    const [trainer] = job.containers;
    assert.deepEqual(trainer?.args.slice(-2), ['--save-model', '/app/models/banknote.json']);
    const data = job.volumes.find((v) => v.configMap);
    assert.equal(data?.configMap?.name, 'classifier-api-banknote');
    assert.ok(trainer.volumeMounts.some((m) => m.name === data.name && m.mountPath === '/app/data'));
    assert.ok(
      readFileSync(path.join(repoRoot, readme), 'utf8').includes(
        'kubectl create configmap classifier-api-banknote --from-file=banknote.csv=../linear-classifier/data/banknote.csv',
      ),
      'the README creates the ConfigMap',
    );
    assert.equal(job.restartPolicy, 'Never');
  });

  test('the Service selects the API pods, and the HPA scales the Deployment from its replicas up', () => {
    const deployment = manifest<Deployment>('Deployment');
    const labels = deployment.spec.template.metadata.labels;
    const service = manifest<Service>('Service');
    for (const [k, v] of Object.entries(service.spec.selector))
      assert.equal(labels[k], v, `the Service selects ${k}=${v}`);
    assert.equal(service.spec.ports[0]?.targetPort, deployment.spec.template.spec.containers[0]?.ports[0]?.name);
    const hpa = manifest<Autoscaler>('HorizontalPodAutoscaler');
    assert.deepEqual(hpa.spec.scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    assert.equal(hpa.spec.minReplicas, deployment.spec.replicas);
  });
});

describe('classifier-api: Kubernetes, on a real API server', { skip: clusterSkip(), timeout: 600_000 }, () => {
  // A copy of the kubeconfig: the README's `kubectl config set-context` changes it, not yours.
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'classifier-api-k8s-'));
  const kubeconfig = path.join(tmp, 'kubeconfig');
  const env = { KUBECONFIG: kubeconfig };
  const k = (args: readonly string[], input?: string) => kubectl(args, { env, input });
  const mustK = (args: readonly string[], input?: string) => mustKubectl(args, { env, input });
  const get = <T>(args: readonly string[]) => getJson<T>(['-n', namespace, ...args], { env });
  const inDemo = { env, cwd: demoDir, timeoutMs: 180_000 };
  const apiSelector = 'app.kubernetes.io/name=classifier-api,app.kubernetes.io/component=api';
  /** The API pods that are not being deleted. */
  const apiPods = async (): Promise<Pod[]> =>
    (await get<List<Pod>>(['pods', '-l', apiSelector])).items.filter((p) => !p.metadata.deletionTimestamp);
  const isReady = (pod: Pod): boolean =>
    pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  let kwokNodes = false;
  let firstTemplateHash = '';

  /** Deletes what an earlier, interrupted run may have left: the namespace, the volume, a failed node. */
  async function cleanUp(): Promise<void> {
    await k(['delete', 'namespace', namespace, '--ignore-not-found', '--timeout=120s']);
    await k(['delete', 'persistentvolume', '-l', ownerLabel, '--ignore-not-found']);
    const nodes = (await getJson<List<Node>>(['nodes', '-l', `${notReadyLabel}`], { env })).items;
    for (const node of nodes) await k(['label', 'node', node.metadata.name, `${notReadyLabel}-`]);
  }

  before(async () => {
    const { stdout } = await mustKubectl(['config', 'view', '--raw', '--flatten', '--minify']);
    writeFileSync(kubeconfig, stdout, { mode: 0o600 });
    await cleanUp();
    const nodes = (await getJson<List<Node>>(['nodes'], { env })).items;
    kwokNodes = nodes.length > 0 && nodes.every((n) => n.metadata.annotations?.['kwok.x-k8s.io/node'] === 'fake');
  });

  after(async () => {
    await cleanUp();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('README: a namespace under Pod Security "restricted", and the data set as a ConfigMap', async () => {
    await runReadmeBlock(readme, 'classifier-api-k8s-namespace', inDemo);
    const labels = (await getJson<{ metadata: Metadata }>(['namespace', namespace], { env })).metadata.labels;
    assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.equal(labels['pod-security.kubernetes.io/warn'], 'restricted');
    const configMap = await get<{ data: Record<string, string> }>(['configmap', 'classifier-api-banknote']);
    assert.equal(
      configMap.data['banknote.csv'],
      readFileSync(path.join(repoRoot, 'linear-classifier', 'data', 'banknote.csv'), 'utf8'),
    );
  });

  test('README: strict server-side validation accepts every object, apply; claim bound, Job complete, 3 pods ready', async () => {
    // Where no provisioner makes volumes (the simulated nodes), the claim gets a static volume,
    // reserved for it by claimRef. A cluster with a default StorageClass (kind) makes its own.
    const classes = (await getJson<List<{ metadata: Metadata }>>(['storageclass'], { env })).items;
    const hasDefault = classes.some(
      (c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
    );
    if (!hasDefault) {
      const claim = manifest<Claim>('PersistentVolumeClaim');
      const [key, value] = ownerLabel.split('=') as [string, string];
      await mustK(
        ['create', '-f', '-'],
        stringify({
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { generateName: `${namespace}-models-`, labels: { [key]: value } },
          spec: {
            capacity: { storage: claim.spec.resources.requests.storage },
            accessModes: claim.spec.accessModes,
            persistentVolumeReclaimPolicy: 'Retain',
            claimRef: { namespace, name: claim.metadata.name },
            hostPath: { path: `/tmp/${namespace}-models`, type: 'DirectoryOrCreate' },
          },
        }),
      );
    }
    const results = await runReadmeBlock(readme, 'classifier-api-k8s-apply', inDemo);
    for (const { output } of results)
      assert.doesNotMatch(output, /Warning:/, 'no warning, from Pod Security or anything else');
    assert.equal((await get<Claim>(['pvc', 'classifier-api-models'])).status.phase, 'Bound');
    assert.equal((await get<Job>(['job', 'classifier-api-trainer'])).status.succeeded, 1);
    const deployment = await get<Deployment>(['deployment', 'classifier-api']);
    assert.equal(deployment.status.readyReplicas, 3);
    const pods = await apiPods();
    assert.equal(pods.filter(isReady).length, 3);
    const nodeCount = (await getJson<List<Node>>(['nodes'], { env })).items.length;
    assert.equal(
      new Set(pods.map((p) => p.spec.nodeName)).size,
      Math.min(3, nodeCount),
      'the scheduler spreads the pods over the nodes',
    );
    firstTemplateHash = pods[0]?.metadata.labels['pod-template-hash'] ?? '';
  });

  test('the Service has the 3 ready pods as endpoints; the HPA points at the Deployment', async () => {
    const podIps = new Set((await apiPods()).map((p) => p.status.podIP));
    const endpoints = await waitFor(
      '3 ready endpoints',
      async () => {
        const slices = (
          await get<List<EndpointSlice>>(['endpointslices', '-l', 'kubernetes.io/service-name=classifier-api'])
        ).items;
        const ready = slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready);
        return ready.length === 3 ? ready : undefined;
      },
      30_000,
      500,
    );
    assert.deepEqual(new Set(endpoints.flatMap((e) => e.addresses)), podIps);
    const hpa = await get<Autoscaler>(['hpa', 'classifier-api']);
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'classifier-api' });
  });

  test('README: a Deployment that breaks "restricted" gets a warning, and the dry run changes nothing', async () => {
    const before = (await get<Deployment>(['deployment', 'classifier-api'])).metadata.generation;
    await runReadmeBlock(readme, 'classifier-api-k8s-refused', inDemo);
    assert.equal((await get<Deployment>(['deployment', 'classifier-api'])).metadata.generation, before);
  });

  /** The Deployment under another name and labels, so that neither the Service nor the HPA sees it. */
  function variant(change: (pod: PodSpec, api: Container) => void): Deployment {
    const deployment = manifest<Deployment>('Deployment');
    const labels = { 'app.kubernetes.io/name': 'psa-check' };
    deployment.metadata = { name: 'psa-check', labels };
    deployment.spec.selector = { matchLabels: labels };
    deployment.spec.template.metadata.labels = labels;
    change(deployment.spec.template.spec, deployment.spec.template.spec.containers[0]!);
    return deployment;
  }

  // What Pod Security "restricted" says about each change (its messages are part of Kubernetes' API).
  const refusals: [string, (pod: PodSpec, api: Container) => void, string][] = [
    [
      'without runAsNonRoot',
      (pod) => {
        delete pod.securityContext.runAsNonRoot;
      },
      'runAsNonRoot != true (pod or container "api" must set securityContext.runAsNonRoot=true)',
    ],
    [
      'with a container running as root',
      (_pod, api) => {
        api.securityContext.runAsUser = 0;
      },
      'runAsUser=0 (container "api" must not set runAsUser=0)',
    ],
    [
      'without the seccomp profile',
      (pod) => {
        delete pod.securityContext.seccompProfile;
      },
      'seccompProfile (pod or container "api" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ],
  ];
  for (const [name, change, message] of refusals) {
    test(`Pod Security "restricted" refuses the pods of the Deployment ${name}`, async () => {
      const deployment = variant(change);
      // A pod is what "enforce" checks: the API server refuses to store it.
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'psa-check' },
        spec: deployment.spec.template.spec,
      };
      const refused = await k(['apply', '-n', namespace, '--dry-run=server', '-f', '-'], stringify(pod));
      assert.equal(refused.code, 1, refused.output);
      assert.equal(
        refused.stderr.trim(),
        `Error from server (Forbidden): error when creating "STDIN": pods "psa-check" is forbidden: violates PodSecurity "restricted:latest": ${message}`,
      );
      // A Deployment is stored, with a warning ("warn"), but the pods its ReplicaSet makes are refused.
      const applied = await mustK(['apply', '-n', namespace, '-f', '-'], stringify(deployment));
      assert.equal(applied.stderr.trim(), `Warning: would violate PodSecurity "restricted:latest": ${message}`);
      const failure = await waitFor(
        'the ReplicaSet to report the refusal',
        async () => {
          const sets = (await get<List<ReplicaSet>>(['replicasets', '-l', 'app.kubernetes.io/name=psa-check'])).items;
          return sets[0]?.status.conditions?.find((c) => c.type === 'ReplicaFailure')?.message;
        },
        30_000,
        500,
      );
      assert.match(
        failure,
        new RegExp(
          `^pods "psa-check-[a-z0-9]+-[a-z0-9]+" is forbidden: violates PodSecurity "restricted:latest": ${escape(message)}$`,
        ),
      );
      assert.equal((await get<List<Pod>>(['pods', '-l', 'app.kubernetes.io/name=psa-check'])).items.length, 0);
      await mustK(['delete', '-n', namespace, 'deployment', 'psa-check', '--wait']);
    });
  }

  test('strict validation refuses a misspelt field, and nothing is created', async () => {
    // Object.assign, as the misspelt field is not a Container's.
    const deployment = variant((_pod, api) => {
      Object.assign(api, { imagePulPolicy: api.imagePullPolicy });
      delete api.imagePullPolicy;
    });
    const refused = await k(['apply', '-n', namespace, '--validate=strict', '-f', '-'], stringify(deployment));
    assert.equal(refused.code, 1, refused.output);
    assert.equal(
      refused.stderr.trim(),
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePulPolicy"',
    );
    assert.equal((await k(['get', '-n', namespace, 'deployment', 'psa-check'])).code, 1);
  });

  test('README: a rolling update to a new tag, never fewer than 3 ready pods; undo returns to the old tag', async (t) => {
    // Every change while it rolls, as the API server reports it: the Deployment's available pods,
    // and how many pods each ReplicaSet is told to have. maxSurge bounds the sum of the latter (the
    // Deployment's own status.replicas adds up ReplicaSet statuses updated at different moments, so
    // it can count a pod twice for an instant).
    const watchDeployment = spawn(
      'kubectl',
      [
        'get',
        '-n',
        namespace,
        'deployment',
        'classifier-api',
        '--watch',
        '-o',
        'jsonpath={.status.availableReplicas}{"\\n"}',
      ],
      { env: { ...process.env, ...env } },
    );
    const watchSets = spawn(
      'kubectl',
      [
        'get',
        '-n',
        namespace,
        'replicasets',
        '-l',
        apiSelector,
        '--watch',
        '-o',
        'jsonpath={.metadata.name} {.spec.replicas}{"\\n"}',
      ],
      { env: { ...process.env, ...env } },
    );
    let available = '',
      setChanges = '';
    watchDeployment.stdout.setEncoding('utf8').on('data', (d: string) => {
      available += d;
    });
    watchSets.stdout.setEncoding('utf8').on('data', (d: string) => {
      setChanges += d;
    });
    try {
      await waitFor(
        'the watches to start',
        async () => available.includes('\n') && setChanges.includes('\n'),
        10_000,
        100,
      );
      await runReadmeBlock(readme, 'classifier-api-k8s-update', inDemo);
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      watchDeployment.kill();
      watchSets.kill();
    }
    const minAvailable = Math.min(...available.trim().split('\n').map(Number));
    assert.ok(
      minAvailable >= 3,
      `maxUnavailable: 0, yet only ${minAvailable} pods were available at one point:\n${available}`,
    );
    // The pods asked for, after each ReplicaSet change: one extra at a time (maxSurge: 1), so 4 at most.
    const wanted = new Map<string, number>();
    const totals = setChanges
      .trim()
      .split('\n')
      .map((line) => {
        const [name, replicas] = line.split(' ');
        wanted.set(name!, Number(replicas));
        return [...wanted.values()].reduce((a, b) => a + b, 0);
      });
    const maxPods = Math.max(...totals);
    assert.equal(
      maxPods,
      4,
      `maxSurge: 1: one extra pod at a time, at most 4, asked of the ReplicaSets:\n${setChanges}`,
    );
    t.diagnostic(
      `${totals.length} ReplicaSet changes while rolling: ${maxPods} pods at most, ${minAvailable} available at least`,
    );
    const sets = (await get<List<ReplicaSet>>(['replicasets', '-l', apiSelector])).items;
    const active = sets.filter((s) => s.spec.replicas > 0);
    assert.equal(active.length, 1);
    assert.equal(active[0]?.spec.template.spec.containers[0]?.image, 'classifier-api:1.0.1');
    assert.notEqual(active[0]?.metadata.labels['pod-template-hash'], firstTemplateHash, 'a new ReplicaSet');
    assert.ok((await apiPods()).every((p) => p.spec.containers[0]?.image === 'classifier-api:1.0.1'));

    await runReadmeBlock(readme, 'classifier-api-k8s-undo', inDemo);
    const pods = await apiPods();
    assert.equal(pods.length, 3);
    assert.ok(
      pods.every((p) => p.metadata.labels['pod-template-hash'] === firstTemplateHash),
      'the first ReplicaSet is back',
    );
  });

  test("README: kubectl scale, within and outside the HPA's bounds (3 to 10)", async () => {
    const hpa = await get<Autoscaler>(['hpa', 'classifier-api']);
    assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [3, 10]);
    assert.equal(hpa.spec.metrics[0]?.resource.target.averageUtilization, 70);
    await runReadmeBlock(readme, 'classifier-api-k8s-scale', { ...inDemo, timeoutMs: 300_000 });
    assert.equal((await apiPods()).filter(isReady).length, 3);
    // The HPA found its target and scaled it (it has no metrics here, so only to its bounds).
    const status = (await get<Autoscaler>(['hpa', 'classifier-api'])).status;
    assert.ok(
      status.conditions.some((c) => c.type === 'AbleToScale' && c.status === 'True'),
      JSON.stringify(status.conditions),
    );
    assert.ok(status.lastScaleTime, 'the HPA has scaled the Deployment');
  });

  test('a node fails: its pods are replaced on the other nodes after their 30 s toleration', async (t) => {
    if (!kwokNodes) {
      t.skip("the nodes are not kwok's simulated ones, which fail on a label; stop a node to try it");
      return;
    }
    const pods = await apiPods();
    const failing = pods[0]!.spec.nodeName;
    const victims = new Set(pods.filter((p) => p.spec.nodeName === failing).map((p) => p.metadata.name));
    const start = Date.now();
    await mustK(['label', 'node', failing, `${notReadyLabel}=true`]);
    await waitFor(
      `${failing} to be NotReady and tainted`,
      async () => {
        const node = await getJson<Node>(['node', failing], { env });
        return node.spec.taints?.some((x) => x.key === 'node.kubernetes.io/not-ready' && x.effect === 'NoExecute');
      },
      90_000,
      500,
    );
    const notReadyAfter = Date.now() - start;
    await waitFor(
      '3 ready API pods, none on the failed node',
      async () => {
        const now = await apiPods();
        return (
          now.length === 3 &&
          now.filter(isReady).length === 3 &&
          now.every((p) => p.spec.nodeName !== failing && !victims.has(p.metadata.name))
        );
      },
      120_000,
      500,
    );
    const replacedAfter = Date.now() - start;
    t.diagnostic(
      `${failing} NotReady and tainted after ${(notReadyAfter / 1000).toFixed(1)} s; its pods replaced after ${(replacedAfter / 1000).toFixed(1)} s`,
    );
    // The pods stay for their 30 s toleration, and not for the default 300 s.
    assert.ok(replacedAfter - notReadyAfter >= 25_000, 'the pods stayed for their toleration');
    assert.ok(replacedAfter - notReadyAfter < 90_000, 'the pods left after their toleration');
    await mustK(['label', 'node', failing, `${notReadyLabel}-`]);
    await waitFor(
      `${failing} to be Ready again`,
      async () => {
        const node = await getJson<Node>(['node', failing], { env });
        return (
          node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True') && !node.spec.taints?.length
        );
      },
      90_000,
      500,
    );
  });

  test('README: delete the namespace, and everything in it', async () => {
    await runReadmeBlock(readme, 'classifier-api-k8s-down', inDemo);
    assert.equal((await k(['get', 'namespace', namespace])).code, 1);
  });
});

/** `text` with the characters a regular expression treats specially escaped. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
