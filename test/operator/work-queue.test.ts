/**
 * The operator's work queue and rate limiter: the semantics of client-go's
 * rate-limited workqueue that reconcile workers rely on.
 */
import { RateLimiter, WorkQueue } from '../../src/operator/work-queue';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WorkQueue', () => {
  test('a key is queued once, in the order first added', async () => {
    const queue = new WorkQueue();
    for (const key of ['a/one', 'a/two', 'a/one', 'a/three', 'a/two']) queue.add(key);
    expect(queue.length).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(['a/one', 'a/two', 'a/three']);
    expect(queue.length).toBe(0);
  });

  test('a key added while it is processed is processed again after done, never by two workers at once', async () => {
    const queue = new WorkQueue();
    queue.add('a/one');
    const held = await queue.get();
    queue.add('a/one');
    queue.add('a/one');
    // Not handed out while held.
    expect(queue.length).toBe(0);
    const next = queue.get();
    let handed: string | undefined;
    void next.then((key) => (handed = key));
    await sleep(5);
    expect(handed).toBeUndefined();
    queue.done(held!);
    expect(await next).toBe('a/one');
    queue.done('a/one');
    expect(queue.length).toBe(0);
  });

  test('a waiting get receives the next key added', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.add('b/x');
    expect(await waiting).toBe('b/x');
  });

  test('addAfter queues the key after the delay', async () => {
    const queue = new WorkQueue();
    queue.addAfter('c/late', 30);
    expect(queue.length).toBe(0);
    await sleep(60);
    expect(queue.length).toBe(1);
  });

  test('shutDown wakes waiting workers with undefined and drops delayed keys', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.addAfter('d/late', 20);
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    expect(await queue.get()).toBeUndefined();
    await sleep(40);
    expect(queue.length).toBe(0);
    queue.add('d/after');
    expect(queue.length).toBe(0);
    expect(queue.isShuttingDown).toBe(true);
  });
});

describe('RateLimiter', () => {
  test('per-key delays double with each failure up to the maximum, and forget resets them', () => {
    const limiter = new RateLimiter({ baseDelayMs: 5, maxDelayMs: 100, burst: 1000 });
    expect([1, 2, 3, 4, 5, 6, 7].map(() => limiter.when('a/x'))).toEqual([5, 10, 20, 40, 80, 100, 100]);
    expect(limiter.retries('a/x')).toBe(7);
    // Another key has its own count.
    expect(limiter.when('a/y')).toBe(5);
    limiter.forget('a/x');
    expect(limiter.retries('a/x')).toBe(0);
    expect(limiter.when('a/x')).toBe(5);
  });

  test('the overall bucket lets `burst` retries through, then spaces them at the rate', () => {
    const limiter = new RateLimiter({ baseDelayMs: 0, ratePerSecond: 10, burst: 3 });
    const delays = ['k1', 'k2', 'k3', 'k4', 'k5'].map((key) => limiter.when(key));
    expect(delays.slice(0, 3)).toEqual([0, 0, 0]);
    // 10 per second: the fourth waits about 100 ms, the fifth about 200 ms.
    expect(delays[3]).toBeGreaterThanOrEqual(90);
    expect(delays[3]).toBeLessThanOrEqual(100);
    expect(delays[4]).toBeGreaterThanOrEqual(190);
    expect(delays[4]).toBeLessThanOrEqual(200);
  });

  test('addRateLimited queues after the backoff', async () => {
    const queue = new WorkQueue(new RateLimiter({ baseDelayMs: 20 }));
    queue.addRateLimited('e/retry');
    expect(queue.length).toBe(0);
    await sleep(50);
    expect(queue.length).toBe(1);
    expect(queue.rateLimiter.retries('e/retry')).toBe(1);
  });
});
