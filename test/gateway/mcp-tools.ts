/**
 * Real MCP tool servers for the gateway tests, built with the MCP SDK's
 * `Server`: a list of tools, each with a JSON Schema for its arguments and a
 * handler returning text. (The SDK's `McpServer.registerTool` takes its
 * argument schema as a zod schema, and zod is no declared dependency of this
 * project; the low-level `Server` takes JSON Schema as the protocol does.)
 */
import { CallToolRequestSchema, CallToolResult, ListToolsRequestSchema, Server } from './mcp-sdk';

export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments (`type: object`). */
  readonly inputSchema: { readonly type: 'object'; readonly properties?: object; readonly required?: readonly string[] };
  /** The tool's answer, as text. */
  readonly run: (args: { [name: string]: unknown }) => string;
}

/** An MCP server named `name` offering `tools` (not yet connected to a transport). */
export function createToolServer(name: string, tools: readonly ToolDefinition[]): Server {
  const server = new Server({ name, version: '1.0.0' }, { capabilities: { tools: {} } });
  const listed = tools.map(t => ({
    name: t.name,
    description: t.description,
    inputSchema: { ...t.inputSchema, required: t.inputSchema.required ? [...t.inputSchema.required] : undefined },
  }));
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listed }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tool = tools.find(t => t.name === request.params.name);
    if (!tool) return { isError: true, content: [{ type: 'text', text: `no tool ${request.params.name}` }] };
    return { content: [{ type: 'text', text: tool.run(request.params.arguments ?? {}) }] };
  });
  return server;
}

/** The tool of the HTTP test server: `echo { text }` answers `<server>: <text>`. */
export function echoTool(serverName: string): ToolDefinition {
  return {
    name: 'echo',
    description: 'Answers the text it is given, prefixed with the server name',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    run: (args) => `${serverName}: ${String(args.text)}`,
  };
}

/**
 * The tool of the stdio test server: `add { a, b }` answers JSON with the sum,
 * the server's pid and parent pid, `MCP_STDIO_MARKER` of its environment and
 * the names of all its variables, so a test sees who started it and with
 * which variables (and that it got no others).
 */
export function addTool(): ToolDefinition {
  return {
    name: 'add',
    description: 'Adds two numbers; also tells the pid, parent pid, MCP_STDIO_MARKER and variable names of the server process',
    inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
    run: (args) => JSON.stringify({
      sum: Number(args.a) + Number(args.b),
      pid: process.pid,
      ppid: process.ppid,
      marker: process.env.MCP_STDIO_MARKER ?? null,
      env: Object.keys(process.env).sort(),
    }),
  };
}
