"""Which review stages run after the offline checks, and the long-lived parts they use.

The CLI and the LSP server both build their stages here, so a headless review and an
editor review of the same change run the same reviewers in the same order: call-graph
context, then the LLM reviewer, then the display gate (which must see every finding).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tactful.server import git
from tactful.server.callgraph_stage import callgraph_stage
from tactful.server.feedback import FeedbackSink, open_sink
from tactful.server.gate import Gate, gate_stage
from tactful.server.index import RepoIndex
from tactful.server.pipeline import Change, ReviewResult, Stage, add_note
from tactful.server.progress import Progress
from tactful.server.settings import Settings, llm_off_reason

log = logging.getLogger(__name__)


def git_user(root: Path | None) -> str:
    """The repository's ``user.email`` (hashed before it is stored), or '' when unset."""
    if root is None:
        return ""
    try:
        return git.run_git(root, "config", "user.email").decode("utf-8", "replace").strip()
    except git.GitError:
        return ""


@dataclass
class ReviewServices:
    """The feedback sink, the gate and the repository index for one client session."""

    # The index is built lazily: a review of a patch outside a repository never needs it.

    settings: Settings
    root: Path | None
    client: str
    sink: FeedbackSink | None = None
    gate: Gate | None = None
    index: RepoIndex | None = None
    extra: list[Stage] = field(default_factory=list)
    _index_built: bool = False
    _index_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    """Serialises index builds and buffer updates (an editor reviews documents in threads)."""
    _index_thread: threading.Thread | None = field(default=None, repr=False)
    index_progress: Progress | None = field(default=None, repr=False)
    """Called with (files done, files total) while the index is built."""

    @classmethod
    def open(cls, settings: Settings, root: Path | None, *, client: str, gate: bool = True) -> ReviewServices:
        services = cls(settings, root, client)
        services.sink = open_sink(settings, client=client, repository=str(root or ""), user=git_user(root))
        if gate and settings.gate.enabled:
            services.gate = Gate.open(
                settings.gate, services.sink.store, user=services.sink.user, team=services.sink.team
            )
            services.sink.subscribe(services.gate.observe)
        return services

    def built_index(self, change: object = None, settings: object = None) -> RepoIndex | None:
        """The repository index, built on first use (incremental through its disk cache)."""
        if self.root is None or not self.settings.review.call_graph:
            return None
        with self._index_lock:
            if self.index is None:
                self.index = RepoIndex(self.root, self.settings)
            if not self._index_built:
                self.index.build(self.index_progress)
                self._index_built = True
            return self.index

    def start_index_build(self) -> None:
        """Build the index in a background thread (an editor must not wait for it)."""
        if self.root is None or not self.settings.review.call_graph or self._index_thread is not None:
            return

        def build() -> None:
            try:
                self.built_index()
            except Exception:  # the call graph is context, never a reason to fail a review
                log.exception("building the repository index of %s failed", self.root)

        self._index_thread = threading.Thread(target=build, name="tactful-index", daemon=True)
        self._index_thread.start()

    def _callgraph_stage(self) -> Stage:
        inner = callgraph_stage(self.built_index)

        def callgraph(result: ReviewResult, change: Change, settings: Settings) -> None:
            if self._index_thread is not None and self._index_thread.is_alive():
                add_note(result, "call graph: the repository index is still being built")
                return
            with self._index_lock:
                inner(result, change, settings)

        return callgraph

    def stages(self, *, llm: bool = True) -> list[Stage]:
        """Call-graph context, the LLM reviewer, then the display gate."""
        stages: list[Stage] = [self._callgraph_stage(), *self.extra]
        off = llm_off_reason(self.settings)
        if llm and off:
            stages.append(_note_stage(off))
        elif llm:
            from tactful.server.llm import make_llm_stage

            gate = self.gate
            needs_review = (lambda unit: gate.units.needs_review(unit, unit.language)) if gate else None
            stages.append(make_llm_stage(unit_filter=needs_review))
        if self.gate is not None:
            stages.append(gate_stage(self.gate, self.sink, self.client))
        return stages

    def close(self) -> None:
        if self.gate is not None:
            self.gate.save()
        if self.sink is not None:
            self.sink.close()


def _note_stage(note: str) -> Stage:
    """A stage that only says, once, why a reviewer did not run."""

    def reviewer_off(result: ReviewResult, change: Change, settings: Settings) -> None:
        add_note(result, note)

    return reviewer_off


def default_stages(settings: Settings, root: Path | None, *, client: str, llm: bool = True) -> list[Stage]:
    """Stages without a gate or feedback log (for callers that manage neither)."""
    return ReviewServices(settings, root, client).stages(llm=llm)
