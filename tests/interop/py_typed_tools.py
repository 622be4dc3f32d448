#!/usr/bin/env python3
"""Interop server peer for mcpwire's typed tool calls, built on the official
Python MCP SDK (mcp 2.3.0). Speaks MCP over stdio.

Each tool mirrors one `#[tool]` definition in
crates/mcpwire-conformance/tests/interop_typed_call.rs, whose generated
`call` the test runs against these:

  tool add      {a: number, b: number}  -> float, structured ({"result": ...}) and as text
  tool shout    {text: string}          -> str, text only
  tool forecast {city: string}          -> Forecast, structured, with an output schema
  tool divide   {a: integer, b: integer} -> int; b = 0 raises ToolError (isError)
  tool search   {q: string, page?: integer} -> the arguments it received, as JSON text
"""

from __future__ import annotations

import json
import warnings

from pydantic import BaseModel

from mcp import MCPDeprecationWarning
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

warnings.filterwarnings("ignore", category=MCPDeprecationWarning)

server = MCPServer(name="interop-python-typed", version="1.0.0", log_level="WARNING")


class Forecast(BaseModel):
    city: str
    celsius: float


@server.tool(description="Add two numbers")
def add(a: float, b: float) -> float:
    return a + b


@server.tool(description="The text in capitals", structured_output=False)
def shout(text: str) -> str:
    return text.upper()


@server.tool(description="Tomorrow's weather")
def forecast(city: str) -> Forecast:
    return Forecast(city=city, celsius=21.5)


@server.tool(description="Divide, refusing zero")
def divide(a: int, b: int) -> int:
    if b == 0:
        raise ToolError("cannot divide by zero")
    return a // b


@server.tool(description="Report the arguments received", structured_output=False)
def search(q: str, page: int | None = None) -> str:
    given = {"q": q}
    if page is not None:
        given["page"] = page
    return json.dumps(given, separators=(",", ":"))


if __name__ == "__main__":
    server.run("stdio")
