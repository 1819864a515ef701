/**
 * The tool sidecar's process: LiteLLM's proxy (the LLM gateway) on
 * 127.0.0.1 in the pod, its start command and its probes. Internal module;
 * `AgentPod` mounts the files of `llm-gateway.ts` and runs this.
 *
 * The proxy listens on the loopback address only, so nothing outside the pod
 * reaches it (and no key it holds); the kubelet cannot reach it either, so
 * its probes run inside the container (`exec`), with the image's `python3`.
 * The sidecar is ready once every required tool is on its `PATH` (the image's
 * and `/shared/tools/bin`, where the init container puts custom tools) and
 * the proxy answers.
 */
import { Duration } from 'cdk8s';
import { Probe } from 'cdk8s-plus-28';
import type { ContainerProbes, ResolvedProbes } from './health';
import type { McpServer } from './mcp-server';
import { SHARED_MOUNT_PATH } from './shared-volume';

/** Suffix of the sidecar's ConfigMap name, `<agent name>-tools` (tool manifest, gateway configuration). */
export const TOOLS_CONFIG_SUFFIX = '-tools';
/** Where the sidecar's ConfigMap (tool manifest, gateway configuration) is mounted. */
export const GATEWAY_CONFIG_DIR = '/etc/tool-manager';
/** Where the init container installs custom tools; on the sidecar's `PATH`. */
export const TOOLS_BIN_DIR = `${SHARED_MOUNT_PATH}/tools/bin`;

/**
 * The sidecar's variables that keep LiteLLM off the network at start-up (its
 * NetworkPolicy lets it reach the providers only): the model cost map,
 * Anthropic beta headers, blog posts, policy templates and router presets
 * from the copies in the package rather than GitHub, and no telemetry.
 */
export const GATEWAY_OFFLINE_ENV: { readonly [name: string]: string } = {
  LITELLM_LOCAL_MODEL_COST_MAP: 'True',
  LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS: 'True',
  LITELLM_LOCAL_BLOG_POSTS: 'True',
  LITELLM_LOCAL_POLICY_TEMPLATES: 'True',
  LITELLM_LOCAL_AUTOROUTER_PRESETS: 'True',
  LITELLM_TELEMETRY_DISABLED: 'true',
};

/**
 * The sidecar's plain variables for its MCP servers: with a stdio server,
 * `LITELLM_ENABLE_MCP_STDIO=true` (LiteLLM starts no process otherwise) and
 * `LITELLM_MCP_STDIO_EXTRA_COMMANDS`, the file names of the stdio servers'
 * commands, sorted, comma-separated (LiteLLM starts only `npx`, `uvx`,
 * `python`, `python3`, `node`, `docker`, `deno` and those, and lists no
 * tool of a server whose command is not allowed). None without a stdio server.
 */
export function gatewayMcpEnv(servers: readonly McpServer[]): { [name: string]: string } {
  const commands = servers.map(s => s.command).filter((c): c is string => c !== undefined).map(c => c.slice(c.lastIndexOf('/') + 1));
  if (commands.length === 0) return {};
  return { LITELLM_ENABLE_MCP_STDIO: 'true', LITELLM_MCP_STDIO_EXTRA_COMMANDS: [...new Set(commands)].sort().join(',') };
}

/** The proxy's base URL inside the pod: `http://127.0.0.1:<port>`. */
export function gatewayUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** Shell that puts the custom tools on `PATH`, then runs `onMissing` for each required tool not found (`$t` is its name). */
function requiredToolsScript(required: readonly string[], onMissing: string): string {
  const path = `export PATH="$PATH:${TOOLS_BIN_DIR}"; `;
  if (required.length === 0) return path;
  return `${path}for t in ${required.map(t => `'${t}'`).join(' ')}; do command -v "$t" >/dev/null 2>&1 || ${onMissing}; done; `;
}

/**
 * `command` of the sidecar: `/bin/sh -c` logging each missing required tool
 * (`tool-manager: required tool '<name>' is not on PATH`) and then replacing
 * itself with `litellm --config <dir>/config.yaml --host 127.0.0.1 --port
 * <port> --num_workers 1 --telemetry False`.
 */
export function gatewayCommand(port: number, required: readonly string[]): string[] {
  const log = requiredToolsScript(required, 'echo "tool-manager: required tool \'$t\' is not on PATH" >&2');
  const litellm = `exec litellm --config ${GATEWAY_CONFIG_DIR}/config.yaml --host 127.0.0.1 --port ${port} --num_workers 1 --telemetry False`;
  return ['/bin/sh', '-c', `${log}${litellm}`];
}

/** `python3 -c` fetching `path` of the proxy; exits non-zero unless it answers 2xx within 5 s. */
function fetchCheck(port: number, path: string): string {
  return `python3 -c "import urllib.request; urllib.request.urlopen('${gatewayUrl(port)}${path}', timeout=5)"`;
}

/**
 * The sidecar's probes, each an `exec` in the container:
 * - startup (up to 2 minutes, every 2 s) and liveness (every 10 s):
 *   LiteLLM's `/health/liveliness` answers;
 * - readiness (every 5 s): every required tool is on `PATH` (the probe's
 *   output names the first one missing) and `/health/readiness` answers.
 */
export function gatewayProbes(port: number, required: readonly string[], overrides: ContainerProbes = {}): ResolvedProbes {
  if (overrides.disabled) return {};
  const live = ['/bin/sh', '-c', fetchCheck(port, '/health/liveliness')];
  const tools = requiredToolsScript(required, '{ echo "required tool \'$t\' is not on PATH"; exit 1; }');
  const ready = ['/bin/sh', '-c', `${tools}${fetchCheck(port, '/health/readiness')}`];
  const every = (seconds: number, failures: number) => ({
    periodSeconds: Duration.seconds(seconds), failureThreshold: failures, timeoutSeconds: Duration.seconds(6),
  });
  return {
    startup: overrides.startup ?? Probe.fromCommand(live, every(2, 60)),
    liveness: overrides.liveness ?? Probe.fromCommand(live, every(10, 3)),
    readiness: overrides.readiness ?? Probe.fromCommand(ready, every(5, 3)),
  };
}
