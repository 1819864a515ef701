/**
 * Memory and CPU of one container, checked with the core quantity rule and
 * turned into cdk8s-plus `ContainerResources`. Shared by MemoryProfile (agent,
 * init and sidecar containers) and RedisMemory.
 */
import { ContainerResources } from 'cdk8s-plus-28';
import { checkCpu, checkMebibytes } from '../core/quantity';
import { fail } from '../core/validation';

/**
 * Memory (and CPU request) of one container, as Kubernetes quantities.
 * Maps to `resources.requests` / `resources.limits` of the container.
 */
export interface ContainerMemory {
  /**
   * `resources.requests.memory`: a quantity in whole mebibytes (e.g. `256Mi`, `1Gi`).
   */
  readonly request: string;

  /**
   * `resources.limits.memory`: a quantity in whole mebibytes, at least `request`.
   */
  readonly limit: string;

  /**
   * `resources.requests.cpu` in millicores (e.g. `100m`) or cores (`0.5`).
   * No CPU limit is set, so agents are not throttled.
   * @default - no CPU request
   */
  readonly cpuRequest?: string;
}

/**
 * Checks `memory` and returns a copy: request and limit in whole mebibytes,
 * request at most the limit, `cpuRequest` in millicores or cores.
 * @param field path of `memory` in the props, e.g. `agent` or `memory`: errors name `<field>.request`
 * @throws naming `<kind> '<path>'`, the field and the value
 */
export function checkContainerMemory(kind: string, path: string, field: string, memory: ContainerMemory): ContainerMemory {
  if (!memory) fail(kind, path, field, '', 'is required');
  containerResources(kind, path, field, memory);
  return { ...memory };
}

/**
 * `resources` of a container: memory request and limit, CPU request, no CPU
 * limit (so agents are not throttled).
 * @throws as {@link checkContainerMemory}
 */
export function containerResources(kind: string, path: string, field: string, memory: ContainerMemory): ContainerResources {
  const request = checkMebibytes(kind, path, `${field}.request`, memory.request);
  const limit = checkMebibytes(kind, path, `${field}.limit`, memory.limit);
  if (request.toMebibytes() > limit.toMebibytes()) {
    fail(kind, path, `${field}.request`, memory.request, `is larger than the limit '${memory.limit}'`);
  }
  const cpu = memory.cpuRequest;
  return {
    memory: { request, limit },
    cpu: cpu === undefined ? undefined : { request: checkCpu(kind, path, `${field}.cpuRequest`, cpu) },
  };
}
