/**
 * What the integration tests use to talk to the control plane the global
 * setup started: the pinned kubectl, server-side apply that reports the
 * server's warnings, requests as the admin, and bounded waiting.
 */
import { spawnSync } from 'child_process';
import { ControlPlaneState, httpsRequest } from '../../control-plane/control-plane';

/** The running plane (from the global setup). */
export function controlPlane(): ControlPlaneState {
  const json = process.env.CDK8S_AGENTS_CONTROL_PLANE;
  if (!json) throw new Error('no control plane: run the integration tests with test/integration/jest.config.json (its global setup starts one)');
  return JSON.parse(json);
}

export interface KubectlResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The server's warnings (`Warning: ...` lines on stderr). */
  readonly warnings: string[];
}

/** Runs the plane's kubectl as the admin; never throws (look at `status`). */
export function kubectl(args: readonly string[], input?: string): KubectlResult {
  const plane = controlPlane();
  const result = spawnSync(plane.kubectl, args, {
    input,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, KUBECONFIG: plane.kubeconfig },
  });
  const stderr = result.stderr ?? '';
  return {
    status: result.status ?? 1,
    stdout: result.stdout ?? '',
    stderr,
    warnings: stderr.split('\n').filter((line) => line.startsWith('Warning:')),
  };
}

/** Runs kubectl and returns stdout; throws with stderr if it fails. */
export function kubectlOk(args: readonly string[], input?: string): string {
  const result = kubectl(args, input);
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

/** A request to the API server as the admin user (a PATCH is a JSON merge patch unless `contentType` says otherwise). */
export function api(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: string }> {
  const plane = controlPlane();
  const pki = `${plane.dir}/pki`;
  const type = contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
  return httpsRequest(method, `${plane.server}${path}`, { ca: `${pki}/ca.crt`, cert: `${pki}/admin.crt`, key: `${pki}/admin.key` }, body, type);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` (every 500 ms, at most `seconds`) until it returns a value
 * other than undefined, and returns it.
 * @throws naming `what` and the last value seen when time runs out
 */
export async function waitFor<T>(
  what: string, seconds: number, check: () => T | undefined | Promise<T | undefined>, last?: () => string,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(500);
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}${last ? `; last seen:\n${last()}` : ''}`);
}
