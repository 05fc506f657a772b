"""The review session: one per repository, and the one route a change takes to its findings.

A :class:`ReviewSession` owns the long-lived parts of reviewing a repository: the feedback
sink, the display gate, the repository index, the repository's habits (conventions the
rules follow, measured once with git) and one LLM reviewer (one ``AsyncOpenAI``
client and one reply cache for the whole session, so the response format the endpoint
accepted is learned once). It hands out the *offline stages* (call-graph context, then the
display gate over the offline findings) and the *late stages* (the LLM reviewer, which
applies gate stage 1 to pick its units and the display gate to the findings it adds).

:meth:`ReviewSession.review` runs them as one progressive review: the offline result is
delivered first, then the result again after each late stage. The editor shows every
delivery; the command line waits for the final one (:func:`review_once`). Both therefore
reach the model and the gate by the same route and decide the same way.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tactful.analyzers.habits import ProjectHabits
from tactful.analyzers.model import Finding
from tactful.server import git, pipeline
from tactful.server.callgraph_stage import callgraph_stage
from tactful.server.feedback import FeedbackSink, open_sink
from tactful.server.gate import DisplayGate, Gate
from tactful.server.gate.ownership import Ownership
from tactful.server.git_head import HeadCache
from tactful.server.habits import measure_habits
from tactful.server.index import RepoIndex
from tactful.server.pipeline import Change, ReviewResult, Stage, add_note
from tactful.server.progress import Progress
from tactful.server.settings import Settings, llm_off_reason

if TYPE_CHECKING:
    from tactful.server.llm.review import LlmReviewer

log = logging.getLogger(__name__)

HABITS_TTL_S = 600.0
"""How long measured habits are trusted before git is asked again (they change with commits)."""


class LateStage(Protocol):
    """A reviewer whose findings join after the offline delivery.

    It merges its findings into the result itself (and has the display gate decide them)
    and returns the ones it added, so the review knows whether to deliver again.
    """

    async def __call__(
        self, result: ReviewResult, change: Change, settings: Settings
    ) -> Sequence[Finding]: ...


@dataclass(frozen=True)
class Delivery:
    """One instalment of a review: the result so far, and whether more will follow."""

    result: ReviewResult
    final: bool
    stage: str
    """``offline`` for the first instalment, else the late stage's name."""
    changed: bool = True
    """False when a late stage added nothing: the findings already delivered are final."""


def git_user(root: Path | None) -> str:
    """The repository's ``user.email`` (hashed before it is stored), or '' when unset."""
    if root is None:
        return ""
    try:
        return git.run_git(root, "config", "user.email").decode("utf-8", "replace").strip()
    except git.GitError:
        return ""


