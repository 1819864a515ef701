/**
 * The AgentType controller: informers on AgentTypes, on the Deployments and
 * Secrets of the watched namespaces, a rate-limited work queue, and the
 * reconcile of one AgentType (render, plan, apply, delete, status, events).
 */
import { renderAgentType, secretReferences, withSecretChecksum } from './desired-state';
import { FIELD_MANAGER, KubeApi, ObjectInformer } from './kube-api';
import { planChanges } from './plan';
import { AgentTypeStatus, agentTypeStatus, ReconcileOutcome, microTime, rfc3339Time } from './status';
import { WorkQueue } from './work-queue';
import { AgentPodFromSpecOptions } from '../agent/agent-pod';
import { canonicalJson } from '../core/canonical-json';
import { AGENT_TYPE_LABEL } from '../core/labels';
import { SecretContent } from '../core/secret-checksum';

const MANAGED_BY = { 'app.kubernetes.io/managed-by': FIELD_MANAGER };
const MANAGED_SELECTOR = `app.kubernetes.io/managed-by=${FIELD_MANAGER}`;

/** The kinds an AgentType's objects may have (what AgentPod renders), to find owned objects no longer wanted. */
const OWNED_KINDS: ReadonlyArray<[string, string]> = [
  ['apps/v1', 'Deployment'], ['v1', 'ConfigMap'], ['v1', 'ServiceAccount'], ['v1', 'Service'],
  ['networking.k8s.io/v1', 'NetworkPolicy'], ['autoscaling/v2', 'HorizontalPodAutoscaler'], ['policy/v1', 'PodDisruptionBudget'],
];

export interface ControllerOptions {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  /** Namespaces to watch. */
  readonly namespaces: readonly string[];
  /** Reconcile workers. @default 2 */
  readonly workers?: number;
  /** What the spec does not carry (the tool sidecar's container). */
  readonly agentPod?: AgentPodFromSpecOptions;
  readonly log?: (line: string) => void;
}

export class AgentTypeController {
  public readonly queue = new WorkQueue();
  private readonly agentTypes = new Map<string, ObjectInformer>();
  private readonly deployments = new Map<string, ObjectInformer>();
  private readonly secrets = new Map<string, ObjectInformer>();
  private readonly log: (line: string) => void;
  private running: Promise<void>[] = [];

  constructor(private readonly api: KubeApi, private readonly options: ControllerOptions) {
    this.log = options.log ?? (line => console.log(line));
  }

