/**
 * The operator survives losing the API server: it reaches the server through
 * a TCP proxy on 127.0.0.1 that the test cuts (every open connection
 * destroyed, new ones refused) and later restores. Its watches fail, it
 * restarts them with backoff, and an AgentType created while it was cut off
 * becomes a running agent once the connection is back, with no restart of
 * the program.
 */
import * as net from 'net';
import { api, controlPlane, waitFor } from './support/cluster';
import { OperatorProcess, installOperator, startOperator } from './support/operator-process';
import { AgentNamespace } from '../../src/install/agent-namespace';
import { DEFAULT_GROUP } from '../../src/install/agent-type-schema';

const NS = 'disconnect-agents';
const OPERATOR_NS = 'disconnect-system';
const AGENT_TYPES = `/apis/${DEFAULT_GROUP}/v1/namespaces/${NS}/agenttypes`;

/** A TCP proxy to `target` on 127.0.0.1 that can be cut and restored. */
class CuttableProxy {
  private readonly sockets = new Set<net.Socket>();
  private open = true;
  private readonly server = net.createServer(client => {
    if (!this.open) return void client.destroy();
    const upstream = net.connect(this.target.port, this.target.host);
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      this.sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.sockets.delete(a);
        b.destroy();
      });
    }
  });

  constructor(private readonly target: { host: string; port: number }) {}

  public async listen(): Promise<number> {
    await new Promise<void>(resolve => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Destroys every connection and refuses new ones until `restore()`. */
  public cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
  }

  public restore(): void {
    this.open = true;
  }

  public close(): void {
    this.cut();
    this.server.close();
  }
}

let proxy: CuttableProxy;
let operator: OperatorProcess;

beforeAll(async () => {
  const install = await installOperator({ namespaceName: OPERATOR_NS, watchNamespaces: [NS] }, chart => new AgentNamespace(chart, 'ns', { name: NS }));
  const server = new URL(controlPlane().server);
  proxy = new CuttableProxy({ host: server.hostname, port: Number(server.port) });
  operator = await startOperator(install, `https://127.0.0.1:${await proxy.listen()}`);
  await operator.started();
});

afterAll(async () => {
  await operator?.stop();
  proxy?.close();
  for (const ns of [NS, OPERATOR_NS]) await api('DELETE', `/api/v1/namespaces/${ns}`);
});

test('cut off from the API server, the operator restarts its watches and reconciles what was created meanwhile', async () => {
  proxy.cut();
  await waitFor('the operator to notice its watches failed', 60, () => (operator.log().includes('watch failed, restarting') ? true : undefined), operator.log);
  // Created while the operator cannot reach the server (the test talks to it directly).
  const created = await api('POST', AGENT_TYPES, {
    apiVersion: `${DEFAULT_GROUP}/v1`,
    kind: 'AgentType',
    metadata: { name: 'while-cut' },
    spec: { agent: { name: 'agent', type: 'container', container: { image: 'registry.example.com/hello:1.0' } } },
  });
  expect(created.status).toBe(201);
  await new Promise(resolve => setTimeout(resolve, 3000));
  expect(JSON.parse((await api('GET', `${AGENT_TYPES}/while-cut`)).body).status).toBeUndefined();
  proxy.restore();
  await waitFor('while-cut Running', 120, async () =>
    JSON.parse((await api('GET', `${AGENT_TYPES}/while-cut`)).body).status?.phase === 'Running' ? true : undefined, operator.log);
  expect(operator.child.exitCode).toBeNull(); // the same process, never restarted
});
