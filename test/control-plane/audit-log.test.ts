/**
 * Reading the plane's audit log (no plane): one request per audit ID, its
 * verb, resource and status, whatever the stages logged and however the file
 * is read.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { countBy, parseAuditLog, readAuditLog, WRITE_VERBS } from './audit-log';

const USER = 'system:serviceaccount:ops:agent-operator';

/** One audit.k8s.io/v1 Event line as kube-apiserver writes it at level Metadata. */
function entry(auditID: string, stage: string, verb: string, objectRef: any, code: number | undefined, at: string, requestURI = '/x'): string {
  return JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID,
    stage,
    requestURI,
    verb,
    user: { username: USER, groups: ['system:serviceaccounts'] },
    sourceIPs: ['127.0.0.1'],
    objectRef,
    ...(code === undefined ? {} : { responseStatus: { metadata: {}, code } }),
    requestReceivedTimestamp: at,
    stageTimestamp: at,
  });
}

const LOG = [
  entry('w1', 'ResponseStarted', 'watch', { resource: 'deployments', namespace: 'a', apiGroup: 'apps', apiVersion: 'v1' }, 200, '2026-01-01T00:00:01.000000Z'),
  entry('p1', 'ResponseComplete', 'patch', { resource: 'agenttypes', namespace: 'a', name: 'x', apiGroup: 'agents.example.com', apiVersion: 'v1', subresource: 'status' }, 200, '2026-01-01T00:00:03.250000Z'),
  entry('g1', 'ResponseStarted', 'get', { resource: 'leases', namespace: 'ops', name: 'l', apiGroup: 'coordination.k8s.io', apiVersion: 'v1' }, undefined, '2026-01-01T00:00:02.000000Z'),
  entry('g1', 'ResponseComplete', 'get', { resource: 'leases', namespace: 'ops', name: 'l', apiGroup: 'coordination.k8s.io', apiVersion: 'v1' }, 404, '2026-01-01T00:00:02.000000Z'),
  entry('v1', 'ResponseComplete', 'get', undefined, 200, '2026-01-01T00:00:00.500000Z', '/version?timeout=32s'),
  entry('c1', 'ResponseComplete', 'create', { resource: 'configmaps', namespace: 'a', name: 'é-init', apiVersion: 'v1' }, 201, '2026-01-01T00:00:04.000000Z'),
].join('\n') + '\n';

test('each request counts once, in the order received, with its resource (group, subresource) and final status', () => {
  const requests = parseAuditLog(LOG);
  expect(requests.map(r => [r.auditId, r.verb, r.resource, r.code])).toEqual([
    ['v1', 'get', '/version', 200],
    ['w1', 'watch', 'deployments.apps', undefined], // a watch still open: started, not complete
    ['g1', 'get', 'leases.coordination.k8s.io', 404],
    ['p1', 'patch', 'agenttypes.agents.example.com/status', 200],
    ['c1', 'create', 'configmaps', 201],
  ]);
  expect(requests[3]).toMatchObject({ user: USER, namespace: 'a', name: 'x', receivedAt: Date.parse('2026-01-01T00:00:03.250Z') });
});

test('a request logged complete after started keeps the complete entry, whichever line comes first', () => {
  const [started, complete] = LOG.split('\n').slice(2, 4);
  expect(parseAuditLog(`${complete}\n${started}\n`).map(r => r.code)).toEqual([404]);
  expect(parseAuditLog(`${started}\n`).map(r => r.code)).toEqual([undefined]);
});

test('a last line cut mid-write is ignored; a broken line before it is an error naming its number', () => {
  expect(parseAuditLog(LOG + LOG.split('\n')[1].slice(0, 40)).length).toBe(5);
  expect(() => parseAuditLog(`${LOG.split('\n')[0]}\n{"kind":\n${LOG}`)).toThrow(/^audit log line 2 is not JSON: /);
});

test('reading the file in small chunks gives the same requests (lines and characters cut between chunks)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-audit-'));
  try {
    const file = path.join(dir, 'audit.log');
    fs.writeFileSync(file, LOG);
    const whole = parseAuditLog(LOG);
    for (const chunk of [7, 100, 2 ** 20]) expect(readAuditLog(file, chunk)).toEqual(whole);
    expect(whole.find(r => r.auditId === 'c1')?.name).toBe('é-init');
    expect(readAuditLog(path.join(dir, 'none.log'))).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('counting by verb and by resource; the write verbs', () => {
  const requests = parseAuditLog(LOG);
  expect(countBy(requests, r => r.verb)).toEqual({ create: 1, get: 2, patch: 1, watch: 1 });
  expect(countBy(requests.filter(r => WRITE_VERBS.has(r.verb)), r => `${r.verb} ${r.resource}`))
    .toEqual({ 'create configmaps': 1, 'patch agenttypes.agents.example.com/status': 1 });
});
