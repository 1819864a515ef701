/**
 * A namespace for agents: the
 * Namespace with Pod Security Admission labels, and optionally a
 * ResourceQuota and a LimitRange.
 */
import { ApiObject } from 'cdk8s';
import { Namespace } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { clusterScoped } from '../core/cluster-scoped';
import { recommendedLabels } from '../core/labels';
import { checkQuantity, checkRequestWithinLimit } from '../core/quantity';
import { checkOutputOnSynth } from '../core/synth-check';
import { checkDns1123Label, fail } from '../core/validation';

const KIND = 'AgentNamespace';

/** Pod Security Standards level enforced by Pod Security Admission (`pod-security.kubernetes.io/enforce`). */
export enum PodSecurityLevel {
  /** No restrictions. */
  PRIVILEGED = 'privileged',
  /** Blocks known privilege escalations. */
  BASELINE = 'baseline',
  /** Hardened pod settings; what every pod of this library meets. */
  RESTRICTED = 'restricted',
}

/** A ResourceQuota for the namespace (Kubernetes `ResourceQuota.spec.hard`). Quantities as in Kubernetes: CPU in cores or millicores (`4`, `500m`), memory/storage in `Mi`/`Gi`. */
export interface AgentNamespaceQuota {
  /** `requests.cpu`. @default - no limit */
  readonly requestsCpu?: string;
  /** `requests.memory`. @default - no limit */
  readonly requestsMemory?: string;
  /** `limits.cpu`. @default - no limit */
  readonly limitsCpu?: string;
  /** `limits.memory`. @default - no limit */
  readonly limitsMemory?: string;
  /** `requests.storage` (sum of PVC requests). @default - no limit */
  readonly requestsStorage?: string;
  /** `pods`: the number of pods. @default - no limit */
  readonly pods?: number;
  /** `persistentvolumeclaims`. @default - no limit */
  readonly persistentVolumeClaims?: number;
}

/** A LimitRange for containers of the namespace (Kubernetes `LimitRange`, type `Container`). */
export interface AgentNamespaceLimits {
  /** `defaultRequest.cpu` for containers that set none. @default - none */
  readonly defaultRequestCpu?: string;
  /** `defaultRequest.memory`. @default - none */
  readonly defaultRequestMemory?: string;
  /** `default.memory`: the limit of containers that set none. @default - none */
  readonly defaultLimitMemory?: string;
  /** `max.memory`: no container may ask for more. @default - none */
  readonly maxMemory?: string;
  /** `max.cpu`. @default - none */
  readonly maxCpu?: string;
}

/** Props of `AgentNamespace`. */
export interface AgentNamespaceProps {
  /** `metadata.name`, an RFC 1123 label. @default - the construct id */
  readonly name?: string;
  /**
   * Pod Security Admission level, as `enforce`, `audit` and `warn` labels
   * (version `latest`).
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly podSecurity?: PodSecurityLevel;
  /** A ResourceQuota. Every quantity must be a non-negative Kubernetes quantity. @default - no ResourceQuota */
  readonly quota?: AgentNamespaceQuota;
  /**
   * A LimitRange. Every quantity must be a non-negative Kubernetes quantity,
   * and `defaultRequest` <= `default` <= `max` per resource (as the API server requires).
   * @default - no LimitRange
   */
  readonly limits?: AgentNamespaceLimits;
}

/**
 * A Namespace for agents: `pod-security.kubernetes.io/enforce: restricted`
 * by default (so the API server itself refuses a pod that is not), plus an
 * optional ResourceQuota (`<name>-quota`) and LimitRange (`<name>-limits`).
 *
 * The Namespace is cluster-scoped: it never carries `metadata.namespace`,
 * whatever the chart's namespace; the quota and limits are in the namespace.
 */
export class AgentNamespace extends Construct {
  /** The namespace name. */
  public readonly name: string;
  /** The Namespace object (cdk8s-plus `Namespace`), named `name`. */
  public readonly namespaceObject: Namespace;
  /** The ResourceQuota, when `quota` is given. */
  public readonly resourceQuota?: ApiObject;
  /** The LimitRange, when `limits` is given. */
  public readonly limitRange?: ApiObject;

  /** The recommended labels of every object. */
  private readonly labels: { [key: string]: string };

  /**
   * @throws on an invalid name, Pod Security level or quantity, and on an
   *   empty `quota` or `limits`; every check runs before the first child is created
   */
  public constructor(scope: Construct, id: string, props: AgentNamespaceProps = {}) {
    super(scope, id);
    checkOutputOnSynth(this);
    const where = this.node.path;
    this.name = checkDns1123Label(KIND, where, 'name', props.name ?? id);
    const level = checkLevel(where, props.podSecurity ?? PodSecurityLevel.RESTRICTED);
    const quota = props.quota ? hardOf(where, props.quota) : undefined;
    const limits = props.limits ? limitsOf(where, props.limits) : undefined;
    this.labels = recommendedLabels({ name: 'agents', instance: this.name, component: 'namespace' });

    this.namespaceObject = this.createNamespace(level);
    if (quota) {
      this.resourceQuota = this.createObject('ResourceQuota', `${this.name}-quota`, { hard: quota });
    }
    if (limits) {
      this.limitRange = this.createObject('LimitRange', `${this.name}-limits`, { limits: [{ type: 'Container', ...limits }] });
    }
  }

