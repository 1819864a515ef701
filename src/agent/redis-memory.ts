import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import {
  ContainerResources, Cpu, EnvValue, k8s, FsGroupChangePolicy, ImagePullPolicy, LabelSelector, Namespaces,
  NetworkPolicy, NetworkPolicyPort, NetworkPolicyTrafficDefault, Pods, Probe, Protocol, Secret, Service,
  ServiceAccount, ServiceType, StatefulSet, Volume, ContainerSecurityContextProps,
} from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ContainerMemory, SecretKeyReference } from './memory-profile';
import { recommendedLabels, selectorLabels } from '../core/labels';
import { restrictedContainerSecurityContext } from '../core/pod-security';
import {
  checkDns1123Label, checkDns1123Subdomain, checkImage, checkLabelKey, checkLabelValue, checkNonEmpty, fail,
  isQuantity,
} from '../core/validation';

const KIND = 'RedisMemory';

/** The port Redis listens on, in the container and on the Service. */
const REDIS_PORT = 6379;
/** Name of the Redis container, of its port and of the Service port. */
const REDIS_CONTAINER = 'redis';
/** Name of the volumeClaimTemplate (and so of the PVCs `data-<name>-0`). */
const DATA_VOLUME = 'data';
/** Mount path of the PersistentVolumeClaim: Redis' working directory (AOF and RDB files). */
const DATA_PATH = '/data';
/** User and group of the `redis` user in the official image. */
const REDIS_UID = 999;
/** Environment variable holding the password in the Redis container. */
const PASSWORD_ENV = 'REDIS_PASSWORD';

/** Bytes per unit of a Kubernetes quantity suffix. */
const QUANTITY_FACTORS: { [suffix: string]: number } = {
  '': 1,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'Ki': 1024,
  'Mi': 1024 ** 2,
  'Gi': 1024 ** 3,
  'Ti': 1024 ** 4,
  'Pi': 1024 ** 5,
};

/**
 * What Redis evicts when it reaches `maxmemory`
 * (https://redis.io/docs/latest/develop/reference/eviction/).
 */
export enum RedisEvictionPolicy {
  /** Refuse writes when memory is full (`noeviction`). */
  NO_EVICTION = 'noeviction',
  /** Evict the least recently used keys (`allkeys-lru`). */
  ALL_KEYS_LRU = 'allkeys-lru',
  /** Evict the least frequently used keys (`allkeys-lfu`). */
  ALL_KEYS_LFU = 'allkeys-lfu',
  /** Evict random keys (`allkeys-random`). */
  ALL_KEYS_RANDOM = 'allkeys-random',
  /** Evict the least recently used keys that have a TTL (`volatile-lru`). */
  VOLATILE_LRU = 'volatile-lru',
  /** Evict the least frequently used keys that have a TTL (`volatile-lfu`). */
  VOLATILE_LFU = 'volatile-lfu',
  /** Evict random keys that have a TTL (`volatile-random`). */
  VOLATILE_RANDOM = 'volatile-random',
  /** Evict the keys with a TTL that expire soonest (`volatile-ttl`). */
  VOLATILE_TTL = 'volatile-ttl',
}

/** Props of {@link RedisMemory}. */
export interface RedisMemoryProps {
  /**
   * Changes to the container `securityContext`, merged over the restricted
   * defaults (`runAsNonRoot`, no privilege escalation, not privileged, all
   * capabilities dropped, seccomp `RuntimeDefault`, read-only root
   * filesystem). A change can take the pod out of the `restricted` profile.
   * @default - the restricted defaults
   */
  readonly securityContext?: ContainerSecurityContextProps;

  /**
   * The password: a key of an existing Secret, never a value. Redis gets it
   * as env `REDIS_PASSWORD` (`valueFrom.secretKeyRef`) and starts with
   * `--requirepass $(REDIS_PASSWORD)`; the probes get it as `REDISCLI_AUTH`.
   * Agents using {@link MemoryBackend.fromRedis} get the same reference.
   */
  readonly passwordSecret: SecretKeyReference;

  /**
   * Name of the StatefulSet, Service, ServiceAccount and NetworkPolicy, and
   * the `app.kubernetes.io/instance` label. RFC 1123 label.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Namespace of every object, and of the Service DNS name in {@link RedisMemory.address}.
   * @default - none: the namespace of `kubectl apply` / the overlay; the
   * address is then `<name>:6379`, which resolves only from the same namespace
   */
  readonly namespace?: string;

