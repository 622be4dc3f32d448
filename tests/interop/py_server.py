#!/usr/bin/env python3
"""Interop server peer built on the official Python MCP SDK (mcp 2.3.0).

Speaks MCP over stdio by default. Run it with the interop venv's python:

    .cache/interop/py/bin/python tests/interop/py_server.py

Other transports, bound to 127.0.0.1 (both run until killed):

    py_server.py --http PORT   Streamable HTTP, stateful sessions, endpoint /mcp
    py_server.py --sse PORT    the legacy HTTP+SSE transport (2024-11-05):
                               event stream at /sse, messages to /messages/

Exposes:
  tool     echo {text: string}          -> text (one text content block)
  tool     add  {a: number, b: number}  -> sum as text ("5", "5.5")
  tool     slow {ms: integer}           -> 3 progress notifications (if the request
                                           carries a progressToken), one log message,
                                           sleeps ms milliseconds, returns "done"
  resource interop://hello              -> text/plain "hello from python"
  template interop://items/{id}         -> text/plain "item <id>"
  prompt   greet {name}                 -> one user message "Hello, <name>!"
"""

from __future__ import annotations

import warnings

import anyio
from mcp import MCPDeprecationWarning
from mcp.server.mcpserver import Context, MCPServer

# ctx.info() (the logging capability) is deprecated as of 2026-07-28 but still part of the
# handshake-era protocol; keep the warnings off the server's stderr.
warnings.filterwarnings("ignore", category=MCPDeprecationWarning)

server = MCPServer(name="interop-python", version="1.0.0", log_level="WARNING")


def _format_number(value: float) -> str:
    """Render a sum like a JSON number: 5.0 -> "5", 5.5 -> "5.5"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


@server.tool(description="Return the given text unchanged", structured_output=False)
def echo(text: str) -> str:
    return text


@server.tool(description="Add two numbers and return the sum as text", structured_output=False)
def add(a: float, b: float) -> str:
    return _format_number(a + b)


@server.tool(
    description="Report progress three times, log once, sleep ms milliseconds, return 'done'",
    structured_output=False,
)
async def slow(ms: int, ctx: Context) -> str:
    for step in range(1, 4):
        # A no-op when the request carried no progressToken.
        await ctx.report_progress(step, 3, f"step {step} of 3")
    await ctx.info(f"slow: sleeping {ms} ms")
    await anyio.sleep(max(ms, 0) / 1000)
    return "done"


@server.resource("interop://hello", name="hello", mime_type="text/plain", description="A fixed greeting")
def hello() -> str:
    return "hello from python"


@server.resource("interop://items/{id}", name="item", mime_type="text/plain", description="An item by id")
def item(id: str) -> str:  # noqa: A002 - the template variable is called id
    return f"item {id}"


@server.prompt(description="Greet someone by name")
def greet(name: str) -> str:
    return f"Hello, {name}!"


def _main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="mcpwire interop server peer (Python SDK)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--http", type=int, metavar="PORT", help="serve Streamable HTTP on 127.0.0.1:PORT/mcp")
    mode.add_argument("--sse", type=int, metavar="PORT", help="serve legacy HTTP+SSE on 127.0.0.1:PORT/sse")
    args = parser.parse_args()
    if args.http is not None:
        server.run("streamable-http", host="127.0.0.1", port=args.http)
    elif args.sse is not None:
        server.run("sse", host="127.0.0.1", port=args.sse)
    else:
        server.run("stdio")


if __name__ == "__main__":
    _main()
