#!/usr/bin/env node
// Interop client driver built on the official MCP TypeScript SDK (@modelcontextprotocol/sdk 1.32.2).
//
// Spawns a stdio MCP server (`Client` + `StdioClientTransport`), or connects to a Streamable
// HTTP endpoint with --url (`Client` + `StreamableHTTPClientTransport`), runs a fixed list of
// checks against it, prints one JSON summary on stdout and exits 0 only if every check
// passed (1 otherwise, 2 on bad usage).
//
//   node tests/interop/ts_client.mjs --mode legacy [--lenient] [--timeout SECONDS] -- CMD ARGS...
//   node tests/interop/ts_client.mjs --mode legacy [--lenient] [--timeout SECONDS] --url http://HOST:PORT/mcp
//
// The SDK is loaded from $MCPWIRE_INTEROP/node/node_modules (default: .cache/interop
// at the repo root), as installed by tests/interop/setup.sh. The TS SDK 1.32.2 only
// speaks the initialize handshake, so --mode accepts `legacy` (and `auto`, which means
// the same thing here); a pinned modern version is rejected.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE =
    'usage: ts_client.mjs --mode legacy [--lenient] [--timeout SECONDS] -- CMD ARGS...\n' +
    '       ts_client.mjs --mode legacy [--lenient] [--timeout SECONDS] --url URL\n' +
    '  MODE: legacy (auto is accepted and means legacy: TS SDK 1.32.2 has no server/discover)\n' +
    '  URL:  a Streamable HTTP endpoint, e.g. http://127.0.0.1:8080/mcp\n';

const CHECKS = [
    'initialize',
    'list_tools',
    'echo_hello',
    'echo_unicode',
    'echo_escapes',
    'echo_1mib',
    'add_int',
    'add_float',
    'missing_argument',
    'unknown_tool',
    'concurrent',
    'close'
];
const LENIENT_CHECKS = new Set(['missing_argument', 'unknown_tool']);
const INVALID_PARAMS = -32602;
const CONCURRENCY = 20;
// Over HTTP there is no process to watch exit: `close` checks that the client ends the
// session (DELETE) and closes without an error, within this many milliseconds.
const HTTP_CLOSE_LIMIT_MS = 5000;

const ECHO_CASES = {
    echo_hello: 'hello',
    echo_unicode: 'héllo 🌍 世界',
    echo_escapes: 'line1\nline2\ttab "quoted" \\ backslash'
};

function usage(message) {
    process.stderr.write(USAGE + (message ? `error: ${message}\n` : ''));
    process.exit(2);
}