  /**
   * Redis image (`containers[].image`). It must run `redis-server` as user 999
   * and ship `redis-cli` and `/bin/sh`, as the official image does.
   * @default 'redis:7.4-alpine'
   */
  readonly image?: string;

  /**
   * Size of the PersistentVolumeClaim mounted at `/data`
   * (`volumeClaimTemplates[].spec.resources.requests.storage`), a Kubernetes
   * quantity such as `1Gi` or `10Gi`.
   * @default '1Gi'
   */
  readonly storage?: string;

  /**
   * `volumeClaimTemplates[].spec.storageClassName`. `''` asks for no class
   * (a pre-provisioned PersistentVolume).
   * @default - not set: the cluster's default StorageClass
   */
  readonly storageClassName?: string;

  /**
   * Memory request and limit of the Redis container (`resources.requests.memory`,
   * `resources.limits.memory`, quantities such as `256Mi`) and its CPU request
   * (`resources.requests.cpu`). No CPU limit is set.
   * @default - 256Mi request, 512Mi limit, 100m CPU request
   */
  readonly memory?: ContainerMemory;

  /**
   * `--maxmemory` as a percentage (1 to 100) of the memory limit, rounded
   * down to whole bytes; the rest is headroom for Redis' own overhead, so
   * Redis evicts before the kernel OOM-kills it. `0` renders no `--maxmemory`
   * (and no `--maxmemory-policy`): Redis grows until the limit.
   * @default 80
   */
  readonly maxMemoryPercent?: number;

  /**
   * `--maxmemory-policy`.
   * @default RedisEvictionPolicy.ALL_KEYS_LRU
   */
  readonly maxMemoryPolicy?: RedisEvictionPolicy;

  /**
   * `--appendonly yes`: every write is logged to the append-only file on the
   * PersistentVolumeClaim. With `false`, only RDB snapshots are kept there.
   * @default true
   */
  readonly appendOnly?: boolean;

  /**
   * Render a NetworkPolicy that denies all egress and all ingress except TCP
   * 6379 from the agents added with {@link RedisMemory.addAgent}.
   * `false` renders none (then `addAgent` records the agents but renders nothing).
   * @default true
   */
  readonly networkPolicy?: boolean;

  /**
   * Cluster DNS domain used in {@link RedisMemory.address}.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * `runAsUser`, `runAsGroup` and `fsGroup` of the pod and container.
   * @default 999 (the `redis` user of the official image)
   */
  readonly runAsUser?: number;
}

/** An agent allowed to reach Redis, as given to {@link RedisMemory.addAgent}. */
export interface RedisMemoryAgent {
  /** Labels of the agent's pods (`podSelector.matchLabels` of the ingress peer). */
  readonly podLabels: { [key: string]: string };
  /**
   * The agent's namespace (`namespaceSelector` on `kubernetes.io/metadata.name`).
   * @default - the namespace of the Redis
   */
  readonly namespace?: string;
}

/**
 * A Redis the library deploys for the `redis` memory backend: a one-replica
 * StatefulSet with a PersistentVolumeClaim at `/data` (append-only file), a
 * ClusterIP Service on port 6379 (port name `redis`), a ServiceAccount without
 * a token, password auth from an existing Secret, the `restricted` Pod
 * Security Standard (read-only root filesystem, `/tmp` an emptyDir), exec
 * probes with `redis-cli`, and a NetworkPolicy that lets in only the agents
 * added with {@link RedisMemory.addAgent}.
 *
 * Give it to agents with `MemoryBackend.fromRedis(redis)`.
 */
export class RedisMemory extends Construct {
  /** Name of every object, and the `app.kubernetes.io/instance` label. */
  public readonly name: string;
  /** Namespace of every object, if set. */
  public readonly namespace?: string;
  /** The port Redis listens on (6379). */
  public readonly port: number = REDIS_PORT;
  /** Name of the Service, i.e. the short DNS name of Redis. */
  public readonly serviceName: string;
  /**
   * `host:port` agents connect to: `<name>.<namespace>.svc.<clusterDomain>:6379`,
   * or `<name>:6379` when no namespace is set.
   */
  public readonly address: string;
  /** The StatefulSet. */
  public readonly statefulSet: StatefulSet;
  /** The Service (ClusterIP, port `redis` 6379), also the StatefulSet's `serviceName`. */
  public readonly service: Service;
  /** The ServiceAccount (token not mounted). */
  public readonly serviceAccount: ServiceAccount;
  /** The NetworkPolicy, unless `networkPolicy: false`. */
  public readonly networkPolicy?: NetworkPolicy;

