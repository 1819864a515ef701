/**
 * The AgentType controller: informers on AgentTypes, on the Deployments and
 * Secrets of the watched namespaces, a rate-limited work queue, and the
 * reconcile of one AgentType (render, plan, apply, delete, status, events).
 */
import { renderAgentType, secretReferences, withSecretChecksum } from './desired-state';
import { FIELD_MANAGER, KubeApi, ObjectInformer } from './kube-api';
import { OperatorMetrics } from './metrics';
import type { OperatorOptions } from './options';
import { planChanges } from './plan';
import { AgentTypeStatus, agentTypeStatus, ReconcileOutcome, microTime, rfc3339Time } from './status';
import { WorkQueue } from './work-queue';
import { AgentPodFromSpecOptions } from '../agent/agent-pod';
import { canonicalJson } from '../core/canonical-json';
import { AGENT_TYPE_LABEL } from '../core/labels';
import { SecretContent } from '../core/secret-checksum';
import type { AgentTypeSpec } from '../install/agent-type';
import { agentTypeSpecFromJson } from '../install/agent-type-json';
import { AGENT_TYPE_PLURAL, AGENT_TYPE_VERSION } from '../install/agent-type-schema';
import { OPERATOR_DEFAULTS } from '../install/operator-command-line';

const MANAGED_BY = { 'app.kubernetes.io/managed-by': FIELD_MANAGER };
const MANAGED_SELECTOR = `app.kubernetes.io/managed-by=${FIELD_MANAGER}`;

/** The kinds an AgentType's objects may have (what AgentPod renders): `apiVersion`, `kind`, resource. */
const OWNED_KINDS: ReadonlyArray<readonly [string, string, string]> = [
  ['apps/v1', 'Deployment', 'deployments'], ['v1', 'ConfigMap', 'configmaps'], ['v1', 'ServiceAccount', 'serviceaccounts'],
  ['v1', 'Service', 'services'], ['networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'], ['policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'],
];
/** Owned kinds from CRDs a cluster may lack: watched only if served when the operator starts. */
const OPTIONAL_OWNED_KINDS: ReadonlyArray<readonly [string, string, string]> = [
  ['monitoring.coreos.com/v1', 'ServiceMonitor', 'servicemonitors'],
];

export interface ControllerOptions {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  /** Namespaces to watch; empty: every namespace. */
  readonly namespaces: readonly string[];
  /** Reconcile workers (`--max-concurrent-reconciles`): keys reconciled at once (one key is never reconciled by two). I/O bound (applies), so more than the cores. @default 4 */
  readonly workers?: number;
  /** Seconds between two full resyncs (every AgentType queued again). @default 36000 */
  readonly syncPeriodSeconds?: number;
  /** What the spec does not carry (the tool sidecar's container). */
  readonly agentPod?: AgentPodFromSpecOptions;
  readonly metrics?: OperatorMetrics;
  readonly log?: OperatorLog;
}

/**
 * The controller's options for the program's options (`--max-concurrent-reconciles`
 * is its `workers`); `metrics` and `log` are the program's.
 */
export function programControllerOptions(options: OperatorOptions, program: Pick<ControllerOptions, 'metrics' | 'log'>): ControllerOptions {
  return {
    group: options.group,
    version: AGENT_TYPE_VERSION,
    plural: AGENT_TYPE_PLURAL,
    namespaces: options.namespaces,
    syncPeriodSeconds: options.syncPeriodSeconds,
    workers: options.maxConcurrentReconciles,
    agentPod: options.toolSidecarImage ? { toolSidecar: { image: options.toolSidecarImage } } : {},
    ...program,
  };
}

/** Where the controller logs: `error` for failures, `info` for writes and phase changes, `debug` for every reconcile. */
export interface OperatorLog {
  error(line: string): void;
  info(line: string): void;
  debug(line: string): void;
}

/** The informers of one watched namespace (or of every namespace: `namespace` undefined). */
interface Scope {
  readonly namespace?: string;
  readonly agentTypes: ObjectInformer;
  readonly secrets: ObjectInformer;
  /** One per owned kind, of the objects the operator manages. */
  readonly owned: ObjectInformer[];
}

