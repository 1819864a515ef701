import type { SecretEnv } from './llm-provider-settings';
import { isCredentialName, safeText, screenArgs, screenText, secretProblem } from '../core/credential-screen';
import { checkSecretKeyReference, SecretKeyReference } from '../core/secret-key-reference';
import { checkEnvVarName, checkNonEmpty, fail } from '../core/validation';
import type { EnvironmentVariableSpec, McpServerSpec } from '../install/agent-type';
import { MCP_HEADER_NAME_PATTERN, MCP_SERVER_NAME_PATTERN } from '../install/agent-type-schema';

const KIND = 'McpServer';

const SERVER_NAME = new RegExp(MCP_SERVER_NAME_PATTERN);
const HEADER_NAME = new RegExp(MCP_HEADER_NAME_PATTERN);
/** Headers the MCP transport sets itself (lower-case): a server's own value would break it. */
const TRANSPORT_HEADERS = [
  'accept', 'connection', 'content-length', 'content-type', 'host', 'mcp-protocol-version', 'mcp-session-id', 'transfer-encoding',
];
/** A program name or path: no whitespace, no ',' (LiteLLM's list of allowed commands is comma-separated). */
const COMMAND = /^[A-Za-z0-9_.\/@+][A-Za-z0-9_.\/@+-]*$/;
/** What LiteLLM reads as a reference to one of its own variables, which a literal value must not be. */
const ENV_REFERENCE = 'os.environ/';

/** How the LLM gateway reaches an MCP server (AgentType `tools.mcpServers[].transport`). */
export enum McpTransport {
  /** Streamable HTTP, the MCP transport over HTTP (LiteLLM `transport: http`). */
  STREAMABLE_HTTP = 'streamable-http',
  /** HTTP with Server-Sent Events, the transport MCP had before Streamable HTTP (LiteLLM `transport: sse`). */
  SSE = 'sse',
  /** A process the gateway starts in the sidecar, spoken to on its stdin and stdout (LiteLLM `transport: stdio`). */
  STDIO = 'stdio',
}

/** LiteLLM's `transport` of each remote transport. */
const LITELLM_TRANSPORT: { [transport: string]: string } = { [McpTransport.STREAMABLE_HTTP]: 'http', [McpTransport.SSE]: 'sse' };

/** Options of {@link McpServer.remote}. */
export interface McpRemoteServerOptions {
  /**
   * Name of the server, unique within the sidecar: a lowercase letter, then
   * at most 31 lowercase letters, digits and `_` (no `-`: the gateway names
   * each of its tools `<name>-<tool>`).
   */
  readonly name: string;

  /**
   * URL of the server's MCP endpoint (`https://...` or `http://...`, e.g.
   * `https://mcp.example.com/mcp`), without credentials: no user-info, no
   * query parameter named like a key (give them as `headers`). Its host and
   * port join the agent's NetworkPolicy egress.
   */
  readonly url: string;

  /**
   * The transport: Streamable HTTP or SSE (not `STDIO`: see {@link McpServer.stdio}).
   * @default McpTransport.STREAMABLE_HTTP
   */
  readonly transport?: McpTransport;

  /**
   * Headers the gateway sends with every request to the server (e.g.
   * `Authorization`), each the whole value of one key of a Secret (e.g.
   * `Bearer <token>`). The sidecar receives each as a `secretKeyRef`
   * variable `MCP_<NAME>_HEADER_<HEADER>` (upper-cased, `-` as `_`), which the
   * gateway's configuration references; no value is in any manifest. Header
   * names are letters, digits and `-`, case-insensitively unique; the
   * transport's own (`Accept`, `Content-Type`, `Host`, `Mcp-Session-Id`, ...)
   * are refused.
   * @default - none
   */
  readonly headers?: { [header: string]: SecretKeyReference };
}

