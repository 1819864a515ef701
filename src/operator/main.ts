#!/usr/bin/env node
/**
 * `cdk8s-agents-operator`: reconciles AgentType resources into running agents.
 *
 * Out of cluster it uses the current `KUBECONFIG`; in cluster, its
 * ServiceAccount. Flags (as `AgentOperator` renders them):
 *   --health-probe-bind-address=:<port>   /healthz and /readyz (default :8081)
 *   --group=<group>                        the AgentType API group (default agents.example.com)
 *   --tool-sidecar-image=<image>           the tool-manager sidecar's image
 *   --leader-elect                         reconcile only while holding the Lease
 *   --leader-election-id=<name>            the Lease's name (default cdk8s-agents-operator)
 *   --leader-election-namespace=<ns>       its namespace (default: POD_NAMESPACE, else the pod's own)
 * Env: WATCH_NAMESPACE, a comma-separated list of namespaces to watch.
 * SIGTERM and SIGINT stop it cleanly: workers finish, informers stop.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import { AgentTypeController } from './controller';
import { KubeApi } from './kube-api';
import { LeaderElector } from './leader-election';
import { AGENT_TYPE_PLURAL, AGENT_TYPE_VERSION, DEFAULT_GROUP } from '../install/agent-type-schema';

/** The value of `--name=value`, if given. */
function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.slice(2).find(a => a.startsWith(prefix))?.slice(prefix.length);
}

/** A bind address `:8081` or `127.0.0.1:8081` as host and port. */
function bindAddress(value: string): { host?: string; port: number } {
  const at = value.lastIndexOf(':');
  const port = Number(value.slice(at + 1));
  if (at < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--health-probe-bind-address '${value}' is not [host]:port`);
  return { host: value.slice(0, at) || undefined, port };
}

/** The elector of `--leader-election-id` in the operator's namespace. */
function leaderElector(api: KubeApi): LeaderElector {
  const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
  const namespace = flag('leader-election-namespace') ?? process.env.POD_NAMESPACE
    ?? (fs.existsSync(serviceAccountNamespace) ? fs.readFileSync(serviceAccountNamespace, 'utf8').trim() : undefined);
  if (!namespace) throw new Error('--leader-elect needs the operator\'s namespace: --leader-election-namespace or POD_NAMESPACE (in a pod, its own)');
  const name = flag('leader-election-id') ?? 'cdk8s-agents-operator';
  return new LeaderElector(api.leaseStore(namespace, name), { namespace, name, identity: `${os.hostname()}_${randomUUID()}`, log: console.log });
}

async function main(): Promise<void> {
  const namespaces = (process.env.WATCH_NAMESPACE ?? '').split(',').map(n => n.trim()).filter(n => n);
  if (namespaces.length === 0) throw new Error('WATCH_NAMESPACE is empty: give the namespaces to watch (comma-separated)');
  const sidecarImage = flag('tool-sidecar-image');
  const api = await KubeApi.connect();
  const controller = new AgentTypeController(api, {
    group: flag('group') ?? DEFAULT_GROUP,
    version: AGENT_TYPE_VERSION,
    plural: AGENT_TYPE_PLURAL,
    namespaces,
    agentPod: sidecarImage ? { toolSidecar: { image: sidecarImage } } : {},
  });
  let ready = false;
  const health = http.createServer((request, response) => {
    const ok = request.url === '/healthz' || (request.url === '/readyz' && ready);
    response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not ready');
  });
  const { host, port } = bindAddress(flag('health-probe-bind-address') ?? ':8081');
  await new Promise<void>(resolve => health.listen(port, host, resolve));
  ready = true; // a standby replica is ready too: it serves as soon as it leads
  const elector = process.argv.includes('--leader-elect') ? leaderElector(api) : undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`cdk8s-agents-operator: ${signal}, stopping`);
    await controller.stop();
    await elector?.stop();
    health.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Lost the Lease: exit and start anew, as client-go programs do.
  if (elector && !(await elector.acquire(() => process.exit(1)))) return;
  await controller.start();
  console.log(`cdk8s-agents-operator: watching ${namespaces.join(', ')}; health on ${host ?? ''}:${(health.address() as any).port}`);
}

main().catch((error) => {
  console.error(`cdk8s-agents-operator: ${(error as Error).message}`);
  process.exit(1);
});