class ReviewSession:
    """The feedback sink, gate, index and LLM reviewer of one repository, and its stages."""

    def __init__(
        self,
        settings: Settings,
        root: Path | None,
        client: str,
        *,
        sink: FeedbackSink | None = None,
        gate: Gate | None = None,
        user: str | None = None,
    ) -> None:
        self.settings = settings
        self.root = root
        self.client = client
        self.sink = sink
        self.gate = gate
        self._user = user
        """The repository's ``user.email`` once asked (``open`` knows it already)."""
        self.heads = HeadCache()
        """HEAD's commit, shared by the diff and the gate's blame: one git lookup a review."""
        self.display_gate = DisplayGate(gate, sink, client) if gate is not None else None
        if self.display_gate is not None and root is not None:
            # The gate would otherwise ask git for the email and HEAD a second time.
            ownership = Ownership(root, self.user_email())
            ownership.heads = self.heads
            self.display_gate.ownership = ownership
        self.index: RepoIndex | None = None
        # The index is built lazily: a review of a patch outside a repository never needs it.
        self._index_built = False
        self._index_lock = threading.RLock()
        """Serialises index builds and buffer updates (an editor reviews documents in threads)."""
        self._index_thread: threading.Thread | None = None
        self.index_progress: Progress | None = None
        """Called with (files done, files total) while the index is built."""
        self._reviewer: LlmReviewer | None = None
        self._habits: tuple[float, ProjectHabits] | None = None
        self._habits_lock = threading.Lock()

    @classmethod
    def open(
        cls, settings: Settings, root: Path | None, *, client: str, gate: bool = True
    ) -> ReviewSession:
        """A session with the repository's feedback sink and, when enabled, its display gate."""
        user = git_user(root)
        sink = open_sink(settings, client=client, repository=str(root or ""), user=user)
        opened = None
        if gate and settings.gate.enabled:
            opened = Gate.open(
                settings.gate, sink.store, user=sink.user, team=sink.team,
                repository=sink.repository, saver=sink.save_state,
            )  # fmt: skip
            sink.subscribe(opened.observe)
        return cls(settings, root, client, sink=sink, gate=opened, user=user)

    # -- git facts asked once ----------------------------------------------------------------

    def user_email(self) -> str:
        """The repository's ``user.email`` ('' when unset), asked of git once per session."""
        if self._user is None:
            self._user = git_user(self.root)
        return self._user

    def head_commit(self) -> str:
        """HEAD's commit ('' with none or outside a repository), asked again only after HEAD moved."""
        return self.heads.head(self.root) if self.root is not None else ""

    # -- the repository's habits -----------------------------------------------------------

    def habits(self) -> ProjectHabits:
        """The repository's conventions, measured on first use and again after HABITS_TTL_S."""
        if self.root is None:
            return ProjectHabits()
        with self._habits_lock:
            now = time.monotonic()
            if self._habits is None or now - self._habits[0] > HABITS_TTL_S:
                self._habits = (now, measure_habits(self.root))
            return self._habits[1]

    # -- the repository index -------------------------------------------------------------

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
        if (
            self.root is None
            or not self.settings.review.call_graph
            or self._index_thread is not None
        ):
            return

        def build() -> None:
            try:
                self.built_index()
            except Exception:  # the call graph is context, never a reason to fail a review
                log.exception("building the repository index of %s failed", self.root)

        self._index_thread = threading.Thread(target=build, name="tactful-index", daemon=True)
        self._index_thread.start()

    # -- the LLM reviewer ---------------------------------------------------------------------

    def llm_off_reason(self) -> str:
        """Why the LLM reviewer does not run (``""`` when it does)."""
        return llm_off_reason(self.settings)

    def reviewer(self) -> LlmReviewer:
        """The session's LLM reviewer, opened on first use and kept until :meth:`aclose`."""
        if self._reviewer is None:
            from tactful.server.llm.review import LlmReviewer  # the openai SDK only when needed

            self._reviewer = LlmReviewer(self.settings)
            log.info(
                "LLM reviewer opened for %s (model %s)",
                self._reviewer.llm.base_url,
                self._reviewer.llm.model,
            )
        return self._reviewer

    # -- stages ---------------------------------------------------------------------------------

    def offline_stages(self, *, llm: bool = True) -> list[Stage]:
        """Call-graph context, then the display gate over the offline findings.

        With ``llm`` wanted but off, a stage notes once why the model did not review.
        """
        stages: list[Stage] = [self._callgraph_stage()]
        off = self.llm_off_reason()
        if llm and off:
            stages.append(_note_stage(off))
        if self.display_gate is not None:
            stages.append(self.display_gate)
        return stages

    def late_stages(self, *, llm: bool = True) -> list[LateStage]:
        """The LLM reviewer (when wanted and configured), with gate stage 1 as its unit filter."""
        if not llm or self.llm_off_reason():
            return []
        from tactful.server.llm.stage import LlmStage

        gate = self.gate
        needs_review = (
            (lambda unit: gate.units.needs_review(unit, unit.language))
            if gate is not None
            else None
        )
        return [LlmStage(self.reviewer, unit_filter=needs_review, display_gate=self.display_gate)]

    def _callgraph_stage(self) -> Stage:
        inner = callgraph_stage(self.built_index)

        def callgraph(result: ReviewResult, change: Change, settings: Settings) -> None:
            if self._index_thread is not None and self._index_thread.is_alive():
                add_note(result, "call graph: the repository index is still being built")
                return
            with self._index_lock:
                inner(result, change, settings)

        return callgraph

    # -- reviewing ------------------------------------------------------------------------------

    async def review(self, change: Change, *, llm: bool = True) -> AsyncIterator[Delivery]:
        """Yield the offline result, then the result again after each late stage that changed it.

        The offline stages run in a worker thread, so an editor's event loop keeps answering.
        Cancelling the consuming task aborts the model's requests in flight.
        """
        settings = self.settings
        stages = self.offline_stages(llm=llm)
        result = await asyncio.to_thread(
            lambda: pipeline.review(change, settings, stages, habits=self.habits)
        )
        late = self.late_stages(llm=llm)
        yield Delivery(result, final=not late, stage="offline")
        for position, stage in enumerate(late):
            name = getattr(stage, "__name__", type(stage).__name__)
            failed = False
            try:
                added: Sequence[Finding] = await stage(result, change, settings)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one failing reviewer must not hide the others' findings
                log.exception("late review stage %s failed", name)
                add_note(result, f"stage {name} failed: {exc.__class__.__name__}: {exc}")
                added, failed = (), True
            changed = bool(added) or failed
            final = position == len(late) - 1
            if changed or final:
                yield Delivery(result, final=final, stage=name, changed=changed)

    # -- closing --------------------------------------------------------------------------------

    async def aclose_reviewer(self) -> None:
        """Close the LLM client and its reply cache (a later review opens them again)."""
        reviewer, self._reviewer = self._reviewer, None
        if reviewer is not None:
            await reviewer.aclose()

    def close(self) -> None:
        """Save the gate and flush the feedback log (the reviewer is closed by :meth:`aclose`)."""
        if self.gate is not None:
            self.gate.save()
        if self.sink is not None:
            self.sink.close()

    async def aclose(self) -> None:
        try:
            await self.aclose_reviewer()
        finally:
            self.close()