/** Options of {@link McpServer.stdio}. */
export interface McpStdioServerOptions {
  /**
   * Name of the server, unique within the sidecar: a lowercase letter, then
   * at most 31 lowercase letters, digits and `_` (no `-`: the gateway names
   * each of its tools `<name>-<tool>`).
   */
  readonly name: string;

  /**
   * The program the gateway starts (e.g. `uvx`, `npx`, `/shared/tools/bin/my-server`):
   * a name on the sidecar's `PATH` (its image's and `/shared/tools/bin`) or
   * a path, without spaces or commas. It runs in the sidecar container, so
   * it must be in the sidecar image or installed as a custom tool; its root
   * filesystem is read-only, so what the process caches must go under `/tmp`
   * (LiteLLM points npm's cache there; for `uvx` give `UV_CACHE_DIR` in `env`).
   */
  readonly command: string;

  /**
   * Arguments of the command. No credential: an argument that looks like a
   * key, or follows a flag named like one (`--token x`), is refused.
   * @default - none
   */
  readonly args?: string[];

  /**
   * Variables of the process (it inherits only `HOME`, `PATH`, `SHELL`,
   * `TERM`, `USER` and `LOGNAME` of the sidecar's). Refused like the agent's
   * plain variables: a name that looks like a credential's (`*TOKEN*`,
   * `*API_KEY*`, ...) or a value that looks like a key; give those as `secretEnv`.
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * Variables of the process from keys of Secrets. The sidecar receives each
   * as a `secretKeyRef` variable `MCP_<NAME>_ENV_<VAR>` (upper-cased, other
   * characters as `_`), which the gateway passes to the process as `<VAR>`;
   * no value is in any manifest.
   * @default - none
   */
  readonly secretEnv?: { [name: string]: SecretKeyReference };
}

/** What a factory resolved, checked. */
interface Parts {
  readonly name: string;
  readonly transport: McpTransport;
  readonly url?: string;
  readonly headers?: { [header: string]: SecretKeyReference };
  readonly command?: string;
  readonly args?: string[];
  readonly env?: { [name: string]: string };
  readonly secretEnv?: { [name: string]: SecretKeyReference };
}

/**
 * An MCP (Model Context Protocol) server whose tools the agent uses through
 * the tool sidecar: the sidecar's LLM gateway (LiteLLM's proxy) connects to
 * it and serves the tools of every server of the sidecar at one MCP
 * endpoint, `http://127.0.0.1:<port>/mcp`, which the agent gets as
 * `MCP_SERVER_URL`. Each tool is named `<server name>-<tool name>`.
 *
 * A remote server is reached over Streamable HTTP or SSE, with headers from
 * Secrets; a stdio server is a process the gateway starts in the sidecar
 * container (anew for each tool call). Give servers to
 * `ToolSidecar.addMcpServer` or its `mcpServers` prop.
 *
 * @example
 * McpServer.remote({
 *   name: 'github',
 *   url: 'https://api.githubcopilot.com/mcp/',
 *   headers: { Authorization: { name: 'github-mcp', key: 'authorization' } },
 * });
 */
export class McpServer {
  /**
   * A server the gateway reaches over HTTP (AgentType `tools.mcpServers[]`
   * with `url`); LiteLLM `mcp_servers.<name>` with `url`, `transport: http`
   * (or `sse`) and `static_headers: { <header>: os.environ/<VAR> }`.
   * @throws `McpServer '<name>': <field> '<value>' <problem>` if the name is
   * not a server name, the URL is not an http(s) URL or holds a credential,
   * the transport is not Streamable HTTP or SSE, or a header name or Secret
   * reference is invalid (a header value given as a literal is refused and not shown)
   */
  public static remote(options: McpRemoteServerOptions): McpServer {
    const name = checkName(options?.name);
    const transport = options.transport ?? McpTransport.STREAMABLE_HTTP;
    if (transport !== McpTransport.STREAMABLE_HTTP && transport !== McpTransport.SSE) {
      fail(KIND, name, 'transport', transport, `is not a remote transport (${McpTransport.STREAMABLE_HTTP}, ${McpTransport.SSE}); a stdio server is McpServer.stdio()`);
    }
    return new McpServer({ name, transport, url: checkUrl(name, options.url), headers: checkHeaders(name, options.headers ?? {}) });
  }

