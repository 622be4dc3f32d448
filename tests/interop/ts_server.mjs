#!/usr/bin/env node
// Interop server peer built on the official MCP TypeScript SDK (@modelcontextprotocol/sdk 1.32.2).
//
// Speaks MCP over stdio (McpServer + StdioServerTransport):
//
//   node tests/interop/ts_server.mjs
//
// The SDK is loaded from $MCPWIRE_INTEROP/node/node_modules (default: .cache/interop at
// the repo root), as installed by tests/interop/setup.sh.
//
// Exposes:
//   tool     echo {text: string}          -> text (one text content block)
//   tool     add  {a: number, b: number}  -> sum as text ("5", "5.5")
//   tool     slow {ms: integer}           -> 3 progress notifications (if the request carries a
//                                           progressToken), one log message, sleeps ms milliseconds,
//                                           returns "done"
//   resource interop://hello              -> text/plain "hello from typescript"
//   template interop://items/{id}         -> text/plain "item <id>"
//   prompt   greet {name}                 -> one user message "Hello, <name>!"

import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const interop = process.env.MCPWIRE_INTEROP
    ? resolve(process.env.MCPWIRE_INTEROP)
    : join(here, '..', '..', '.cache', 'interop');
const require = createRequire(join(interop, 'node', 'package.json'));

let sdk;
try {
    sdk = {
        ...require('@modelcontextprotocol/sdk/server/mcp.js'),
        ...require('@modelcontextprotocol/sdk/server/stdio.js'),
        z: require('zod').z
    };
} catch (e) {
    process.stderr.write(
        `ts_server: cannot load @modelcontextprotocol/sdk / zod from ${join(interop, 'node', 'node_modules')}: ${e.message}\n` +
            'ts_server: run `bash tests/interop/setup.sh` first\n'
    );
    process.exit(1);
}
const { McpServer, ResourceTemplate, StdioServerTransport, z } = sdk;

const server = new McpServer(
    { name: 'interop-typescript', version: '1.0.0' },
    { capabilities: { logging: {} } }
);

const text = value => ({ content: [{ type: 'text', text: value }] });
const sleep = ms => new Promise(done => setTimeout(done, ms));

server.registerTool(
    'echo',
    { description: 'Return the given text unchanged', inputSchema: { text: z.string() } },
    async ({ text: value }) => text(value)
);

server.registerTool(
    'add',
    { description: 'Add two numbers and return the sum as text', inputSchema: { a: z.number(), b: z.number() } },
    // String(5) is "5" and String(5.5) is "5.5", like a JSON number.
    async ({ a, b }) => text(String(a + b))
);

server.registerTool(
    'slow',
    {
        description: "Report progress three times, log once, sleep ms milliseconds, return 'done'",
        inputSchema: { ms: z.number().int() }
    },
    async ({ ms }, extra) => {
        const progressToken = extra._meta?.progressToken;
        if (progressToken !== undefined) {
            for (let step = 1; step <= 3; step++) {
                await extra.sendNotification({
                    method: 'notifications/progress',
                    params: { progressToken, progress: step, total: 3, message: `step ${step} of 3` }
                });
            }
        }
        await extra.sendNotification({
            method: 'notifications/message',
            params: { level: 'info', logger: 'slow', data: `slow: sleeping ${ms} ms` }
        });
        await sleep(Math.max(ms, 0));
        return text('done');
    }
);

server.registerResource(
    'hello',
    'interop://hello',
    { description: 'A fixed greeting', mimeType: 'text/plain' },
    async uri => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'hello from typescript' }] })
);

server.registerResource(
    'item',
    new ResourceTemplate('interop://items/{id}', { list: undefined }),
    { description: 'An item by id', mimeType: 'text/plain' },
    async (uri, { id }) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: `item ${id}` }] })
);

server.registerPrompt(
    'greet',
    { description: 'Greet someone by name', argsSchema: { name: z.string() } },
    async ({ name }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Hello, ${name}!` } }] })
);

await server.connect(new StdioServerTransport());