function parseArgs(argv) {
    const split = argv.indexOf('--');
    const opts = split < 0 ? argv : argv.slice(0, split);
    const cmd = split < 0 ? [] : argv.slice(split + 1);
    if (split >= 0 && cmd.length === 0) usage("no server command after '--'");
    let mode = null;
    let lenient = false;
    let timeout = 120;
    let url = null;
    for (let i = 0; i < opts.length; i++) {
        const opt = opts[i];
        if (opt === '--mode' && i + 1 < opts.length) mode = opts[++i];
        else if (opt.startsWith('--mode=')) mode = opt.slice('--mode='.length);
        else if (opt === '--lenient') lenient = true;
        else if (opt === '--url' && i + 1 < opts.length) url = opts[++i];
        else if (opt.startsWith('--url=')) url = opt.slice('--url='.length);
        else if (opt === '--timeout' && i + 1 < opts.length) timeout = Number(opts[++i]);
        else if (opt === '-h' || opt === '--help') {
            process.stdout.write(USAGE);
            process.exit(0);
        } else usage(`unknown option ${JSON.stringify(opt)}`);
    }
    if (url === null && cmd.length === 0) usage("missing '--' before the server command (or --url URL for Streamable HTTP)");
    if (url !== null && cmd.length > 0) usage("give either --url URL or '-- CMD ARGS...', not both");
    if (url !== null && !/^https?:\/\//.test(url)) usage(`--url takes an http:// or https:// URL, got ${JSON.stringify(url)}`);
    if (mode === null) usage('--mode is required');
    if (mode !== 'legacy' && mode !== 'auto') {
        usage(`mode ${JSON.stringify(mode)} is not supported by the TS SDK 1.32.2 (initialize handshake only)`);
    }
    if (!(timeout > 0)) usage('--timeout must be a positive number of seconds');
    return { mode, lenient, timeout, url, cmd };
}

function loadSdk() {
    const here = dirname(fileURLToPath(import.meta.url));
    const interop = process.env.MCPWIRE_INTEROP
        ? resolve(process.env.MCPWIRE_INTEROP)
        : join(here, '..', '..', '.cache', 'interop');
    const require = createRequire(join(interop, 'node', 'package.json'));
    try {
        const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
        const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
        const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
        const { McpError } = require('@modelcontextprotocol/sdk/types.js');
        // (the SDK's export map sends `.../package.json` into dist/, so read the real one by path)
        const sdkVersion = JSON.parse(
            readFileSync(join(interop, 'node', 'node_modules', '@modelcontextprotocol', 'sdk', 'package.json'), 'utf8')
        ).version;
        return { Client, StdioClientTransport, StreamableHTTPClientTransport, McpError, sdkVersion };
    } catch (e) {
        process.stderr.write(
            `ts_client: cannot load @modelcontextprotocol/sdk from ${join(interop, 'node', 'node_modules')}: ${e.message}\n` +
                'ts_client: run `bash tests/interop/setup.sh` first\n'
        );
        process.exit(1);
    }
}

function bigText() {
    // 1 MiB of UTF-8 mixing 1-4 byte characters and JSON escapes, to catch frame readers
    // that split a multi-byte character or an escape across buffer boundaries.
    const unit = 'mcpwire interop é ß 世界 🌍 "q" \\ /\t\n|';
    const target = 1024 * 1024;
    const reps = Math.floor(target / Buffer.byteLength(unit)) + 1;
    const raw = Buffer.from(unit.repeat(reps)).subarray(0, target);
    // Cut back to a character boundary, then pad with ASCII to exactly 1 MiB.
    let end = raw.length;
    while (end > 0 && (raw[end - 1] & 0xc0) === 0x80) end--;
    if (end > 0 && raw[end - 1] >= 0xc0) end--;
    const text = raw.subarray(0, end).toString('utf8');
    return text + 'x'.repeat(target - Buffer.byteLength(text));
}

class CheckFailed extends Error {}

function describeError(e) {
    // The HTTP transport's errors carry the HTTP status as `code`.
    if (e?.constructor?.name === 'StreamableHTTPError') return `HTTP ${e.code}: ${e.message}`;
    if (e && typeof e.code === 'number') return `JSON-RPC error ${e.code}: ${e.message}`;
    // fetch() says only "fetch failed"; the reason (ECONNREFUSED, ...) is in its cause.
    const cause = e?.cause ? ` (${e.cause.code ?? e.cause.message ?? e.cause})` : '';
    return `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}${cause}`;
}

function short(value, limit = 300) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return text.length <= limit ? text : `${text.slice(0, limit)}... (${text.length} chars)`;
}

function singleText(result, what) {
    if (result.isError) throw new CheckFailed(`${what}: isError=true, content=${short(result.content)}`);
    const content = result.content ?? [];
    if (content.length !== 1) {
        throw new CheckFailed(`${what}: expected 1 content block, got ${content.length}: ${short(content)}`);
    }
    if (content[0].type !== 'text') throw new CheckFailed(`${what}: expected a text block, got ${short(content[0])}`);
    return content[0].text;
}

function firstDiff(a, b) {
    const prefix = a.length !== b.length ? `length ${a.length} != ${b.length}; ` : '';
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
        if (a[i] !== b[i]) return `${prefix}first difference at UTF-16 unit ${i}: ${JSON.stringify(a[i])} != ${JSON.stringify(b[i])}`;
    }
    return `${prefix}one is a prefix of the other`;
}

// The HTTP exchanges of a Streamable HTTP session, for the report: a `fetch` for the transport
// that records `METHOD [JSON-RPC method] -> STATUS [json|sse]`, with the body of an error
// response (4xx/5xx JSON). `folded()` folds consecutive equal entries into `... xN`.
function httpRecorder() {
    const entries = [];
    const recorder = {
        deleteStatus: null,
        fetch: async (input, init) => {
            const response = await fetch(input, init);
            const method = init?.method ?? 'GET';
            let what = method;
            if (method === 'POST') {
                let rpc = '?';
                try {
                    rpc = JSON.parse(init.body).method ?? 'response';
                } catch {
                    // a body we cannot read is still an exchange
                }
                what += ` ${rpc}`;
            }
            const ctype = (response.headers.get('content-type') ?? '').toLowerCase();
            const kind = ctype.startsWith('text/event-stream') ? ' sse' : ctype.startsWith('application/json') ? ' json' : '';
            let entry = `${what} -> ${response.status}${kind}`;
            if (response.status >= 400 && kind === ' json') entry += `: ${short(await response.clone().text(), 200)}`;
            entries.push(entry);
            if (method === 'DELETE') recorder.deleteStatus = response.status;
            return response;
        },
        folded: () => {
            const out = [];
            for (const entry of entries) {
                if (out.length && out[out.length - 1][0] === entry) out[out.length - 1][1]++;
                else out.push([entry, 1]);
            }
            return out.map(([entry, n]) => (n === 1 ? entry : `${entry} x${n}`));
        }
    };
    return recorder;
}

