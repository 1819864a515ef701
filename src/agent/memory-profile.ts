import { ContainerResources } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkContainerMemory, ContainerMemory, containerResources } from './container-memory';
import { RedisMemory, RedisMemoryProps } from './redis-memory';
import { screenText } from '../core/credential-screen';
import { checkSecretKeyReference, SecretKeyReference } from '../core/secret-key-reference';
import { checkLabelValue, checkNonEmpty, fail } from '../core/validation';
import type { MemoryConfigSpec, MemorySpec } from '../install/agent-type';

const KIND = 'MemoryProfile';


/** Kind of memory backend (`memory.type`). */
export enum MemoryBackendType {
  /** State kept in the agent process (`inmemory`). */
  IN_MEMORY = 'inmemory',
  /** State kept in Redis (`redis`). */
  REDIS = 'redis',
}

/** Options of {@link MemoryBackend.redis}. */
export interface RedisBackendOptions {
  /**
   * `host:port` of an existing Redis, e.g. `redis-master.data.svc:6379`.
   */
  readonly address: string;

  /**
   * Secret holding the Redis password, given to the agent container as
   * `AGENT_MEMORY_REDIS_PASSWORD` through `secretKeyRef`.
   * @default - no password
   */
  readonly passwordSecret?: SecretKeyReference;

  /**
   * Redis logical database number.
   * @default 0
   */
  readonly database?: number;
}


/**
 * Where an agent keeps its memory: in the process, or in a Redis referenced by
 * address (`memory.type: redis | inmemory`).
 */
export class MemoryBackend {
  /** Memory kept in the agent process. */
  public static inMemory(): MemoryBackend {
    return new MemoryBackend(MemoryBackendType.IN_MEMORY);
  }

  /**
   * An existing Redis, referenced by `host:port`.
   * @throws if the address is not `host:port` or the password Secret name is invalid
   */
  public static redis(options: RedisBackendOptions): MemoryBackend {
    const address = checkNonEmpty(KIND, 'redis', 'backend.address', options.address);
    const m = /^([a-zA-Z0-9.-]+):(\d{1,5})$/.exec(address);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      fail(KIND, 'redis', 'backend.address', address, 'is not host:port (e.g. \'redis.data.svc:6379\')');
    }
    screenText(KIND, 'redis', 'backend.address', address);
    if (options.passwordSecret) {
      checkSecretKeyReference(KIND, 'redis', 'backend.passwordSecret', options.passwordSecret);
    }
    const database = options.database ?? 0;
    if (!Number.isInteger(database) || database < 0 || database > 15) {
      fail(KIND, 'redis', 'backend.database', database, 'is not a Redis database number (0 to 15)');
    }
    return new MemoryBackend(MemoryBackendType.REDIS, address, options.passwordSecret, database);
  }

  /**
   * A Redis the library deploys ({@link RedisMemory}): the address is its
   * Service DNS name (`<name>.<namespace>.svc.cluster.local:6379`), the
   * password its `passwordSecret`. The backend remembers the RedisMemory
   * (`redisMemory`) so the agents using it can be let through its NetworkPolicy.
   * @param database Redis logical database number (0 to 15); default 0
   * @throws if the database number is not 0 to 15
   */
  public static fromRedis(redis: RedisMemory, database?: number): MemoryBackend {
    if (!redis) fail(KIND, 'redis', 'backend.redis', '', 'is required: give a RedisMemory');
    const backend = MemoryBackend.redis({ address: redis.address, passwordSecret: redis.passwordSecret, database });
    return new MemoryBackend(backend.backendType, backend.address, backend.passwordSecret, backend.database, redis);
  }

  private constructor(
    /** The backend type (AgentType `memory.type`). */
    public readonly backendType: MemoryBackendType,
    /** Redis `host:port`, for the Redis backend. */
    public readonly address?: string,
    /** Redis password Secret, for the Redis backend. */
    public readonly passwordSecret?: SecretKeyReference,
    /** Redis database number, for the Redis backend. */
    public readonly database?: number,
    /** The deployed Redis, for a backend from {@link MemoryBackend.fromRedis}. */
    public readonly redisMemory?: RedisMemory,
  ) {}
}

