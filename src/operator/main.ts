#!/usr/bin/env node
/**
 * `cdk8s-agents-operator`: reconciles AgentType resources into running agents.
 *
 * Out of cluster it uses the current `KUBECONFIG`; in cluster, its
 * ServiceAccount. Its flags and environment are those `AgentOperator`
 * renders (install/operator-command-line.ts; parsed in options.ts);
 * `--help` lists them with their defaults.
 * SIGTERM and SIGINT stop it cleanly: workers finish, informers stop, the Lease is given up.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import { AgentTypeController, OperatorLog, programControllerOptions } from './controller';
import { KubeApi } from './kube-api';
import { LeaderElector } from './leader-election';
import { OperatorMetrics } from './metrics';
import { BindAddress, OPERATOR_PROGRAM, OperatorOptions, asksForHelp, operatorUsage, parseOperatorOptions } from './options';

/** The elector of the Lease `--leader-election-id` in the operator's namespace. */
function leaderElector(api: KubeApi, options: OperatorOptions, log: OperatorLog): LeaderElector {
  const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
  const namespace = options.leaderElectionNamespace
    ?? (fs.existsSync(serviceAccountNamespace) ? fs.readFileSync(serviceAccountNamespace, 'utf8').trim() : undefined);
  if (!namespace) throw new Error('--leader-elect needs the operator\'s namespace: --leader-election-namespace or POD_NAMESPACE (in a pod, its own)');
  const name = options.leaderElectionId;
  return new LeaderElector(api.leaseStore(namespace, name), { namespace, name, identity: `${os.hostname()}_${randomUUID()}`, log: line => log.info(line) });
}

/** A line logger at `level`: errors always, `info` unless `error`, `debug` only at `debug`. */
function logger(level: OperatorOptions['logLevel']): OperatorLog {
  const line = (text: string) => console.log(`${new Date().toISOString()} ${text}`);
  return { error: line, info: level === 'error' ? () => undefined : line, debug: level === 'debug' ? line : () => undefined };
}

/** Starts an HTTP server on `address`; resolves with its port. */
async function serve(address: BindAddress, handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(address.port, address.host, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // Before anything else: no API server is contacted, nothing is listened on.
  if (asksForHelp(argv)) return void process.stdout.write(operatorUsage());
  const options = parseOperatorOptions(argv, process.env);
  const log = logger(options.logLevel);
  const api = await KubeApi.connect();
  let controller: AgentTypeController | undefined;
  const metrics = new OperatorMetrics(() => controller?.queue.length ?? 0);
  controller = new AgentTypeController(api, programControllerOptions(options, { metrics, log }));
  let ready = false;
  const health = await serve(options.health, (request, response) => {
    const ok = request.url === '/healthz' || (request.url === '/readyz' && ready);
    response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not ready');
  });
  const metricsServer = options.metrics && await serve(options.metrics, (request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    metrics.exposition().then(({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      (error: Error) => response.writeHead(500).end(error.message));
  });
  ready = true; // a standby replica is ready too: it serves as soon as it leads
  const elector = options.leaderElect ? leaderElector(api, options, log) : undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${OPERATOR_PROGRAM}: ${signal}, stopping`);
    await controller!.stop();
    await elector?.stop();
    health.server.close();
    metricsServer?.server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Lost the Lease: exit and start anew, as client-go programs do.
  if (elector && !(await elector.acquire(() => process.exit(1)))) return;
  await controller.start();
  const watched = options.namespaces.length > 0 ? options.namespaces.join(', ') : 'every namespace';
  log.info(`${OPERATOR_PROGRAM}: watching ${watched}; health on port ${health.port}${metricsServer ? `, metrics on port ${metricsServer.port}` : ''}`);
}

main().catch((error) => {
  console.error(`${OPERATOR_PROGRAM}: ${(error as Error).message}`);
  process.exit(1);
});
