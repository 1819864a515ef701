/**
 * The operator's one door to the API server, on `@kubernetes/client-node`
 * (an ES module: loaded with `import()`, so only the program loads it, never
 * the library or its tests). Everything else in `operator/` is plain logic
 * on plain objects.
 */
import type * as k8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { LeaseStore } from './leader-election';
import { ObjectReference } from './plan';

/** The field manager of every write the operator makes (server-side apply, status). */
export const FIELD_MANAGER = 'cdk8s-agents-operator';

type Client = typeof k8s;

/** A watched list of objects kept in memory (a client-go informer). */
export interface ObjectInformer {
  list(namespace?: string): any[];
  get(name: string, namespace?: string): any | undefined;
  on(event: 'add' | 'update' | 'delete', callback: (object: any) => void): void;
  on(event: 'error', callback: (error: unknown) => void): void;
  /** Lists, then watches; rejects if the list or the watch failed (the cache is then not filled). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether an error of client-node is an HTTP status `code` from the API server. */
export function isStatus(error: unknown, code: number): boolean {
  return (error as any)?.code === code || (error as any)?.statusCode === code || (error as any)?.body?.code === code;
}

export class KubeApi {
  /** Loads the client and the kubeconfig: `KUBECONFIG` (or ~/.kube/config), else the pod's ServiceAccount in cluster. */
  public static async connect(): Promise<KubeApi> {
    const client: Client = await import('@kubernetes/client-node');
    const config = new client.KubeConfig();
    config.loadFromDefault();
    return new KubeApi(client, config);
  }

  private readonly objects: k8s.KubernetesObjectApi;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly events: k8s.EventsV1Api;

  private constructor(private readonly client: Client, private readonly config: k8s.KubeConfig) {
    this.objects = client.KubernetesObjectApi.makeApiClient(config);
    this.custom = config.makeApiClient(client.CustomObjectsApi);
    this.events = config.makeApiClient(client.EventsV1Api);
  }

  /** Server-side apply of `object` under the operator's field manager, taking over conflicting fields. */
  public async apply(object: any): Promise<any> {
    return this.objects.patch(object, undefined, undefined, FIELD_MANAGER, true, this.client.PatchStrategy.ServerSideApply);
  }

  /** Deletes an object (background propagation); a missing one is fine. */
  public async delete(ref: ObjectReference): Promise<void> {
    try {
      await this.objects.delete({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } },
        undefined, undefined, undefined, undefined, 'Background');
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
    }
  }

  /** Whether the API server serves `group/version` `kind` (discovery; a CRD such as ServiceMonitor may be missing). */
  public async serves(groupVersion: string, kind: string): Promise<boolean> {
    const [group, version] = groupVersion.split('/');
    try {
      const resources = await this.custom.getAPIResources({ group, version });
      return resources.resources.some(r => r.kind === kind);
    } catch (error) {
      if (isStatus(error, 404)) return false;
      throw error;
    }
  }

  /** Sets the status of a custom object through its status subresource (a JSON merge patch of `status`). */
  public async patchStatus(group: string, version: string, plural: string, namespace: string, name: string, status: any): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus({ group, version, plural, namespace, name, body: { status }, fieldManager: FIELD_MANAGER },
      this.client.setHeaderOptions('Content-Type', this.client.PatchStrategy.MergePatch));
  }

  /** The `coordination.k8s.io/v1` Lease `namespace/name`, for leader election (get, create, replace with its resourceVersion). */
  public leaseStore(namespace: string, name: string): LeaseStore {
    const header = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace } };
    return {
      get: async () => {
        try {
          return await this.objects.read(header);
        } catch (error) {
          if (isStatus(error, 404)) return undefined;
          throw error;
        }
      },
      create: lease => this.objects.create(lease),
      replace: lease => this.objects.replace(lease),
    };
  }

  /** Records an `events.k8s.io/v1` Event. */
  public async recordEvent(namespace: string, event: any): Promise<void> {
    await this.events.createNamespacedEvent({ namespace, body: event });
  }

  /**
   * An informer of the objects at `path` (e.g. `/apis/apps/v1/namespaces/a/deployments`),
   * listed with `list` (which must list the same objects).
   */
  public informer(path: string, list: () => Promise<any>, labelSelector?: string): ObjectInformer {
    const informer = this.client.makeInformer(this.config, path, list, labelSelector);
    return {
      list: (namespace?: string) => [...informer.list(namespace)],
      get: (name: string, namespace?: string) => informer.get(name, namespace),
      on: (event: any, callback: any) => informer.on(event, callback),
      // client-node's start() resolves even when its list or watch failed (it emits 'error'):
      // reject then, so a caller knows the cache is not filled.
      start: async () => {
        let failure: unknown;
        const onError = (error: unknown) => (failure ??= error ?? new Error(`watch of ${path} failed`));
        informer.on('error', onError);
        try {
          await informer.start();
        } finally {
          informer.off('error', onError);
        }
        if (failure !== undefined) throw failure;
      },
      stop: () => informer.stop(),
    };
  }

  /** An informer of the custom objects `group/version/plural` in `namespace`, or in every namespace. */
  public customObjectInformer(group: string, version: string, plural: string, namespace: string | undefined): ObjectInformer {
    if (namespace === undefined) {
      return this.informer(`/apis/${group}/${version}/${plural}`, () => this.custom.listClusterCustomObject({ group, version, plural }));
    }
    return this.informer(`/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
      () => this.custom.listNamespacedCustomObject({ group, version, plural, namespace }));
  }

  /** An informer of `apiVersion`/`kind` objects with `labelSelector` in `namespace`, or in every namespace. */
  public objectInformer(apiVersion: string, kind: string, plural: string, namespace: string | undefined, labelSelector: string): ObjectInformer {
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const path = namespace === undefined ? `${base}/${plural}` : `${base}/namespaces/${namespace}/${plural}`;
    return this.informer(path, async () => {
      const list = await this.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector || undefined);
      // The informer's cache keeps the items as listed: give each its apiVersion and kind, as a watch event has them.
      return { ...list, items: list.items.map(item => ({ apiVersion, kind, ...item })) };
    }, labelSelector || undefined);
  }
}
