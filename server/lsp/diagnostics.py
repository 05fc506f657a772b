"""Findings as diagnostics: pull where the client supports it, push otherwise.

*Pull* (LSP 3.17 ``textDocument/diagnostic``): the client asks; the answer waits for the
review of the document's current version and carries the result id ``uri@version`` (with a
``.n`` suffix when later instalments of the same version follow). A client that already has
that result id gets an *unchanged* report. When findings change without an edit (a late
stage, a dismissal) the server asks the client to pull again (``workspace/diagnostic/refresh``).

*Push* (``textDocument/publishDiagnostics``): every delivered report is published with the
document version it belongs to.

A review of a version the client already has diagnostics for (a save, which may precede a
commit) that finds the same diagnostics keeps the result id and tells the client nothing
(no refresh, no push): redrawing identical markers cancels a quick-fix menu being opened.

*Status* (``tactful/status``, only to a client that sets ``experimental.tactfulStatus``):
what the gate did with each delivered report, ``{uri, version, shown, hidden, final}``, for
a status bar ("3 shown · 5 hidden").

Implicit feedback is read here too: when a complete review no longer has a finding the
previous one had, either its own fix was applied (``accepted``, once, whether or not the
client also ran ``tactful.applied``), the developer edited the flagged code themselves
(``resolved_by_edit``), or the finding went away while its code stayed (``ignored``, e.g.
the change was committed as it was).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import from_fs_path
from tactful.analyzers.fixes import apply_edits
from tactful.analyzers.model import Finding, SkippedFile
from tactful.analyzers.textdiff import split_lines
from tactful.server.lsp import feedback
from tactful.server.lsp.convert import severity_table, suggestion_id, to_diagnostic
from tactful.server.lsp.documents import Baseline
from tactful.server.lsp.state import DocReport, DocState
from tactful.server.session import Delivery

if TYPE_CHECKING:
    from tactful.server.lsp.host import Host

log = logging.getLogger(__name__)

STATUS = "tactful/status"
"""The custom notification of :func:`status`."""


def file_uri(baseline: Baseline, own_uri: str, path: str) -> str:
    """The URI of a finding's (or related location's) path."""
    if path == baseline.path:
        return own_uri
    folder = baseline.root
    if folder is None:
        return own_uri
    return from_fs_path(str(folder / path)) or own_uri


def _lines_of(baseline: Baseline, report_lines: list[str], path: str) -> Sequence[str] | None:
    if path == baseline.path:
        return report_lines
    if baseline.root is None:
        return None
    target = baseline.root / path
    try:
        return (
            split_lines(target.read_text("utf-8", "surrogateescape")) if target.is_file() else None
        )
    except OSError:
        return None


def make_report(
    ls: Host, state: DocState, version: int, text: str, baseline: Baseline, delivery: Delivery
) -> DocReport:
    """The diagnostics of one delivered review of one document version."""
    result = delivery.result
    mine = [
        f
        for f in result.findings
        if f.path == baseline.path and f.fingerprint not in state.suppressed
    ]
    hidden = [f for f in result.hidden if f.path == baseline.path]
    lines = split_lines(text)
    severities = severity_table(ls.settings.lsp.severity_map)

    def uri_of(path: str) -> str:
        return file_uri(baseline, state.uri, path)

    def lines_of(path: str) -> Sequence[str] | None:
        return _lines_of(baseline, lines, path)

    diagnostics = [
        to_diagnostic(f, lines, ls.position_encoding, severities, version, uri_of, lines_of)
        for f in mine
    ]
    return DocReport(
        version=version,
        text=text,
        lines=lines,
        baseline=baseline,
        findings=mine,
        hidden=hidden,
        diagnostics=diagnostics,
        result_id=state.next_result_id(version),
        final=delivery.final,
        notes=(*result.coverage.notes, *_not_reviewed(result.coverage.skipped, baseline.path)),
    )


# Why a document shows no diagnostics at all, said in the log (the CLI lists every skip).
_TOLD_SKIPS = frozenset({"minified", "parse-budget", "too-large"})


def _not_reviewed(skipped: Sequence[SkippedFile], path: str) -> tuple[str, ...]:
    return tuple(
        f"not reviewed: {s.reason} ({s.detail})"
        for s in skipped
        if s.path == path and s.reason in _TOLD_SKIPS
    )


def deliver(ls: Host, state: DocState, report: DocReport) -> None:
    """Make ``report`` the document's current one, record what is newly shown, and tell the client."""
    previous = state.report
    again = (
        previous is not None
        and not (state.outdated or state.needs_refresh)
        and previous.version == report.version
        and previous.diagnostics == report.diagnostics
    )
    if again and previous is not None:
        # A save's re-review found what the client already shows. Telling it again makes
        # VS Code pull and replace its markers, which empties a quick-fix menu opening then.
        report = dataclasses.replace(report, result_id=previous.result_id)
    state.report, state.outdated = report, False
    log_shown = not ls.gate_active()  # the gate logs its own shown/hidden decisions
    for finding in report.findings:
        if finding.fingerprint not in state.known and log_shown:
            ls.record(
                feedback.SHOWN,
                finding,
                extra={"suggestion_id": suggestion_id(finding, report.version)},
            )
        state.known[finding.fingerprint] = finding
    if report.final:
        if state.last_final is not None:
            implicit_signals(ls, state, state.last_final, report)
        state.last_final = report
    for note in report.notes:
        log.info("%s: %s", state.path.name, note)
    refresh = state.needs_refresh or (
        not again and previous is not None and previous.version == report.version
    )
    if refresh:
        state.needs_refresh = False
    _tell_client(ls, state, report, refresh=refresh, publish=not again)


