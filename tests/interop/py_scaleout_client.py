#!/usr/bin/env python3
"""Scale-out driver built on the official Python MCP SDK (mcp 2.3.0).

Holds ONE 2025-11-25 session with a Streamable HTTP endpoint (a load
balancer in front of several server instances), answers the server's
elicitation and sampling requests, and calls the conformance server's
`test_elicitation`, `test_sampling` and `echo`-like tools ROUNDS times, so
that the session's requests, and the answers to the server's requests,
spread over the instances. Prints one JSON summary on stdout and exits 0
only if every call came back with the answer the callbacks gave.

    .cache/interop/py/bin/python tests/interop/py_scaleout_client.py --url URL [--rounds N]
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import Any


async def run(url: str, rounds: int) -> dict[str, Any]:
    from mcp import Client, Implementation, types

    answered = {"elicitation": 0, "sampling": 0}

    async def on_elicit(_ctx: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        answered["elicitation"] += 1
        n = answered["elicitation"]
        return types.ElicitResult(action="accept", content={"username": f"ada{n}", "email": f"ada{n}@example.com"})

    async def on_sample(_ctx: Any, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
        answered["sampling"] += 1
        n = answered["sampling"]
        return types.CreateMessageResult(
            role="assistant",
            content=types.TextContent(type="text", text=f"answer {n}"),
            model="scaleout-test-model",
        )

    results: list[str] = []
    failures: list[str] = []
    client = Client(
        url,
        mode="legacy",
        read_timeout_seconds=30.0,
        cache=None,
        client_info=Implementation(name="mcpwire-scaleout-py", version="1.0.0"),
        elicitation_callback=on_elicit,
        sampling_callback=on_sample,
    )
    async with client:
        version = client.protocol_version
        for i in range(1, rounds + 1):
            r = await client.call_tool("test_elicitation", {"message": f"who are you? ({i})"})
            text = "".join(c.text for c in r.content if getattr(c, "type", "") == "text")
            results.append(text)
            if f"ada{i}" not in text or r.is_error:
                failures.append(f"elicitation round {i}: {text!r}")
            r = await client.call_tool("test_sampling", {"prompt": f"question {i}"})
            text = "".join(c.text for c in r.content if getattr(c, "type", "") == "text")
            results.append(text)
            if text != f"LLM response: answer {i}" or r.is_error:
                failures.append(f"sampling round {i}: {text!r}")
            tools = await client.list_tools()
            if not any(t.name == "test_sampling" for t in tools.tools):
                failures.append(f"list_tools round {i}: test_sampling missing")
    return {
        "protocolVersion": version,
        "rounds": rounds,
        "answered": answered,
        "failures": failures,
        "results": results[:4],
    }


def main() -> int:
    args = sys.argv[1:]
    url = None
    rounds = 6
    while args:
        a = args.pop(0)
        if a == "--url" and args:
            url = args.pop(0)
        elif a == "--rounds" and args:
            rounds = int(args.pop(0))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    if url is None:
        print(__doc__, file=sys.stderr)
        return 2
    import anyio

    try:
        summary = anyio.run(run, url, rounds)
    except Exception as e:  # noqa: BLE001 - reported in the summary
        summary = {"failures": [f"{type(e).__name__}: {e}"], "trace": traceback.format_exc()}
    print(json.dumps(summary))
    return 0 if not summary.get("failures") else 1


if __name__ == "__main__":
    sys.exit(main())
