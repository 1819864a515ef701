import { Duration } from 'cdk8s';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import { LITELLM_IMAGE, LITELLM_VERSION } from './gateway-version';
import { LLM_GATEWAY_DEFAULTS, LlmGatewaySettings } from './llm-gateway';
import { McpServer } from './mcp-server';
import { screenText } from '../core/credential-screen';
import { checkDns1123Label, checkImage, checkPort, checkPullPolicy, fail, isDns1123Label } from '../core/validation';
import type { ToolsSpec } from '../install/agent-type';
import { MAX_MCP_SERVERS } from '../install/agent-type-schema';

const KIND = 'ToolSidecar';
const TOOL_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** A tool that is not in the sidecar's registry (`tools.custom[]`). */
export interface CustomTool {
  /** Tool name (lowercase letters, digits, '.', '_', '-'). */
  readonly name: string;
  /**
   * Tool version.
   * @default - the latest the source offers
   */
  readonly version?: string;
  /**
   * Where the init container downloads it from: an `https://` (or `http://`)
   * URL of one executable file, installed as `/shared/tools/bin/<name>` on
   * the sidecar's `PATH`.
   */
  readonly source: string;

  /**
   * SHA-256 of the file at `source`, 64 lowercase hex digits (e.g. from
   * `sha256sum`). The init container refuses a download whose digest
   * differs, and the pod does not start: a tool fetched from a URL without
   * a digest could be replaced under the same URL.
   */
  readonly sha256: string;
}

/**
 * The container of the tool sidecar: what an AgentType spec does not say
 * (its `tools` list only the tools), so an operator building an AgentPod
 * from a spec gives it (`AgentPodFromSpecOptions.toolSidecar`).
 */
export interface ToolSidecarContainerOptions {
  /**
   * Image of the sidecar: LiteLLM's proxy (the LLM gateway), which the
   * sidecar runs as `litellm --config ...` with `/bin/sh` and `python3` for
   * its probes. Give a copy of it in your own registry, or a build of it
   * with your tools installed.
   * @default - LiteLLM's official image of the release this library is tested with (`LITELLM_IMAGE`)
   */
  readonly image?: string;

  /**
   * Container name.
   * @default 'tool-manager'
   */
  readonly name?: string;

  /**
   * Port the LLM gateway listens on, on 127.0.0.1 only: containers of a pod
   * share the network namespace, so the agent reaches it at
   * `http://127.0.0.1:<port>`, and nothing outside the pod does.
   * @default 4000 (LiteLLM's)
   */
  readonly port?: number;

  /**
   * `imagePullPolicy` of the sidecar.
   * @default ImagePullPolicy.IF_NOT_PRESENT
   */
  readonly imagePullPolicy?: ImagePullPolicy;
}

/** Props of {@link ToolSidecar}: the container and the tools (AgentType `spec.tools`). */
export interface ToolSidecarProps extends ToolSidecarContainerOptions {
  /**
   * Tools the sidecar must provide before the agent is useful (`tools.required`).
   * @default - none
   */
  readonly required?: string[];

  /**
   * Tools installed when available (`tools.optional`).
   * @default - none
   */
  readonly optional?: string[];

  /**
   * Tools from their own source (`tools.custom`).
   * @default - none
   */
  readonly custom?: CustomTool[];

  /**
   * MCP servers whose tools the gateway serves to the agent
   * (`tools.mcpServers`); see {@link ToolSidecar.addMcpServer}.
   * @default - none
   */
  readonly mcpServers?: McpServer[];

  /**
   * How long one call to an LLM provider may take before it fails and the
   * next provider is tried (LiteLLM's `request_timeout`), whole seconds.
   * @default Duration.seconds(60)
   */
  readonly requestTimeout?: Duration;

  /**
   * Retries of a failed call on the same provider before its fallback is
   * tried (LiteLLM's `num_retries`).
   * @default 2
   */
  readonly maxRetries?: number;
}