def _note_stage(note: str) -> Stage:
    """A stage that only says, once, why a reviewer did not run."""

    def reviewer_off(result: ReviewResult, change: Change, settings: Settings) -> None:
        add_note(result, note)

    return reviewer_off


async def final_result(session: ReviewSession, change: Change, *, llm: bool = True) -> ReviewResult:
    """The last delivery of a progressive review (what the command line prints)."""
    last: Delivery | None = None
    async for delivery in session.review(change, llm=llm):
        last = delivery
    assert last is not None  # the offline delivery always comes
    return last.result


def review_once(
    change: Change, settings: Settings, *, session: ReviewSession | None = None, llm: bool = True
) -> ReviewResult:
    """A whole review from synchronous code: every stage, the final result.

    Without a ``session``, a bare one (no feedback log, no gate) is used. The session's LLM
    reviewer lives in this call's event loop, so it is closed before returning.
    """
    active = session or ReviewSession(settings, Path(change.root) if change.root else None, "")

    async def run() -> ReviewResult:
        try:
            return await final_result(active, change, llm=llm)
        finally:
            await active.aclose_reviewer()

    try:
        return asyncio.run(run())
    finally:
        if session is None:
            active.close()


class SessionPool:
    """The editor's sessions, one per repository root, reopened when the settings change."""

    def __init__(self, client: str = "") -> None:
        self.client = client
        self.by_root: dict[Path | None, ReviewSession] = {}
        self._closing: set[asyncio.Task[None]] = set()
        """Reviewers being closed in the background (kept referenced until they are)."""

    def get(self, settings: Settings, root: Path | None) -> ReviewSession:
        session = self.by_root.get(root)
        if session is None:
            session = self.by_root[root] = ReviewSession.open(settings, root, client=self.client)
            session.start_index_build()
        return session

    def close(self) -> None:
        """Close every session; their LLM clients close on the running loop, if any."""
        sessions, self.by_root = list(self.by_root.values()), {}
        for session in sessions:
            try:
                session.close()
            except Exception:  # closing must not stop the others from saving
                log.exception("closing a review session failed")
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                continue
            task = loop.create_task(session.aclose_reviewer())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        self.close()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
