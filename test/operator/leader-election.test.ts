/**
 * Leader election on a Lease, with an in-memory Lease store that behaves as
 * the API server does (a write with an old resourceVersion is a conflict).
 */
import { LeaderElector, LeaseStore } from '../../src/operator/leader-election';

/** One Lease, versioned: replace fails unless it carries the current resourceVersion. */
class MemoryLease implements LeaseStore {
  public lease: any | undefined;
  public writes = 0;
  private version = 0;
  public async get() {
    return this.lease && JSON.parse(JSON.stringify(this.lease));
  }
  public async create(lease: any) {
    if (this.lease) throw Object.assign(new Error('exists'), { code: 409 });
    return this.write(lease);
  }
  public async replace(lease: any) {
    if (lease.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) throw Object.assign(new Error('conflict'), { code: 409 });
    return this.write(lease);
  }
  private write(lease: any) {
    this.writes++;
    this.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
    return this.get();
  }
}

const FAST = { namespace: 'agents-system', name: 'cdk8s-agents-operator', leaseDurationSeconds: 1, renewDeadlineSeconds: 0.5, retryPeriodSeconds: 0.1 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('one of two replicas leads; the other takes over once the leader stops and gives the Lease up', async () => {
  const store = new MemoryLease();
  const a = new LeaderElector(store, { ...FAST, identity: 'a' });
  const b = new LeaderElector(store, { ...FAST, identity: 'b' });
  expect(await a.acquire(() => undefined)).toBe(true);
  let bLeads = false;
  const bWaiting = b.acquire(() => undefined).then((led) => (bLeads = led));
  await sleep(400);
  expect([a.isLeader, bLeads, store.lease.spec.holderIdentity]).toEqual([true, false, 'a']);
  await a.stop();
  await bWaiting;
  expect([bLeads, store.lease.spec.holderIdentity, store.lease.spec.leaseTransitions]).toEqual([true, 'b', 1]);
  await b.stop();
});

test('a leader that is gone (no renewal) loses the Lease after its duration', async () => {
  const store = new MemoryLease();
  // A Lease renewed by a replica that then died.
  await store.create({ metadata: { name: FAST.name, namespace: FAST.namespace }, spec: { holderIdentity: 'dead', leaseDurationSeconds: 1, renewTime: new Date().toISOString() } });
  const b = new LeaderElector(store, { ...FAST, identity: 'b' });
  const started = Date.now();
  expect(await b.acquire(() => undefined)).toBe(true);
  expect(Date.now() - started).toBeGreaterThanOrEqual(800);
  expect(store.lease.spec.holderIdentity).toBe('b');
  await b.stop();
});

test('a leader renews its Lease, and stops leading when it cannot renew within the deadline', async () => {
  const store = new MemoryLease();
  const a = new LeaderElector(store, { ...FAST, identity: 'a' });
  let lost = false;
  await a.acquire(() => (lost = true));
  const writes = store.writes;
  await sleep(350);
  expect(store.writes).toBeGreaterThan(writes); // renewed
  // Another writer takes the Lease away (as after a partition): renewals now conflict.
  store.lease = { ...store.lease, metadata: { ...store.lease.metadata, resourceVersion: 'other' }, spec: { ...store.lease.spec, holderIdentity: 'x', renewTime: new Date(Date.now() + 60_000).toISOString() } };
  await sleep(900);
  expect([lost, a.isLeader]).toEqual([true, false]);
  await a.stop();
});
