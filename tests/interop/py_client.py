#!/usr/bin/env python3
"""Interop client driver built on the official Python MCP SDK (mcp 2.3.0).

Spawns a stdio MCP server (or connects to a Streamable HTTP endpoint with
--url), runs a fixed list of checks against it with the SDK's high-level
`mcp.Client`, prints one JSON summary on stdout and exits 0 only if every
check passed (1 otherwise, 2 on bad usage).

    .cache/interop/py/bin/python tests/interop/py_client.py \
        --mode legacy|auto|2026-07-28 [--lenient] [--timeout SECONDS] -- CMD ARGS...
    .cache/interop/py/bin/python tests/interop/py_client.py \
        --mode legacy|auto|2026-07-28 [--lenient] [--timeout SECONDS] --url http://HOST:PORT/mcp

The server under test must offer `echo {text}` and `add {a, b}`. See
tests/interop/README.md for the list of checks.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import warnings
from typing import Any, NoReturn

USAGE = (
    "usage: py_client.py --mode MODE [--lenient] [--timeout SECONDS] -- CMD ARGS...\n"
    "       py_client.py --mode MODE [--lenient] [--timeout SECONDS] --url URL\n"
    "  MODE: legacy | auto | a pinned modern protocol version such as 2026-07-28\n"
    "  URL:  a Streamable HTTP endpoint, e.g. http://127.0.0.1:8080/mcp\n"
)

# The checks, in order. e (missing_argument) and f (unknown_tool) are the strict ones
# that --lenient downgrades to reports.
CHECKS = [
    "initialize",
    "list_tools",
    "echo_hello",
    "echo_unicode",
    "echo_escapes",
    "echo_1mib",
    "add_int",
    "add_float",
    "missing_argument",
    "unknown_tool",
    "concurrent",
    "close",
]
LENIENT_CHECKS = {"missing_argument", "unknown_tool"}

INVALID_PARAMS = -32602
CONCURRENCY = 20
# Over HTTP there is no process to watch exit: `close` checks that the client shuts down
# (DELETE of the session included) without an error, within this many seconds.
HTTP_CLOSE_LIMIT = 5.0
# Largest SSE event accepted over HTTP (the SDK's default is 1 MiB, too small for echo_1mib).
SSE_EVENT_LIMIT = 8 * 1024 * 1024
SERVER_INFO_META_KEY = "io.modelcontextprotocol/serverInfo"


def big_text() -> str:
    """A 1 MiB (UTF-8 bytes) string mixing 1-4 byte characters and JSON escapes,
    so that a frame reader splitting multi-byte characters or escapes across
    buffer boundaries gets caught."""
    unit = 'mcpwire interop é ß 世界 🌍 "q" \\ /\t\n|'
    target = 1024 * 1024
    reps = target // len(unit.encode()) + 1
    raw = (unit * reps).encode()[:target]
    # Trim to a character boundary, then pad with ASCII to exactly 1 MiB.
    text = raw.decode("utf-8", errors="ignore")
    return text + "x" * (target - len(text.encode()))


ECHO_CASES = {
    "echo_hello": "hello",
    "echo_unicode": "héllo 🌍 世界",
    "echo_escapes": 'line1\nline2\ttab "quoted" \\ backslash',
}


def usage_error(message: str) -> NoReturn:
    sys.stderr.write(USAGE + f"error: {message}\n")
    raise SystemExit(2)


def parse_args(argv: list[str]) -> tuple[str, bool, float, str | None, list[str]]:
    if "--" in argv:
        split = argv.index("--")
        opts, cmd = argv[:split], argv[split + 1 :]
        if not cmd:
            usage_error("no server command after '--'")
    else:
        opts, cmd = argv, []
    mode, lenient, timeout, url = None, False, 120.0, None
    i = 0
    while i < len(opts):
        opt = opts[i]
        if opt == "--mode" and i + 1 < len(opts):
            mode = opts[i + 1]
            i += 2
        elif opt.startswith("--mode="):
            mode = opt.split("=", 1)[1]
            i += 1
        elif opt == "--lenient":
            lenient = True
            i += 1
        elif opt == "--url" and i + 1 < len(opts):
            url = opts[i + 1]
            i += 2
        elif opt.startswith("--url="):
            url = opt.split("=", 1)[1]
            i += 1
        elif opt == "--timeout" and i + 1 < len(opts):
            try:
                timeout = float(opts[i + 1])
            except ValueError:
                usage_error(f"--timeout takes a number of seconds, got {opts[i + 1]!r}")
            i += 2
        elif opt in ("-h", "--help"):
            sys.stdout.write(USAGE)
            raise SystemExit(0)
        else:
            usage_error(f"unknown option {opt!r}")
    if url is None and not cmd:
        usage_error("missing '--' before the server command (or --url URL for Streamable HTTP)")
    if url is not None and cmd:
        usage_error("give either --url URL or '-- CMD ARGS...', not both")
    if url is not None and not url.startswith(("http://", "https://")):
        usage_error(f"--url takes an http:// or https:// URL, got {url!r}")
    if mode is None:
        usage_error("--mode is required")
    from mcp_types.version import MODERN_PROTOCOL_VERSIONS

    if mode not in ("legacy", "auto", *MODERN_PROTOCOL_VERSIONS):
        usage_error(f"unsupported mode {mode!r}; mcp 2.3.0 accepts legacy, auto, {', '.join(MODERN_PROTOCOL_VERSIONS)}")
    if not timeout > 0:
        usage_error("--timeout must be a positive number of seconds")
    return mode, lenient, timeout, url, cmd


class CheckFailed(Exception):
    pass


def describe_exc(exc: BaseException) -> str:
    """One line for a report: the JSON-RPC code for protocol errors, the failing fields for
    a pydantic ValidationError (the SDK validating a response), else type and message."""
    code = getattr(exc, "code", None)
    if isinstance(code, int):
        return f"JSON-RPC error {code}: {getattr(exc, 'message', str(exc))}"
    errors = getattr(exc, "errors", None)
    if type(exc).__name__ == "ValidationError" and callable(errors):
        problems = sorted({f"{'.'.join(str(p) for p in err['loc'])} ({err['type']})" for err in errors()})
        return f"response failed SDK validation ({getattr(exc, 'title', '?')}): " + ", ".join(problems[:10])
    return short(f"{type(exc).__name__}: {exc}".replace("\n", " | "), 400)


def short(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def content_summary(content: Any) -> str:
    """Tool result content as compact JSON, for reports."""
    blocks = []
    for block in content or []:
        dump = block.model_dump(mode="json", by_alias=True, exclude_none=True) if hasattr(block, "model_dump") else block
        blocks.append(dump)
    return short(json.dumps(blocks, ensure_ascii=False), 300)


def single_text(result: Any, what: str) -> str:
    """The text of a CallToolResult that must be exactly one text block, not an error."""
    if result.is_error:
        raise CheckFailed(f"{what}: isError=true, content={content_summary(result.content)}")
    if len(result.content) != 1:
        raise CheckFailed(f"{what}: expected 1 content block, got {len(result.content)}: {content_summary(result.content)}")
    block = result.content[0]
    if getattr(block, "type", None) != "text":
        raise CheckFailed(f"{what}: expected a text block, got {short(block)}")
    return block.text


def first_diff(a: str, b: str) -> str:
    if len(a) != len(b):
        prefix = f"length {len(a)} != {len(b)}; "
    else:
        prefix = ""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return prefix + f"first difference at char {i}: {x!r} != {y!r}"
    return prefix + "one is a prefix of the other"


class HttpLog:
    """The HTTP exchanges of a Streamable HTTP session, for the report (an httpx2 response hook).

    Each entry reads `METHOD [JSON-RPC method] -> STATUS [json|sse]`, with the body of an
    error response (4xx/5xx JSON); consecutive equal entries are folded into `... xN`."""

    def __init__(self) -> None:
        self.entries: list[str] = []
        self.delete_status: int | None = None

    async def on_response(self, response: Any) -> None:
        request = response.request
        what = request.method
        if request.method == "POST":
            try:
                rpc = json.loads(request.content).get("method") or "response"
            except Exception:  # noqa: BLE001 - a body we cannot read is still an exchange
                rpc = "?"
            what += f" {rpc}"
        ctype = response.headers.get("content-type", "").lower()
        kind = " sse" if ctype.startswith("text/event-stream") else " json" if ctype.startswith("application/json") else ""
        entry = f"{what} -> {response.status_code}{kind}"
        if response.status_code >= 400 and kind == " json":
            # Small, and read again (from httpx2's cache) by the transport.
            entry += f": {short((await response.aread()).decode(errors='replace'), 200)}"
        self.entries.append(entry)
        if request.method == "DELETE":
            self.delete_status = response.status_code

    def folded(self) -> list[str]:
        out: list[list[Any]] = []
        for entry in self.entries:
            if out and out[-1][0] == entry:
                out[-1][1] += 1
            else:
                out.append([entry, 1])
        return [entry if n == 1 else f"{entry} x{n}" for entry, n in out]


async def run(mode: str, lenient: bool, timeout: float, url: str | None, cmd: list[str]) -> tuple[dict[str, Any], bool]:
    from contextlib import AsyncExitStack

    import anyio
    from mcp import Client, Implementation, MCPError, StdioServerParameters

    checks: dict[str, str] = {}
    details: dict[str, Any] = {}
    failures: list[str] = []
    summary: dict[str, Any] = {
        "driver": "python",
        "sdk": "mcp 2.3.0",
        "mode": mode,
        "lenient": lenient,
        "checks": checks,
        "protocolVersion": None,
        "server": None,
        "details": details,
    }

    def ok(name: str) -> None:
        checks[name] = "ok"

    def fail(name: str, msg: str) -> None:
        if lenient and name in LENIENT_CHECKS:
            checks[name] = f"lenient: {msg}"
        else:
            checks[name] = f"FAIL: {msg}"
            failures.append(f"{name}: {msg}")

    async def check(name: str, fn: Any) -> None:
        try:
            await fn()
        except CheckFailed as e:
            fail(name, str(e))
        except Exception as e:  # noqa: BLE001 - every error is a check result
            fail(name, describe_exc(e))
        else:
            checks.setdefault(name, "ok")

    http_log: HttpLog | None = None
    http_client: Any = None
    server: Any
    if url is None:
        server = StdioServerParameters(
            command=cmd[0],
            args=cmd[1:],
            # Pass the whole environment through (the SDK default keeps only a few
            # variables), so RUST_LOG, RUST_BACKTRACE, ... reach the server.
            env=dict(os.environ),
        )
    else:
        # Streamable HTTP. `Client(url)` would build this same transport around a default
        # httpx2 client; ours has the SDK's default timeouts (30 s, 300 s read for streams)
        # plus a hook that records every exchange for `details.http`.
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        http_log = HttpLog()
        http_client = httpx2.AsyncClient(
            timeout=httpx2.Timeout(30.0, read=300.0), event_hooks={"response": [http_log.on_response]}
        )
        # The SDK caps one SSE event at 1 MiB by default; echo_1mib's answer (1 MiB of text,
        # JSON-escaped, in a JSON-RPC response) is larger than that when a server answers
        # over SSE rather than with a JSON body, so allow bigger events. On exit the
        # transport DELETEs the session (when the server gave it an id).
        server = streamable_http_client(url, http_client=http_client, max_sse_event_size=SSE_EVENT_LIMIT)
        details["transport"] = "streamable-http"
        details["url"] = url
    client = Client(
        server,
        mode=mode,
        read_timeout_seconds=min(timeout, 60.0),
        cache=None,  # every call must reach the server under test
        client_info=Implementation(name="mcpwire-interop-py-client", version="1.0.0"),
    )
    phase = "initialize"
    close_started = 0.0

    def note_server_stamp(result: Any) -> None:
        # On a pinned 2026-era connection the server may identify itself in each result's _meta.
        if summary["server"] is None and result.meta and SERVER_INFO_META_KEY in result.meta:
            stamp = result.meta[SERVER_INFO_META_KEY]
            if isinstance(stamp, dict):
                summary["server"] = {"name": stamp.get("name"), "version": stamp.get("version"), "from": "_meta"}

    def record_connection(client: Any) -> None:
        session = client.session
        if session.initialize_result is not None:
            details["negotiation"] = "initialize"
        elif mode == "auto":
            details["negotiation"] = "server/discover"
        else:
            details["negotiation"] = "pinned: version adopted without any handshake"
        summary["protocolVersion"] = client.protocol_version
        info = client.server_info
        if info is not None:
            summary["server"] = {"name": info.name, "version": info.version}

    async def run_checks(client: Any) -> None:
        async def list_tools() -> None:
            tools: dict[str, Any] = {}
            cursor: str | None = None
            pages = 0
            while True:
                page = await client.list_tools(cursor=cursor)
                note_server_stamp(page)
                pages += 1
                for tool in page.tools:
                    tools[tool.name] = tool
                cursor = page.next_cursor
                if not cursor:
                    break
                if pages >= 100:
                    raise CheckFailed("more than 100 pages of tools; giving up")
            details["tools"] = sorted(tools)
            details["toolPages"] = pages
            for name in ("echo", "add"):
                if name not in tools:
                    raise CheckFailed(f"tool {name!r} missing from tools/list: {sorted(tools)}")
                schema = tools[name].input_schema
                if not isinstance(schema, dict) or schema.get("type") != "object":
                    raise CheckFailed(f"tool {name!r} inputSchema is not an object schema: {short(schema)}")

        await check("list_tools", list_tools)

        async def echo_case(text: str) -> None:
            result = await client.call_tool("echo", {"text": text})
            note_server_stamp(result)
            got = single_text(result, "echo")
            if got != text:
                raise CheckFailed(f"echo mismatch: {first_diff(got, text)}")

        for name, text in ECHO_CASES.items():
            await check(name, lambda t=text: echo_case(t))

        big = big_text()
        details["echo_1mib_bytes"] = len(big.encode())
        await check("echo_1mib", lambda: echo_case(big))

        async def add_case(a: float, b: float, want: str) -> None:
            result = await client.call_tool("add", {"a": a, "b": b})
            got = single_text(result, "add")
            if got != want:
                raise CheckFailed(f"add({a}, {b}) returned {got!r}, expected {want!r}")

        await check("add_int", lambda: add_case(2, 3, "5"))
        await check("add_float", lambda: add_case(2, 3.5, "5.5"))

        async def missing_argument() -> None:
            try:
                result = await client.call_tool("echo", {})
            except MCPError as e:
                details["missing_argument"] = f"JSON-RPC error {e.code}: {e.message}"
                raise CheckFailed(
                    f"expected a result with isError=true, got a JSON-RPC error {e.code}: {e.message}"
                ) from None
            details["missing_argument"] = f"result isError={result.is_error}: {content_summary(result.content)}"
            if not result.is_error:
                raise CheckFailed(f"expected isError=true, got a successful result: {content_summary(result.content)}")

        await check("missing_argument", missing_argument)

        async def unknown_tool() -> None:
            try:
                result = await client.call_tool("no_such_tool_xyz", {})
            except MCPError as e:
                details["unknown_tool"] = f"JSON-RPC error {e.code}: {e.message}"
                if e.code != INVALID_PARAMS:
                    raise CheckFailed(f"expected JSON-RPC error {INVALID_PARAMS}, got {e.code}: {e.message}") from None
                return
            details["unknown_tool"] = f"result isError={result.is_error}: {content_summary(result.content)}"
            raise CheckFailed(
                f"expected JSON-RPC error {INVALID_PARAMS}, got a result with isError={result.is_error}: "
                f"{content_summary(result.content)}"
            )

        await check("unknown_tool", unknown_tool)

        async def concurrent() -> None:
            texts = [f"concurrent #{i} — {'ü' * i} {i * 7919}" for i in range(CONCURRENCY)]
            got: list[Any] = [None] * CONCURRENCY

            async def one(i: int) -> None:
                try:
                    got[i] = single_text(await client.call_tool("echo", {"text": texts[i]}), f"echo #{i}")
                except Exception as e:  # noqa: BLE001
                    got[i] = e

            async with anyio.create_task_group() as tg:
                for i in range(CONCURRENCY):
                    tg.start_soon(one, i)
            bad = []
            for i, (want, have) in enumerate(zip(texts, got)):
                if isinstance(have, BaseException):
                    bad.append(f"#{i}: {describe_exc(have)}")
                elif have != want:
                    bad.append(f"#{i}: got {short(have, 60)!r}, expected {want!r}")
            if bad:
                reasons = sorted({b.split(": ", 1)[1] for b in bad})
                if len(reasons) == 1:
                    raise CheckFailed(f"{len(bad)}/{CONCURRENCY} wrong, all with: {reasons[0]}")
                raise CheckFailed(f"{len(bad)}/{CONCURRENCY} wrong: " + "; ".join(bad[:5]))

        await check("concurrent", concurrent)

    try:
        # One scope for the whole session: the client's task groups must be entered
        # and exited inside the same cancel scope.
        with anyio.fail_after(timeout):
            async with AsyncExitStack() as stack:
                if http_client is not None:
                    # Entered first so it outlives the transport's closing DELETE.
                    await stack.enter_async_context(http_client)
                async with client:
                    phase = "checks"
                    record_connection(client)
                    ok("initialize")
                    await run_checks(client)
                    phase = "close"
                    close_started = time.monotonic()
    except BaseException as e:  # noqa: BLE001
        if isinstance(e, KeyboardInterrupt):
            raise
        while isinstance(e, BaseExceptionGroup) and e.exceptions:
            e = e.exceptions[0]
        why = f"timed out (driver timeout {timeout}s)" if isinstance(e, TimeoutError) else describe_exc(e)
        if http_log is not None:
            details["http"] = http_log.folded()
        if phase == "initialize":
            fail("initialize", why)
            for name in CHECKS[1:]:
                checks[name] = "skipped: not initialized"
                failures.append(f"{name}: skipped")
            return summary, False
        for name in CHECKS:
            if name not in checks:
                fail(name, why if name != "close" else f"session ended abnormally: {why}")
        return summary, False

    elapsed = time.monotonic() - close_started
    details["close_ms"] = round(elapsed * 1000)
    if http_log is not None:
        # Over HTTP the session ends with a DELETE (if the server gave a session id);
        # 405 means the server does not let clients end sessions, which the spec allows.
        details["http"] = http_log.folded()
        details["delete"] = http_log.delete_status
        if http_log.delete_status is not None and http_log.delete_status not in (200, 202, 204, 405):
            fail("close", f"DELETE of the session answered HTTP {http_log.delete_status}")
        elif elapsed >= HTTP_CLOSE_LIMIT:
            fail("close", f"client took {elapsed:.1f}s to close the session (limit {HTTP_CLOSE_LIMIT:.0f}s)")
        else:
            ok("close")
    # The SDK closes the server's stdin, waits 2 s, then SIGTERMs it: taking that
    # long means the server did not exit on stdin EOF by itself.
    elif elapsed >= 1.95:
        fail("close", f"server did not exit within 2 s of stdin EOF (close took {elapsed:.1f}s)")
    else:
        ok("close")

    return summary, not failures


def main() -> int:
    mode, lenient, timeout, url, cmd = parse_args(sys.argv[1:])
    # The SDK flags deprecated (but still supported) protocol features with warnings; keep stderr readable.
    warnings.simplefilter("ignore")
    import anyio

    try:
        summary, passed = anyio.run(run, mode, lenient, timeout, url, cmd)
    except Exception as e:  # noqa: BLE001 - bad mode, spawn failure, ...
        traceback.print_exc()
        summary = {"driver": "python", "mode": mode, "checks": {}, "error": describe_exc(e)}
        print(json.dumps(summary, ensure_ascii=False))
        print(f"py_client: FAILED: {describe_exc(e)}", file=sys.stderr)
        return 1
    print(json.dumps(summary, ensure_ascii=False, indent=None))
    failed = {k: v for k, v in summary["checks"].items() if not (v == "ok" or v.startswith("lenient:"))}
    if not passed or failed:
        for name, status in failed.items():
            print(f"py_client: {name}: {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
