/**
 * Health checks and shutdown of an agent pod: liveness, readiness and startup probes for the
 * agent (the tool sidecar's are in gateway-sidecar.ts), `preStop` hooks and
 * `terminationGracePeriodSeconds` so in-flight LLM calls can finish.
 */
import { Duration } from 'cdk8s';
import { Handler, Probe } from 'cdk8s-plus-28';
import { SHARED_MOUNT_PATH } from './shared-volume';
import { fail } from '../core/validation';

/**
 * Probes of one container (Kubernetes `startupProbe`, `livenessProbe`,
 * `readinessProbe`). Each one left out gets the library's default.
 */
export interface ContainerProbes {
  /** `startupProbe`. @default - see `AgentPod`: HTTP `/healthz` when the container has a port, else the shared-volume check */
  readonly startup?: Probe;
  /** `livenessProbe`. @default - as `startup`, checked every 10 s */
  readonly liveness?: Probe;
  /** `readinessProbe`. @default - HTTP `/readyz` when the container has a port, else the shared-volume check */
  readonly readiness?: Probe;
  /** No probes at all on this container (e.g. a distroless image without `/bin/sh` and no port). @default false */
  readonly disabled?: boolean;
}

/** Probes of the agent pod's containers. */
export interface AgentProbes {
  /** The agent container. @default - the defaults of `ContainerProbes` */
  readonly agent?: ContainerProbes;
  /**
   * The tool sidecar. @default - `exec` checks inside the container: LiteLLM's `/health/liveliness`
   * on 127.0.0.1 (startup, liveness), and every required and custom tool on `PATH` plus `/health/readiness` (readiness)
   */
  readonly sidecar?: ContainerProbes;
}

/** Shutdown timing of the agent pod. */
export interface AgentShutdown {
  /**
   * `terminationGracePeriodSeconds`: how long the pod may take to stop, in
   * seconds, for in-flight LLM calls to finish.
   * @default 60
   */
  readonly gracePeriodSeconds?: number;
  /**
   * Seconds the agent container's `preStop` hook waits before the agent gets
   * SIGTERM, so endpoints and load balancers stop sending work first. 0 = no hook.
   * The tool sidecar's hook waits until 5 s before the grace period ends, so
   * the LLM proxy outlives the agent's last call.
   * @default 5
   */
  readonly preStopDelaySeconds?: number;
}

/** The resolved shutdown timing. */
export interface ResolvedShutdown {
  readonly gracePeriodSeconds: number;
  readonly preStopDelaySeconds: number;
}

/** Checks and resolves `shutdown`. */
export function resolveShutdown(kind: string, where: string, shutdown: AgentShutdown = {}): ResolvedShutdown {
  const gracePeriodSeconds = shutdown.gracePeriodSeconds ?? 60;
  const preStopDelaySeconds = shutdown.preStopDelaySeconds ?? 5;
  if (!Number.isInteger(gracePeriodSeconds) || gracePeriodSeconds < 1) {
    fail(kind, where, 'shutdown.gracePeriodSeconds', gracePeriodSeconds, 'must be an integer >= 1 (seconds)');
  }
  if (!Number.isInteger(preStopDelaySeconds) || preStopDelaySeconds < 0 || preStopDelaySeconds >= gracePeriodSeconds) {
    fail(kind, where, 'shutdown.preStopDelaySeconds', preStopDelaySeconds, `must be an integer >= 0 and below gracePeriodSeconds (${gracePeriodSeconds})`);
  }
  return { gracePeriodSeconds, preStopDelaySeconds };
}

/** A `preStop` hook that sleeps (needs `/bin/sh` and `sleep` in the image, as the wrapper entrypoint does). */
export function sleepHook(seconds: number): Handler | undefined {
  return seconds > 0 ? Handler.fromCommand(['/bin/sh', '-c', `sleep ${seconds}`]) : undefined;
}

/** The seconds the sidecar's `preStop` waits: until 5 s before the grace period ends, at least the agent's delay. */
export function sidecarPreStopSeconds(shutdown: ResolvedShutdown): number {
  return Math.max(shutdown.preStopDelaySeconds, shutdown.gracePeriodSeconds - 5);
}

/** Resolved probes of one container (undefined = none). */
export interface ResolvedProbes {
  readonly startup?: Probe;
  readonly liveness?: Probe;
  readonly readiness?: Probe;
}

/**
 * The agent container's probes. With an HTTP `port`: `GET /healthz`
 * (startup: up to 5 minutes, every 5 s; liveness every 10 s) and
 * `GET /readyz` (readiness). Without one: the shared volume prepared by the
 * init container must be present (`test -f /shared/etc/ready`), which needs
 * `/bin/sh` in the image.
 */
export function agentProbes(port: number | undefined, overrides: ContainerProbes = {}): ResolvedProbes {
  if (overrides.disabled) return {};
  const ready = ['/bin/sh', '-c', `test -f ${SHARED_MOUNT_PATH}/etc/ready`];
  const check = (path: string, options: { period: number; failures: number }) => port !== undefined
    ? Probe.fromHttpGet(path, { port, periodSeconds: Duration.seconds(options.period), failureThreshold: options.failures })
    : Probe.fromCommand(ready, { periodSeconds: Duration.seconds(options.period), failureThreshold: options.failures });
  return {
    startup: overrides.startup ?? check('/healthz', { period: 5, failures: 60 }),
    liveness: overrides.liveness ?? check('/healthz', { period: 10, failures: 3 }),
    readiness: overrides.readiness ?? check('/readyz', { period: 5, failures: 3 }),
  };
}
