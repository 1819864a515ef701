/**
 * The operator's Prometheus metrics, on prom-client, under the names
 * controller-runtime uses (so dashboards and alerts written for Go operators
 * work unchanged), plus the standard process metrics (`process_*`,
 * `nodejs_*`).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The controller's name in the `controller` and `name` labels. */
export const CONTROLLER_NAME = 'agenttype';

/** How one reconcile ended, the `result` label of `controller_runtime_reconcile_total`. */
export type ReconcileResult = 'success' | 'error';

export class OperatorMetrics {
  public readonly registry = new Registry();
  private readonly reconcileTotal: Counter<'controller' | 'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly reconcileTime: Histogram<'controller'>;
  private readonly writes: Counter<'controller' | 'verb'>;
  private readonly adds: Counter<'name'>;
  private readonly retries: Counter<'name'>;

  /** @param queueDepth the work queue's current length, read at each scrape */
  constructor(queueDepth: () => number) {
    const registers = [this.registry];
    const controller = CONTROLLER_NAME;
    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers });
    for (const result of ['success', 'error'] as const) this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers });
    this.reconcileErrors.inc({ controller }, 0);
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.writes = new Counter({ name: 'cdk8s_agents_operator_writes_total', help: 'Writes to the API server (apply, delete, status, event) per controller', labelNames: ['controller', 'verb'], registers });
    new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers, collect() { this.set({ name: controller }, queueDepth()); } });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers });
    this.adds.inc({ name: controller }, 0);
    this.retries.inc({ name: controller }, 0);
    collectDefaultMetrics({ register: this.registry });
  }

  /** One reconcile that took `seconds` and ended with `result`. */
  public reconciled(result: ReconcileResult, seconds: number): void {
    const controller = CONTROLLER_NAME;
    this.reconcileTotal.inc({ controller, result });
    if (result === 'error') this.reconcileErrors.inc({ controller });
    this.reconcileTime.observe({ controller }, seconds);
  }

  /** One write of `verb` (`apply`, `delete`, `status`, `event`). */
  public wrote(verb: 'apply' | 'delete' | 'status' | 'event'): void {
    this.writes.inc({ controller: CONTROLLER_NAME, verb });
  }

  /** A key added to the work queue. */
  public queued(): void {
    this.adds.inc({ name: CONTROLLER_NAME });
  }

  /** A key requeued after a failure. */
  public retried(): void {
    this.retries.inc({ name: CONTROLLER_NAME });
  }

  /** The text exposition format of every metric. */
  public async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
