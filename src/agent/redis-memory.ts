import { ApiObject, ApiObjectMetadata, Duration, JsonPatch, Lazy } from 'cdk8s';
import {
  ContainerProps, ContainerResources, ContainerSecurityContextProps, EnvValue, FsGroupChangePolicy, ImagePullPolicy,
  k8s, LabelSelector, Namespace, Probe, Protocol, Secret, Service, ServiceAccount, ServiceType, StatefulSet, Volume,
} from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ContainerMemory, containerResources } from './container-memory';
import { recommendedLabels, selectorLabels } from '../core/labels';
import { restrictedSecurityContextWith } from '../core/pod-security';
import { checkBytes } from '../core/quantity';
import { checkSecretKeyReference, SecretKeyReference } from '../core/secret-key-reference';
import { checkOutputOnSynth } from '../core/synth-check';
import {
  checkDns1035Label, checkDns1123Label, checkDns1123Subdomain, checkImage, checkLabels, checkUserId, fail,
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
/** The longest StatefulSet name whose `controller-revision-hash` pod label (`<name>-<10-character hash>`) is a valid label value. */
const MAX_STATEFULSET_NAME = 52;
/** User and group of the `redis` user in the official image. */
const REDIS_UID = 999;
/** Environment variable holding the password in the Redis container. */
const PASSWORD_ENV = 'REDIS_PASSWORD';

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
   * `user` and `group` are ids from 0 to 2147483647; `user: 0` (root) needs
   * `ensureNonRoot: false` as well, or the kubelet would refuse the container
   * (both are checked at construction).
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
   * the `app.kubernetes.io/instance` label. An RFC 1035 label (it names the
   * Service: lowercase letters, digits and '-', starting with a letter) of at
   * most 52 characters (the StatefulSet's `controller-revision-hash` pod label
   * adds 11).
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Namespace of every object, and of the Service DNS name in {@link RedisMemory.address}.
   * @default - none: the namespace of `kubectl apply` / the overlay; the
   * address is then `<name>:6379`, which resolves only from the same namespace
   */
  readonly namespaceName?: string;

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
   * 6379 from the agents added with {@link RedisMemory.addAgent} (its ingress
   * rules are produced at synth from every agent added, whenever it was added).
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
   * `runAsUser`, `runAsGroup` and `fsGroup` of the pod and container: an
   * integer from 1 to 2147483647 (not root).
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
  readonly namespaceName?: string;
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
  public readonly namespaceName?: string;
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
  /**
   * The NetworkPolicy (`networking.k8s.io/v1`), unless `networkPolicy: false`.
   * Its `spec` is produced at synth: the Redis pods as `podSelector`, policy
   * types `Egress` and `Ingress` (so all egress is denied), and one ingress
   * rule on TCP 6379 per agent added with {@link RedisMemory.addAgent}.
   */
  public readonly networkPolicy?: k8s.KubeNetworkPolicy;

  private readonly _passwordSecret: SecretKeyReference;
  private readonly _podSelector: { [key: string]: string };
  private readonly _labels: { [key: string]: string };
  private readonly _agents: RedisMemoryAgent[] = [];

  /**
   * @throws if a prop is invalid (the message names the construct path, the
   *   field and the value); every check runs before the first child is created
   */
  public constructor(scope: Construct, id: string, props: RedisMemoryProps) {
    super(scope, id);
    checkOutputOnSynth(this);
    const s = redisSettings(this.node.path, id, props);
    this.name = s.name;
    this.namespaceName = s.namespace;
    this.serviceName = s.name;
    this.address = s.namespace === undefined
      ? `${s.name}:${REDIS_PORT}`
      : `${s.name}.${s.namespace}.svc.${s.clusterDomain}:${REDIS_PORT}`;
    this._passwordSecret = s.passwordSecret;

    const labelOptions = { name: 'redis', instance: s.name, component: 'memory' };
    // The component is part of the selector so an agent named like this Redis
    // (same name/instance labels) is never selected by its Service.
    this._podSelector = { ...selectorLabels(labelOptions), 'app.kubernetes.io/component': 'memory' };
    this._labels = recommendedLabels(labelOptions);

    this.serviceAccount = new ServiceAccount(this, 'ServiceAccount', { metadata: this.metadata(), automountToken: false });
    this.service = this.createService();
    this.statefulSet = this.createStatefulSet(s);
    if (s.networkPolicy) {
      this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
        metadata: this.metadata(),
        spec: Lazy.any({ produce: () => this.networkPolicySpec() }),
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
    return this._agents.map(copyAgent);
  }

  /**
   * Lets the pods of an agent reach Redis: records the agent, and the
   * NetworkPolicy gets an ingress rule `from` these pod labels
   * (`podSelector.matchLabels`), on TCP 6379, when it is synthesized.
   * Adding the same labels and namespace again records nothing.
   *
   * @param podLabels labels of the agent's pods (its selector labels); at least one
   * @param namespaceName the agent's namespace, matched on `kubernetes.io/metadata.name`
   *   @default - the namespace of the Redis (the peer has no `namespaceSelector`)
   * @returns the recorded agent (a copy); its `namespaceName` is left out when it is the Redis' own
   * @throws if no label is given, a label key or value is invalid, or the namespace is not an RFC 1123 label
   */
  public addAgent(podLabels: { [key: string]: string }, namespaceName?: string): RedisMemoryAgent {
    const where = this.node.path;
    const keys = Object.keys(podLabels ?? {});
    if (keys.length === 0) {
      fail(KIND, where, 'addAgent podLabels', podLabels ?? {}, 'must hold at least one label: an empty selector would let every pod in');
    }
    checkLabels(KIND, where, 'addAgent podLabels', podLabels);
    if (namespaceName !== undefined) checkDns1123Label(KIND, where, 'addAgent namespaceName', namespaceName);
    const agent: RedisMemoryAgent = { podLabels: { ...podLabels }, namespaceName: namespaceName === this.namespaceName ? undefined : namespaceName };
    const recorded = this._agents.find(a => sameAgent(a, agent));
    if (!recorded) this._agents.push(agent);
    return copyAgent(recorded ?? agent);
  }

  /** Metadata of every object: the name, the namespace if set, the recommended labels. */
  private metadata(): ApiObjectMetadata {
    return { name: this.name, namespace: this.namespaceName, labels: this._labels };
  }

  /** The ClusterIP Service on port `redis` (6379), selecting the Redis pod. */
  private createService(): Service {
    const service = new Service(this, 'Service', {
      metadata: this.metadata(),
      type: ServiceType.CLUSTER_IP,
      ports: [{ name: REDIS_CONTAINER, port: REDIS_PORT, targetPort: REDIS_PORT, protocol: Protocol.TCP }],
    });
    for (const [key, value] of Object.entries(this._podSelector)) service.selectLabel(key, value);
    return service;
  }

  /** The one-replica StatefulSet: non-root pod, the `redis` container, the `/data` claim template. */
  private createStatefulSet(s: RedisSettings): StatefulSet {
    const statefulSet = new StatefulSet(this, 'StatefulSet', {
      metadata: this.metadata(),
      replicas: 1,
      service: this.service,
      select: false,
      podMetadata: { labels: this._labels },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: {
        ensureNonRoot: true,
        user: s.uid,
        group: s.uid,
        fsGroup: s.uid,
        fsGroupChangePolicy: FsGroupChangePolicy.ON_ROOT_MISMATCH,
      },
    });
    statefulSet.select(LabelSelector.of({ labels: this._podSelector }));
    const secret = Secret.fromSecretName(this, 'PasswordSecret', s.passwordSecret.name);
    const password = EnvValue.fromSecretValue({ secret, key: s.passwordSecret.key });
    statefulSet.addContainer(redisContainer(s, password, Volume.fromEmptyDir(this, 'TmpVolume', 'tmp')));
    addDataClaimTemplate(statefulSet, s, this._podSelector);
    return statefulSet;
  }

  /** The NetworkPolicy spec, from the agents recorded by the time of synth. */
  private networkPolicySpec(): k8s.NetworkPolicySpec {
    return {
      podSelector: { matchLabels: this.podSelector },
      ingress: this._agents.length === 0 ? undefined : this._agents.map(agentIngressRule),
      // Both types with no egress rule: all egress is denied, ingress only by the rules.
      policyTypes: ['Egress', 'Ingress'],
    };
  }
}

/** The props of a RedisMemory, checked, with every default applied. */
interface RedisSettings {
  readonly passwordSecret: SecretKeyReference;
  readonly name: string;
  readonly namespace?: string;
  readonly image: string;
  readonly storage: string;
  readonly storageClassName?: string;
  readonly resources: ContainerResources;
  /** `redis-server` arguments. */
  readonly args: string[];
  readonly clusterDomain: string;
  readonly uid: number;
  /** The restricted defaults with the `securityContext` prop merged over them. */
  readonly securityContext: ContainerSecurityContextProps;
  readonly networkPolicy: boolean;
}

/**
 * Checks every prop and applies the defaults.
 * @throws `RedisMemory '<path>': <field> '<value>' <problem>` on the first invalid prop
 */
function redisSettings(where: string, id: string, props: RedisMemoryProps): RedisSettings {
  const passwordSecret = checkPasswordSecret(where, props?.passwordSecret);
  const name = checkRedisName(where, props.name ?? id);
  const namespace = props.namespaceName === undefined ? undefined : checkDns1123Label(KIND, where, 'namespaceName', props.namespaceName);
  const image = checkImage(props.image ?? 'redis:7.4-alpine', KIND, where, 'image');
  const storage = props.storage ?? '1Gi';
  checkBytes(KIND, where, 'storage', storage);
  if (props.storageClassName !== undefined && props.storageClassName !== '') {
    checkDns1123Subdomain(KIND, where, 'storageClassName', props.storageClassName);
  }
  const memory = props.memory ?? { request: '256Mi', limit: '512Mi', cpuRequest: '100m' };
  const resources = containerResources(KIND, where, 'memory', memory);
  const args = redisArgs(where, memory.limit, props);
  const clusterDomain = checkDns1123Subdomain(KIND, where, 'clusterDomain', props.clusterDomain ?? 'cluster.local');
  const uid = checkUserId(KIND, where, 'runAsUser', props.runAsUser ?? REDIS_UID, 1);
  const securityContext = restrictedSecurityContextWith(KIND, where, 'securityContext', uid, props.securityContext);
  return {
    passwordSecret,
    name,
    namespace,
    image,
    storage,
    resources,
    args,
    clusterDomain,
    uid,
    storageClassName: props.storageClassName,
    securityContext,
    networkPolicy: props.networkPolicy !== false,
  };
}

/**
 * `name`: the Service's name, so an RFC 1035 label (starting with a letter),
 * and at most 52 characters: the StatefulSet controller labels each pod with
 * `controller-revision-hash: <name>-<10-character hash>`, a label value of at
 * most 63 characters, and cannot create the pods of a longer name.
 */
function checkRedisName(where: string, name: string): string {
  checkDns1123Label(KIND, where, 'name', name);
  checkDns1035Label(KIND, where, 'name', name);
  if (name.length > MAX_STATEFULSET_NAME) {
    fail(KIND, where, 'name', name, `is longer than ${MAX_STATEFULSET_NAME} characters: the pod label 'controller-revision-hash: <name>-<hash>' would exceed 63 characters and the StatefulSet could not create its pod`);
  }
  return name;
}

/** `passwordSecret`: required, an RFC 1123 subdomain name and a valid Secret key. Returns a copy. */
function checkPasswordSecret(where: string, ref: SecretKeyReference | undefined): SecretKeyReference {
  if (!ref) {
    fail(KIND, where, 'passwordSecret', '', 'is required: give an existing Secret as { name, key }; the password is never a value in the manifest');
  }
  return checkSecretKeyReference(KIND, where, 'passwordSecret', ref);
}

/**
 * `redis-server` arguments: port, data directory, password from the env,
 * `--maxmemory` (a percentage of the memory limit) and its policy, append-only file.
 * @throws if `maxMemoryPercent` or `maxMemoryPolicy` is invalid
 */
function redisArgs(where: string, memoryLimit: string, props: RedisMemoryProps): string[] {
  const percent = props.maxMemoryPercent ?? 80;
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    fail(KIND, where, 'maxMemoryPercent', percent, 'is not an integer from 0 to 100');
  }
  const policy = props.maxMemoryPolicy ?? RedisEvictionPolicy.ALL_KEYS_LRU;
  if (!Object.values(RedisEvictionPolicy).includes(policy)) {
    fail(KIND, where, 'maxMemoryPolicy', policy, `is not a Redis eviction policy (${Object.values(RedisEvictionPolicy).join(', ')})`);
  }
  const args = ['--port', String(REDIS_PORT), '--dir', DATA_PATH, '--requirepass', `$(${PASSWORD_ENV})`];
  if (percent > 0) {
    const limit = checkBytes(KIND, where, 'memory.limit', memoryLimit);
    args.push('--maxmemory', String(Math.floor((limit * percent) / 100)), '--maxmemory-policy', policy);
  }
  args.push('--appendonly', props.appendOnly === false ? 'no' : 'yes');
  return args;
}

