/**
 * The operator's plan for one AgentType: apply what is missing or changed,
 * delete what it owns and no longer wants, and nothing else; an unchanged
 * AgentType makes no write.
 */
import { objectKey, planChanges, withAppliedHash } from '../../src/operator/plan';

const HASH = 'agents.cdk8s.io/applied-hash';
const configMap = (name: string, data: any) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'agents' }, data });
const deployment = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'a', namespace: 'agents', annotations: { note: 'x' } },
  spec: { template: { spec: { containers: [{ name: 'agent', image }] } } },
});
/** What the server would hold after applying `object`: the object, filled with defaults and server fields. */
const asApplied = (object: any) => ({
  ...object,
  metadata: { ...object.metadata, uid: 'u-1', resourceVersion: '42', managedFields: [{ manager: 'cdk8s-agents-operator' }] },
  ...(object.spec ? { spec: { ...object.spec, revisionHistoryLimit: 10 } } : {}),
});

test('objectKey: group, kind, namespace and name (not the version)', () => {
  expect(objectKey(deployment('x'))).toBe('apps/Deployment/agents/a');
  expect(objectKey({ ...deployment('x'), apiVersion: 'apps/v2' })).toBe('apps/Deployment/agents/a');
  expect(objectKey(configMap('c', {}))).toBe('/ConfigMap/agents/c');
});

test('withAppliedHash: the hash follows the content, keeps other annotations, and ignores a previous hash', () => {
  const one = withAppliedHash(deployment('agent:1'));
  expect(one.metadata.annotations.note).toBe('x');
  expect(one.metadata.annotations[HASH]).toMatch(/^[0-9a-f]{64}$/);
  expect(withAppliedHash(one).metadata.annotations[HASH]).toBe(one.metadata.annotations[HASH]);
  expect(withAppliedHash(deployment('agent:2')).metadata.annotations[HASH]).not.toBe(one.metadata.annotations[HASH]);
  expect(withAppliedHash(configMap('c', { k: 'v' })).metadata.annotations).toEqual({ [HASH]: expect.any(String) });
});

test('first reconcile: everything is applied', () => {
  const plan = planChanges([deployment('agent:1'), configMap('c', { k: 'v' })], []);
  expect(plan.apply.map(objectKey)).toEqual(['apps/Deployment/agents/a', '/ConfigMap/agents/c']);
  expect(plan).toMatchObject({ delete: [], unchanged: 0 });
});

test('a resync with nothing changed makes no write, whatever the server added to the live objects', () => {
  const desired = [deployment('agent:1'), configMap('c', { k: 'v' })];
  const live = planChanges(desired, []).apply.map(asApplied);
  expect(planChanges(desired, live)).toEqual({ apply: [], delete: [], unchanged: 2 });
});

test('a changed object is applied again; an owned object no longer wanted is deleted', () => {
  const live = planChanges([deployment('agent:1'), configMap('tools', { t: '1' })], []).apply.map(asApplied);
  const plan = planChanges([deployment('agent:2')], live);
  expect(plan.apply.map((o: any) => o.spec.template.spec.containers[0].image)).toEqual(['agent:2']);
  expect(plan.delete).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'agents', name: 'tools' }]);
  expect(plan.unchanged).toBe(0);
});

test('an object edited by hand keeps its hash and is left alone; one being deleted is applied again', () => {
  const desired = [configMap('c', { k: 'v' })];
  const [applied] = planChanges(desired, []).apply.map(asApplied);
  expect(planChanges(desired, [{ ...applied, data: { k: 'edited' } }]).apply).toEqual([]);
  const deleting = { ...applied, metadata: { ...applied.metadata, deletionTimestamp: '2026-12-01T10:00:00Z' } };
  expect(planChanges(desired, [deleting]).apply.map(objectKey)).toEqual(['/ConfigMap/agents/c']);
  expect(planChanges([], [deleting]).delete).toEqual([]);
});
