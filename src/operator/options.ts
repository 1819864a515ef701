/**
 * The operator program's options, from its command line and environment
 * (the flags and variables of `install/operator-command-line.ts`, which
 * `AgentOperator` renders). Parsed strictly with Node's `util.parseArgs`: an
 * unknown flag, a missing value or a bad one is an error naming the flag.
 */
import { parseArgs } from 'util';
import { isDns1123Label } from '../core/validation';
import { DEFAULT_GROUP } from '../install/agent-type-schema';
import {
  CommandLineHelp,
  LOG_LEVELS,
  LogLevel,
  MAX_CONCURRENT_RECONCILES_RANGE,
  OPERATOR_DEFAULTS,
  OPERATOR_ENV,
  OPERATOR_ENV_HELP,
  OPERATOR_FLAG_HELP,
  OPERATOR_FLAGS,
  isWorkerCount,
} from '../install/operator-command-line';

/** A bind address: `host` undefined means every interface. */
export interface BindAddress {
  readonly host?: string;
  /** 0: an ephemeral port (tests). */
  readonly port: number;
}

export interface OperatorOptions {
  /** Namespaces to watch; empty: every namespace (cluster-wide). */
  readonly namespaces: readonly string[];
  readonly group: string;
  readonly leaderElect: boolean;
  readonly leaderElectionId: string;
  readonly leaderElectionNamespace?: string;
  /** Prometheus `/metrics`; undefined: disabled (`--metrics-bind-address=0`). */
  readonly metrics?: BindAddress;
  readonly health: BindAddress;
  readonly logLevel: LogLevel;
  readonly toolSidecarImage?: string;
  readonly syncPeriodSeconds: number;
  /** Reconcile workers (`--max-concurrent-reconciles`). */
  readonly maxConcurrentReconciles: number;
}

/** The program's name, as `--help` shows it. */
export const OPERATOR_PROGRAM = 'cdk8s-agents-operator';

/** The flag that prints the usage text (not rendered by `AgentOperator`, so not in `OPERATOR_FLAGS`). */
const HELP = { name: 'help', short: 'h' } as const;

/** Flags without a value; every other flag takes one (`--flag=value` or `--flag value`). */
const BOOLEAN_FLAGS: ReadonlySet<string> = new Set([OPERATOR_FLAGS.leaderElect]);

/**
 * The flags of `argv`, parsed strictly.
 * @throws Node's parseArgs error (an unknown flag, a missing value, a positional argument), pointing at `--help`
 */
function readFlags(argv: readonly string[]): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = Object.fromEntries(
    Object.values(OPERATOR_FLAGS).map(flag => [flag, { type: BOOLEAN_FLAGS.has(flag) ? 'boolean' : 'string' }]));
  options[HELP.name] = { type: 'boolean', short: HELP.short };
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    if (!String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS_')) throw error;
    throw new Error(`${(error as Error).message} (${OPERATOR_PROGRAM} --${HELP.name} lists the flags)`);
  }
}

/**
 * Whether `argv` asks for the usage text (`--help` or `-h`). The flags are
 * parsed strictly, their values and the environment are not looked at: the
 * text is printed whatever else is given.
 * @throws as `parseOperatorOptions` for an unknown flag, a missing value or a positional argument
 */
export function asksForHelp(argv: readonly string[]): boolean {
  return readFlags(argv)[HELP.name] === true;
}

/**
 * The usage text of the program (`--help`): every flag of `OPERATOR_FLAGS`
 * and every variable of `OPERATOR_ENV`, with its value, description and
 * default, from the tables of `install/operator-command-line.ts`.
 */
export function operatorUsage(): string {
  const flags = (Object.keys(OPERATOR_FLAGS) as (keyof typeof OPERATOR_FLAGS)[]).map(key => {
    const help = OPERATOR_FLAG_HELP[key];
    return { name: `--${OPERATOR_FLAGS[key]}${help.value ? `=${help.value}` : ''}`, help };
  });
  flags.push({ name: `-${HELP.short}, --${HELP.name}`, help: { description: 'print this text and exit' } });
  const env = (Object.keys(OPERATOR_ENV) as (keyof typeof OPERATOR_ENV)[]).map(key => {
    const help = OPERATOR_ENV_HELP[key];
    return { name: `${OPERATOR_ENV[key]}${help.value ? `=${help.value}` : ''}`, help };
  });
  const width = Math.max(...[...flags, ...env].map(e => e.name.length)) + 2;
  const line = (e: { name: string; help: CommandLineHelp }) =>
    `  ${e.name.padEnd(width)}${e.help.description}${e.help.default !== undefined ? ` (default: ${e.help.default})` : ''}`;
  return [
    `Usage: ${OPERATOR_PROGRAM} [flags]`,
    '',
    'Reconciles AgentType resources into running agents. Out of a cluster it uses',
    'the current KUBECONFIG (or ~/.kube/config); in a pod, its ServiceAccount.',
    'SIGTERM and SIGINT stop it cleanly.',
    '',
    'Flags:',
    ...flags.map(line),
    '',
    'Environment:',
    ...env.map(line),
    '',
  ].join('\n');
}