/** The `redis` container: the password as env only, `/tmp` writable, exec probes with `redis-cli`. */
function redisContainer(s: RedisSettings, password: EnvValue, tmp: Volume): ContainerProps {
  const probeOptions = { timeoutSeconds: Duration.seconds(5), periodSeconds: Duration.seconds(10) };
  const ping = `redis-cli -h 127.0.0.1 -p ${REDIS_PORT} ping`;
  return {
    name: REDIS_CONTAINER,
    image: s.image,
    imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
    command: ['redis-server'],
    args: s.args,
    ports: [{ number: REDIS_PORT, name: REDIS_CONTAINER, protocol: Protocol.TCP }],
    envVariables: {
      [PASSWORD_ENV]: password,
      // redis-cli reads the password from REDISCLI_AUTH (not from argv).
      REDISCLI_AUTH: password,
    },
    resources: s.resources,
    securityContext: s.securityContext,
    volumeMounts: [{ path: '/tmp', volume: tmp }],
    readiness: Probe.fromCommand(['/bin/sh', '-c', `${ping} | grep -q PONG`],
      { ...probeOptions, initialDelaySeconds: Duration.seconds(5), failureThreshold: 3 }),
    // Loading a large append-only file answers LOADING: still alive.
    liveness: Probe.fromCommand(['/bin/sh', '-c', `r="$(${ping} 2>&1)"; case "$r" in PONG|*LOADING*) exit 0;; *) echo "$r"; exit 1;; esac`],
      { ...probeOptions, initialDelaySeconds: Duration.seconds(30), failureThreshold: 5 }),
  };
}

