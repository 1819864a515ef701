/**
 * The control plane itself: the versions it reports, the controllers the
 * other integration tests rely on (garbage collector, Job), and that a plane
 * stops by itself, processes and data, when the process that owns it is gone;
 * its options for the operator benchmark (an audit log of chosen users, the
 * controller manager's and scheduler's client rate).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readAuditLog } from '../control-plane/audit-log';
import { isProcessAlive as alive } from '../control-plane/control-plane';
import { startControlPlane, stopControlPlane } from '../control-plane/supervisor-client';
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

test('a plane with auditUsers logs those users\' requests only; componentApiRate reaches the controller manager and the scheduler', async () => {
  const root = fs.mkdtempSync(path.join(controlPlane().dir, '..', 'audited-'));
  try {
    const state = await startControlPlane({
      root,
      binDir: controlPlane().binDir,
      owner: process.pid,
      nodes: 1,
      auditUsers: ['system:kube-scheduler'],
      componentApiRate: { qps: 150, burst: 300 },
    });
    expect(state.auditLog).toBe(path.join(root, 'plane', 'logs', 'audit.log'));
    // The admin created the node and read it while the plane started: none of that is logged.
    const requests = await waitFor('the scheduler\'s requests in the audit log', 30, () => {
      const logged = readAuditLog(state.auditLog!);
      // client-go's informers stream their initial list in a watch (no list request).
      return logged.some(r => r.verb === 'watch' && r.resource === 'pods') && logged.some(r => r.verb === 'get') ? logged : undefined;
    });
    expect(new Set(requests.map(r => r.user))).toEqual(new Set(['system:kube-scheduler']));
    expect(requests.every(r => r.receivedAt > 0 && r.resource !== '')).toBe(true);
    for (const component of ['kube-controller-manager', 'kube-scheduler']) {
      const args = fs.readFileSync(`/proc/${state.pids[component]}/cmdline`, 'utf8').split('\0');
      expect(args).toEqual(expect.arrayContaining(['--kube-api-qps=150', '--kube-api-burst=300']));
    }
    expect(fs.readFileSync(`/proc/${state.pids['kube-apiserver']}/cmdline`, 'utf8')).toContain('--audit-policy-file=');
  } finally {
    await stopControlPlane(root);
  }
});
