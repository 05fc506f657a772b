"""The tactful language server: the one object that owns the editor session's state.

Handlers are thin and hand over to one feature object per capability (``diagnostics``,
``code_actions``, ``commands``); ``handlers.create_server`` wires each LSP method once. This
class keeps the open documents, the pending review task of each document (a new edit
cancels it: that is the debounce), the settings, and the feedback recorder.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from tactful.analyzers.diff import DiffError
from tactful.analyzers.model import Finding
from tactful.server.git import GitError
from tactful.server.lsp import config, diagnostics, feedback
from tactful.server.lsp.documents import Baseline, BaseResolver, buffer_change
from tactful.server.lsp.protocol import TactfulProtocol, pulls
from tactful.server.lsp.state import DocReport, DocState
from tactful.server.pipeline import Change, ReviewResult
from tactful.server.session import Delivery, ReviewSession, SessionPool
from tactful.server.settings import Settings

log = logging.getLogger(__name__)

VERSION = "0.1.0"


class TactfulServer(LanguageServer):
    """tactful's LSP server: reviews open buffers against their base revision."""

    def __init__(self, recorder: feedback.FeedbackRecorder | None = None) -> None:
        super().__init__(
            "tactful", VERSION, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=TactfulProtocol,
        )  # fmt: skip
        self.client = ""
        """Short client name for the feedback log (``vscode``, ``nvim``)."""
        self.settings = Settings()
        self.repo_settings = Settings()
        """Defaults plus the workspace's settings file: what client settings are applied over."""
        self.init_options: Any = None
        self.client_settings: Any = None
        self.docs: dict[str, DocState] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.resolver = BaseResolver()
        self.sessions = SessionPool()
        """One review session per repository (sink, gate, index, LLM reviewer), as the CLI's."""
        self._recorder = recorder
        """A recorder given by the embedder; otherwise events go to the repository's sink."""

    # -- capabilities ---------------------------------------------------------------

    @property
    def pull_mode(self) -> bool:
        """Whether the client pulls diagnostics (so they are not pushed); see :func:`pulls`."""
        return pulls(self.client_capabilities)

    @property
    def position_encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    @property
    def versioned_edits(self) -> bool:
        ws = self.client_capabilities.workspace
        return bool(ws and ws.workspace_edit and ws.workspace_edit.document_changes)

    def report_server_error(self, error: Exception, source: Any) -> None:
        # A body that is not JSON is the client's mistake: answered, logged once, no pop-up.
        protocol = self.protocol
        reading = source is JsonRpcException and isinstance(protocol, TactfulProtocol)
        if reading and protocol.report_unreadable(error):  # type: ignore[attr-defined]
            return
        super().report_server_error(error, source)

    def request_refresh(self) -> None:
        if self.pull_mode:
            self.workspace_diagnostic_refresh(None)

    def send_status(self, params: dict[str, Any]) -> None:
        """``tactful/status``, to a client that asked for it (others would log it as unknown)."""
        experimental = self.client_capabilities.experimental
        if isinstance(experimental, dict) and experimental.get("tactfulStatus"):
            self.protocol.notify(diagnostics.STATUS, params)

    def inspect(self) -> dict[str, int]:
        """What the server holds right now (``tactful/inspect``): where a leak would show."""
        protocol = self.protocol
        return {
            "openDocuments": len(self.docs),
            "pendingReviews": len(self.pending),
            "heldFutures": protocol.held_futures if isinstance(protocol, TactfulProtocol) else -1,
            "outOfSync": len(getattr(protocol, "out_of_sync", ())),
        }

    def workspace_roots(self) -> list[Path]:
        roots = [Path(to_fs_path(f.uri) or "") for f in self.workspace.folders.values()]
        if not roots and self.workspace.root_path:
            roots = [Path(self.workspace.root_path)]
        return [r.resolve() for r in roots if str(r)]

    # -- settings and feedback --------------------------------------------------------

    def apply_settings(self, data: Any, *, initial: bool = False) -> None:
        """Layers: repository file, initializationOptions, then the latest configuration change.

        Invalid values produce one showMessage; their section keeps the layer below.
        """
        if initial:
            self.init_options = config.unwrap(data)
        else:
            self.client_settings = config.unwrap(data)
        roots = self.workspace_roots()
        base, errors = config.repository_settings(roots[0] if roots else None)
        settings, more = config.client_settings(self.init_options, base)
        errors += more if initial else []
        settings, more = config.client_settings(self.client_settings, settings)
        errors += more
        self.repo_settings, self.settings = base, settings
        self.resolver.forget_revisions()
        self.sessions.close()  # reopened with the new settings on first use
        self.sessions.client = self.client
        if errors:
            message = config.summary(errors)
            log.warning("%s", message)
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=message)
            )

    def root(self) -> Path | None:
        """The repository of the workspace (the one whose feedback sink and gate are used)."""
        roots = self.workspace_roots()
        return self.resolver.root_of(roots[0] / "_") if roots else None

    def session(self) -> ReviewSession:
        """The review session of the workspace's repository."""
        return self.sessions.get(self.settings, self.root())

    def gate_active(self) -> bool:
        """Whether the display gate logs shown/hidden itself (so the server must not)."""
        try:
            return self.session().gate is not None
        except Exception:
            return False

    def recorder(self) -> feedback.FeedbackRecorder:
        if self._recorder is not None:
            return self._recorder
        sink = self.session().sink
        if sink is None:
            self._recorder = feedback.MemoryRecorder()
            return self._recorder
        return sink

    def record(
        self, kind: str, finding: Finding, *, reason: str = "", extra: dict[str, Any] | None = None
    ) -> bool:
        """Log one event; True once it is durable."""
        try:
            return bool(
                self.recorder().record(
                    kind, finding, reason=reason, client=self.client, extra=extra
                )
            )
        except Exception:  # the feedback log must never cost the review
            log.exception("recording a %s event failed", kind)
            return False

    def feedback_problem(self) -> str:
        """Why events are not durable right now ('' when they are)."""
        recorder = self.recorder()
        return getattr(recorder, "last_error", "") or (
            "" if hasattr(recorder, "spool_path") else "no feedback log"
        )

    # -- reviewing documents ---------------------------------------------------------------

    def open_document(self, uri: str) -> None:
        doc = self.workspace.get_text_document(uri)
        old = self.docs.get(uri)
        self.docs[uri] = DocState(uri=uri, path=Path(doc.path), opened_text=doc.source)
        if old is not None:
            # Opened again without a close: a pull waiting on the old state must wake and
            # wait for the new one, or it is never answered.
            old.notify_updated()
        self.schedule(uri, immediate=True)

    def close_document(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task:
            task.cancel()
        state = self.docs.pop(uri, None)
        if state is not None:
            state.notify_updated()
        if not self.pull_mode:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def review_all_again(self) -> None:
        """Review every open document afresh (settings changed): old reports no longer count.

        The old report is kept, marked outdated, until the new one comes: a quick-fix menu
        opened meanwhile still gets the actions of the text it shows.
        """
        for uri, state in self.docs.items():
            state.outdated = True
            state.last_final = (
                None  # findings that vanish with a setting say nothing about the developer
            )
            state.needs_refresh = True
            self.schedule(uri, immediate=True)

    def schedule(self, uri: str, *, immediate: bool = False) -> None:
        """(Re)start the review of ``uri``: cancel the pending one, wait out the debounce, review."""
        if uri not in self.docs:
            return
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        if uri in getattr(self.protocol, "out_of_sync", ()):
            # The buffer here no longer matches the editor's: diagnostics would point at the wrong code.
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )
            self.docs[uri].notify_updated()  # a waiting pull gets the same: nothing, now
            return
        version = self.workspace.get_text_document(uri).version or 0
        delay = 0.0 if immediate else self.settings.lsp.debounce_ms / 1000
        task = asyncio.ensure_future(self._review_document(uri, version, delay))
        self.pending[uri] = task
        task.add_done_callback(lambda t: self._review_done(uri, t))

    def _review_done(self, uri: str, task: asyncio.Task[None]) -> None:
        if self.pending.get(uri) is task:
            del self.pending[uri]
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("review of %s failed: %s", uri, exc, exc_info=exc)

    def current_version(self, uri: str) -> int | None:
        if uri not in self.docs:
            return None
        return self.workspace.get_text_document(uri).version or 0

    async def _review_document(self, uri: str, version: int, delay_s: float) -> None:
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        state = self.docs.get(uri)
        if state is None or self.current_version(uri) != version:
            return
        text = self.workspace.get_text_document(uri).source
        settings = self.settings
        try:
            baseline, change = await asyncio.to_thread(self._change_for, state, text, settings)
        except (GitError, DiffError, OSError, ValueError) as exc:
            self._deliver_failure(state, version, text, f"{state.path.name}: not reviewed: {exc}")
            return
        delivered = False
        try:
            session = self.sessions.get(settings, Path(change.root) if change.root else None)
            async for delivery in session.review(change):
                if not self._is_current(state, version):
                    return  # stale: a newer edit has its own review coming
                if not delivery.changed:
                    diagnostics.finalize(self, state)
                    continue
                report = diagnostics.make_report(self, state, version, text, baseline, delivery)
                diagnostics.deliver(self, state, report)
                delivered = True
        except Exception as exc:
            log.exception("review of %s failed", uri)
            if not delivered:
                self._deliver_failure(
                    state, version, text, f"{state.path.name}: review failed: {exc}"
                )

    def _is_current(self, state: DocState, version: int) -> bool:
        """Whether ``state`` is still open at ``version`` (results for anything else are stale)."""
        uri = state.uri
        return self.docs.get(uri) is state and self.current_version(uri) == version

    def _change_for(
        self, state: DocState, text: str, settings: Settings
    ) -> tuple[Baseline, Change]:
        baseline = self.resolver.baseline(state.path, settings.lsp, state.opened_text)
        return baseline, buffer_change(baseline, text, settings.review)

    def _deliver_failure(self, doc_state: DocState, version: int, text: str, message: str) -> None:
        """An empty report for this version (so pulls do not wait forever) and one log line."""
        log.warning("%s", message)
        if not self._is_current(doc_state, version):
            return
        empty = Delivery(ReviewResult(), final=True, stage="offline")
        baseline = Baseline(None, doc_state.path.name, None, None, "")
        diagnostics.deliver(
            self,
            doc_state,
            diagnostics.make_report(self, doc_state, version, text, baseline, empty),
        )

    async def wait_for_report(self, uri: str, *, final: bool = False) -> DocReport | None:
        """The report of the document's current version, once there is one (``final``: a complete one).

        None for a document that is closed, or out of sync (its diagnostics are withheld).
        """
        while (state := self.docs.get(uri)) is not None:
            if uri in getattr(self.protocol, "out_of_sync", ()):
                return None  # withheld until the whole text comes; waiting could be forever
            report = state.report
            if (
                report is not None
                and not state.outdated
                and report.version == self.current_version(uri)
                and (report.final or not final)
            ):
                return report
            if uri not in self.pending:
                self.schedule(uri, immediate=True)
            await state.updated.wait()
        return None
