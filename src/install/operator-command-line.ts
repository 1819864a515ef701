/**
 * The command line of the operator program: the flags and environment
 * variables `AgentOperator` renders into the `manager` container and the
 * program (`cdk8s-agents-operator`) reads. Defined once here, so the install
 * and the program cannot disagree; a flag the program does not know makes it
 * exit with an error.
 */

/** The flag names (without `--`). */
export const OPERATOR_FLAGS = {
  /** Reconcile only while holding the leader-election Lease. */
  leaderElect: 'leader-elect',
  /** The Lease's name. */
  leaderElectionId: 'leader-election-id',
  /** The Lease's namespace (default: `POD_NAMESPACE`, else the pod's own). */
  leaderElectionNamespace: 'leader-election-namespace',
  /** `[host]:port` of Prometheus `/metrics`; port 0 disables it. */
  metricsBindAddress: 'metrics-bind-address',
  /** `[host]:port` of `/healthz` and `/readyz`. */
  healthProbeBindAddress: 'health-probe-bind-address',
  /** `debug`, `info` or `error`. */
  logLevel: 'log-level',
  /** The tool sidecar's image, for AgentTypes with tools or LLM providers. */
  toolSidecarImage: 'tool-sidecar-image',
  /** Seconds between two full resyncs of every AgentType. */
  syncPeriod: 'sync-period',
  /** Reconcile workers: AgentTypes reconciled at once (controller-runtime's `MaxConcurrentReconciles`). */
  maxConcurrentReconciles: 'max-concurrent-reconciles',
} as const;

/** The environment variables. */
export const OPERATOR_ENV = {
  /** Comma-separated namespaces to watch; empty: every namespace. */
  watchNamespace: 'WATCH_NAMESPACE',
  /** The operator pod's namespace (downward API), for the Lease. */
  podNamespace: 'POD_NAMESPACE',
  /** The AgentType API group. */
  agentTypeGroup: 'AGENT_TYPE_GROUP',
} as const;

/** The log levels of `--log-level`, most verbose first. */
export const LOG_LEVELS = ['debug', 'info', 'error'] as const;
/** A level of `--log-level`. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Defaults of the program, also rendered by `AgentOperator`. */
export const OPERATOR_DEFAULTS = {
  leaderElectionId: 'cdk8s-agents-operator',
  metricsPort: 8080,
  healthPort: 8081,
  logLevel: 'info' as LogLevel,
  /** 10 hours, as controller-runtime's `SyncPeriod`. */
  syncPeriodSeconds: 36_000,
  /** Reconciles wait on the API server, not on CPU: more workers than cores. */
  maxConcurrentReconciles: 4,
};

/** The values `--max-concurrent-reconciles` accepts: integers from `min` to `max`. */
export const MAX_CONCURRENT_RECONCILES_RANGE = { min: 1, max: 64 } as const;

/** Whether `value` is a worker count `--max-concurrent-reconciles` accepts. */
export function isWorkerCount(value: unknown): value is number {
  const { min, max } = MAX_CONCURRENT_RECONCILES_RANGE;
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** What `AgentOperator` passes on the command line. */
export interface OperatorArguments {
  readonly leaderElectionId: string;
  readonly metricsPort: number;
  readonly healthPort: number;
  readonly logLevel: LogLevel;
  readonly toolSidecarImage?: string;
  readonly syncPeriodSeconds?: number;
  readonly maxConcurrentReconciles?: number;
}

/** The container `args` of the operator: leader election on, both servers on every interface of the pod. */
export function operatorArgs(a: OperatorArguments): string[] {
  const f = OPERATOR_FLAGS;
  return [
    `--${f.leaderElect}`,
    `--${f.leaderElectionId}=${a.leaderElectionId}`,
    `--${f.metricsBindAddress}=:${a.metricsPort}`,
    `--${f.healthProbeBindAddress}=:${a.healthPort}`,
    `--${f.logLevel}=${a.logLevel}`,
    ...(a.toolSidecarImage !== undefined ? [`--${f.toolSidecarImage}=${a.toolSidecarImage}`] : []),
    ...(a.syncPeriodSeconds !== undefined ? [`--${f.syncPeriod}=${a.syncPeriodSeconds}s`] : []),
    ...(a.maxConcurrentReconciles !== undefined ? [`--${f.maxConcurrentReconciles}=${a.maxConcurrentReconciles}`] : []),
  ];
}