  /** The Namespace with the Pod Security Admission labels (`enforce` at version `latest`, `audit`, `warn`). */
  private createNamespace(level: PodSecurityLevel): Namespace {
    const namespace = new Namespace(this, 'Namespace', {
      metadata: {
        name: this.name,
        labels: {
          ...this.labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': level,
          'pod-security.kubernetes.io/warn': level,
        },
      },
    });
    clusterScoped(namespace);
    return namespace;
  }

  /** A core/v1 object of this kind (`ResourceQuota` or `LimitRange`) in the namespace, with this spec. */
  private createObject(kind: string, name: string, spec: { [key: string]: unknown }): ApiObject {
    return new ApiObject(this, kind, {
      apiVersion: 'v1',
      kind,
      metadata: { name, namespace: this.name, labels: this.labels },
      spec,
    });
  }
}

/** `podSecurity`: one of the Pod Security Standards levels. */
function checkLevel(where: string, level: PodSecurityLevel): PodSecurityLevel {
  if (!Object.values(PodSecurityLevel).includes(level)) {
    fail(KIND, where, 'podSecurity', level, `is not a Pod Security Standards level (${Object.values(PodSecurityLevel).join(', ')})`);
  }
  return level;
}

function quantity(where: string, field: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : checkQuantity(KIND, where, field, value);
}

function count(where: string, field: string, value: number | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) fail(KIND, where, field, value, 'must be an integer >= 0');
  return String(value);
}

function hardOf(where: string, q: AgentNamespaceQuota): { [key: string]: string } {
  const hard: { [key: string]: string | undefined } = {
    'requests.cpu': quantity(where, 'quota.requestsCpu', q.requestsCpu),
    'requests.memory': quantity(where, 'quota.requestsMemory', q.requestsMemory),
    'limits.cpu': quantity(where, 'quota.limitsCpu', q.limitsCpu),
    'limits.memory': quantity(where, 'quota.limitsMemory', q.limitsMemory),
    'requests.storage': quantity(where, 'quota.requestsStorage', q.requestsStorage),
    'pods': count(where, 'quota.pods', q.pods),
    'persistentvolumeclaims': count(where, 'quota.persistentVolumeClaims', q.persistentVolumeClaims),
  };
  const set = Object.fromEntries(Object.entries(hard).filter(([, v]) => v !== undefined)) as { [key: string]: string };
  if (Object.keys(set).length === 0) fail(KIND, where, 'quota', {}, 'limits nothing: give at least one field');
  return set;
}

/**
 * The order the API server requires of a LimitRange: defaultRequest <= default
 * <= max (an unset default is max), per resource.
 * @throws naming the larger field and the smaller one
 */
function checkLimitOrder(where: string, l: AgentNamespaceLimits): void {
  const pairs: Array<[string, string | undefined, string, string | undefined]> = [
    ['limits.defaultRequestCpu', l.defaultRequestCpu, 'limits.maxCpu', l.maxCpu],
    ['limits.defaultRequestMemory', l.defaultRequestMemory, 'limits.defaultLimitMemory', l.defaultLimitMemory],
    ['limits.defaultRequestMemory', l.defaultRequestMemory, 'limits.maxMemory', l.maxMemory],
    ['limits.defaultLimitMemory', l.defaultLimitMemory, 'limits.maxMemory', l.maxMemory],
  ];
  for (const [lowField, low, highField, high] of pairs) {
    if (low !== undefined && high !== undefined) checkRequestWithinLimit(KIND, where, lowField, low, highField, high);
  }
}

function limitsOf(where: string, l: AgentNamespaceLimits): { [key: string]: { [key: string]: string } } {
  const section = (entries: Array<[string, string | undefined]>) => {
    const set = Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as { [key: string]: string };
    return Object.keys(set).length > 0 ? set : undefined;
  };
  const out: { [key: string]: { [key: string]: string } | undefined } = {
    defaultRequest: section([['cpu', quantity(where, 'limits.defaultRequestCpu', l.defaultRequestCpu)], ['memory', quantity(where, 'limits.defaultRequestMemory', l.defaultRequestMemory)]]),
    default: section([['memory', quantity(where, 'limits.defaultLimitMemory', l.defaultLimitMemory)]]),
    max: section([['cpu', quantity(where, 'limits.maxCpu', l.maxCpu)], ['memory', quantity(where, 'limits.maxMemory', l.maxMemory)]]),
  };
  const set = Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as { [key: string]: { [key: string]: string } };
  if (Object.keys(set).length === 0) fail(KIND, where, 'limits', {}, 'sets nothing: give at least one field');
  checkLimitOrder(where, l);
  return set;
}