/** Options of {@link MemoryProfile.custom}. */
export interface MemoryProfileProps {
  /**
   * Profile name, shown in the pod annotation `agents.cdk8s.io/memory-profile`:
   * a label value (at most 63 alphanumerics, `-`, `_`, `.`).
   * @default 'custom'
   */
  readonly name?: string;

  /** Memory of the agent container. */
  readonly agent: ContainerMemory;

  /**
   * Memory of the init container that prepares the shared volume.
   * @default - the `small` profile's init container: 128Mi request, 512Mi limit, 50m CPU
   */
  readonly init?: ContainerMemory;

  /**
   * Memory of the tool sidecar.
   * @default - the `small` profile's sidecar: 64Mi request, 128Mi limit, 50m CPU
   */
  readonly sidecar?: ContainerMemory;

  /**
   * The memory backend.
   * @default MemoryBackend.inMemory()
   */
  readonly backend?: MemoryBackend;
}

/**
 * Memory sizing of every container of an agent pod (agent, init, sidecar) and
 * the agent's memory backend: memory for all containers (main, init,
 * sidecar), in the profiles small/medium/large or custom.
 *
 * | profile | agent request/limit | init request/limit | sidecar request/limit |
 * |---------|---------------------|--------------------|-----------------------|
 * | small   | 256Mi / 512Mi       | 128Mi / 512Mi      | 64Mi / 128Mi          |
 * | medium  | 512Mi / 1Gi         | 128Mi / 512Mi      | 128Mi / 256Mi         |
 * | large   | 1Gi / 2Gi           | 256Mi / 1Gi        | 256Mi / 512Mi         |
 *
 * CPU requests are set (100m/250m/500m for the agent) and CPU limits are not.
 */
export class MemoryProfile {
  /** 256Mi/512Mi agent; for light agents and development. */
  public static readonly SMALL = new MemoryProfile('small',
    { request: '256Mi', limit: '512Mi', cpuRequest: '100m' },
    { request: '128Mi', limit: '512Mi', cpuRequest: '50m' },
    { request: '64Mi', limit: '128Mi', cpuRequest: '50m' },
    MemoryBackend.inMemory());

  /** 512Mi/1Gi agent. */
  public static readonly MEDIUM = new MemoryProfile('medium',
    { request: '512Mi', limit: '1Gi', cpuRequest: '250m' },
    { request: '128Mi', limit: '512Mi', cpuRequest: '50m' },
    { request: '128Mi', limit: '256Mi', cpuRequest: '100m' },
    MemoryBackend.inMemory());

  /** 1Gi/2Gi agent. */
  public static readonly LARGE = new MemoryProfile('large',
    { request: '1Gi', limit: '2Gi', cpuRequest: '500m' },
    { request: '256Mi', limit: '1Gi', cpuRequest: '100m' },
    { request: '256Mi', limit: '512Mi', cpuRequest: '200m' },
    MemoryBackend.inMemory());

  /**
   * A profile with your own numbers.
   * @throws if a quantity is invalid, not whole mebibytes, or a request exceeds its limit;
   *   if `name` is not a label value (at most 63 alphanumerics, '-', '_', '.')
   */
  public static custom(props: MemoryProfileProps): MemoryProfile {
    const name = props.name ?? 'custom';
    // Shown in an annotation and in names derived from it: a plain word, never a pasted key.
    checkLabelValue(KIND, name, 'name', checkNonEmpty(KIND, name, 'name', name));
    return new MemoryProfile(name, props.agent,
      props.init ?? MemoryProfile.SMALL.init, props.sidecar ?? MemoryProfile.SMALL.sidecar,
      props.backend ?? MemoryBackend.inMemory());
  }

  /**
   * A profile from the AgentType `memory.size`: the agent's
   * memory request and limit are both `size`; init and sidecar get the
   * `small` profile's numbers.
   * @param size a quantity in whole mebibytes, e.g. `2Gi`
   */
  public static fromSize(size: string, backend?: MemoryBackend): MemoryProfile {
    return MemoryProfile.custom({ name: `size-${size}`.toLowerCase(), agent: { request: size, limit: size }, backend });
  }