  /**
   * A server the gateway starts as a process in the sidecar and speaks to on
   * its stdin and stdout (AgentType `tools.mcpServers[]` with `command`);
   * LiteLLM `mcp_servers.<name>` with `transport: stdio`, `command`, `args`
   * and `env`. The sidecar then runs with `LITELLM_ENABLE_MCP_STDIO=true`
   * and the command's file name in `LITELLM_MCP_STDIO_EXTRA_COMMANDS`
   * (LiteLLM runs no other command). The process reaches the network through
   * the sidecar's NetworkPolicy: give what it needs as `networkPolicy.additionalEgress`.
   * @throws `McpServer '<name>': <field> '<value>' <problem>` if the name is
   * not a server name, the command is empty or not a program name or path,
   * an argument or variable holds what looks like a credential (not shown),
   * a variable name is invalid or given twice, or a Secret reference is invalid
   */
  public static stdio(options: McpStdioServerOptions): McpServer {
    const name = checkName(options?.name);
    return new McpServer({
      name,
      transport: McpTransport.STDIO,
      command: checkCommand(name, options.command),
      args: checkArgs(name, options.args ?? []),
      ...checkEnv(name, options.env ?? {}, options.secretEnv ?? {}),
    });
  }

  /**
   * The server an AgentType `tools.mcpServers[]` entry describes: the inverse
   * of {@link McpServer.toSpec}. With `command` (and `transport` absent or
   * `stdio`) a stdio server, its `env[]` entries `{ name, value }` or `{
   * name, valueFrom: { secretKeyRef } }`; with `url` a remote one (`transport`
   * `streamable-http` by default, or `sse`), its `headers[]` entries `{ name,
   * valueFrom: { secretKeyRef } }`.
   * @throws `McpServer '<name>': <field> '<value>' <problem>` if both or
   * neither of `url` and `command` are given, the transport does not fit
   * them, an entry has both `value` and `valueFrom` or a header no
   * `valueFrom.secretKeyRef`, and for whatever the factories refuse
   */
  public static fromSpec(spec: McpServerSpec): McpServer {
    const name = spec?.name ?? '';
    if ((spec?.url === undefined) === (spec?.command === undefined)) {
      fail(KIND, name, 'url', spec?.url ?? '', 'or command is required, and not both: the URL of a remote server, or the command of a stdio one');
    }
    if (spec.command !== undefined) {
      if (spec.transport !== undefined && spec.transport !== McpTransport.STDIO) {
        fail(KIND, name, 'transport', spec.transport, 'does not run a command: a server with command is stdio');
      }
      if (spec.headers !== undefined) fail(KIND, name, 'headers', spec.headers.map(h => h?.name), 'are for a remote server (url)');
      const { env, secretEnv } = envFromSpec(name, spec.env ?? []);
      return McpServer.stdio({ name, command: spec.command, args: spec.args, env, secretEnv });
    }
    if (spec.args !== undefined) fail(KIND, name, 'args', spec.args, 'are for a stdio server (command)');
    if (spec.env !== undefined) fail(KIND, name, 'env', spec.env.map(e => e?.name), 'are for a stdio server (command)');
    const headers: { [header: string]: SecretKeyReference } = {};
    for (const header of spec.headers ?? []) {
      const ref = header?.valueFrom?.secretKeyRef;
      if (!ref) fail(KIND, name, `headers['${safeText(String(header?.name))}'].valueFrom`, '', 'needs secretKeyRef: { name, key } of a Secret');
      if (Object.prototype.hasOwnProperty.call(headers, header.name)) fail(KIND, name, 'headers', header.name, 'is given twice');
      headers[header.name] = { name: ref.name, key: ref.key };
    }
    return McpServer.remote({ name, url: spec.url!, transport: spec.transport as McpTransport | undefined, headers });
  }