/**
 * The tool sidecar beside the agent: an LLM gateway (LiteLLM's proxy, on
 * 127.0.0.1) that routes the agent's LLM calls to its providers with
 * fallback, holding the provider credentials, which only this container
 * receives; the MCP gateway in front of the sidecar's MCP servers, whose
 * tools the agent reaches at one endpoint (`MCP_SERVER_URL`); and the
 * declared tools, which must be on its `PATH` before it reports ready.
 *
 * Give it to `AgentPod` through `toolSidecar`.
 */
export class ToolSidecar {
  /** The LiteLLM release the sidecar's gateway configuration is tested with (its PyPI version). */
  public static readonly LITELLM_VERSION: string = LITELLM_VERSION;
  /** LiteLLM's official image of that release: the sidecar's default image. */
  public static readonly LITELLM_IMAGE: string = LITELLM_IMAGE;

  /**
   * The sidecar an AgentType `spec.tools` describes, in the given container:
   * the inverse of {@link ToolSidecar.toSpec}. `required` and `optional`
   * are tool names, `custom[]` entries `{ name, version, source, sha256 }`,
   * `mcpServers[]` MCP servers (see `McpServer.fromSpec`).
   * @param tools the `spec.tools` object
   * @param container the sidecar container (image, name, port, pull policy), which the spec does not carry
   * @throws `ToolSidecar '<name>': <field> '<value>' <problem>` for whatever the
   * constructor refuses: an invalid image, name or port, a tool name that is
   * not one, a tool declared twice, a custom tool whose source is not an
   * http(s) URL or holds a credential, or whose sha256 is missing or not one;
   * `McpServer '<name>': ...` for an MCP server `McpServer.fromSpec` refuses
   */
  public static fromSpec(tools: ToolsSpec, container: ToolSidecarContainerOptions): ToolSidecar {
    return new ToolSidecar({
      ...container,
      required: tools.required,
      optional: tools.optional,
      custom: tools.custom?.map(t => ({ name: t.name, version: t.version, source: t.source ?? '', sha256: t.sha256 ?? '' })),
      mcpServers: tools.mcpServers?.map(server => McpServer.fromSpec(server)),
    });
  }

  /** Container name. */
  public readonly name: string;
  /** Sidecar image. */
  public readonly image: string;
  /** Port the sidecar listens on. */
  public readonly port: number;
  /** Pull policy of the sidecar image. */
  public readonly imagePullPolicy: ImagePullPolicy;
  /** How long one LLM provider call may take before the next provider is tried. */
  public readonly requestTimeout: Duration;
  /** Retries of a failed provider call before its fallback is tried. */
  public readonly maxRetries: number;
  private readonly gatewaySettings: LlmGatewaySettings;
  private readonly _required: string[] = [];
  private readonly _optional: string[] = [];
  private readonly _custom: CustomTool[] = [];
  private readonly _mcpServers: McpServer[] = [];
  private _usedBy?: string;

  /** @throws if the name, image, port, pull policy or a tool is invalid */
  public constructor(props: ToolSidecarProps) {
    this.name = props.name ?? 'tool-manager';
    if (!isDns1123Label(this.name)) {
      fail(KIND, this.name, 'name', this.name, 'is not a valid container name (RFC 1123 label)');
    }
    checkDns1123Label(KIND, this.name, 'name', this.name);
    this.image = checkImage(props?.image ?? LITELLM_IMAGE, KIND, this.name, 'image');
    this.port = checkPort(KIND, this.name, 'port', props.port ?? 4000);
    this.imagePullPolicy = checkPullPolicy(KIND, this.name, 'imagePullPolicy', props.imagePullPolicy ?? ImagePullPolicy.IF_NOT_PRESENT);
    this.gatewaySettings = checkGatewaySettings(this.name, props.requestTimeout, props.maxRetries);
    this.requestTimeout = Duration.seconds(this.gatewaySettings.requestTimeoutSeconds);
    this.maxRetries = this.gatewaySettings.maxRetries;
    (props.required ?? []).forEach(t => this.addRequiredTool(t));
    (props.optional ?? []).forEach(t => this.addOptionalTool(t));
    (props.custom ?? []).forEach(t => this.addCustomTool(t));
    (props.mcpServers ?? []).forEach(server => this.addMcpServer(server));
  }

