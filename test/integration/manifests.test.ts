/**
 * What the examples synthesize, applied for real: every object of the GitOps
 * app in every environment (the files `Overlay.synth` writes, and `kubectl
 * kustomize` of the kustomize tree), and of the operator app (the AgentType
 * CRD, accepted and established, the operator and the AgentTypes, which the
 * API server validates against the CRD's schema and CEL rules), is
 * applied with server-side apply with no rejection and no warning; the
 * Deployment, ReplicaSet and StatefulSet controllers and the scheduler put the
 * pods on the kwok nodes, Running; the disruption controller gives every
 * PodDisruptionBudget a status. One environment at a time, removed after.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { buildGitOpsApp } from '../../examples/gitops';
import { buildOperatorApp } from '../../examples/operator';
import { buildEnvironmentOverlays } from '../../examples/overlays';
import { Overlay } from '../../src';
import { api, controlPlane, kubectl, kubectlOk, waitFor } from './support/cluster';

const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const FIELD_MANAGER = 'cdk8s-agents-integration';
const CLUSTER_FIRST = new Set(['CustomResourceDefinition', 'Namespace']);

let outdir: string;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(controlPlane().dir, '..', 'examples-'));
  Overlay.synth(buildGitOpsApp({ outdir }), buildEnvironmentOverlays(), { kustomizeOutdir: path.join(outdir, 'kustomize') });
  buildOperatorApp({ outdir: path.join(outdir, 'operator') }).synth();
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const parse = (yaml: string): any[] => parseAllDocuments(yaml).map((d) => d.toJSON()).filter((o) => o);
const toYaml = (objects: any[]): string => objects.map((o) => JSON.stringify(o)).join('\n---\n');

/** The objects of dist/<env>/, in file order. */
function environmentObjects(env: string): any[] {
  const dir = path.join(outdir, env);
  return fs.readdirSync(dir).sort().flatMap((f) => parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

/** The objects of the operator app (dist/operator/), in file order. */
function operatorObjects(): any[] {
  const dir = path.join(outdir, 'operator');
  return fs.readdirSync(dir).sort().flatMap((f) => parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

/** The objects `kubectl kustomize` builds from the tree's overlay. */
function kustomizedObjects(env: string): any[] {
  return parse(kubectlOk(['kustomize', path.join(outdir, 'kustomize', 'overlays', env)]));
}

/** The CRDs of the other APIs the examples use (the ServiceMonitor's), from the control plane's build. */
function externalCrds(): any[] {
  const dir = path.join(controlPlane().binDir, 'crds');
  return fs.readdirSync(dir).flatMap((f) => parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

interface ApplyResult {
  readonly warnings: string[];
  readonly rejections: string[];
}

/** Server-side apply of `objects` (one kubectl call), or of a file as written; what the server said. */
function apply(objects: any[] | string): ApplyResult {
  const args = ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f'];
  const result = typeof objects === 'string' ? kubectl([...args, objects]) : kubectl([...args, '-'], toYaml(objects));
  const rejections = result.status === 0 ? [] : result.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('Warning:'));
  return { warnings: result.warnings, rejections };
}

async function waitForEstablished(crds: any[]): Promise<void> {
  for (const crd of crds) {
    await waitFor(`CRD ${crd.metadata.name} Established`, 60, async () => {
      const response = await api('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
      const conditions: any[] = JSON.parse(response.body).status?.conditions ?? [];
      return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    });
  }
}

/** Pod specs of the workloads among `objects`. */
const podSpecs = (objects: any[]): any[] => objects.filter((o) => WORKLOAD_PATHS[o.kind]).map((o) => o.spec.template.spec);

/**
 * What a cluster provides and the examples name but do not make: each
 * RuntimeClass a pod asks for (kwok runs any), and a PersistentVolume bound
 * in advance to each claim a StatefulSet's volumeClaimTemplates will make
 * (this plane has no storage provisioner).
 */
function clusterInfrastructure(objects: any[]): any[] {
  const runtimeClasses = [...new Set(podSpecs(objects).map((spec) => spec.runtimeClassName).filter((n) => n))].map((name) => ({
    apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name }, handler: name,
  }));
  const volumes = objects.filter((o) => o.kind === 'StatefulSet').flatMap((set) =>
    (set.spec.volumeClaimTemplates ?? []).flatMap((claim: any) =>
      Array.from({ length: set.spec.replicas ?? 1 }, (_, i) => {
        const claimName = `${claim.metadata.name}-${set.metadata.name}-${i}`;
        return {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name: `${set.metadata.namespace}-${claimName}` },
          spec: {
            capacity: { storage: claim.spec.resources.requests.storage },
            accessModes: claim.spec.accessModes,
            storageClassName: claim.spec.storageClassName ?? '',
            persistentVolumeReclaimPolicy: 'Delete',
            hostPath: { path: `/var/lib/kwok-volumes/${claimName}` },
            claimRef: { namespace: set.metadata.namespace, name: claimName },
          },
        };
      })));
  return [...runtimeClasses, ...volumes];
}

/** Applies the CRDs and Namespaces, waits for the CRDs, then applies the rest. */
async function applyAll(objects: any[]): Promise<ApplyResult> {
  const first = objects.filter((o) => CLUSTER_FIRST.has(o.kind));
  const rest = objects.filter((o) => !CLUSTER_FIRST.has(o.kind));
  const one = apply(first);
  await waitForEstablished(first.filter((o) => o.kind === 'CustomResourceDefinition'));
  const two = apply(rest);
  return { warnings: [...one.warnings, ...two.warnings], rejections: [...one.rejections, ...two.rejections] };
}

/**
 * As the README says to: `kubectl apply --server-side -f <file>` of each file
 * of `dir` in turn, as written (no reordering), after the other APIs' CRDs;
 * the CRDs a file creates are established before the next file.
 */
function applyFilesInOrder(dir: string): () => Promise<ApplyResult> {
  return async () => {
    const results = [apply(externalCrds())];
    await waitForEstablished(externalCrds());
    for (const file of fs.readdirSync(dir).sort()) {
      results.push(apply(path.join(dir, file)));
      await waitForEstablished(parse(fs.readFileSync(path.join(dir, file), 'utf8')).filter((o) => o.kind === 'CustomResourceDefinition'));
    }
    return { warnings: results.flatMap((r) => r.warnings), rejections: results.flatMap((r) => r.rejections) };
  };
}

/** Deletes what `applyAll` applied and waits (bounded) until its namespaces are gone. */
async function removeAll(objects: any[]): Promise<void> {
  kubectlOk(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], toYaml([...objects].reverse()));
  const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  for (const ns of namespaces) {
    await waitFor(`namespace ${ns} to be deleted`, 120, async () =>
      (await api('GET', `/api/v1/namespaces/${ns}`)).status === 404 ? true : undefined);
  }
}

async function get(apiPath: string): Promise<any> {
  const response = await api('GET', apiPath);
  if (response.status !== 200) throw new Error(`GET ${apiPath}: ${response.status} ${response.body}`);
  return JSON.parse(response.body);
}

const WORKLOAD_PATHS: Record<string, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets' };

/** Every Deployment and StatefulSet has all its replicas ready; every pod is Running on a kwok node. */
async function expectWorkloadsRunning(objects: any[]): Promise<number> {
  const workloads = objects.filter((o) => WORKLOAD_PATHS[o.kind]);
  for (const w of workloads) {
    const apiPath = `/apis/apps/v1/namespaces/${w.metadata.namespace}/${WORKLOAD_PATHS[w.kind]}/${w.metadata.name}`;
    let last: any;
    await waitFor(`${w.kind} ${w.metadata.namespace}/${w.metadata.name} to have its replicas ready`, 120, async () => {
      last = await get(apiPath);
      const wanted = last.spec.replicas ?? 1;
      return wanted > 0 && last.status?.readyReplicas === wanted && last.status?.observedGeneration >= last.metadata.generation ? true : undefined;
    }, () => JSON.stringify(last?.status));
  }
  const nodes = new Set(controlPlane().nodeNames);
  let pods = 0;
  for (const ns of new Set(workloads.map((w) => w.metadata.namespace))) {
    const list = await get(`/api/v1/namespaces/${ns}/pods`);
    for (const pod of list.items.filter((p: any) => !p.metadata.deletionTimestamp)) {
      expect({ pod: pod.metadata.name, phase: pod.status.phase, onKwokNode: nodes.has(pod.spec.nodeName) })
        .toEqual({ pod: pod.metadata.name, phase: 'Running', onKwokNode: true });
      pods++;
    }
  }
  return pods;
}

/** The disruption controller has observed every PodDisruptionBudget and counted its pods. */
async function expectBudgetsObserved(objects: any[]): Promise<void> {
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const apiPath = `/apis/policy/v1/namespaces/${pdb.metadata.namespace}/poddisruptionbudgets/${pdb.metadata.name}`;
    let last: any;
    await waitFor(`PodDisruptionBudget ${pdb.metadata.name} to get a status`, 60, async () => {
      last = await get(apiPath);
      const s = last.status ?? {};
      return s.observedGeneration >= last.metadata.generation && s.expectedPods >= 1 && s.currentHealthy === s.expectedPods ? true : undefined;
    }, () => JSON.stringify(last?.status));
  }
}

const summary: string[] = [];
afterAll(() => {
  if (summary.length) process.stdout.write(`\napplied per environment:\n${summary.join('\n')}\n`);
});

/**
 * Applies `objects` with their infrastructure (by `applyObjects`: the
 * cluster-scoped ones first, by default), checks them, removes them; returns
 * the pods Running.
 */
async function applyAndCheck(objects: any[], applyObjects: (objects: any[]) => Promise<ApplyResult> = applyAll): Promise<number> {
  const infrastructure = clusterInfrastructure(objects);
  try {
    kubectlOk(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], toYaml(infrastructure));
    const result = await applyObjects(objects);
    expect(result).toEqual({ warnings: [], rejections: [] });
    const pods = await expectWorkloadsRunning(objects);
    await expectBudgetsObserved(objects);
    expect(pods).toBeGreaterThanOrEqual(objects.filter((o) => WORKLOAD_PATHS[o.kind]).length);
    return pods;
  } finally {
    await removeAll(objects);
    kubectlOk(['delete', '--ignore-not-found', '-f', '-'], toYaml(infrastructure));
  }
}

test('operator app: its files, applied one by one as written, give the CRD, the operator and the six AgentTypes without rejection or warning; pods Running', async () => {
  const objects = [...externalCrds(), ...operatorObjects()];
  expect(objects.filter((o) => o.kind === 'AgentType')).toHaveLength(6);
  const pods = await applyAndCheck(objects, applyFilesInOrder(path.join(outdir, 'operator')));
  summary.push(`operator app: ${objects.length} objects, ${pods} pods Running (the operator and Redis)`);
});

describe.each([
  ['dist', environmentObjects],
  ['kubectl kustomize', kustomizedObjects],
])('%s', (source, objectsOf) => {
  test.each(ENVIRONMENTS)('%s: every object is applied without rejection or warning; pods Running; budgets observed', async (env) => {
    const objects = [...externalCrds(), ...objectsOf(env)];
    const pods = await applyAndCheck(objects);
    summary.push(`${source} ${env}: ${objects.length} objects (${objects.length - externalCrds().length} of the examples), ${pods} pods Running`);
  });
});
