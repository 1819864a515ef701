/**
 * The sidecar an AgentPod renders, run as the kubelet would run it: its
 * ConfigMap's files where it mounts them (a temporary folder stands in for
 * the mount path), its own command line, its variables with the Secrets it
 * references resolved, and LiteLLM from the cached venv in place of the
 * image's.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { GATEWAY_CONFIG_DIR } from '../../../src/agent/gateway-sidecar';
import { tail } from '../../gateway/litellm-process';

/** The Secrets a rendered pod references, as the kubelet would resolve them: name → key → value. */
export type Secrets = { readonly [name: string]: { readonly [key: string]: string } };

/** A container's variables: plain values as rendered, secretKeyRef ones from `secrets`. */
export function resolvedEnv(container: any, secrets: Secrets): { [name: string]: string } {
  const env: { [name: string]: string } = {};
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    env[e.name] = ref ? secrets[ref.name][ref.key] : e.value;
  }
  return env;
}

export interface RenderedGatewayOptions {
  /** The sidecar container, as synthesized. */
  readonly sidecar: any;
  /** The data of its `<name>-tools` ConfigMap. */
  readonly files: { readonly [name: string]: string };
  /** Where the files go (stands in for the mount path). */
  readonly configDir: string;
  /** The process's variables (PATH with the venv's bin first, HOME, the resolved sidecar variables). */
  readonly env: NodeJS.ProcessEnv;
  /** The proxy's URL (the port the sidecar was rendered with). */
  readonly url: string;
  /** How long to wait for `/health/liveliness`, milliseconds. */
  readonly timeoutMs: number;
}

export interface RenderedGateway {
  /** The proxy's pid (the rendered command `exec`s it), leader of its process group. */
  readonly pid: number;
  logs(): string;
  /** Kills the process group: the proxy and the stdio MCP servers it started. */
  stop(): void;
}

/**
 * Starts the sidecar's rendered command and waits until the proxy is live.
 * @throws Error with the log tail when the command exits or is not live in time
 */
export async function startRenderedGateway(options: RenderedGatewayOptions): Promise<RenderedGateway> {
  fs.mkdirSync(options.configDir, { recursive: true });
  for (const [name, text] of Object.entries(options.files)) fs.writeFileSync(path.join(options.configDir, name), text);
  const [shell, flag, script] = options.sidecar.command;
  const proxy: ChildProcess = spawn(shell, [flag, script.split(GATEWAY_CONFIG_DIR).join(options.configDir)], {
    env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proxy.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  proxy.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const gateway: RenderedGateway = {
    pid: proxy.pid!,
    logs: () => log,
    stop: () => {
      try {
        process.kill(-proxy.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (proxy.exitCode !== null) throw new Error(`the rendered command exited with ${proxy.exitCode}:\n${tail(log)}`);
    const live = await fetch(`${options.url}/health/liveliness`, { signal: AbortSignal.timeout(2_000) }).then(r => r.ok, () => false);
    if (live) return gateway;
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  gateway.stop();
  throw new Error(`the rendered gateway was not live in time:\n${tail(log)}`);
}
