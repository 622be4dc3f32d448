#!/usr/bin/env node
// Interop server peer built on the official MCP TypeScript SDK (@modelcontextprotocol/sdk 1.32.2).
//
// Speaks MCP over stdio (McpServer + StdioServerTransport) by default:
//
//   node tests/interop/ts_server.mjs
//
// or Streamable HTTP on 127.0.0.1:PORT/mcp (StreamableHTTPServerTransport on node:http, stateful
// sessions, one McpServer per session; runs until killed):
//
//   node tests/interop/ts_server.mjs --http PORT
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

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
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
        ...require('@modelcontextprotocol/sdk/server/streamableHttp.js'),
        ...require('@modelcontextprotocol/sdk/types.js'),
        z: require('zod').z
    };
} catch (e) {
    process.stderr.write(
        `ts_server: cannot load @modelcontextprotocol/sdk / zod from ${join(interop, 'node', 'node_modules')}: ${e.message}\n` +
            'ts_server: run `bash tests/interop/setup.sh` first\n'
    );
    process.exit(1);
}
const { McpServer, ResourceTemplate, StdioServerTransport, StreamableHTTPServerTransport, isInitializeRequest, z } =
    sdk;

const text = value => ({ content: [{ type: 'text', text: value }] });
const sleep = ms => new Promise(done => setTimeout(done, ms));

// One McpServer per connection: an McpServer serves a single transport.
function buildServer() {
    const server = new McpServer(
        { name: 'interop-typescript', version: '1.0.0' },
        { capabilities: { logging: {} } }
    );

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

    return server;
}

// Streamable HTTP: POST/GET/DELETE on /mcp; a POSTed initialize without a session starts one.
async function serveHttp(port) {
    const sessions = new Map();
    const readBody = req =>
        new Promise((done, fail) => {
            const chunks = [];
            req.on('data', c => chunks.push(c));
            req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
            req.on('error', fail);
        });
    const reject = (res, status, message) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
    };
    const http = createServer(async (req, res) => {
        try {
            if (new URL(req.url, 'http://localhost').pathname !== '/mcp') {
                return reject(res, 404, 'Not Found: the MCP endpoint is /mcp');
            }
            const sid = req.headers['mcp-session-id'];
            let body;
            if (req.method === 'POST') {
                const raw = await readBody(req);
                try {
                    body = JSON.parse(raw);
                } catch {
                    return reject(res, 400, 'Parse error');
                }
            }
            let transport = sid === undefined ? undefined : sessions.get(sid);
            if (sid !== undefined && transport === undefined) {
                return reject(res, 404, 'Session not found');
            }
            if (transport === undefined) {
                if (req.method !== 'POST' || !isInitializeRequest(body)) {
                    return reject(res, 400, 'Bad Request: no valid session id');
                }
                transport = new StreamableHTTPServerTransport({
                    sessionIdGenerator: () => randomUUID(),
                    onsessioninitialized: id => sessions.set(id, transport)
                });
                transport.onclose = () => {
                    if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
                };
                await buildServer().connect(transport);
            }
            await transport.handleRequest(req, res, body);
        } catch (e) {
            process.stderr.write(`ts_server: ${e.stack ?? e}\n`);
            if (!res.headersSent) reject(res, 500, 'Internal error');
        }
    });
    await new Promise(done => http.listen(port, '127.0.0.1', done));
    process.stderr.write(`ts_server: Streamable HTTP on http://127.0.0.1:${port}/mcp\n`);
}

const args = process.argv.slice(2);
if (args[0] === '--http' && /^\d+$/.test(args[1] ?? '')) {
    await serveHttp(Number(args[1]));
} else if (args.length > 0) {
    process.stderr.write('usage: ts_server.mjs [--http PORT]\n');
    process.exit(2);
} else {
    await buildServer().connect(new StdioServerTransport());
}
