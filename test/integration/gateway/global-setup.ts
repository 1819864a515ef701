/**
 * Global setup of the gateway tests: installs LiteLLM's proxy into the cache
 * once (test/gateway/build-venv.sh; a no-op when cached) and hands its folder
 * to the test files through the environment.
 */
import { VENV_ENV_VAR, buildLiteLlmVenv } from '../../gateway/venv';

export default function globalSetup(): void {
  process.env[VENV_ENV_VAR] = buildLiteLlmVenv();
}
