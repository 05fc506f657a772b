"""``workspace/executeCommand`` handlers: feedback on suggestions, whole-branch review, hidden ones.

Feedback commands take one argument, ``{"uri", "fingerprint", "suggestionId", "version"}``
(what the code actions put there; ``tactful.reject`` also reads ``reason``). A malformed
argument is answered with an *invalid params* error naming what is wrong.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.exceptions import JsonRpcInvalidParams
from tactful.analyzers.model import ChangeSet, Finding
from tactful.analyzers.textdiff import split_lines
from tactful.server import changes, git, output
from tactful.server.lsp import diagnostics, feedback
from tactful.server.lsp.convert import severity_table, suggestion_id, to_diagnostic
from tactful.server.lsp.host import Host
from tactful.server.lsp.state import DocState
from tactful.server.pipeline import Change
from tactful.server.session import final_result
from tactful.server.untracked import summary as untracked_summary

log = logging.getLogger(__name__)

REVIEW_WORKSPACE = "tactful.reviewWorkspace"
SHOW_HIDDEN = "tactful.showHidden"

REJECT_REASONS = ("Wrong", "Not important", "Style preference", "Already handled")

_CONVERTER = get_converter()


def _target(
    ls: Host, command: str, args: tuple[Any, ...]
) -> tuple[DocState, Finding, dict[str, Any]]:
    """The open document and finding a feedback command names."""
    if len(args) != 1 or not isinstance(args[0], dict):
        raise JsonRpcInvalidParams(
            f"{command}: expected one object argument {{uri, fingerprint}}, got {args!r:.120}"
        )
    arg = args[0]
    uri, fingerprint = arg.get("uri"), arg.get("fingerprint")
    if not isinstance(uri, str) or not isinstance(fingerprint, str):
        raise JsonRpcInvalidParams(f"{command}: 'uri' and 'fingerprint' must be strings")
    state = ls.docs.get(uri)
    if state is None:
        raise JsonRpcInvalidParams(f"{command}: {uri} is not an open document")
    finding = state.known.get(fingerprint)
    if finding is None:
        raise JsonRpcInvalidParams(f"{command}: no suggestion {fingerprint} in {uri}")
    return state, finding, arg


def _extra(finding: Finding, arg: dict[str, Any]) -> dict[str, Any]:
    sid = arg.get("suggestionId")
    version = arg.get("version")
    return {
        "suggestion_id": sid
        if isinstance(sid, str)
        else suggestion_id(finding, version if isinstance(version, int) else 0)
    }


async def _ask_reason(ls: Host, finding: Finding) -> str:
    window = ls.client_capabilities.window
    if window is None or window.show_message is None:
        return ""
    try:
        choice = await asyncio.wait_for(
            ls.window_show_message_request_async(
                types.ShowMessageRequestParams(
                    type=types.MessageType.Info,
                    message=f"Why was this suggestion not helpful? ({finding.rule})",
                    actions=[types.MessageActionItem(title=t) for t in REJECT_REASONS],
                )
            ),
            timeout=300,
        )
    except Exception as exc:  # the client could not ask: record without a reason
        log.info("no reason for rejection: %s", exc)
        return ""
    return choice.title if choice is not None else ""


def _suppress(
    ls: Host, state: DocState, finding: Finding, kind: str, reason: str, arg: dict[str, Any]
) -> bool:
    durable = True
    if finding.fingerprint not in state.suppressed:
        state.suppressed.add(finding.fingerprint)
        durable = ls.record(kind, finding, reason=reason, extra=_extra(finding, arg))
    diagnostics.republish(ls, state)
    return durable


def _ack(ls: Host, kind: str, durable: bool) -> dict[str, Any]:
    """The answer to a feedback command: ``recorded`` only when the event is on disk."""
    if durable:
        return {"recorded": kind}
    return {
        "recorded": None,
        "pending": kind,
        "error": ls.feedback_problem() or "feedback log unavailable",
    }


async def _progress_token(ls: Host, requested: Any) -> types.ProgressToken | None:
    if isinstance(requested, (str, int)):
        return requested
    window = ls.client_capabilities.window
    if window is None or not window.work_done_progress:
        return None
    token = f"tactful-review-{uuid.uuid4().hex[:8]}"
    try:
        await ls.work_done_progress.create_async(token)
    except Exception as exc:
        log.info("no progress reporting: %s", exc)
        return None
    return token


def _cancelled(ls: Host, token: types.ProgressToken) -> bool:
    future = ls.work_done_progress.tokens.get(token)
    return future is not None and future.cancelled()


def _publish_closed(
    ls: Host, root: Path, findings: list[Finding], texts: dict[str, str | None]
) -> None:
    """Push the findings of files that are not open (open ones have their own reviews)."""
    if ls.pull_mode:
        return
    severities = severity_table(ls.settings.lsp.severity_map)
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    for path, found in by_path.items():
        uri = diagnostics.workspace_uri(root, path)
        if not uri or uri in ls.docs:
            continue
        lines = split_lines(texts.get(path) or "")
        items = [
            to_diagnostic(
                f,
                lines,
                ls.position_encoding,
                severities,
                0,
                lambda p: diagnostics.workspace_uri(root, p),
                lambda _p: None,
            )
            for f in found
        ]
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=items)
        )


class Commands:
    """``workspace/executeCommand``: feedback on suggestions, the whole-branch review, hidden ones."""

    def __init__(self, host: Host) -> None:
        self.host = host

    def applied(self, *args: Any) -> dict[str, Any]:
        """The developer applied a suggested fix."""
        ls = self.host
        state, finding, arg = _target(ls, "tactful.applied", args)
        durable = True
        if finding.fingerprint not in state.settled:
            state.settled.add(finding.fingerprint)
            durable = ls.record(feedback.ACCEPTED, finding, extra=_extra(finding, arg))
        return _ack(ls, feedback.ACCEPTED, durable)

    def dismiss(self, *args: Any) -> dict[str, Any]:
        """The developer dismissed a suggestion: hide it for the session and record it."""
        ls = self.host
        state, finding, arg = _target(ls, "tactful.dismiss", args)
        return _ack(
            ls, feedback.DISMISSED, _suppress(ls, state, finding, feedback.DISMISSED, "", arg)
        )

    async def reject(self, *args: Any) -> dict[str, Any]:
        """The developer found a suggestion not helpful; the reason is asked for if not given."""
        ls = self.host
        state, finding, arg = _target(ls, "tactful.reject", args)
        reason = arg.get("reason")
        if not isinstance(reason, str):
            reason = await _ask_reason(ls, finding)
        durable = _suppress(ls, state, finding, feedback.REJECTED, reason, arg)
        return {**_ack(ls, feedback.REJECTED, durable), "reason": reason}

    async def show_hidden(self, *args: Any) -> list[dict[str, Any]]:
        """Suggestions the gate hid, per open document (or only ``args[0]["uri"]``), as diagnostics.

        With ``args[0]["final"]`` true, waits until the review of the named document has every
        stage's findings (the LLM's too) before answering.
        """
        ls = self.host
        option = args[0] if args and isinstance(args[0], dict) else {}
        wanted = option.get("uri")
        if wanted and option.get("final"):
            await ls.wait_for_report(wanted, final=True)
        severities = severity_table(ls.settings.lsp.severity_map)
        out = []
        for uri, state in ls.docs.items():
            report = None if state.outdated else state.report  # made under the old settings
            if report is None or (wanted and uri != wanted):
                continue

            def same_uri(_path: str, uri: str = uri) -> str:
                return uri

            def no_lines(_path: str) -> None:
                return None

            items = [
                _CONVERTER.unstructure(
                    to_diagnostic(
                        f,
                        report.lines,
                        ls.position_encoding,
                        severities,
                        report.version,
                        same_uri,
                        no_lines,
                    )
                )
                for f in report.hidden
            ]
            out.append({"uri": uri, "version": report.version, "final": report.final, "diagnostics": items,
                        "shown": [f.fingerprint for f in report.findings]})  # fmt: skip
        return out

    async def review_workspace(self, *args: Any) -> dict[str, Any]:
        """Review the whole branch (working tree against the base), file by file, with progress.

        Arguments (optional): ``{"base": rev, "mergeBaseWith": branch, "workDoneToken": token}``.
        Cancelling the progress (or the request) stops before the next file.
        """
        ls = self.host
        options = args[0] if args and isinstance(args[0], dict) else {}
        roots = ls.workspace_roots()
        root = git.repo_root(roots[0]) if roots else None
        if root is None:
            raise JsonRpcInvalidParams(
                "tactful.reviewWorkspace: the workspace is not inside a git repository"
            )
        lsp = dataclasses.replace(
            ls.settings.lsp,
            base=str(options.get("base") or ls.settings.lsp.base),
            merge_base_with=str(
                options.get("mergeBaseWith", ls.settings.lsp.merge_base_with) or ""
            ),
        )
        session = ls.sessions.get(ls.settings, root)

        def build() -> Change:
            return changes.from_worktree(root, ls.resolver.base_commit(root, lsp), ls.settings)

        try:
            change = await asyncio.to_thread(build)
        except (git.GitError, ValueError) as exc:
            raise JsonRpcInvalidParams(f"tactful.reviewWorkspace: {exc}") from exc
        token = await _progress_token(ls, options.get("workDoneToken"))
        files = change.change_set.files
        progress = ls.work_done_progress
        if token is not None:
            progress.begin(
                token,
                types.WorkDoneProgressBegin(
                    title="tactful: reviewing the branch", cancellable=True, percentage=0
                ),
            )
        findings: list[Finding] = []
        hidden = 0
        notes: list[str] = [left] if (left := untracked_summary(change.skipped)) else []
        reviewed = 0
        cancelled = False
        try:
            for index, file in enumerate(files):
                if token is not None and _cancelled(ls, token):
                    cancelled = True
                    break
                if token is not None:
                    progress.report(
                        token,
                        types.WorkDoneProgressReport(
                            message=file.path, percentage=index * 100 // max(len(files), 1)
                        ),
                    )
                untracked = tuple(p for p in change.untracked if p == file.path)
                one = Change(
                    ChangeSet((file,)), change.files, change.root, change.label, untracked=untracked
                )
                # The same session and stages as an open document's review, to the final delivery.
                result = await final_result(session, one)
                findings.extend(result.findings)
                hidden += len(result.hidden)
                notes.extend(result.coverage.notes)
                reviewed += 1
                texts = {f.change.path: f.new_text for f in result.files}
                _publish_closed(ls, root, result.findings, texts)
        except asyncio.CancelledError:
            if token is not None:
                progress.end(token, types.WorkDoneProgressEnd(message="cancelled"))
            raise
        if token is not None:
            progress.end(
                token,
                types.WorkDoneProgressEnd(
                    message="cancelled" if cancelled else f"{len(findings)} findings"
                ),
            )
        return {
            "label": change.label,
            "files": len(files),
            "reviewed": reviewed,
            "cancelled": cancelled,
            "findings": [output.finding_json(f) for f in findings],
            "hidden": hidden,
            "notes": notes,
        }
