/**
 * The Python venv with LiteLLM's proxy (test/gateway/build-venv.sh), built
 * once into the cache and shared by the gateway tests.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

/** Set by the gateway tests' global setup to the folder build-venv.sh printed. */
export const VENV_ENV_VAR = 'CDK8S_AGENTS_LITELLM_VENV';

/**
 * Runs build-venv.sh (a no-op when cached: well under a second; a cold
 * install takes about two minutes); its progress goes to stderr.
 * @returns the folder holding `venv/`
 * @throws Error with the script's exit status when it fails
 */
export function buildLiteLlmVenv(): string {
  const script = path.join(__dirname, 'build-venv.sh');
  const result = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60_000 });
  if (result.status !== 0) {
    throw new Error(`test/gateway/build-venv.sh exited with ${result.status ?? result.signal ?? result.error?.message} (its output is above)`);
  }
  return result.stdout.trim().split('\n').pop()!;
}

/** The venv folder: the global setup's, else built (or found cached) now. */
export function liteLlmVenv(): string {
  return process.env[VENV_ENV_VAR] || buildLiteLlmVenv();
}

/** The Python of the venv in `folder`. */
export function venvPython(folder: string): string {
  return path.join(folder, 'venv', 'bin', 'python');
}
