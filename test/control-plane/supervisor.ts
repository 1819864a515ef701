/**
 * The process that owns a running control plane, started detached by
 * `supervisor-client.ts`. It starts the plane, then stops it (every process,
 * and its folder) by itself when:
 * - it gets SIGTERM, SIGINT or SIGHUP (`control-plane:down`, the tests' teardown);
 * - its owner process is gone (`--owner <pid>`: the test runner, even killed);
 * - its time to live ends (`--ttl <seconds>`);
 * - a component exits on its own (the reason goes to the log).
 *
 * Usage: supervisor.ts --root <dir> --bin <dir> [--owner <pid>] [--ttl <s>] [--nodes <n>]
 *        [--audit-users <user,...>] [--kube-api-qps <n> --kube-api-burst <n>]
 * Logs go to stdout/stderr (the client points them at <root>/supervisor.log).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ControlPlane, isProcessAlive as alive } from './control-plane';

function flag(name: string, fallback?: string): string {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? process.argv[at + 1] : fallback;
  if (value === undefined) throw new Error(`supervisor: --${name} is required`);
  return value;
}


async function main(): Promise<void> {
  const root = flag('root');
  const owner = Number(flag('owner', '0'));
  const ttlSeconds = Number(flag('ttl', '0'));
  const started = Date.now();
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  fs.writeFileSync(path.join(root, 'supervisor.pid'), String(process.pid));

  let plane: ControlPlane | undefined = undefined;
  let stopping: Promise<void> | undefined;
  const stop = (reason: string, code: number) => {
    stopping ??= (async () => {
      log(`stopping: ${reason}`);
      await plane?.stop();
      log('stopped; data removed');
      // A clean stop leaves nothing behind; a failed one leaves this log to read.
      if (code === 0) fs.rmSync(root, { recursive: true, force: true });
      process.exit(code);
    })();
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop(signal, 0));

  const auditUsers = flag('audit-users', '').split(',').filter(u => u);
  const qps = flag('kube-api-qps', '');
  plane = new ControlPlane({
    binDir: flag('bin'),
    dir: path.join(root, 'plane'),
    nodes: Number(flag('nodes', '2')),
    log,
    auditUsers,
    componentApiRate: qps ? { qps: Number(qps), burst: Number(flag('kube-api-burst')) } : undefined,
  });
  let ready = false;
  setInterval(() => {
    if (owner && !alive(owner)) stop(`owner process ${owner} is gone`, 0);
    else if (ttlSeconds && Date.now() - started > ttlSeconds * 1000) stop(`time to live of ${ttlSeconds} s is over`, 0);
    else if (ready && plane?.crashed) stop(`a component exited: ${plane.crashed}`, 1);
  }, 1000);
  try {
    await plane.start();
  } catch (error) {
    if (stopping) return;
    console.error((error as Error).message);
    process.exit(1);
  }
  ready = true;
  log(`ready: export KUBECONFIG=${plane.state.kubeconfig}`);
}

void main();