  /**
   * The profile an AgentType `spec.memory` describes: the inverse of
   * {@link MemoryProfile.toSpec}.
   *
   * - `profile` (`small`, `medium`, `large`): that profile; `size`, when
   *   given, must be its agent memory limit;
   * - else `size`: {@link MemoryProfile.fromSize} (agent request = limit = size);
   * - neither: `small`.
   *
   * The backend is `backendType` (the CRD's `type`; default `inmemory`, which takes no `config`);
   * `redis` reads `config.address` (`host:port`, required), `config.database`
   * (0-15, default 0) and `config.passwordSecret` (`{ name, key }` of a
   * Secret, never a password); other `config` keys are refused. A Redis
   * whose address is that of one of `redisMemories` is that deployed
   * {@link RedisMemory} ({@link MemoryBackend.fromRedis}), so the agent is let
   * into its NetworkPolicy.
   * @param spec the `spec.memory` object
   * @param redisMemories Redis instances the app deploys, matched by address
   *   @default - none: a redis backend is an existing Redis by address
   * @throws `MemoryProfile 'spec.memory': <field> '<value>' <problem>` for an
   * unknown profile or backend type, a size that is not the profile's, a
   * config key the backend does not read, a password Secret that differs
   * from the deployed Redis', and whatever `MemoryBackend.redis()` and the
   * profile checks refuse (a quantity not in whole mebibytes, ...)
   */
  public static fromSpec(spec: MemorySpec, redisMemories: RedisMemory[] = []): MemoryProfile {
    const where = 'spec.memory';
    const backend = backendFromSpec(where, spec, redisMemories);
    if (spec.profile !== undefined) {
      const named = namedProfiles().find(p => p.name === spec.profile);
      if (!named) fail(KIND, where, 'profile', spec.profile, `is not one of ${namedProfiles().map(p => p.name).join(', ')}`);
      if (spec.size !== undefined && spec.size !== named.agent.limit) {
        fail(KIND, where, 'size', spec.size, `differs from the agent memory limit '${named.agent.limit}' of profile '${named.name}'`);
      }
      return named.withBackend(backend);
    }
    return spec.size === undefined ? MemoryProfile.SMALL.withBackend(backend) : MemoryProfile.fromSize(spec.size, backend);
  }

  /** Profile name (`small`, `medium`, `large`, `custom`, ...). */
  public readonly name: string;
  /** Memory of the agent container. */
  public readonly agent: ContainerMemory;
  /** Memory of the init container. */
  public readonly init: ContainerMemory;
  /** Memory of the tool sidecar. */
  public readonly sidecar: ContainerMemory;
  /** The memory backend. */
  public readonly backend: MemoryBackend;

  private constructor(name: string, agent: ContainerMemory, init: ContainerMemory, sidecar: ContainerMemory, backend: MemoryBackend) {
    this.name = name;
    this.agent = checkContainerMemory(KIND, name, 'agent', agent);
    this.init = checkContainerMemory(KIND, name, 'init', init);
    this.sidecar = checkContainerMemory(KIND, name, 'sidecar', sidecar);
    this.backend = backend;
  }

  /** The same sizes with another backend. */
  public withBackend(backend: MemoryBackend): MemoryProfile {
    return new MemoryProfile(this.name, this.agent, this.init, this.sidecar, backend);
  }

  /**
   * The same sizes with a Redis the app deploys as the backend
   * (AgentType `memory.type: redis`): a `RedisMemory` in `scope` whose
   * PersistentVolumeClaim has the profile's size (the agent memory limit)
   * unless `props.storage` says otherwise. Agents using the profile are let
   * into its NetworkPolicy. The Redis is `backend.redisMemory`.
   * @param database Redis logical database, 0-15 (default 0)
   * @throws when a RedisMemory prop is invalid
   */
  public withDeployedRedis(scope: Construct, id: string, props: RedisMemoryProps, database?: number): MemoryProfile {
    const redis = new RedisMemory(scope, id, { storage: this.agent.limit, ...props });
    return this.withBackend(MemoryBackend.fromRedis(redis, database));
  }

  /** cdk8s-plus `ContainerResources` of the agent container. */
  public agentResources(): ContainerResources {
    return containerResources(KIND, this.name, 'agent', this.agent);
  }

