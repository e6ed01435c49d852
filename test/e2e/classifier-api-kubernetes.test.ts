/**
 * classifier-api's Kubernetes manifests, validated offline against the Kubernetes API's OpenAPI
 * schemas (bundled in the pinned kubernetes-models package: nothing is fetched), and checked for
 * what the README promises: probes, resources, least privilege, one shared model volume, and an
 * HPA and a Service that point at the Deployment. No cluster and no Docker engine needed.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { repoRoot } from '../lib/docker.ts';

const k8sDir = path.join(repoRoot, 'classifier-api', 'k8s');

/** The model class of each kind the manifests use; validate() checks against the API schema. */
const models: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'autoscaling/v2 HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1 Job': Job,
  'v1 PersistentVolumeClaim': PersistentVolumeClaim,
  'v1 Service': Service,
};

/** Validates one manifest against the schema of its apiVersion and kind; throws when it is invalid. */
function validate(doc: any): void {
  const Model = models[`${doc?.apiVersion} ${doc?.kind}`];
  if (!Model) throw new Error(`no schema for apiVersion ${doc?.apiVersion} kind ${doc?.kind}`);
  new Model(doc).validate();
}

/** Every document of every manifest file, by kind. */
function loadManifests(): Map<string, any> {
  const byKind = new Map<string, any>();
  for (const file of readdirSync(k8sDir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(readFileSync(path.join(k8sDir, file), 'utf8'))) {
      assert.deepEqual(doc.errors, [], `${file} is not valid YAML`);
      const value = doc.toJS();
      assert.ok(!byKind.has(value.kind), `two ${value.kind} manifests`);
      byKind.set(value.kind, { ...value, file });
    }
  }
  return byKind;
}

describe('classifier-api: Kubernetes manifests', () => {
  const manifests = loadManifests();
  const get = (kind: string): any => {
    const m = manifests.get(kind);
    assert.ok(m, `no ${kind} manifest in classifier-api/k8s`);
    const { file: _file, ...doc } = m;
    return doc;
  };

  test('there are the Job, the Deployment, the Service, the HPA and the volume claim', () => {
    assert.deepEqual([...manifests.keys()].sort(), ['Deployment', 'HorizontalPodAutoscaler', 'Job', 'PersistentVolumeClaim', 'Service']);
  });

  for (const kind of ['Deployment', 'HorizontalPodAutoscaler', 'Job', 'PersistentVolumeClaim', 'Service']) {
    test(`${kind} is valid against the Kubernetes API schema`, () => {
      assert.doesNotThrow(() => validate(get(kind)));
    });
  }

  test('the validation does fail on invalid manifests', () => {
    const deployment = get('Deployment');
    const broken = [
      { ...deployment, spec: { ...deployment.spec, replicas: 'three' } },
      { ...deployment, spec: { ...deployment.spec, template: { ...deployment.spec.template, spec: { ...deployment.spec.template.spec, containers: [{ image: 'x' }] } } } },
      { ...get('Service'), spec: { ports: [{ port: 'eighty' }] } },
      { ...get('HorizontalPodAutoscaler'), spec: { ...get('HorizontalPodAutoscaler').spec, minReplicas: 1.5 } },
      { ...get('Job'), spec: { ...get('Job').spec, backoffLimit: -1.5 } },
      { ...deployment, apiVersion: 'apps/v0' },
    ];
    for (const doc of broken) assert.throws(() => validate(doc), /must|no schema/, JSON.stringify(doc.spec ?? doc.apiVersion).slice(0, 80));
  });

  test('the API pods have readiness and liveness probes, resources and least privilege', () => {
    const pod = get('Deployment').spec.template.spec;
    const [api] = pod.containers;
    assert.equal(api.readinessProbe.httpGet.path, '/healthz', 'ready = a model is loaded');
    assert.equal(api.livenessProbe.httpGet.path, '/livez', 'alive must not depend on the model');
    for (const r of ['cpu', 'memory']) {
      assert.ok(api.resources.requests[r], `requests.${r}`);
      assert.ok(api.resources.limits[r], `limits.${r}`);
    }
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.notEqual(pod.securityContext.runAsUser, 0);
    assert.equal(api.securityContext.readOnlyRootFilesystem, true);
    assert.equal(api.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(api.securityContext.capabilities.drop, ['ALL']);
    assert.ok(api.volumeMounts.some((m: any) => m.mountPath === '/app/models' && m.readOnly), 'the API reads the model, read-only');
  });

  test('the trainer Job writes the model into the claim the API reads', () => {
    const claim = get('PersistentVolumeClaim').metadata.name;
    const job = get('Job').spec.template.spec;
    const deployment = get('Deployment').spec.template.spec;
    for (const pod of [job, deployment]) {
      assert.ok(pod.volumes.some((v: any) => v.persistentVolumeClaim?.claimName === claim), `mounts ${claim}`);
    }
    assert.deepEqual(job.containers[0].args.slice(-2), ['--save-model', '/app/models/banknote.json']);
    // The data comes from the ConfigMap the README creates, mounted where --data looks.
    const data = job.volumes.find((v: any) => v.configMap);
    assert.equal(data?.configMap.name, 'classifier-api-banknote');
    assert.ok(job.containers[0].volumeMounts.some((m: any) => m.name === data.name && m.mountPath === '/app/data'));
    assert.ok(readFileSync(path.join(repoRoot, 'classifier-api', 'k8s', 'README.md'), 'utf8')
      .includes('kubectl create configmap classifier-api-banknote --from-file=banknote.csv='), 'the README creates the ConfigMap');
    assert.equal(job.restartPolicy, 'Never');
    assert.equal(job.containers[0].securityContext.readOnlyRootFilesystem, true);
  });

  test('the Service selects the API pods, and the HPA scales the Deployment', () => {
    const deployment = get('Deployment');
    const labels = deployment.spec.template.metadata.labels;
    const service = get('Service');
    for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(labels[k], v, `the Service selects ${k}=${v}`);
    assert.equal(service.spec.ports[0].targetPort, deployment.spec.template.spec.containers[0].ports[0].name);
    const hpa = get('HorizontalPodAutoscaler');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    assert.ok(hpa.spec.minReplicas <= deployment.spec.replicas && deployment.spec.replicas <= hpa.spec.maxReplicas);
  });
});