/**
 * cdk8s-plus 2.5 has no volumeClaimTemplates: the PVC template and its mount
 * are added to the StatefulSet as JSON patches. KubeStatefulSet maps the
 * patched object through its typed serializer afterwards, so the storage
 * request must be a `k8s.Quantity` (a plain string would be dropped).
 */
function addDataClaimTemplate(statefulSet: StatefulSet, s: RedisSettings, podSelector: { [key: string]: string }): void {
  const claimSpec: { [key: string]: any } = {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: k8s.Quantity.fromString(s.storage) } },
  };
  if (s.storageClassName !== undefined) claimSpec.storageClassName = s.storageClassName;
  ApiObject.of(statefulSet).addJsonPatch(
    JsonPatch.add('/spec/volumeClaimTemplates', [{ metadata: { name: DATA_VOLUME, labels: { ...podSelector } }, spec: claimSpec }]),
    JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: DATA_VOLUME, mountPath: DATA_PATH }),
  );
}

/** One ingress rule: TCP 6379 from the agent's pods (in its namespace, when it has one). */
function agentIngressRule(agent: RedisMemoryAgent): k8s.NetworkPolicyIngressRule {
  return {
    from: [{
      podSelector: { matchLabels: { ...agent.podLabels } },
      namespaceSelector: agent.namespaceName === undefined ? undefined : { matchLabels: { [Namespace.NAME_LABEL]: agent.namespaceName } },
    }],
    ports: [{ port: k8s.IntOrString.fromNumber(REDIS_PORT), protocol: 'TCP' }],
  };
}

function copyAgent(agent: RedisMemoryAgent): RedisMemoryAgent {
  return { podLabels: { ...agent.podLabels }, namespaceName: agent.namespaceName };
}

/** Same namespace and the same labels, in any order. */
function sameAgent(a: RedisMemoryAgent, b: RedisMemoryAgent): boolean {
  return a.namespaceName === b.namespaceName && JSON.stringify(sorted(a.podLabels)) === JSON.stringify(sorted(b.podLabels));
}

function sorted(labels: { [key: string]: string }): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