  /** Name of the server (LiteLLM's `mcp_servers` key; its tools are `<name>-<tool>`). */
  public readonly name: string;
  /** How the gateway reaches it. */
  public readonly transport: McpTransport;
  /** URL of a remote server; undefined for a stdio one. */
  public readonly url?: string;
  /** Command of a stdio server; undefined for a remote one. */
  public readonly command?: string;
  private readonly parts: Parts;

  private constructor(parts: Parts) {
    this.parts = parts;
    this.name = parts.name;
    this.transport = parts.transport;
    this.url = parts.url;
    this.command = parts.command;
  }

  /** Arguments of a stdio server's command (a copy; empty for a remote server). */
  public get args(): string[] {
    return [...(this.parts.args ?? [])];
  }

  /** Plain variables of a stdio server's process (a copy). */
  public get env(): { [name: string]: string } {
    return { ...this.parts.env };
  }

  /** Variables of a stdio server's process from Secrets (a copy). */
  public get secretEnv(): { [name: string]: SecretKeyReference } {
    return copyRefs(this.parts.secretEnv);
  }

  /** Headers of a remote server, from Secrets (a copy). */
  public get headers(): { [header: string]: SecretKeyReference } {
    return copyRefs(this.parts.headers);
  }

  /**
   * The AgentType `tools.mcpServers[]` entry: `{ name, transport, url,
   * headers: [{ name, valueFrom: { secretKeyRef } }] }` for a remote server,
   * `{ name, transport: stdio, command, args, env: [{ name, value } | { name,
   * valueFrom: { secretKeyRef } }] }` for a stdio one (empty lists left out).
   * Secrets by name and key, never a value. {@link McpServer.fromSpec} is the inverse.
   */
  public toSpec(): McpServerSpec {
    const spec: { -readonly [K in keyof McpServerSpec]: McpServerSpec[K] } = { name: this.name, transport: this.transport };
    const refSpec = (name: string, ref: SecretKeyReference) => ({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
    if (this.url !== undefined) {
      spec.url = this.url;
      const headers = Object.entries(this.headers).map(([header, ref]) => refSpec(header, ref));
      if (headers.length > 0) spec.headers = headers;
      return spec;
    }
    spec.command = this.command;
    if (this.args.length > 0) spec.args = this.args;
    const env: EnvironmentVariableSpec[] = [
      ...Object.entries(this.env).map(([name, value]) => ({ name, value })),
      ...Object.entries(this.secretEnv).map(([name, ref]) => refSpec(name, ref)),
    ];
    if (env.length > 0) spec.env = env;
    return spec;
  }

  /**
   * The sidecar variables this server's configuration references: one per
   * header or secret variable, `MCP_<NAME>_HEADER_<HEADER>` / `MCP_<NAME>_ENV_<VAR>`.
   * @internal
   */
  public _secretEnv(): SecretEnv[] {
    const headers = Object.entries(this.parts.headers ?? {}).map(([header, ref]) => ({ envVar: this.variable('HEADER', header), secretName: ref.name, secretKey: ref.key }));
    const env = Object.entries(this.parts.secretEnv ?? {}).map(([name, ref]) => ({ envVar: this.variable('ENV', name), secretName: ref.name, secretKey: ref.key }));
    return [...headers, ...env];
  }

  /**
   * LiteLLM's `mcp_servers.<name>` entry, Secret values as `os.environ/<VAR>`
   * references to the sidecar's variables (the gateway adds its access settings).
   * @internal
   */
  public _liteLlmEntry(): { [key: string]: any } {
    const environ = (kind: string, name: string) => `${ENV_REFERENCE}${this.variable(kind, name)}`;
    if (this.url !== undefined) {
      const headers = Object.keys(this.parts.headers ?? {});
      return {
        url: this.url,
        transport: LITELLM_TRANSPORT[this.transport],
        ...(headers.length > 0 ? { static_headers: Object.fromEntries(headers.map(h => [h, environ('HEADER', h)])) } : {}),
      };
    }
    const env = { ...this.parts.env, ...Object.fromEntries(Object.keys(this.parts.secretEnv ?? {}).map(n => [n, environ('ENV', n)])) };
    return { transport: 'stdio', command: this.command, args: this.args, ...(Object.keys(env).length > 0 ? { env } : {}) };
  }

  /** `MCP_<NAME>_<KIND>_<NAME OF THE HEADER OR VARIABLE>`, upper-cased, other characters as `_`. */
  private variable(kind: string, name: string): string {
    return `MCP_${this.name.toUpperCase()}_${kind}_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
  }
}

function copyRefs(refs: { [name: string]: SecretKeyReference } | undefined): { [name: string]: SecretKeyReference } {
  return Object.fromEntries(Object.entries(refs ?? {}).map(([name, ref]) => [name, { name: ref.name, key: ref.key }]));
}

/** Checks a server name ({@link MCP_SERVER_NAME_PATTERN}). */
function checkName(name: string | undefined): string {
  screenText(KIND, String(name ?? ''), 'name', name);
  if (typeof name !== 'string' || !SERVER_NAME.test(name)) {
    fail(KIND, String(name ?? ''), 'name', name ?? '',
      'is not an MCP server name (a lowercase letter, then at most 31 lowercase letters, digits and \'_\'; no \'-\': the gateway names each tool \'<name>-<tool>\')');
  }
  return name;
}

/** Checks a remote server's URL: http(s), no credential, no user-info, no fragment. */
function checkUrl(name: string, url: string | undefined): string {
  screenText(KIND, name, 'url', url);
  checkNonEmpty(KIND, name, 'url', url);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url!);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['https:', 'http:'].includes(parsed.protocol)) fail(KIND, name, 'url', url, 'is not an http:// or https:// URL');
  if (parsed.username !== '' || parsed.password !== '') {
    fail(KIND, name, 'url', url, 'has user-info: give credentials as headers from a Secret');
  }
  if (parsed.hash !== '') fail(KIND, name, 'url', url, 'has a fragment, which is never sent to the server');
  return url!;
}

/** Checks the headers of a remote server: names, uniqueness (case-insensitive), Secret references. */
function checkHeaders(name: string, headers: { [header: string]: SecretKeyReference }): { [header: string]: SecretKeyReference } {
  const out: { [header: string]: SecretKeyReference } = {};
  const seen = new Map<string, string>();
  for (const [header, ref] of Object.entries(headers)) {
    const field = `headers['${safeText(header)}']`;
    screenText(KIND, name, 'headers (a header name)', header);
    if (!HEADER_NAME.test(header)) fail(KIND, name, 'headers', header, 'is not a header name (letters, digits and \'-\')');
    if (TRANSPORT_HEADERS.includes(header.toLowerCase())) fail(KIND, name, 'headers', header, 'is set by the MCP transport itself');
    const before = seen.get(header.toLowerCase());
    if (before !== undefined) fail(KIND, name, 'headers', header, `is given twice (as '${before}' too; header names are case-insensitive)`);
    seen.set(header.toLowerCase(), header);
    if (ref === null || typeof ref !== 'object') {
      fail(KIND, name, field, '<not shown>', 'must be { name, key } of a Secret holding the value: a literal value would land in the manifest');
    }
    out[header] = checkSecretKeyReference(KIND, name, field, ref);
  }
  return out;
}

/** Checks a stdio server's command: a program name or path. */
function checkCommand(name: string, command: string | undefined): string {
  screenText(KIND, name, 'command', command);
  checkNonEmpty(KIND, name, 'command', command);
  if (!COMMAND.test(command!) || command!.endsWith('/') || command!.startsWith(ENV_REFERENCE)) {
    fail(KIND, name, 'command', command, 'is not a program name or path (no spaces or commas)');
  }
  return command!;
}

/** Checks a stdio server's arguments: strings, no credential. */
function checkArgs(name: string, args: string[]): string[] {
  if (!Array.isArray(args)) fail(KIND, name, 'args', '<not shown>', 'is not a list of strings');
  args.forEach((arg, i) => {
    if (typeof arg !== 'string') fail(KIND, name, `args[${i}]`, typeof arg, 'is not a string');
  });
  screenArgs(KIND, name, 'args', args);
  return [...args];
}

/**
 * Checks a stdio server's variables: names, plain values screened as the
 * agent's plain variables are, Secret references; a name given in both is refused.
 */
function checkEnv(name: string, env: { [name: string]: string }, secretEnv: { [name: string]: SecretKeyReference }) {
  const plain: { [name: string]: string } = {};
  for (const [variable, value] of Object.entries(env)) {
    const field = `env['${safeText(variable)}']`;
    checkEnvVarName(KIND, name, 'env', variable);
    if (typeof value !== 'string') fail(KIND, name, field, typeof value, 'is not a string');
    const problem = secretProblem(value);
    if (problem) fail(KIND, name, field, '<not shown>', `looks like a credential (${problem}): give it as secretEnv from a Secret`);
    if (isCredentialName(variable)) {
      fail(KIND, name, field, '<not shown>', 'is named like a credential: a literal value would land in the manifest; give it as secretEnv from a Secret');
    }
    if (value.startsWith(ENV_REFERENCE)) fail(KIND, name, field, value, 'is read by the gateway as one of its own variables; give a Secret as secretEnv');
    plain[variable] = value;
  }
  const secret: { [name: string]: SecretKeyReference } = {};
  /** The sidecar variable (`MCP_<NAME>_ENV_<VAR>`) of each secret variable: `A.B` and `A_B` would share one. */
  const sidecarNames = new Map<string, string>();
  for (const [variable, ref] of Object.entries(secretEnv)) {
    checkEnvVarName(KIND, name, 'secretEnv', variable);
    if (variable in plain) fail(KIND, name, 'secretEnv', variable, 'is in env too: give each variable once');
    const sidecarName = variable.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    const before = sidecarNames.get(sidecarName);
    if (before !== undefined) {
      fail(KIND, name, 'secretEnv', variable, `and '${before}' would share the sidecar variable of the server (upper-cased, other characters as '_'); rename one`);
    }
    sidecarNames.set(sidecarName, variable);
    if (ref === null || typeof ref !== 'object') {
      fail(KIND, name, `secretEnv['${safeText(variable)}']`, '<not shown>', 'must be { name, key } of a Secret');
    }
    secret[variable] = checkSecretKeyReference(KIND, name, `secretEnv['${safeText(variable)}']`, ref);
  }
  return { env: plain, secretEnv: secret };
}

/** The `env[]` entries of a spec: `{ name, value }` plain, `{ name, valueFrom: { secretKeyRef } }` from a Secret. */
function envFromSpec(name: string, entries: EnvironmentVariableSpec[]) {
  const env: { [name: string]: string } = {};
  const secretEnv: { [name: string]: SecretKeyReference } = {};
  for (const entry of entries) {
    const variable = String(entry?.name);
    if (variable in env || variable in secretEnv) fail(KIND, name, 'env', variable, 'is given twice');
    if (entry.valueFrom === undefined) {
      env[variable] = entry.value ?? '';
      continue;
    }
    if (entry.value !== undefined) fail(KIND, name, `env['${safeText(variable)}'].value`, '<not shown>', 'is set together with valueFrom: give one of them');
    const ref = entry.valueFrom.secretKeyRef;
    if (!ref) fail(KIND, name, `env['${safeText(variable)}'].valueFrom`, '', 'needs secretKeyRef: { name, key } of a Secret');
    secretEnv[variable] = { name: ref.name, key: ref.key };
  }
  return { env, secretEnv };
}