  /** Adds a required tool. @throws if the name is invalid or already declared */
  public addRequiredTool(name: string): void {
    this._required.push(this.checkNewTool('required', name));
  }

  /** Adds an optional tool. @throws if the name is invalid or already declared */
  public addOptionalTool(name: string): void {
    this._optional.push(this.checkNewTool('optional', name));
  }

  /**
   * Adds a custom tool, downloaded by the init container and checked against its `sha256`.
   * @throws if the name or source is invalid (an `https://` or `http://` URL),
   * the name is already declared, the sha256 is missing or not 64 lowercase
   * hex digits, or the source or version holds what looks like a credential
   * (a token in the URL)
   */
  public addCustomTool(tool: CustomTool): void {
    this.checkNewTool('custom', tool.name);
    // The source URL is written into the tools ConfigMap: no token in it.
    screenText(KIND, this.name, 'custom tool source', tool.source);
    screenText(KIND, this.name, 'custom tool version', tool.version);
    let url: URL | undefined;
    try {
      url = new URL(tool.source);
    } catch {
      url = undefined;
    }
    if (!url || !['https:', 'http:'].includes(url.protocol)) {
      fail(KIND, this.name, `custom tool '${tool.name}' source`, tool.source ?? '',
        'is not an https:// or http:// URL of the tool\'s file (the init container downloads it; build OCI-packaged tools into the sidecar image)');
    }
    if (typeof tool.sha256 !== 'string' || !/^[a-f0-9]{64}$/.test(tool.sha256)) {
      fail(KIND, this.name, `custom tool '${tool.name}' sha256`, tool.sha256 ?? '',
        'must be the SHA-256 of the file at source, 64 lowercase hex digits: a download without a digest could be swapped under the same URL');
    }
    if (tool.version !== undefined && !/^[A-Za-z0-9._+-]+$/.test(tool.version)) {
      fail(KIND, this.name, `custom tool '${tool.name}' version`, tool.version, 'is not a version');
    }
    // One key order (name, version, source, sha256), whatever the caller's: tools.json and the spec render the same for equal tools.
    const version = tool.version !== undefined ? { version: tool.version } : {};
    this._custom.push({ name: tool.name, ...version, source: tool.source, sha256: tool.sha256 });
  }

  /**
   * Adds an MCP server: the gateway connects to it (a remote one) or starts
   * it (a stdio one, in this container), and serves its tools to the agent
   * at {@link ToolSidecar.mcpEndpoint} as `<server name>-<tool name>`. Its
   * header and secret variables become `secretKeyRef` variables of this
   * container only; a remote server's host and port join the agent's
   * NetworkPolicy egress.
   * @throws `ToolSidecar '<name>': mcpServers '<server>' <problem>` if the
   * sidecar is already rendered by an AgentPod, a server of that name exists,
   * it already has 64 servers, or two servers would set the same sidecar variable
   */
  public addMcpServer(server: McpServer): void {
    const name = server?.name ?? '';
    if (this._usedBy) {
      fail(KIND, this.name, 'mcpServers', name, `cannot be added: this sidecar is already rendered by ${this._usedBy}; add MCP servers before creating the AgentPod`);
    }
    if (!(server instanceof McpServer)) fail(KIND, this.name, 'mcpServers', name, 'is not an McpServer (use McpServer.remote() or McpServer.stdio())');
    if (this._mcpServers.some(s => s.name === name)) fail(KIND, this.name, 'mcpServers', name, 'is declared twice');
    if (this._mcpServers.length >= MAX_MCP_SERVERS) {
      fail(KIND, this.name, 'mcpServers', name, `is one too many: a sidecar takes at most ${MAX_MCP_SERVERS} MCP servers (AgentType tools.mcpServers)`);
    }
    for (const { envVar } of server._secretEnv()) {
      const other = this._mcpServers.find(s => s._secretEnv().some(e => e.envVar === envVar));
      if (other) fail(KIND, this.name, 'mcpServers', name, `sets the sidecar variable ${envVar}, as '${other.name}' does; rename one of them`);
    }
    this._mcpServers.push(server);
  }