def _tell_client(
    ls: Host, state: DocState, report: DocReport, *, refresh: bool, publish: bool = True
) -> None:
    """Push the report, or (pull clients) ask for a new pull when ``refresh`` says it changed.

    ``publish`` false: the client has these very diagnostics; only the status goes out.
    """
    if not ls.pull_mode and publish:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=state.uri, diagnostics=report.diagnostics, version=report.version
            )
        )
    elif refresh:
        ls.request_refresh()
    ls.send_status(status(state.uri, report))
    state.notify_updated()


def status(uri: str, report: DocReport) -> dict[str, object]:
    """The ``tactful/status`` notification of one report."""
    return {
        "uri": uri,
        "version": report.version,
        "shown": len(report.findings),
        "hidden": len(report.hidden),
        "final": report.final,
    }


def finalize(ls: Host, state: DocState) -> None:
    """The last stages added nothing: the current report is the complete one."""
    report = state.report
    if report is None or report.final:
        return
    report = dataclasses.replace(report, final=True)
    state.report = report
    if state.last_final is not None:
        implicit_signals(ls, state, state.last_final, report)
    state.last_final = report
    ls.send_status(status(state.uri, report))
    state.notify_updated()


def republish(ls: Host, state: DocState) -> None:
    """Deliver the current report again without the findings now suppressed (a dismissal)."""
    current = state.report
    if current is None:
        return
    keep = [
        (f, d)
        for f, d in zip(current.findings, current.diagnostics, strict=True)
        if f.fingerprint not in state.suppressed
    ]
    report = dataclasses.replace(
        current,
        findings=[f for f, _ in keep],
        diagnostics=[d for _, d in keep],
        result_id=state.next_result_id(current.version),
        notes=(),
    )
    state.report = report
    _tell_client(ls, state, report, refresh=True)


def _flagged_text(report: DocReport, finding: Finding) -> str:
    span = finding.span
    last = span.last_line
    return "".join(report.lines[span.start_line - 1 : max(last, span.start_line)])


def _fix_applied(old: DocReport, new: DocReport, finding: Finding) -> bool:
    if finding.fix is None:
        return False
    try:
        return apply_edits(old.text, finding.fix.edits) == new.text
    except ValueError:
        return False


def implicit_signals(ls: Host, state: DocState, old: DocReport, new: DocReport) -> None:
    """Record what became of findings that the previous complete review had and this one lacks."""
    present = {f.fingerprint for f in new.findings}
    for finding in old.findings:
        fp = finding.fingerprint
        if fp in present or fp in state.settled or fp in state.suppressed:
            continue
        if _fix_applied(old, new, finding):
            kind = (
                feedback.ACCEPTED
            )  # the client applied the fix without (yet) running tactful.applied
        else:
            flagged = _flagged_text(old, finding)
            kind = (
                feedback.IGNORED
                if flagged.strip() and flagged in new.text
                else feedback.RESOLVED_BY_EDIT
            )
        state.settled.add(fp)
        ls.record(kind, finding, extra={"suggestion_id": suggestion_id(finding, old.version)})


def workspace_uri(root: Path, path: str) -> str:
    return from_fs_path(str(root / path)) or ""


class Diagnostics:
    """``textDocument/diagnostic``: pulled reports (pushing ones are sent by :func:`deliver`)."""

    def __init__(self, host: Host) -> None:
        self.host = host

    async def pull(self, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        """Answer ``textDocument/diagnostic`` once the current version has been reviewed."""
        ls = self.host
        uri = params.text_document.uri
        report = await ls.wait_for_report(uri)
        if report is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        if params.previous_result_id == report.result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=report.result_id)
        return types.RelatedFullDocumentDiagnosticReport(
            items=report.diagnostics, result_id=report.result_id
        )