/**
 * The options of `argv` (the arguments after the script) and `env`.
 * `--help` is accepted and ignored here (see `asksForHelp`).
 * @throws `<flag or variable> '<value>' <problem>`; for an unknown flag, a
 *   missing value or a positional argument, Node's parseArgs message and a
 *   pointer to `--help`
 */
export function parseOperatorOptions(argv: readonly string[], env: NodeJS.ProcessEnv): OperatorOptions {
  const f = OPERATOR_FLAGS;
  const values = readFlags(argv);
  const str = (name: string) => values[name] as string | undefined;
  const metricsAddress = str(f.metricsBindAddress) ?? `:${OPERATOR_DEFAULTS.metricsPort}`;
  const logLevel = (str(f.logLevel) ?? OPERATOR_DEFAULTS.logLevel) as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`--${f.logLevel} '${logLevel}' is not one of ${LOG_LEVELS.join(', ')}`);
  return {
    namespaces: watchNamespaces(env[OPERATOR_ENV.watchNamespace] ?? ''),
    group: env[OPERATOR_ENV.agentTypeGroup] || DEFAULT_GROUP,
    leaderElect: values[f.leaderElect] === true,
    leaderElectionId: str(f.leaderElectionId) ?? OPERATOR_DEFAULTS.leaderElectionId,
    leaderElectionNamespace: str(f.leaderElectionNamespace) ?? (env[OPERATOR_ENV.podNamespace] || undefined),
    metrics: metricsAddress === '0' ? undefined : bindAddress(f.metricsBindAddress, metricsAddress),
    health: bindAddress(f.healthProbeBindAddress, str(f.healthProbeBindAddress) ?? `:${OPERATOR_DEFAULTS.healthPort}`),
    logLevel,
    toolSidecarImage: str(f.toolSidecarImage),
    syncPeriodSeconds: seconds(f.syncPeriod, str(f.syncPeriod)) ?? OPERATOR_DEFAULTS.syncPeriodSeconds,
    maxConcurrentReconciles: workerCount(f.maxConcurrentReconciles, str(f.maxConcurrentReconciles)) ?? OPERATOR_DEFAULTS.maxConcurrentReconciles,
  };
}

/** A worker count: a decimal integer in `MAX_CONCURRENT_RECONCILES_RANGE`. */
function workerCount(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const count = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  const { min, max } = MAX_CONCURRENT_RECONCILES_RANGE;
  if (!isWorkerCount(count)) throw new Error(`--${flag} '${value}' is not an integer from ${min} to ${max}`);
  return count;
}

/** `WATCH_NAMESPACE`: comma-separated RFC 1123 labels; empty for every namespace. */
function watchNamespaces(value: string): string[] {
  const namespaces = value.split(',').map(n => n.trim()).filter(n => n);
  for (const ns of namespaces) {
    if (!isDns1123Label(ns)) throw new Error(`${OPERATOR_ENV.watchNamespace} '${value}': '${ns}' is not a namespace name (RFC 1123 label)`);
  }
  return [...new Set(namespaces)];
}

/** `[host]:port`. */
function bindAddress(flag: string, value: string): BindAddress {
  const at = value.lastIndexOf(':');
  const portText = value.slice(at + 1);
  const port = Number(portText);
  if (at < 0 || !/^[0-9]+$/.test(portText) || port > 65535) throw new Error(`--${flag} '${value}' is not [host]:port`);
  return { host: value.slice(0, at) || undefined, port };
}

/** A duration `<n>s`, `<n>m` or `<n>h` in seconds (at least 1). */
function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^([0-9]+)(s|m|h)$/.exec(value);
  const result = match ? Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'] : 0;
  if (!(result >= 1)) throw new Error(`--${flag} '${value}' is not a duration of at least 1s (e.g. 30s, 10m, 10h)`);
  return result;
}