function withTimeout(promise, ms, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000}s`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
    const { mode, lenient, timeout, url, cmd } = parseArgs(process.argv.slice(2));
    const { Client, StdioClientTransport, StreamableHTTPClientTransport, McpError, sdkVersion } = loadSdk();

    const checks = {};
    const details = {};
    const failures = [];
    const summary = {
        driver: 'typescript',
        sdk: `@modelcontextprotocol/sdk ${sdkVersion}`,
        mode,
        lenient,
        checks,
        protocolVersion: null,
        server: null,
        details
    };
    const ok = name => {
        checks[name] = 'ok';
    };
    const fail = (name, msg) => {
        if (lenient && LENIENT_CHECKS.has(name)) {
            checks[name] = `lenient: ${msg}`;
        } else {
            checks[name] = `FAIL: ${msg}`;
            failures.push(`${name}: ${msg}`);
        }
    };
    const check = async (name, fn) => {
        try {
            await fn();
            if (!(name in checks)) ok(name);
        } catch (e) {
            fail(name, e instanceof CheckFailed ? e.message : describeError(e));
        }
    };
    const http = url === null ? null : httpRecorder();
    const finish = () => {
        if (http) details.http = http.folded();
        process.stdout.write(JSON.stringify(summary) + '\n');
        for (const [name, status] of Object.entries(checks)) {
            if (status !== 'ok' && !status.startsWith('lenient:')) process.stderr.write(`ts_client: ${name}: ${status}\n`);
        }
        return failures.length === 0 ? 0 : 1;
    };

    let transport;
    if (http) {
        transport = new StreamableHTTPClientTransport(new URL(url), { fetch: http.fetch });
        details.transport = 'streamable-http';
        details.url = url;
    } else {
        const env = {};
        for (const [k, v] of Object.entries(process.env)) if (typeof v === 'string') env[k] = v;
        // Pass the whole environment through (the SDK default keeps only a few variables).
        transport = new StdioClientTransport({ command: cmd[0], args: cmd.slice(1), env, stderr: 'inherit' });
    }
    // The SDK keeps the negotiated version private; it hands it to the transport through
    // this optional Transport hook (meant for HTTP headers), so record it from there
    // (and still pass it on: the HTTP transport sends it as MCP-Protocol-Version).
    const setProtocolVersion = transport.setProtocolVersion?.bind(transport);
    transport.setProtocolVersion = version => {
        summary.protocolVersion = version;
        setProtocolVersion?.(version);
    };
    const client = new Client({ name: 'mcpwire-interop-ts-client', version: '1.0.0' }, { capabilities: {} });
    const requestOptions = { timeout: Math.min(timeout, 60) * 1000 };
    const deadline = Date.now() + timeout * 1000;
    const remaining = () => Math.max(1, deadline - Date.now());

    try {
        await withTimeout(client.connect(transport, requestOptions), remaining(), 'initialize');
    } catch (e) {
        fail('initialize', describeError(e));
        for (const name of CHECKS.slice(1)) {
            checks[name] = 'skipped: not initialized';
            failures.push(`${name}: skipped`);
        }
        await client.close().catch(() => {});
        return finish();
    }
    details.negotiation = 'initialize';
    const info = client.getServerVersion();
    if (info) summary.server = { name: info.name, version: info.version };
    ok('initialize');

    const call = (name, args) => client.callTool({ name, arguments: args }, undefined, requestOptions);

    const runChecks = async () => {
        await check('list_tools', async () => {
            const tools = new Map();
            let cursor;
            let pages = 0;
            do {
                const page = await client.listTools(cursor === undefined ? {} : { cursor }, requestOptions);
                pages++;
                for (const tool of page.tools) tools.set(tool.name, tool);
                cursor = page.nextCursor;
                if (pages >= 100 && cursor) throw new CheckFailed('more than 100 pages of tools; giving up');
            } while (cursor);
            details.tools = [...tools.keys()].sort();
            details.toolPages = pages;
            for (const name of ['echo', 'add']) {
                if (!tools.has(name)) throw new CheckFailed(`tool '${name}' missing from tools/list: ${details.tools}`);
                const schema = tools.get(name).inputSchema;
                if (!schema || typeof schema !== 'object' || schema.type !== 'object') {
                    throw new CheckFailed(`tool '${name}' inputSchema is not an object schema: ${short(schema)}`);
                }
            }
        });

        const echoCase = async text => {
            const got = singleText(await call('echo', { text }), 'echo');
            if (got !== text) throw new CheckFailed(`echo mismatch: ${firstDiff(got, text)}`);
        };
        for (const [name, text] of Object.entries(ECHO_CASES)) await check(name, () => echoCase(text));
        const big = bigText();
        details.echo_1mib_bytes = Buffer.byteLength(big);
        await check('echo_1mib', () => echoCase(big));

        const addCase = async (a, b, want) => {
            const got = singleText(await call('add', { a, b }), 'add');
            if (got !== want) throw new CheckFailed(`add(${a}, ${b}) returned ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
        };
        await check('add_int', () => addCase(2, 3, '5'));
        await check('add_float', () => addCase(2, 3.5, '5.5'));

        await check('missing_argument', async () => {
            let result;
            try {
                result = await call('echo', {});
            } catch (e) {
                if (!(e instanceof McpError)) throw e;
                details.missing_argument = `JSON-RPC error ${e.code}: ${e.message}`;
                throw new CheckFailed(`expected a result with isError=true, got a JSON-RPC error ${e.code}: ${e.message}`);
            }
            details.missing_argument = `result isError=${result.isError === true}: ${short(result.content)}`;
            if (result.isError !== true) {
                throw new CheckFailed(`expected isError=true, got a successful result: ${short(result.content)}`);
            }
        });

        await check('unknown_tool', async () => {
            let result;
            try {
                result = await call('no_such_tool_xyz', {});
            } catch (e) {
                if (!(e instanceof McpError)) throw e;
                details.unknown_tool = `JSON-RPC error ${e.code}: ${e.message}`;
                if (e.code !== INVALID_PARAMS) {
                    throw new CheckFailed(`expected JSON-RPC error ${INVALID_PARAMS}, got ${e.code}: ${e.message}`);
                }
                return;
            }
            details.unknown_tool = `result isError=${result.isError === true}: ${short(result.content)}`;
            throw new CheckFailed(
                `expected JSON-RPC error ${INVALID_PARAMS}, got a result with isError=${result.isError === true}: ${short(result.content)}`
            );
        });

        await check('concurrent', async () => {
            const texts = Array.from({ length: CONCURRENCY }, (_, i) => `concurrent #${i} — ${'ü'.repeat(i)} ${i * 7919}`);
            const settled = await Promise.allSettled(texts.map((text, i) => call('echo', { text }).then(r => singleText(r, `echo #${i}`))));
            const bad = [];
            settled.forEach((s, i) => {
                if (s.status === 'rejected') bad.push(`#${i}: ${s.reason instanceof CheckFailed ? s.reason.message : describeError(s.reason)}`);
                else if (s.value !== texts[i]) bad.push(`#${i}: got ${short(s.value, 60)}, expected ${JSON.stringify(texts[i])}`);
            });
            if (bad.length) throw new CheckFailed(`${bad.length}/${CONCURRENCY} wrong: ${bad.slice(0, 5).join('; ')}`);
        });
    };

    try {
        await withTimeout(runChecks(), remaining(), 'checks');
    } catch (e) {
        for (const name of CHECKS) if (!(name in checks) && name !== 'close') fail(name, describeError(e));
    }

    if (http) {
        // HTTP: end the session with a DELETE (a 405 answer, "sessions cannot be ended by
        // the client", is accepted by the SDK), then close the transport.
        const started = Date.now();
        try {
            await withTimeout(
                (async () => {
                    await transport.terminateSession();
                    await client.close();
                })(),
                15000,
                'close'
            );
            const elapsed = Date.now() - started;
            details.close_ms = elapsed;
            details.delete = http.deleteStatus;
            if (elapsed >= HTTP_CLOSE_LIMIT_MS) {
                fail('close', `client took ${(elapsed / 1000).toFixed(1)}s to close the session (limit ${HTTP_CLOSE_LIMIT_MS / 1000}s)`);
            } else ok('close');
        } catch (e) {
            details.delete = http.deleteStatus;
            fail('close', describeError(e));
        }
        return finish();
    }

    // close(): ends the server's stdin, waits up to 2 s for it to exit, then SIGTERM/SIGKILL.
    const pid = transport.pid;
    const started = Date.now();
    try {
        await withTimeout(client.close(), 15000, 'close');
        const elapsed = Date.now() - started;
        details.close_ms = elapsed;
        let alive = false;
        if (pid) {
            try {
                process.kill(pid, 0);
                alive = true;
            } catch {
                alive = false;
            }
        }
        if (elapsed >= 1950) fail('close', `server did not exit within 2 s of stdin EOF (close took ${(elapsed / 1000).toFixed(1)}s)`);
        else if (alive) fail('close', `server process ${pid} is still alive after close`);
        else ok('close');
    } catch (e) {
        fail('close', describeError(e));
    }
    return finish();
}

main().then(
    code => process.exit(code),
    e => {
        process.stderr.write(`ts_client: FAILED: ${e?.stack ?? e}\n`);
        process.stdout.write(JSON.stringify({ driver: 'typescript', checks: {}, error: describeError(e) }) + '\n');
        process.exit(1);
    }
);
