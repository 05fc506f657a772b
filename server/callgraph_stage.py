"""The call-graph stage of a review: callers and callees per change unit, signature changes.

Runs after the offline checks. The changed files' new text is loaded into the repository
index first (spliced, not re-extracted, for an edited buffer), so the graph describes the
change's new side even when it is not the working tree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tactful.analyzers.callgraph import signature_change_findings
from tactful.analyzers.callgraph.contracts import Source, caller_contract_findings
from tactful.analyzers.callgraph.nullable import unguarded_null_findings
from tactful.analyzers.callgraph.tags import Definition
from tactful.server import pipeline
from tactful.server.index import RepoIndex
from tactful.server.settings import Settings

IndexProvider = Callable[[pipeline.Change, Settings], RepoIndex | None]


def callgraph_stage(index_provider: IndexProvider) -> pipeline.Stage:
    """A stage; ``index_provider(change, settings)`` returns the built index of the change's
    repository, or None when there is none."""

    def callgraph(
        result: pipeline.ReviewResult, change: pipeline.Change, settings: Settings
    ) -> None:
        if not settings.review.call_graph:
            return
        index = index_provider(change, settings)
        if index is None:
            pipeline.add_note(result, "call graph: no repository index (not a git repository?)")
            return
        old_defs: list[Definition] = []
        new_defs: list[Definition] = []
        old_texts: dict[str, str] = {}
        new_texts: dict[str, str] = {}
        new_trees: dict[str, Any] = {}
        for file in result.files:
            if file.language is None:
                continue
            path = file.change.path
            if file.old_text is not None:  # first, from the tree the review parsed (cached)
                old_texts[path] = file.old_text
                old_tags = index.tags_of_text(file.language, path, file.old_text, file.old_tree)
                old_defs.extend(old_tags.definitions)
            if file.new_text is not None:
                new_texts[path] = file.new_text
                if file.new_tree is not None:
                    new_trees[path] = file.new_tree
                new_tags = index.update_file(
                    path, file.new_text, file.new_tree, old_text=file.old_text
                )
                new_defs.extend(new_tags.definitions if new_tags else ())
        for unit in result.units:
            result.unit_context[(unit.path, unit.name)] = index.unit_context(unit)
        found = signature_change_findings(result.units, old_defs, new_defs, index.graph)
        source = _source(index, new_texts)
        found += caller_contract_findings(
            result.units, old_defs, new_defs, index.graph, old_texts, source, new_trees
        )
        found += unguarded_null_findings(result.units, index.graph, source, trees=new_trees)
        added = pipeline.merge_findings(result, found, settings)
        pipeline.add_counters(
            result, {"callgraph.units": len(result.units), "callgraph.findings": len(added)}
        )

    return callgraph


def _source(index: RepoIndex, changed: dict[str, str]) -> Source:
    """File text after the change: the reviewed text for changed files, else the working tree."""
    cache: dict[str, str | None] = dict(changed)

    def read(path: str) -> str | None:
        if path not in cache:
            try:
                cache[path] = (index.root / path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                cache[path] = None
        return cache[path]

    return read