  private readonly _passwordSecret: SecretKeyReference;
  private readonly _podSelector: { [key: string]: string };
  private readonly _agents: RedisMemoryAgent[] = [];

  /** @throws if a prop is invalid (the message names the construct path, the field and the value) */
  public constructor(scope: Construct, id: string, props: RedisMemoryProps) {
    super(scope, id);
    const where = this.node.path;

    // Every check runs before the first child is created.
    const secretRef = props?.passwordSecret;
    if (!secretRef) {
      fail(KIND, where, 'passwordSecret', '', 'is required: give an existing Secret as { name, key }; the password is never a value in the manifest');
    }
    checkDns1123Subdomain(KIND, where, 'passwordSecret.name', checkNonEmpty(KIND, where, 'passwordSecret.name', secretRef.name));
    checkNonEmpty(KIND, where, 'passwordSecret.key', secretRef.key);
    if (!/^[-._a-zA-Z0-9]+$/.test(secretRef.key) || secretRef.key.length > 253) {
      fail(KIND, where, 'passwordSecret.key', secretRef.key, 'is not a valid Secret key (alphanumerics, \'-\', \'_\', \'.\')');
    }
    this.name = checkDns1123Label(KIND, where, 'name', props.name ?? id);
    this.namespace = props.namespace === undefined ? undefined : checkDns1123Label(KIND, where, 'namespace', props.namespace);
    const image = checkImage(props.image ?? 'redis:7.4-alpine', KIND, where, 'image');
    const storage = props.storage ?? '1Gi';
    toBytes(where, 'storage', storage);
    if (props.storageClassName !== undefined && props.storageClassName !== '') {
      checkDns1123Subdomain(KIND, where, 'storageClassName', props.storageClassName);
    }
    const memory = props.memory ?? { request: '256Mi', limit: '512Mi', cpuRequest: '100m' };
    const resources = toResources(where, memory);
    const percent = props.maxMemoryPercent ?? 80;
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      fail(KIND, where, 'maxMemoryPercent', percent, 'is not an integer from 0 to 100');
    }
    const policy = props.maxMemoryPolicy ?? RedisEvictionPolicy.ALL_KEYS_LRU;
    if (!Object.values(RedisEvictionPolicy).includes(policy)) {
      fail(KIND, where, 'maxMemoryPolicy', policy, `is not a Redis eviction policy (${Object.values(RedisEvictionPolicy).join(', ')})`);
    }
    const clusterDomain = checkDns1123Subdomain(KIND, where, 'clusterDomain', props.clusterDomain ?? 'cluster.local');
    const uid = props.runAsUser ?? REDIS_UID;
    if (!Number.isInteger(uid) || uid < 1) fail(KIND, where, 'runAsUser', uid, 'must be a non-root user id (an integer >= 1)');

    this._passwordSecret = { name: secretRef.name, key: secretRef.key };
    this.serviceName = this.name;
    this.address = this.namespace === undefined
      ? `${this.name}:${REDIS_PORT}`
      : `${this.name}.${this.namespace}.svc.${clusterDomain}:${REDIS_PORT}`;

    const labelOptions = { name: 'redis', instance: this.name, component: 'memory' };
    // The component is part of the selector so an agent named like this Redis
    // (same name/instance labels) is never selected by its Service.
    this._podSelector = { ...selectorLabels(labelOptions), 'app.kubernetes.io/component': 'memory' };
    const labels = recommendedLabels(labelOptions);
    const metadata = { name: this.name, namespace: this.namespace, labels };

    this.serviceAccount = new ServiceAccount(this, 'ServiceAccount', { metadata, automountToken: false });

    this.service = new Service(this, 'Service', {
      metadata,
      type: ServiceType.CLUSTER_IP,
      ports: [{ name: REDIS_CONTAINER, port: REDIS_PORT, targetPort: REDIS_PORT, protocol: Protocol.TCP }],
    });

