"""``tactful rules`` (every rule id with its languages and default severity) and ``tactful editor``.

The rule list is what ``review.disabledRules``, ``review.ruleSeverity`` and
``tactful: ignore[rule]`` comments name. ``tactful editor nvim`` prints where the installed
package keeps its Neovim plugin, so a pip install is enough to use it.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

EDITORS = ("nvim",)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("rules", help="list the rule ids, their languages and severities")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_rules)
    e = subparsers.add_parser(
        "editor", help="print the path of an editor plugin shipped with tactful"
    )
    e.add_argument(
        "editor", choices=EDITORS, help="nvim: the Neovim plugin folder (for 'runtimepath')"
    )
    e.set_defaults(func=run_editor)


def rule_rows() -> list[dict[str, Any]]:
    """One row per rule a finding can carry, checks first, then the call graph and the model."""
    from tactful.analyzers.callgraph import CALLGRAPH_RULES
    from tactful.analyzers.checks import RULES
    from tactful.server.llm.parse import CATEGORIES

    rows = [
        {
            "id": info.id,
            "languages": list(info.languages),
            "severity": info.severity.value,
            "category": info.category,
            "fixable": info.fixable,
            "summary": info.summary,
        }
        for info in sorted(RULES.values(), key=lambda i: i.id)
    ]
    rows += [
        {"id": rule, "languages": [], "severity": "warning", "category": "correctness",
         "fixable": False, "summary": summary}
        for rule, summary in CALLGRAPH_RULES.items()
    ]  # fmt: skip
    rows += [
        {"id": f"llm.{category}", "languages": [], "severity": "varies",
         "category": category, "fixable": False, "summary": f"the LLM reviewer's {category} findings"}
        for category in CATEGORIES
    ]  # fmt: skip
    return rows


def run_rules(args: argparse.Namespace) -> int:
    rows = rule_rows()
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    width = max(len(r["id"]) for r in rows)
    sys.stdout.write(f"{'rule':<{width}}  {'severity':<8}  languages / what it flags\n")
    for r in rows:
        languages = ",".join(r["languages"]) or "all"
        fix = " (fix)" if r["fixable"] else ""
        sys.stdout.write(
            f"{r['id']:<{width}}  {r['severity']:<8}  {languages}: {r['summary']}{fix}\n"
        )
    return 0


def plugin_path(editor: str) -> Path:
    """The folder of ``editor``'s plugin inside the installed package."""
    root = resources.files("tactful.editors") / editor
    return Path(str(root))


def run_editor(args: argparse.Namespace) -> int:
    path = plugin_path(args.editor)
    if not (path / "lua" / "tactful" / "init.lua").is_file():
        sys.stderr.write(f"tactful: error: the {args.editor} plugin is missing from {path}\n")
        return 2
    sys.stdout.write(f"{path}\n")
    return 0
