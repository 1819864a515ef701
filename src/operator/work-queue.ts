/**
 * The operator's work queue, with the semantics of client-go's rate-limited
 * workqueue (`k8s.io/client-go/util/workqueue`), on which controllers are
 * built:
 *
 * - a key is queued at most once: adding a queued key does nothing;
 * - a key is processed by one worker at a time: a key added while it is being
 *   processed is queued again when `done` is called for it;
 * - `addRateLimited` queues a key after a delay that doubles with each failure
 *   of that key (`baseDelayMs` x 2^failures, at most `maxDelayMs`), and never
 *   faster than the overall rate (a token bucket of `ratePerSecond`, `burst`);
 *   `forget` resets the key's failures after a success;
 * - `shutDown` wakes every waiting `get` with `undefined` and drops what is
 *   queued; a worker finishes the key it holds.
 */

/** Delays of the work queue's rate limiter. */
export interface RateLimiterOptions {
  /** Delay after a key's first failure, milliseconds. @default 5 */
  readonly baseDelayMs?: number;
  /** Longest delay for one key, milliseconds. @default 1000000 (1,000 seconds) */
  readonly maxDelayMs?: number;
  /** Keys per second the queue lets through on retries, all keys together. @default 10 */
  readonly ratePerSecond?: number;
  /** Retries let through at once before the rate applies. @default 100 */
  readonly burst?: number;
}

/** The rate limiter of client-go's default controller queue: per-key exponential backoff and an overall token bucket. */
export class RateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly ratePerSecond: number;
  private readonly burst: number;
  private tokens: number;
  private updated = Date.now();

  constructor(options: RateLimiterOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
    this.ratePerSecond = options.ratePerSecond ?? 10;
    this.burst = options.burst ?? 100;
    this.tokens = this.burst;
  }

  /** The delay before `key` may be retried, milliseconds; counts one more failure of it. */
  public when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const backoff = Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
    return Math.max(backoff, this.bucketDelay());
  }

  /** How many times `key` failed since it was last forgotten. */
  public retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Resets the failures of `key` (after a success). */
  public forget(key: string): void {
    this.failures.delete(key);
  }

  /** Takes one token; the wait until it is there, milliseconds. */
  private bucketDelay(): number {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updated) / 1000) * this.ratePerSecond);
    this.updated = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.ratePerSecond) * 1000);
  }
}

/** A queue of keys (`namespace/name`) for reconcile workers. */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting: Array<(key: string | undefined) => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private shuttingDown = false;

  constructor(public readonly rateLimiter: RateLimiter = new RateLimiter()) {}

  /** Keys waiting to be processed (not those being processed or waiting on a delay). */
  public get length(): number {
    return this.queue.length;
  }

  /** Whether `shutDown` was called. */
  public get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Queues `key` unless it is queued already; a key being processed is queued again when done. */
  public add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiting.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Queues `key` after `delayMs` milliseconds. */
  public addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Queues `key` after its rate-limited delay (a failure of it). */
  public addRateLimited(key: string): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Forgets the failures of `key` (after a success). */
  public forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  /**
   * The next key to process, waiting until there is one; `undefined` once the
   * queue is shut down. The caller must call `done(key)` when finished.
   */
  public get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Marks `key` processed; queues it again if it was added meanwhile. */
  public done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Stops the queue: waiting `get`s get `undefined`, delayed adds are dropped. */
  public shutDown(): void {
    this.shuttingDown = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.dirty.clear();
    for (const waiter of this.waiting.splice(0)) waiter(undefined);
  }
}
