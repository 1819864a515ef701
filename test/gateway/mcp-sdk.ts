/**
 * The parts of the MCP SDK the gateway tests use, imported in one place.
 *
 * Through the SDK's `./*` export, whose `require` target is the CommonJS
 * build (its `./client` and `./server` exports give TypeScript the ES module
 * types, which a CommonJS file may not import). That export's `types` target
 * (`./dist/esm/*.d.ts`) turns `server/stdio.js` into `server/stdio.js.d.ts`:
 * TypeScript and Node resolve these imports, eslint's import resolver does
 * not, hence the disable.
 */
/* eslint-disable import/no-unresolved */
export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export { Server } from '@modelcontextprotocol/sdk/server/index.js';
export { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
export { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
export { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
export { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
export { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
export type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
/* eslint-enable import/no-unresolved */
