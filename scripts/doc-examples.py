#!/usr/bin/env python3
"""How much of mcpwire's public API shows an example in its docs.

Reads rustdoc's JSON output for each published library crate (the facade
re-exports them all) and counts the public items whose doc comment holds a
code block. Modules and builder methods (inherent methods that take `self`
and return `Self`) must each have one; `--check` fails when any lacks it.

    python3 scripts/doc-examples.py            # the figures, and what lacks an example
    python3 scripts/doc-examples.py --check    # also exit 1 if a module or builder lacks one

rustdoc's JSON output is unstable, so this runs it with RUSTC_BOOTSTRAP=1.
"""

import json
import os
import subprocess
import sys

CRATES = [
    "mcpwire-types",
    "mcpwire-rpc",
    "mcpwire-server",
    "mcpwire-client",
    "mcpwire-http",
    "mcpwire-oauth",
    "mcpwire-proxy",
    "mcpwire-redis",
    "mcpwire-macros",
    "mcpwire",
]

# Items a reader looks up by name; fields and variants are documented but
# are not where examples go.
KINDS = {
    "module",
    "struct",
    "enum",
    "trait",
    "function",
    "type_alias",
    "constant",
    "static",
    "macro",
    "proc_macro",
}


def rustdoc_json(root, krate):
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    subprocess.run(
        ["cargo", "rustdoc", "-q", "-p", krate, "--all-features", "--",
         "-Z", "unstable-options", "--output-format", "json"],
        cwd=root, env=env, check=True,
    )
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    with open(os.path.join(target, "doc", krate.replace("-", "_") + ".json")) as f:
        return json.load(f)


def has_example(item):
    return "```" in (item.get("docs") or "")


def is_hidden(item):
    return any("hidden" in json.dumps(a) for a in item.get("attrs", []))


def is_builder(item):
    sig = item["inner"]["function"]["sig"]
    inputs = sig["inputs"]
    return (
        bool(inputs)
        and inputs[0][0] == "self"
        and inputs[0][1] == {"generic": "Self"}
        and sig["output"] == {"generic": "Self"}
    )


def where(item):
    span = item.get("span") or {}
    return "%s:%s" % (span.get("filename", "?"), (span.get("begin") or ["?"])[0])


def survey(doc):
    index = doc["index"]
    items, modules, builders = [], [], []
    for item in index.values():
        if item["crate_id"] != 0 or is_hidden(item):
            continue
        kind = next(iter(item["inner"]))
        if kind in KINDS and item.get("span") and item["visibility"] == "public":
            items.append(item)
            if kind == "module":
                modules.append(item)
        if kind == "impl" and item["inner"]["impl"]["trait"] is None:
            for mid in item["inner"]["impl"]["items"]:
                m = index.get(str(mid))
                if (
                    m
                    and m["visibility"] == "public"
                    and "function" in m["inner"]
                    and not is_hidden(m)
                ):
                    items.append(m)
                    if is_builder(m):
                        builders.append(m)
    return items, modules, builders


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    check = "--check" in sys.argv
    totals = [0, 0, 0, 0, 0, 0]
    missing = []
    for krate in CRATES:
        items, modules, builders = survey(rustdoc_json(root, krate))
        counts = [
            sum(map(has_example, items)), len(items),
            sum(map(has_example, modules)), len(modules),
            sum(map(has_example, builders)), len(builders),
        ]
        totals = [a + b for a, b in zip(totals, counts)]
        print("%-16s items %4d/%-4d  modules %3d/%-3d  builders %3d/%-3d" % (krate, *counts))
        for m in modules:
            if not has_example(m):
                missing.append("module  %s (%s)" % (m["name"], where(m)))
        for b in builders:
            if not has_example(b):
                missing.append("builder %s (%s)" % (b["name"], where(b)))
    share = 100.0 * totals[0] / max(totals[1], 1)
    print("%-16s items %4d/%-4d  modules %3d/%-3d  builders %3d/%-3d  (%.0f%% of items)"
          % ("all", *totals, share))
    if missing:
        print("\nwithout an example:")
        for m in missing:
            print("  " + m)
    if check and missing:
        print("\n%d modules or builder methods lack an example" % len(missing), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