  /** Starts the informers (each lists, then watches) and the workers. */
  public async start(): Promise<void> {
    const { group, version, plural } = this.options;
    for (const ns of this.options.namespaces) {
      const agentTypes = this.api.customObjectInformer(group, version, plural, ns);
      for (const event of ['add', 'update', 'delete'] as const) agentTypes.on(event, o => this.queue.add(keyOf(o)));
      const deployments = this.api.objectInformer('apps/v1', 'Deployment', 'deployments', ns, MANAGED_SELECTOR);
      for (const event of ['add', 'update', 'delete'] as const) {
        deployments.on(event, o => o.metadata?.labels?.[AGENT_TYPE_LABEL] && this.queue.add(`${ns}/${o.metadata.labels[AGENT_TYPE_LABEL]}`));
      }
      const secrets = this.api.objectInformer('v1', 'Secret', 'secrets', ns, '');
      for (const event of ['add', 'update', 'delete'] as const) secrets.on(event, () => this.enqueueNamespace(ns));
      for (const informer of [agentTypes, deployments, secrets]) this.restartOnError(informer);
      this.agentTypes.set(ns, agentTypes);
      this.deployments.set(ns, deployments);
      this.secrets.set(ns, secrets);
      await Promise.all([agentTypes.start(), deployments.start(), secrets.start()]);
    }
    this.running = Array.from({ length: this.options.workers ?? 2 }, () => this.work());
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
      this.log(`watch failed, restarting in ${delay / 1000} s: ${describe(error)}`);
      const timer = setTimeout(() => {
        informer.start().then(() => (delay = 1000), () => undefined);
      }, delay);
      timer.unref();
      delay = Math.min(delay * 2, 30_000);
    });
  }

  /** Stops the queue (workers finish their key) and the informers. */
  public async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.running);
    for (const informer of [...this.agentTypes.values(), ...this.deployments.values(), ...this.secrets.values()]) await informer.stop();
  }

  private enqueueNamespace(ns: string): void {
    for (const agentType of this.agentTypes.get(ns)?.list(ns) ?? []) this.queue.add(keyOf(agentType));
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      try {
        await this.reconcile(key);
        this.queue.forget(key);
      } catch (error) {
        this.log(`reconcile ${key} failed, retrying: ${describe(error)}`);
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** Brings the cluster to what the AgentType `key` (`namespace/name`) wants, and says so in its status. */
  public async reconcile(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const agentType = this.agentTypes.get(ns)?.get(name, ns);
    if (!agentType || agentType.metadata.deletionTimestamp) return; // the garbage collector removes what it owned
    this.log(`reconcile ${key} generation ${agentType.metadata.generation}`);
    const outcome = await this.applyAgentType(agentType);
    await this.writeStatus(agentType, outcome);
  }

  private async applyAgentType(agentType: any): Promise<ReconcileOutcome> {
    const { name, namespace } = agentType.metadata;
    let objects: any[];
    try {
      objects = renderAgentType(agentType, this.options.agentPod);
    } catch (error) {
      return this.failed(agentType, 'InvalidSpec', (error as Error).message);
    }
    const contents: SecretContent[] = [];
    for (const ref of secretReferences(objects)) {
      const secret = this.secrets.get(namespace)?.get(ref.name, namespace);
      if (!secret) return this.failed(agentType, 'SecretNotFound', `Secret '${namespace}/${ref.name}' (${ref.usedBy}) does not exist`);
      if (ref.key !== undefined && secret.data?.[ref.key] === undefined) {
        return this.failed(agentType, 'SecretNotFound', `Secret '${namespace}/${ref.name}' has no key '${ref.key}' (${ref.usedBy})`);
      }
      if (!contents.some(c => c.name === ref.name)) contents.push({ namespace, name: ref.name, data: secret.data });
    }
    const desired = withSecretChecksum(objects, contents).map(o => labelled(o, name));
    const owned = await this.owned(namespace, name, agentType.metadata.uid);
    const plan = planChanges(desired, owned);
    let deployment = owned.find(o => o.kind === 'Deployment');
    for (const object of plan.apply) {
      const applied = await this.api.apply(object);
      if (object.kind === 'Deployment') deployment = applied;
    }
    for (const ref of plan.delete) await this.api.delete(ref);
    if (plan.apply.length > 0 || plan.delete.length > 0) {
      await this.event(agentType, 'Normal', owned.length === 0 ? 'Created' : 'Updated',
        `applied ${plan.apply.length} object(s), deleted ${plan.delete.length}`);
    }
    return { applied: true, spec: agentType.spec, deployment };
  }

  private async failed(agentType: any, reason: 'InvalidSpec' | 'SecretNotFound', message: string): Promise<ReconcileOutcome> {
    await this.event(agentType, 'Warning', 'Failed', message);
    return { applied: false, reason, message };
  }

  /** The objects the AgentType owns: its label and a controller reference to its uid. */
  private async owned(namespace: string, name: string, uid: string): Promise<any[]> {
    const selector = `${MANAGED_SELECTOR},${AGENT_TYPE_LABEL}=${name}`;
    const lists = await Promise.all(OWNED_KINDS.map(([apiVersion, kind]) => this.api.list(apiVersion, kind, namespace, selector)));
    return lists.flat().filter(o => (o.metadata.ownerReferences ?? []).some((r: any) => r.controller && r.uid === uid));
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
    } catch (error) {
      this.log(`event for ${namespace}/${name} not recorded: ${describe(error)}`);
    }
  }
}

const keyOf = (o: any): string => `${o.metadata.namespace}/${o.metadata.name}`;

/** `object` with the operator's labels in its metadata (not in selectors or templates). */
function labelled(object: any, agentType: string): any {
  return { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...MANAGED_BY, [AGENT_TYPE_LABEL]: agentType } } };
}

function describe(error: unknown): string {
  const body = (error as any)?.body;
  return typeof body === 'string' ? body.slice(0, 500) : body?.message ?? (error as Error)?.message ?? String(error);
}
