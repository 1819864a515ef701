/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's
 * `leaderelection` does it: one replica holds the Lease and renews it every
 * `retryPeriod`; the others try to take it every `retryPeriod` and succeed
 * once it has not been renewed for `leaseDuration`. A leader that cannot
 * renew within `renewDeadline` stops leading (the program exits, so a new
 * process starts clean); on a clean shutdown it gives the Lease up at once.
 * Every write carries the Lease's resourceVersion, so two replicas never
 * both win: the loser gets a conflict.
 */
import { microTime } from './status';

/** Reads and writes of the one Lease (the operator's RBAC: create, and get/update on this name only). */
export interface LeaseStore {
  /** The Lease, or undefined if there is none. */
  get(): Promise<any | undefined>;
  create(lease: any): Promise<any>;
  /** Replaces the Lease; throws on a conflict (another replica wrote it first). */
  replace(lease: any): Promise<any>;
}

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  /** This replica's identity (the holder identity written in the Lease). */
  readonly identity: string;
  /** Seconds a Lease is held without renewal. @default 15 */
  readonly leaseDurationSeconds?: number;
  /** Seconds a leader keeps trying to renew before it stops leading. @default 10 */
  readonly renewDeadlineSeconds?: number;
  /** Seconds between tries. @default 2 */
  readonly retryPeriodSeconds?: number;
  readonly log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
const timeOf = (value: unknown): number => (value instanceof Date ? value.getTime() : Date.parse(String(value)));

export class LeaderElector {
  private leading = false;
  private stopped = false;

  constructor(private readonly store: LeaseStore, private readonly options: LeaderElectionOptions) {}

  /** Whether this replica holds the Lease now. */
  public get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Waits until this replica holds the Lease (or `stop` is called), then
   * returns; `onLost` is called if it later fails to renew it.
   */
  public async acquire(onLost: () => void): Promise<boolean> {
    const retry = (this.options.retryPeriodSeconds ?? 2) * 1000;
    while (!this.stopped && !(await this.tryAcquireOrRenew())) await sleep(retry);
    if (this.stopped) return false;
    this.leading = true;
    this.options.log?.(`leader election: ${this.options.identity} leads (Lease ${this.options.namespace}/${this.options.name})`);
    void this.renewLoop(onLost);
    return true;
  }

  /** Stops trying; a leader gives the Lease up (its holder cleared, its duration 1 s). */
  public async stop(): Promise<void> {
    this.stopped = true;
    if (!this.leading) return;
    this.leading = false;
    const lease = await this.store.get().catch(() => undefined);
    if (lease?.spec?.holderIdentity !== this.options.identity) return;
    await this.store.replace({ ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } }).catch(() => undefined);
  }

  private async renewLoop(onLost: () => void): Promise<void> {
    const retry = (this.options.retryPeriodSeconds ?? 2) * 1000;
    const deadline = (this.options.renewDeadlineSeconds ?? 10) * 1000;
    let renewed = Date.now();
    while (!this.stopped) {
      await sleep(retry);
      if (this.stopped) return;
      if (await this.tryAcquireOrRenew()) {
        renewed = Date.now();
      } else if (Date.now() - renewed > deadline) {
        this.leading = false;
        this.options.log?.(`leader election: ${this.options.identity} could not renew the Lease within ${deadline / 1000} s`);
        onLost();
        return;
      }
    }
  }

  /** One try: take a free or expired Lease, or renew our own. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const duration = this.options.leaseDurationSeconds ?? 15;
    const now = new Date();
    try {
      const lease = await this.store.get();
      if (!lease) {
        await this.store.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity, leaseDurationSeconds: duration, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0,
          },
        });
        return true;
      }
      const spec = lease.spec ?? {};
      const held = spec.holderIdentity && spec.holderIdentity !== identity;
      const expires = timeOf(spec.renewTime) + (spec.leaseDurationSeconds ?? duration) * 1000;
      if (held && expires > now.getTime()) return false;
      const taking = spec.holderIdentity !== identity;
      await this.store.replace({
        ...lease,
        spec: {
          ...spec,
          holderIdentity: identity,
          leaseDurationSeconds: duration,
          renewTime: microTime(now),
          ...(taking ? { acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
        },
      });
      return true;
    } catch {
      return false; // a conflict (another replica wrote first) or the API server unreachable: try again later
    }
  }
}
