/**
 * The controller's reconcile workers: `--max-concurrent-reconciles` is the
 * number of AgentTypes reconciled at once. The controller runs on in-memory
 * informers (no API server); its `reconcile` is replaced by one that holds
 * each key until the test lets it go, and records which keys are in flight.
 */
import { AgentTypeController, programControllerOptions } from '../../src/operator/controller';
import { KubeApi, ObjectInformer } from '../../src/operator/kube-api';
import { parseOperatorOptions } from '../../src/operator/options';

type Handler = (object: any) => void;

/** An informer on a fixed list of objects: starts at once, emits what the test tells it to. */
class MemoryInformer implements ObjectInformer {
  public readonly objects: any[] = [];
  private readonly handlers = new Map<string, Handler[]>();
  public list(namespace?: string): any[] {
    return this.objects.filter(o => namespace === undefined || o.metadata.namespace === namespace);
  }
  public get(name: string, namespace?: string): any | undefined {
    return this.list(namespace).find(o => o.metadata.name === name);
  }
  public on(event: string, callback: Handler): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), callback]);
  }
  public async start(): Promise<void> {}
  public async stop(): Promise<void> {}
  /** Adds an object and tells the listeners, as a watch `ADDED` event. */
  public add(object: any): void {
    this.objects.push(object);
    for (const handler of this.handlers.get('add') ?? []) handler(object);
  }
}

/** The parts of KubeApi `start` uses; every informer is in memory, no optional kind is served. */
function memoryApi(): { api: KubeApi; agentTypes: MemoryInformer } {
  const agentTypes = new MemoryInformer();
  const api = {
    serves: async () => false,
    customObjectInformer: () => agentTypes,
    objectInformer: () => new MemoryInformer(),
  };
  return { api: api as unknown as KubeApi, agentTypes };
}

/** Polls `condition` every 5 ms; fails after `ms`. */
async function until(what: string, condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

/** Lets timers and promise callbacks run for `ms` (a worker that could start would have). */
const settle = (ms = 50) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * A controller built as the program builds it from `argv`, whose reconciles
 * wait until `release(key)`; records the keys in flight and the most at once.
 */
async function heldController(argv: string[]) {
  const { api, agentTypes } = memoryApi();
  const silent = { error: () => undefined, info: () => undefined, debug: () => undefined };
  const options = parseOperatorOptions(argv, { WATCH_NAMESPACE: 'team-a' });
  const controller = new AgentTypeController(api, programControllerOptions(options, { log: silent }));
  const inFlight = new Set<string>();
  const releases = new Map<string, () => void>();
  const reconciled: string[] = [];
  let peak = 0;
  let overlap = false;
  jest.spyOn(controller, 'reconcile').mockImplementation(async (key: string) => {
    if (inFlight.has(key)) overlap = true;
    inFlight.add(key);
    peak = Math.max(peak, inFlight.size);
    await new Promise<void>(resolve => releases.set(key, resolve));
    inFlight.delete(key);
    reconciled.push(key);
  });
  await controller.start();
  return {
    controller,
    inFlight,
    reconciled,
    peak: () => peak,
    overlap: () => overlap,
    add: (name: string) => agentTypes.add({ metadata: { namespace: 'team-a', name, generation: 1 } }),
    /** Stops the controller: the queue first (no key is handed out any more), then every held reconcile is let go. */
    stop: async () => {
      const stopped = controller.stop();
      for (const release of releases.values()) release();
      await stopped;
    },
    /** Lets the reconcile of `key` finish. */
    release: (key: string) => {
      const release = releases.get(key);
      if (!release) throw new Error(`${key} is not being reconciled`);
      releases.delete(key);
      release();
    },
  };
}

describe('--max-concurrent-reconciles: the controller\'s reconcile workers', () => {
  const keys = ['one', 'two', 'three', 'four', 'five'];

  test('1: two AgentTypes are never reconciled at once; each waits for the one before', async () => {
    const c = await heldController(['--max-concurrent-reconciles=1']);
    try {
      for (const name of keys) c.add(name);
      for (const name of keys) {
        await until(`team-a/${name} to be reconciled`, () => c.inFlight.has(`team-a/${name}`));
        await settle();
        expect([...c.inFlight]).toEqual([`team-a/${name}`]);
        c.release(`team-a/${name}`);
      }
      await until('every reconcile to finish', () => c.reconciled.length === keys.length);
      expect(c.reconciled).toEqual(keys.map(k => `team-a/${k}`));
      expect(c.peak()).toBe(1);
    } finally {
      await c.stop();
    }
  });

  test('3: three AgentTypes are reconciled at once, never a fourth, never one key by two workers', async () => {
    const c = await heldController(['--max-concurrent-reconciles=3']);
    try {
      for (const name of keys) c.add(name);
      await until('three reconciles at once', () => c.inFlight.size === 3);
      await settle();
      expect([...c.inFlight].sort()).toEqual(['team-a/one', 'team-a/three', 'team-a/two']);
      // An AgentType changed while it is reconciled waits for that reconcile, though two workers are free soon.
      c.add('one');
      c.release('team-a/two');
      c.release('team-a/three');
      await until('the queued AgentTypes to start', () => c.inFlight.has('team-a/four') && c.inFlight.has('team-a/five'));
      await settle();
      expect([...c.inFlight].sort()).toEqual(['team-a/five', 'team-a/four', 'team-a/one']);
      c.release('team-a/one');
      // Then it is reconciled again.
      await until('team-a/one again', () => c.reconciled.includes('team-a/one') && c.inFlight.has('team-a/one'));
      for (const key of ['team-a/one', 'team-a/four', 'team-a/five']) c.release(key);
      await until('every reconcile to finish', () => c.reconciled.length === 6);
      expect(c.peak()).toBe(3);
      expect(c.overlap()).toBe(false);
    } finally {
      await c.stop();
    }
  });

  test('without the flag, 4 workers', async () => {
    const c = await heldController([]);
    try {
      for (const name of keys) c.add(name);
      await until('four reconciles at once', () => c.inFlight.size === 4);
      await settle();
      expect(c.inFlight.size).toBe(4);
      for (const key of [...c.inFlight]) c.release(key);
      await until('the fifth', () => c.inFlight.has('team-a/five'));
      c.release('team-a/five');
      await until('every reconcile to finish', () => c.reconciled.length === keys.length);
      expect(c.peak()).toBe(4);
    } finally {
      await c.stop();
    }
  });
});
