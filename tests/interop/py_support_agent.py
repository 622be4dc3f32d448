#!/usr/bin/env python3
"""A support agent on the Python SDK (mcp 2.3.0), against the support desk.

Written the usual way, `stdio_client` + `ClientSession`: list the tools
and resources, read the open tickets and ticket 42, get the resolution
prompt, close ticket 42 and escalate ticket 43 (ticket ids as strings),
and read ticket 42 again.

    .cache/interop/py/bin/python tests/interop/py_support_agent.py \
        -- target/debug/mcpwire serve support-desk --db desk.db

It needs a fresh desk database (42 and 43 open). It prints one line per
step and exits 0; any answer other than the expected one is printed on
stderr and exits 1 (2 on bad usage).
"""

from __future__ import annotations

import asyncio
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

USAGE = "usage: py_support_agent.py -- CMD ARGS...\n"
# Seconds for the whole run; each answer gets READ_TIMEOUT.
RUN_TIMEOUT = 60.0
READ_TIMEOUT = 30.0
RESOLUTION = "Reset the stale session after the password change; the customer can log in again."
ESCALATION = "The PDF renderer fails on October invoices; needs an engineer."


class Unexpected(Exception):
    """An answer the agent did not expect."""


def expect(ok: bool, what: str) -> None:
    if not ok:
        raise Unexpected(what)


def text_of(contents) -> str:
    """The text of a resource read (its text parts, joined)."""
    return "".join(getattr(c, "text", "") for c in contents)


def tool_text(result) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


async def run_agent(server: StdioServerParameters) -> None:
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write, read_timeout_seconds=READ_TIMEOUT) as session:
            init = await session.initialize()
            print(f"server: {init.server_info.name} {init.server_info.version}")

            # What can this server do?
            tools = await session.list_tools()
            names = sorted(t.name for t in tools.tools)
            print(f"tools: {', '.join(names)}")
            expect({"close_ticket", "escalate_ticket"} <= set(names), f"tools: {names}")
            close = next(t for t in tools.tools if t.name == "close_ticket")
            expect(
                set(close.input_schema.get("required", [])) == {"ticket_id", "resolution"},
                f"close_ticket's input schema: {close.input_schema}",
            )

            resources = await session.list_resources()
            uris = [r.uri for r in resources.resources]
            print(f"resources: {', '.join(uris)}")
            expect("ticket://list" in uris and "ticket://42" in uris, f"resources: {uris}")

            # Read the open tickets, then the one to work on.
            listing = text_of((await session.read_resource("ticket://list")).contents)
            open_ids = [
                line.split("|")[1].strip()
                for line in listing.splitlines()
                if line.startswith("| ") and line.split("|")[1].strip().isdigit()
            ]
            print(f"open tickets: {', '.join(open_ids)}")
            expect("42" in open_ids and "43" in open_ids, f"ticket://list:\n{listing}")

            ticket = text_of((await session.read_resource("ticket://42")).contents)
            title = ticket.splitlines()[0].lstrip("# ") if ticket else ""
            print(f"read: {title}")
            expect("Cannot log in after password change" in ticket, f"ticket://42:\n{ticket}")
            expect("**Status:** open" in ticket, f"ticket 42 is not open:\n{ticket}")

            # The prompt that drafts the reply.
            prompt = await session.get_prompt(
                "resolution_prompt", {"ticket_id": "42", "account_tier": "pro"}
            )
            expect(len(prompt.messages) >= 1, f"resolution_prompt: {prompt}")
            first = prompt.messages[0].content
            expect(getattr(first, "type", None) == "text", f"resolution_prompt's message: {first}")
            expect("42" in first.text, f"resolution_prompt does not name ticket 42: {first.text}")
            print(f"prompt: {len(prompt.messages)} message(s), role {prompt.messages[0].role}")

            # Act: close 42, escalate 43.
            result = await session.call_tool(
                "close_ticket", {"ticket_id": "42", "resolution": RESOLUTION}
            )
            expect(not result.is_error, f"close_ticket failed: {tool_text(result)}")
            closed = result.structured_content
            expect(
                isinstance(closed, dict)
                and closed.get("ticket_id") == 42
                and closed.get("status") == "closed"
                and closed.get("resolution") == RESOLUTION,
                f"close_ticket answered {closed!r}",
            )
            print(f"closed ticket {closed['ticket_id']}: status {closed['status']}, notify {closed['customer_email']}")

            result = await session.call_tool(
                "escalate_ticket", {"ticket_id": "43", "reason": ESCALATION}
            )
            expect(not result.is_error, f"escalate_ticket failed: {tool_text(result)}")
            escalated = result.structured_content
            expect(
                isinstance(escalated, dict)
                and escalated.get("ticket_id") == 43
                and escalated.get("status") == "escalated",
                f"escalate_ticket answered {escalated!r}",
            )
            print(f"escalated ticket {escalated['ticket_id']}: status {escalated['status']}, count {escalated['escalation_count']}")

            # Closing it again is the tool's error, not a protocol error.
            again = await session.call_tool(
                "close_ticket", {"ticket_id": "42", "resolution": RESOLUTION}
            )
            expect(again.is_error is True, f"a second close_ticket was not an error: {again}")
            expect("already closed" in tool_text(again), f"second close_ticket: {tool_text(again)}")
            print(f"closing again: error, {tool_text(again)}")

            after = text_of((await session.read_resource("ticket://42")).contents)
            expect("**Status:** closed" in after, f"ticket 42 after closing:\n{after}")
            expect(RESOLUTION in after, f"ticket 42 lacks its resolution:\n{after}")
            print("ticket 42 now: closed, resolution recorded")


def main() -> int:
    argv = sys.argv[1:]
    if len(argv) < 2 or argv[0] != "--":
        sys.stderr.write(USAGE)
        return 2
    server = StdioServerParameters(command=argv[1], args=argv[2:])
    try:
        asyncio.run(asyncio.wait_for(run_agent(server), RUN_TIMEOUT))
    except Exception as e:  # noqa: BLE001 - a failed call, a timeout, a dead server
        # The SDK's task groups wrap what was raised inside them.
        while isinstance(e, BaseExceptionGroup) and e.exceptions:
            e = e.exceptions[0]
        if isinstance(e, Unexpected):
            print(f"py_support_agent: unexpected answer: {e}", file=sys.stderr)
        else:
            print(f"py_support_agent: failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
