/**
 * The control plane itself: the versions it reports, the controllers the
 * other integration tests rely on (garbage collector, Job), and that a plane
 * stops by itself, processes and data, when the process that owns it is gone.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { isProcessAlive as alive } from '../control-plane/control-plane';
import { startControlPlane } from '../control-plane/supervisor-client';
import { api, controlPlane, kubectlOk, waitFor } from './support/cluster';

const NAMESPACE = 'control-plane-test';

beforeAll(async () => {
  await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
});

afterAll(async () => {
  await api('DELETE', `/api/v1/namespaces/${NAMESPACE}`);
});


test('kubectl and the API server report the pinned Kubernetes version', () => {
  const version = JSON.parse(kubectlOk(['version', '-o', 'json']));
  expect(version.clientVersion.gitVersion).toBe('v1.37.2');
  expect(version.serverVersion.gitVersion).toBe('v1.37.2');
});

test('the garbage collector deletes an object whose owner is deleted', async () => {
  const configMaps = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
  const owner = JSON.parse((await api('POST', configMaps, { metadata: { name: 'owner' } })).body);
  const dependent = await api('POST', configMaps, {
    metadata: { name: 'dependent', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid }] },
  });
  expect(dependent.status).toBe(201);
  expect((await api('DELETE', `${configMaps}/owner`)).status).toBe(200);
  await waitFor('the dependent ConfigMap to be collected', 60, async () =>
    (await api('GET', `${configMaps}/dependent`)).status === 404 ? true : undefined);
});

test('the Job controller makes the pod of a Job, kwok runs it to completion, and the Job completes', async () => {
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'once' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.invalid/none:1' }] } } },
  };
  expect((await api('POST', `/apis/batch/v1/namespaces/${NAMESPACE}/jobs`, job)).status).toBe(201);
  let last: any;
  await waitFor('the Job to complete', 60, async () => {
    last = JSON.parse((await api('GET', `/apis/batch/v1/namespaces/${NAMESPACE}/jobs/once`)).body).status;
    return (last?.conditions ?? []).some((c: any) => c.type === 'Complete' && c.status === 'True') ? true : undefined;
  }, () => JSON.stringify(last));
  expect(last.succeeded).toBe(1);
  const pods = JSON.parse((await api('GET', `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=job-name%3Donce`)).body).items;
  expect(pods.map((p: any) => [p.status.phase, controlPlane().nodeNames.includes(p.spec.nodeName)])).toEqual([['Succeeded', true]]);
});

test('a plane stops by itself, every process and its data, when its owner process is gone', async () => {
  const owner = spawn('sleep', ['600'], { stdio: 'ignore' });
  const root = fs.mkdtempSync(path.join(controlPlane().dir, '..', 'owned-'));
  try {
    const state = await startControlPlane({ root, binDir: controlPlane().binDir, owner: owner.pid, nodes: 1 });
    const supervisor = Number(fs.readFileSync(path.join(root, 'supervisor.pid'), 'utf8'));
    const pids = [supervisor, ...Object.values(state.pids)];
    expect(pids.every(alive)).toBe(true);
    expect(Object.keys(state.pids).sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']);
    owner.kill('SIGKILL');
    await waitFor('the owned plane to stop', 60, () => (pids.some(alive) || fs.existsSync(root) ? undefined : true),
      () => `alive: ${pids.filter(alive).join(', ')}; ${root} exists: ${fs.existsSync(root)}`);
  } finally {
    owner.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  }
});
