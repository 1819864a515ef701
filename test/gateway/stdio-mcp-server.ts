/**
 * An MCP server on stdin/stdout offering the `add` tool (mcp-tools.ts), for
 * LiteLLM's stdio MCP servers: started by the proxy itself as
 * `node -r ts-node/register <this file>` (stdioMcpCommand). It exits when its
 * stdin closes, i.e. when the proxy is gone.
 */
import * as path from 'path';
import { StdioServerTransport } from './mcp-sdk';
import { addTool, createToolServer } from './mcp-tools';

/** The `command`, `args` and `env` of an `mcp_servers` entry that runs this server. */
export function stdioMcpCommand(marker: string): { command: string; args: string[]; env: { [name: string]: string } } {
  return {
    command: process.execPath,
    // Absolute paths: the proxy starts it in a folder of its own, where `ts-node` does not resolve.
    args: ['-r', require.resolve('ts-node/register'), path.join(__dirname, 'stdio-mcp-server.ts')],
    env: {
      TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.json'),
      TS_NODE_TRANSPILE_ONLY: 'true',
      MCP_STDIO_MARKER: marker,
    },
  };
}

async function main(): Promise<void> {
  const server = createToolServer('stdio-tools', [addTool()]);
  const transport = new StdioServerTransport();
  process.stdin.on('end', () => process.exit(0));
  await server.connect(transport);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`stdio-mcp-server: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