export class AgentTypeController {
  public readonly queue = new WorkQueue();
  private readonly scopes: Scope[] = [];
  private readonly log: OperatorLog;
  private running: Promise<void>[] = [];
  /** The Secrets each AgentType (`namespace/name`) used at its last reconcile, to queue it when one changes. */
  private readonly secretUsers = new Map<string, Set<string>>();
  /** The last rendering of each AgentType (`namespace/name`): objects, or the message of a refused spec. */
  private readonly rendered = new Map<string, { uid: string; generation: number; result: any[] | string }>();
  /** The generation of each AgentType at its last successful reconcile. */
  private readonly reconciledGeneration = new Map<string, number>();
  private resync?: NodeJS.Timeout;

  constructor(private readonly api: KubeApi, private readonly options: ControllerOptions) {
    this.log = options.log ?? { error: line => console.error(line), info: line => console.log(line), debug: () => undefined };
  }

  /**
   * Starts the informers of every watched namespace (each lists, then
   * watches; their caches are filled when this resolves), the workers and
   * the periodic resync.
   */
  public async start(): Promise<void> {
    const { group, version, plural } = this.options;
    const namespaces: (string | undefined)[] = this.options.namespaces.length > 0 ? [...this.options.namespaces] : [undefined];
    const optional = await Promise.all(OPTIONAL_OWNED_KINDS.map(async kind => (await this.api.serves(kind[0], kind[1])) ? [kind] : []));
    const ownedKinds = [...OWNED_KINDS, ...optional.flat()];
    for (const namespace of namespaces) {
      const scope: Scope = {
        namespace,
        agentTypes: this.api.customObjectInformer(group, version, plural, namespace),
        secrets: this.api.objectInformer('v1', 'Secret', 'secrets', namespace, ''),
        owned: ownedKinds.map(([apiVersion, kind, resource]) => this.api.objectInformer(apiVersion, kind, resource, namespace, MANAGED_SELECTOR)),
      };
      scope.agentTypes.on('add', o => this.enqueue(keyOf(o)));
      scope.agentTypes.on('delete', o => this.enqueue(keyOf(o)));
      // A status-only update (the operator's own status write among them) keeps the generation: nothing to do.
      scope.agentTypes.on('update', o => o.metadata?.generation === this.reconciledGeneration.get(keyOf(o)) && !o.metadata?.deletionTimestamp
        ? undefined : this.enqueue(keyOf(o)));
      for (const event of ['add', 'update', 'delete'] as const) {
        // An owned object changed or went: its AgentType is reconciled (controller-runtime's Owns()).
        for (const informer of scope.owned) informer.on(event, o => this.enqueueOwner(o));
        scope.secrets.on(event, o => this.enqueueNamespace(scope, o.metadata?.namespace, o.metadata?.name));
      }
      const informers = [scope.agentTypes, scope.secrets, ...scope.owned];
      this.scopes.push(scope);
      await Promise.all(informers.map(i => this.sync(i)));
      for (const informer of informers) this.restartOnError(informer);
    }
    this.running = Array.from({ length: this.options.workers ?? OPERATOR_DEFAULTS.maxConcurrentReconciles }, () => this.work());
    const period = (this.options.syncPeriodSeconds ?? 36_000) * 1000;
    this.resync = setInterval(() => this.scopes.forEach(scope => this.enqueueNamespace(scope, undefined)), period);
    this.resync.unref();
  }

