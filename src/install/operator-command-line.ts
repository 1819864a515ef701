/**
 * The command line of the operator program: the flags and environment
 * variables `AgentOperator` renders into the `manager` container and the
 * program (`cdk8s-agents-operator`) reads. Defined once here, so the install
 * and the program cannot disagree; a flag the program does not know makes it
 * exit with an error. The program's `--help` text is made from these tables.
 */
import { DEFAULT_GROUP } from './agent-type-schema';

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

/** `seconds` as `--sync-period` takes it, in the largest unit that divides it (36000: `10h`). */
function durationText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** How `--help` shows a flag or a variable: its value's shape, what it does, its default. */
export interface CommandLineHelp {
  /** The value's shape, e.g. `<name>`; none for a boolean flag. */
  readonly value?: string;
  readonly description: string;
  /** The value used when it is not given, as text; none: nothing is used. */
  readonly default?: string;
}

/** `--help` of every flag (one entry per flag of `OPERATOR_FLAGS`: the type says so). */
export const OPERATOR_FLAG_HELP: { readonly [K in keyof typeof OPERATOR_FLAGS]: CommandLineHelp } = {
  leaderElect: { description: 'reconcile only while holding the leader-election Lease (coordination.k8s.io/v1)', default: 'off' },
  leaderElectionId: { value: '<name>', description: 'the Lease\'s name', default: OPERATOR_DEFAULTS.leaderElectionId },
  leaderElectionNamespace: { value: '<namespace>', description: 'the Lease\'s namespace', default: `$${OPERATOR_ENV.podNamespace}, else the pod's own` },
  metricsBindAddress: { value: '[host]:port', description: 'Prometheus /metrics; 0 turns it off', default: `:${OPERATOR_DEFAULTS.metricsPort}` },
  healthProbeBindAddress: { value: '[host]:port', description: '/healthz and /readyz', default: `:${OPERATOR_DEFAULTS.healthPort}` },
  logLevel: { value: LOG_LEVELS.join('|'), description: 'debug: every reconcile; info: writes, phase changes, leadership; error: failures', default: OPERATOR_DEFAULTS.logLevel },
  toolSidecarImage: { value: '<image>', description: 'the tool sidecar (LLM gateway) of AgentTypes with tools or LLM providers (default: LiteLLM\'s pinned image)' },
  syncPeriod: { value: '<n>s|<n>m|<n>h', description: 'time between two full resyncs of every AgentType', default: durationText(OPERATOR_DEFAULTS.syncPeriodSeconds) },
  maxConcurrentReconciles: {
    value: '<n>',
    description: `reconcile workers: AgentTypes reconciled at once (one is never reconciled by two), ${MAX_CONCURRENT_RECONCILES_RANGE.min} to ${MAX_CONCURRENT_RECONCILES_RANGE.max}`,
    default: String(OPERATOR_DEFAULTS.maxConcurrentReconciles),
  },
};

/** `--help` of every environment variable (one entry per variable of `OPERATOR_ENV`). */
export const OPERATOR_ENV_HELP: { readonly [K in keyof typeof OPERATOR_ENV]: CommandLineHelp } = {
  watchNamespace: { value: '<ns>[,<ns>...]', description: 'the namespaces to watch; empty: every namespace', default: 'empty' },
  podNamespace: { value: '<namespace>', description: 'the operator pod\'s namespace (downward API), for the Lease' },
  agentTypeGroup: { value: '<group>', description: 'the AgentType API group', default: DEFAULT_GROUP },
};

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