    this.statefulSet = new StatefulSet(this, 'StatefulSet', {
      metadata,
      replicas: 1,
      service: this.service,
      select: false,
      podMetadata: { labels },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: {
        ensureNonRoot: true,
        user: uid,
        group: uid,
        fsGroup: uid,
        fsGroupChangePolicy: FsGroupChangePolicy.ON_ROOT_MISMATCH,
      },
    });
    this.statefulSet.select(LabelSelector.of({ labels: this._podSelector }));
    for (const [key, value] of Object.entries(this._podSelector)) this.service.selectLabel(key, value);

    const secret = Secret.fromSecretName(this, 'PasswordSecret', secretRef.name);
    const password = EnvValue.fromSecretValue({ secret, key: secretRef.key });
    const args = ['--port', String(REDIS_PORT), '--dir', DATA_PATH, '--requirepass', `$(${PASSWORD_ENV})`];
    if (percent > 0) {
      const limit = toBytes(where, 'memory.limit', memory.limit);
      args.push('--maxmemory', String(Math.floor((limit * percent) / 100)), '--maxmemory-policy', policy);
    }
    args.push('--appendonly', props.appendOnly === false ? 'no' : 'yes');

    const probeOptions = { timeoutSeconds: Duration.seconds(5), periodSeconds: Duration.seconds(10) };
    const ping = `redis-cli -h 127.0.0.1 -p ${REDIS_PORT} ping`;
    this.statefulSet.addContainer({
      name: REDIS_CONTAINER,
      image,
      imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
      command: ['redis-server'],
      args,
      ports: [{ number: REDIS_PORT, name: REDIS_CONTAINER, protocol: Protocol.TCP }],
      envVariables: {
        [PASSWORD_ENV]: password,
        // redis-cli reads the password from REDISCLI_AUTH (not from argv).
        REDISCLI_AUTH: password,
      },
      resources,
      securityContext: { ...restrictedContainerSecurityContext(uid), ...(props.securityContext ?? {}) },
      volumeMounts: [{ path: '/tmp', volume: Volume.fromEmptyDir(this, 'TmpVolume', 'tmp') }],
      readiness: Probe.fromCommand(['/bin/sh', '-c', `${ping} | grep -q PONG`],
        { ...probeOptions, initialDelaySeconds: Duration.seconds(5), failureThreshold: 3 }),
      // Loading a large append-only file answers LOADING: still alive.
      liveness: Probe.fromCommand(['/bin/sh', '-c', `r="$(${ping} 2>&1)"; case "$r" in PONG|*LOADING*) exit 0;; *) echo "$r"; exit 1;; esac`],
        { ...probeOptions, initialDelaySeconds: Duration.seconds(30), failureThreshold: 5 }),
    });