  /**
   * Starts an informer and waits until its cache is filled, retrying (1 s,
   * doubling to 10 s) while the list fails, e.g. a CRD just established
   * answers 429 for a moment; as controller-runtime's cache sync, gives up
   * after 2 minutes.
   */
  private async sync(informer: ObjectInformer): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (let delay = 1000; ; delay = Math.min(delay * 2, 10_000)) {
      try {
        return await informer.start();
      } catch (error) {
        if (Date.now() + delay > deadline) throw new Error(`an informer's cache did not fill in 2 minutes: ${describe(error)}`);
        this.log.error(`informer start failed, retrying in ${delay / 1000} s: ${describe(error)}`);
        await new Promise(resolve => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * A client-node informer stops on an error (an API server restart, a
   * watch cut): start it again (it lists anew, so nothing is missed) after
   * 1 s, doubling to 30 s while it keeps failing.
   */
  private restartOnError(informer: ObjectInformer): void {
    let delay = 1000;
    informer.on('error', (error) => {
      if (this.queue.isShuttingDown) return;
      this.log.error(`watch failed, restarting in ${delay / 1000} s: ${describe(error)}`);
      const timer = setTimeout(() => {
        informer.start().then(() => (delay = 1000), () => undefined);
      }, delay);
      timer.unref();
      delay = Math.min(delay * 2, 30_000);
    });
  }

  /** Stops the resync, the queue (workers finish their key) and the informers. */
  public async stop(): Promise<void> {
    clearInterval(this.resync);
    this.queue.shutDown();
    await Promise.all(this.running);
    for (const scope of this.scopes) {
      for (const informer of [scope.agentTypes, scope.secrets, ...scope.owned]) await informer.stop();
    }
  }

  private enqueue(key: string): void {
    this.options.metrics?.queued();
    this.queue.add(key);
  }

  /** Queues the AgentType an owned object belongs to (by its label, checked against its controller reference at reconcile). */
  private enqueueOwner(object: any): void {
    const owner = object.metadata?.labels?.[AGENT_TYPE_LABEL];
    if (owner) this.enqueue(`${object.metadata.namespace}/${owner}`);
  }

  /** Queues the AgentTypes of `namespace` (all of the scope's if undefined) that use `secret` (all if undefined). */
  private enqueueNamespace(scope: Scope, namespace: string | undefined, secret?: string): void {
    for (const agentType of scope.agentTypes.list(namespace)) {
      const key = keyOf(agentType);
      if (secret === undefined || this.secretUsers.get(key)?.has(secret)) this.enqueue(key);
    }
  }

  private scopeOf(namespace: string): Scope | undefined {
    return this.scopes.find(s => s.namespace === undefined || s.namespace === namespace);
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      const start = process.hrtime.bigint();
      try {
        await this.reconcile(key);
        this.queue.forget(key);
        this.options.metrics?.reconciled('success', seconds(start));
      } catch (error) {
        this.log.error(`reconcile ${key} failed, retrying: ${describe(error)}`);
        this.options.metrics?.reconciled('error', seconds(start));
        this.options.metrics?.retried();
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** Brings the cluster to what the AgentType `key` (`namespace/name`) wants, and says so in its status. */
  public async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const scope = this.scopeOf(namespace);
    const agentType = scope?.agentTypes.get(name, namespace);
    if (!scope || !agentType || agentType.metadata.deletionTimestamp) {
      this.secretUsers.delete(key);
      this.reconciledGeneration.delete(key);
      this.rendered.delete(key);
      return; // the garbage collector removes what it owned
    }
    this.log.debug(`reconcile ${key} generation ${agentType.metadata.generation}`);
    const outcome = await this.applyAgentType(scope, agentType);
    await this.writeStatus(agentType, outcome);
    this.reconciledGeneration.set(key, agentType.metadata.generation);
  }

  private async applyAgentType(scope: Scope, agentType: any): Promise<ReconcileOutcome> {
    const { name, namespace } = agentType.metadata;
    const rendered = this.render(agentType);
    if (typeof rendered === 'string') return this.failed(agentType, 'InvalidSpec', rendered);
    const objects = rendered;
    const refs = secretReferences(objects);
    this.secretUsers.set(keyOf(agentType), new Set(refs.map(r => r.name)));
    const contents: SecretContent[] = [];
    for (const ref of refs) {
      const secret = scope.secrets.get(ref.name, namespace);
      if (!secret) return this.failed(agentType, 'SecretNotFound', `Secret '${namespace}/${ref.name}' (${ref.usedBy}) does not exist`);
      if (ref.key !== undefined && secret.data?.[ref.key] === undefined) {
        return this.failed(agentType, 'SecretNotFound', `Secret '${namespace}/${ref.name}' has no key '${ref.key}' (${ref.usedBy})`);
      }
      if (!contents.some(c => c.name === ref.name)) contents.push({ namespace, name: ref.name, data: secret.data });
    }
    const desired = withSecretChecksum(objects, contents).map(o => labelled(o, name));
    const owned = this.owned(scope, namespace, name, agentType.metadata.uid);
    const plan = planChanges(desired, owned);
    let deployment = owned.find(o => o.kind === 'Deployment');
    for (const object of plan.apply) {
      const applied = await this.api.apply(object);
      this.options.metrics?.wrote('apply');
      if (object.kind === 'Deployment') deployment = applied;
    }
    for (const ref of plan.delete) {
      await this.api.delete(ref);
      this.options.metrics?.wrote('delete');
    }
    if (plan.apply.length > 0 || plan.delete.length > 0) {
      const summary = `applied ${plan.apply.length} object(s), deleted ${plan.delete.length}`;
      this.log.info(`${namespace}/${name}: ${summary}`);
      await this.event(agentType, 'Normal', owned.length === 0 ? 'Created' : 'Updated', summary);
    }
    return { applied: true, spec: agentTypeSpecFromJson<AgentTypeSpec>(agentType.spec, `AgentType '${namespace}/${name}'`), deployment };
  }

  /**
   * The objects the AgentType renders to, or the constructs' message for a
   * spec they refuse. Rendering depends only on the spec, name, namespace and
   * uid, so it is done once per uid and generation: a reconcile for a
   * Deployment's or a Secret's change reuses it.
   */
  private render(agentType: any): any[] | string {
    const key = keyOf(agentType);
    const { uid, generation } = agentType.metadata;
    const cached = this.rendered.get(key);
    if (cached && cached.uid === uid && cached.generation === generation) return cached.result;
    let result: any[] | string;
    try {
      result = renderAgentType(agentType, this.options.agentPod);
    } catch (error) {
      result = (error as Error).message;
    }
    this.rendered.set(key, { uid, generation, result });
    return result;
  }

  private async failed(agentType: any, reason: 'InvalidSpec' | 'SecretNotFound', message: string): Promise<ReconcileOutcome> {
    await this.event(agentType, 'Warning', 'Failed', message);
    return { applied: false, reason, message };
  }

  /** The objects the AgentType owns, from the informers' caches: its label and a controller reference to its uid. */
  private owned(scope: Scope, namespace: string, name: string, uid: string): any[] {
    return scope.owned.flatMap(informer => informer.list(namespace)).filter(o => o.metadata?.labels?.[AGENT_TYPE_LABEL] === name
      && (o.metadata.ownerReferences ?? []).some((r: any) => r.controller && r.uid === uid));
  }

  private async writeStatus(agentType: any, outcome: ReconcileOutcome): Promise<void> {
    const previous: AgentTypeStatus | undefined = agentType.status;
    const status = agentTypeStatus(outcome, agentType.metadata.generation, previous, rfc3339Time(new Date()));
    if (previous && canonicalJson(previous) === canonicalJson(status)) return; // nothing changed: no write
    const { group, version, plural } = this.options;
    // A merge patch of status: conditions is a list map, replaced as a whole;
    // a field the new status lacks is set to null so it goes.
    const removed = Object.fromEntries(Object.keys(previous ?? {}).filter(k => !(k in status)).map(k => [k, null]));
    await this.api.patchStatus(group, version, plural, agentType.metadata.namespace, agentType.metadata.name, { ...removed, ...status });
    this.options.metrics?.wrote('status');
    if (status.phase !== previous?.phase) this.log.info(`${agentType.metadata.namespace}/${agentType.metadata.name}: ${status.phase}${status.message ? `: ${status.message}` : ''}`);
  }

  private async event(agentType: any, type: 'Normal' | 'Warning', reason: string, note: string): Promise<void> {
    const { name, namespace, uid } = agentType.metadata;
    try {
      await this.api.recordEvent(namespace, {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        // Named as client-go names Events: the object's name and a unique suffix.
        metadata: { name: `${name}.${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`, namespace },
        eventTime: microTime(new Date()),
        reportingController: `${this.options.group}/${FIELD_MANAGER}`,
        reportingInstance: process.env.HOSTNAME ?? FIELD_MANAGER,
        action: reason === 'Failed' ? 'Reconcile' : 'Apply',
        reason,
        type,
        note: note.slice(0, 1024),
        regarding: { apiVersion: agentType.apiVersion, kind: agentType.kind, name, namespace, uid },
      });
      this.options.metrics?.wrote('event');
    } catch (error) {
      this.log.error(`event for ${namespace}/${name} not recorded: ${describe(error)}`);
    }
  }
}

const keyOf = (o: any): string => `${o.metadata.namespace}/${o.metadata.name}`;

/** `object` with the operator's labels in its metadata (not in selectors or templates). */
function labelled(object: any, agentType: string): any {
  return { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...MANAGED_BY, [AGENT_TYPE_LABEL]: agentType } } };
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

function describe(error: unknown): string {
  const body = (error as any)?.body;
  return typeof body === 'string' ? body.slice(0, 500) : body?.message ?? (error as Error)?.message ?? String(error);
}
