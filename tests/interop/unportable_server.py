#!/usr/bin/env python3
"""A stdio MCP server with one tool whose input schema uses a type array
(`"type": ["string", "null"]`), the shape hosts with a one-`type` schema
dialect refuse. The Inspector's schema lint must flag it: the control that
shows the lint runs, for the test that finds nothing on mcpwire's demos.

Standard library only; answers `initialize` and `tools/list`, and `{}` to
anything else that has an id."""

import json
import sys

for line in sys.stdin:
    message = json.loads(line)
    if "id" not in message:
        continue
    if message.get("method") == "initialize":
        result = {
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "unportable", "version": "1"},
        }
    elif message.get("method") == "tools/list":
        schema = {"type": "object", "properties": {"note": {"type": ["string", "null"]}}}
        result = {"tools": [{"name": "note", "inputSchema": schema}]}
    else:
        result = {}
    print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}), flush=True)