    // cdk8s-plus 2.5 has no volumeClaimTemplates: the PVC template and its
    // mount are added to the StatefulSet as JSON patches. KubeStatefulSet maps
    // the patched object through its typed serializer afterwards, so the
    // storage request must be a `k8s.Quantity` (a plain string would be dropped).
    const claimSpec: { [key: string]: any } = {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: k8s.Quantity.fromString(storage) } },
    };
    if (props.storageClassName !== undefined) claimSpec.storageClassName = props.storageClassName;
    const sts = ApiObject.of(this.statefulSet);
    sts.addJsonPatch(
      JsonPatch.add('/spec/volumeClaimTemplates', [{ metadata: { name: DATA_VOLUME, labels: { ...this._podSelector } }, spec: claimSpec }]),
      JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: DATA_VOLUME, mountPath: DATA_PATH }),
    );

    if (props.networkPolicy !== false) {
      this.networkPolicy = new NetworkPolicy(this, 'NetworkPolicy', {
        metadata,
        selector: Pods.select(this, 'RedisPods', { labels: this._podSelector }),
        ingress: { default: NetworkPolicyTrafficDefault.DENY },
        egress: { default: NetworkPolicyTrafficDefault.DENY },
      });
    }
  }

  /** The password Secret reference (a copy). */
  public get passwordSecret(): SecretKeyReference {
    return { ...this._passwordSecret };
  }

  /** The labels selecting the Redis pod (a copy): the StatefulSet, Service and NetworkPolicy selector. */
  public get podSelector(): { [key: string]: string } {
    return { ...this._podSelector };
  }

  /** The agents allowed in, in the order added (copies). */
  public get agents(): RedisMemoryAgent[] {
    return this._agents.map(a => ({ podLabels: { ...a.podLabels }, namespace: a.namespace }));
  }

  /**
   * Lets the pods of an agent reach Redis: adds an ingress rule `from` these
   * pod labels (`podSelector.matchLabels`), on TCP 6379, to the NetworkPolicy.
   * Adding the same labels and namespace again does nothing.
   *
   * @param podLabels labels of the agent's pods (its selector labels); at least one
   * @param namespace the agent's namespace, matched on `kubernetes.io/metadata.name`
   *   @default - the namespace of the Redis (the peer has no `namespaceSelector`)
   * @throws if no label is given, a label key or value is invalid, or the namespace is not an RFC 1123 label
   */
  public addAgent(podLabels: { [key: string]: string }, namespace?: string): void {
    const where = this.node.path;
    const keys = Object.keys(podLabels ?? {});
    if (keys.length === 0) {
      fail(KIND, where, 'addAgent podLabels', podLabels ?? {}, 'must hold at least one label: an empty selector would let every pod in');
    }
    for (const key of keys) {
      checkLabelKey(KIND, where, 'addAgent podLabels key', key);
      checkLabelValue(KIND, where, `addAgent podLabels['${key}']`, podLabels[key]);
    }
    if (namespace !== undefined) checkDns1123Label(KIND, where, 'addAgent namespace', namespace);
    const ns = namespace === this.namespace ? undefined : namespace;
    const labels = { ...podLabels };
    const same = (a: RedisMemoryAgent) => a.namespace === ns && JSON.stringify(sorted(a.podLabels)) === JSON.stringify(sorted(labels));
    if (this._agents.some(same)) return;
    this._agents.push({ podLabels: labels, namespace: ns });

    if (this.networkPolicy) {
      const i = this._agents.length - 1;
      const peer = Pods.select(this, `Agent${i}`, {
        labels,
        namespaces: ns === undefined ? undefined : Namespaces.select(this, `Agent${i}Namespace`, { names: [ns] }),
      });
      this.networkPolicy.addIngressRule(peer, [NetworkPolicyPort.tcp(REDIS_PORT)]);
    }
  }
}

function sorted(labels: { [key: string]: string }): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A quantity in bytes; throws unless it is a positive Kubernetes quantity of whole bytes. */
function toBytes(where: string, field: string, value: string): number {
  if (typeof value !== 'string' || !isQuantity(value)) {
    fail(KIND, where, field, value, 'is not a Kubernetes quantity (for example \'512Mi\', \'1Gi\')');
  }
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(value);
  const bytes = m ? Number(m[1]) * QUANTITY_FACTORS[m[2] ?? ''] : NaN;
  if (!Number.isInteger(bytes) || bytes <= 0) {
    fail(KIND, where, field, value, 'must be a positive whole number of bytes (for example \'512Mi\', \'1Gi\')');
  }
  return bytes;
}

function toResources(where: string, memory: ContainerMemory): ContainerResources {
  const request = toBytes(where, 'memory.request', memory.request);
  const limit = toBytes(where, 'memory.limit', memory.limit);
  if (request > limit) fail(KIND, where, 'memory.request', memory.request, `is larger than the limit '${memory.limit}'`);
  const cpu = memory.cpuRequest;
  if (cpu !== undefined && (!isQuantity(cpu) || !/^(\d+m|\d+(\.\d+)?)$/.test(cpu))) {
    fail(KIND, where, 'memory.cpuRequest', cpu, 'is not a CPU quantity (millicores like \'100m\' or cores like \'0.5\')');
  }
  const mebibytes = (bytes: number, field: string, value: string): Size => {
    if (bytes % 1024 ** 2 !== 0) fail(KIND, where, field, value, 'must be a whole number of mebibytes (for example \'256Mi\')');
    return Size.mebibytes(bytes / 1024 ** 2);
  };
  return {
    memory: {
      request: mebibytes(request, 'memory.request', memory.request),
      limit: mebibytes(limit, 'memory.limit', memory.limit),
    },
    cpu: cpu === undefined ? undefined : {
      request: cpu.endsWith('m') ? Cpu.millis(Number(cpu.slice(0, -1))) : Cpu.units(Number(cpu)),
    },
  };
}
