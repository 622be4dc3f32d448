#!/usr/bin/env python3
"""Checks the layering of the workspace's library crates in `cargo metadata`.

Each rule names a crate and the workspace crates it must never depend on,
through normal, build or dev dependencies, with any feature. A published
crate must also have no dependency cycle through dev-dependencies.
Run: python3 scripts/check-layers.py
"""
import json
import subprocess
import sys

# crate -> workspace crates it must not depend on (directly or not)
FORBIDDEN = {
    "mcpwire-types": {"mcpwire-rpc", "mcpwire-server", "mcpwire-client", "mcpwire-http",
                      "mcpwire-oauth", "mcpwire-proxy", "mcpwire"},
    "mcpwire-rpc": {"mcpwire-server", "mcpwire-client", "mcpwire-http", "mcpwire-oauth",
                    "mcpwire-proxy", "mcpwire"},
    "mcpwire-server": {"mcpwire-client", "mcpwire-http", "mcpwire-oauth", "mcpwire-proxy",
                       "mcpwire"},
    "mcpwire-client": {"mcpwire-server", "mcpwire-http", "mcpwire-oauth", "mcpwire-proxy",
                       "mcpwire"},
    "mcpwire-http": {"mcpwire-oauth", "mcpwire-proxy", "mcpwire"},
    "mcpwire-oauth": {"mcpwire-proxy", "mcpwire"},
    "mcpwire-proxy": {"mcpwire"},
    "mcpwire-redis": {"mcpwire-client", "mcpwire-oauth", "mcpwire-proxy", "mcpwire"},
    "mcpwire-macros": {"mcpwire"},
    # The inspector is an application of the SDK: built on the facade, used
    # by the command line, never by it.
    "mcpwire-inspect": {"mcpwire-cli", "mcpwire-demos", "mcpwire-load"},
}

# The SDK's crates never depend on the inspector.
for _sdk in ("mcpwire-types", "mcpwire-rpc", "mcpwire-server", "mcpwire-client",
             "mcpwire-http", "mcpwire-oauth", "mcpwire-proxy", "mcpwire-redis",
             "mcpwire-macros", "mcpwire"):
    FORBIDDEN.setdefault(_sdk, set()).add("mcpwire-inspect")


def main() -> int:
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"]))
    packages = {p["name"]: p for p in meta["packages"]}
    ours = set(packages)
    # Direct edges between workspace crates, of every kind.
    edges = {name: {d["name"] for d in p["dependencies"] if d["name"] in ours}
             for name, p in packages.items()}
    normal = {name: {d["name"] for d in p["dependencies"]
                     if d["name"] in ours and d["kind"] is None}
              for name, p in packages.items()}

    def reach(start, graph):
        seen, todo = set(), [start]
        while todo:
            for n in graph.get(todo.pop(), ()):
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        return seen

    failures = []
    for crate, banned in FORBIDDEN.items():
        if crate not in packages:
            failures.append(f"{crate}: not in the workspace")
            continue
        # A dev-dependency counts only directly; what it depends on normally
        # counts in full.
        reached = reach(crate, normal)
        for d in edges[crate] - normal[crate]:
            reached |= {d} | reach(d, normal)
        bad = sorted(reached & banned)
        if bad:
            failures.append(f"{crate} depends on {', '.join(bad)}")
    for name, p in packages.items():
        if p.get("publish") == []:
            continue
        if name in reach(name, edges):
            failures.append(f"{name} (published) depends on itself through dev-dependencies")
    for f in failures:
        print(f"layering: {f}", file=sys.stderr)
    if not failures:
        print(f"layering: {len(FORBIDDEN)} crates keep their rules")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