  /** cdk8s-plus `ContainerResources` of the init container. */
  public initResources(): ContainerResources {
    return containerResources(KIND, this.name, 'init', this.init);
  }

  /** cdk8s-plus `ContainerResources` of the tool sidecar. */
  public sidecarResources(): ContainerResources {
    return containerResources(KIND, this.name, 'sidecar', this.sidecar);
  }

  /**
   * The AgentType `spec.memory` object: `profile` for the `small`, `medium`
   * and `large` profiles (with or without another backend), `size` (the
   * agent memory limit) and `backendType` (the CRD's `type`); for Redis, `config` with `address`,
   * `database` and the `passwordSecret` reference (`{ name, key }`, never a
   * password). {@link MemoryProfile.fromSpec} is the inverse, except for a
   * custom profile, which only its agent limit describes: it comes back as
   * `MemoryProfile.fromSize(limit)`.
   */
  public toSpec(): MemorySpec {
    const named = namedProfiles().find(p => p.name === this.name && sameSizes(p, this));
    const spec: MemorySpec = { ...(named ? { profile: named.name } : {}), size: this.agent.limit, backendType: this.backend.backendType };
    if (this.backend.backendType !== MemoryBackendType.REDIS) return spec;
    const secret = this.backend.passwordSecret;
    const config: MemoryConfigSpec = {
      address: this.backend.address,
      database: this.backend.database,
      ...(secret ? { passwordSecret: { name: secret.name, key: secret.key } } : {}),
    };
    return { ...spec, config };
  }
}

/** The named profiles, `small`, `medium` and `large` (a function: the statics exist once the class is defined). */
function namedProfiles(): MemoryProfile[] {
  return [MemoryProfile.SMALL, MemoryProfile.MEDIUM, MemoryProfile.LARGE];
}

/** True when two profiles size every container the same. */
function sameSizes(a: MemoryProfile, b: MemoryProfile): boolean {
  const sizes = (p: MemoryProfile) => JSON.stringify([p.agent, p.init, p.sidecar].map(m => [m.request, m.limit, m.cpuRequest]));
  return sizes(a) === sizes(b);
}

/** The `config` keys a Redis backend reads. */
const REDIS_CONFIG_KEYS = ['address', 'database', 'passwordSecret'];

/** The backend of `spec.memory` (`backendType`, `config`); see {@link MemoryProfile.fromSpec}. */
function backendFromSpec(where: string, spec: MemorySpec, redisMemories: RedisMemory[]): MemoryBackend {
  const type = spec.backendType ?? MemoryBackendType.IN_MEMORY;
  const config = spec.config ?? {};
  if (type === MemoryBackendType.IN_MEMORY) {
    if (Object.keys(config).length > 0) {
      fail(KIND, where, 'config', Object.keys(config).join(', '), 'is not read by the inmemory backend: give config with type redis only');
    }
    return MemoryBackend.inMemory();
  }
  if (type !== MemoryBackendType.REDIS) fail(KIND, where, 'type', type, 'is not one of inmemory, redis');
  const unknown = Object.keys(config).filter(key => !REDIS_CONFIG_KEYS.includes(key));
  if (unknown.length > 0) fail(KIND, where, 'config', unknown.join(', '), `holds keys the redis backend does not read (it reads ${REDIS_CONFIG_KEYS.join(', ')})`);
  if (typeof config.address !== 'string') fail(KIND, where, 'config.address', config.address ?? '', 'is required: host:port of the Redis');
  const passwordSecret: SecretKeyReference | undefined = config.passwordSecret;
  const redis = redisMemories.find(r => r.address === config.address);
  if (!redis) return MemoryBackend.redis({ address: config.address, passwordSecret, database: config.database });
  const own = redis.passwordSecret;
  if (passwordSecret !== undefined && (passwordSecret?.name !== own.name || passwordSecret?.key !== own.key)) {
    fail(KIND, where, 'config.passwordSecret', `${passwordSecret?.name}/${passwordSecret?.key}`,
      `differs from the password Secret '${own.name}/${own.key}' of RedisMemory '${redis.node.path}' at that address`);
  }
  return MemoryBackend.fromRedis(redis, config.database);
}