  /** MCP servers (a copy of the list). */
  public get mcpServers(): McpServer[] {
    return [...this._mcpServers];
  }

  /**
   * The gateway's MCP endpoint, which the agent calls (as `MCP_SERVER_URL`)
   * without a key: `http://127.0.0.1:<port>/mcp`.
   */
  public get mcpEndpoint(): string {
    return `${this.endpoint}/mcp`;
  }

  /** Required tools (a copy). */
  public get requiredTools(): string[] {
    return [...this._required];
  }

  /** Optional tools (a copy). */
  public get optionalTools(): string[] {
    return [...this._optional];
  }

  /** Custom tools (a copy). */
  public get customTools(): CustomTool[] {
    return this._custom.map(t => ({ ...t }));
  }

  /** The URL the agent container calls the sidecar at: `http://127.0.0.1:<port>`. */
  public get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * The tool manifest the sidecar reads (`tools.json`): the AgentType
   * `spec.tools` object. {@link ToolSidecar.fromSpec} is the inverse.
   */
  public toSpec(): ToolsSpec {
    const spec: { -readonly [K in keyof ToolsSpec]: ToolsSpec[K] } = {};
    if (this._required.length) spec.required = [...this._required];
    if (this._optional.length) spec.optional = [...this._optional];
    if (this._custom.length) spec.custom = this.customTools;
    if (this._mcpServers.length) spec.mcpServers = this._mcpServers.map(server => server.toSpec());
    return spec;
  }

  /**
   * Timeout (seconds) and retries of the gateway's provider calls, for its settings file.
   * @internal
   */
  public _gatewaySettings(): LlmGatewaySettings {
    return { ...this.gatewaySettings };
  }

  /**
   * Marks this sidecar as rendered by an AgentPod: later `add*Tool` and
   * `addMcpServer` calls throw instead of being silently left out of the
   * rendered `tools.json` and gateway configuration.
   * @internal
   */
  public _markUsedBy(owner: string): void {
    this._usedBy = owner;
  }

  private checkNewTool(list: string, name: string): string {
    if (this._usedBy) {
      fail(KIND, this.name, `${list} tool`, name, `cannot be added: this sidecar is already rendered by ${this._usedBy}; add tools before creating the AgentPod`);
    }
    if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
      fail(KIND, this.name, `${list} tool`, name ?? '', 'is not a tool name (lowercase letters, digits, \'.\', \'_\', \'-\')');
    }
    const all = [...this._required, ...this._optional, ...this._custom.map(t => t.name)];
    if (all.includes(name)) {
      fail(KIND, this.name, `${list} tool`, name, 'is declared twice');
    }
    return name;
  }
}

/** Checks `requestTimeout` (whole seconds, 1 to 3600) and `maxRetries` (0 to 10). */
function checkGatewaySettings(name: string, requestTimeout: Duration | undefined, maxRetries: number | undefined): LlmGatewaySettings {
  const seconds = requestTimeout === undefined ? LLM_GATEWAY_DEFAULTS.requestTimeoutSeconds : requestTimeout.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    fail(KIND, name, 'requestTimeout', `${seconds}s`, 'must be whole seconds from 1 to 3600');
  }
  const retries = maxRetries ?? LLM_GATEWAY_DEFAULTS.maxRetries;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    fail(KIND, name, 'maxRetries', retries, 'must be an integer from 0 to 10');
  }
  return { requestTimeoutSeconds: seconds, maxRetries: retries };
}
