"""Quick fixes and feedback actions on tactful's diagnostics.

For each tactful diagnostic in the request's context the server offers:

* **Apply fix** — the finding's fix as a ``WorkspaceEdit``. Clients that support
  ``documentChanges`` get a ``TextDocumentEdit`` whose identifier carries the document
  version the fix was computed for, so an editor whose buffer moved on refuses it; for the
  others the action is only offered while the versions still match. An edit whose target
  lies outside the workspace is never offered. The action's command
  (``tactful.applied``) records the acceptance.
* **Dismiss** — command ``tactful.dismiss``: hide it for this session, record ``dismissed``.
* **Not helpful…** — command ``tactful.reject``: record ``rejected`` with a reason (the
  server asks the developer for one when the client did not send it).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from tactful.analyzers.model import Finding
from tactful.server.lsp.convert import SOURCE, diagnostic_data, suggestion_id, to_range
from tactful.server.lsp.diagnostics import file_uri
from tactful.server.lsp.state import DocReport, DocState

if TYPE_CHECKING:
    from tactful.server.lsp.host import Host

log = logging.getLogger(__name__)

APPLIED = "tactful.applied"
DISMISS = "tactful.dismiss"
REJECT = "tactful.reject"


def command_arguments(state: DocState, finding: Finding, version: int) -> dict[str, Any]:
    """What every feedback command receives: enough to find the finding again."""
    return {
        "uri": state.uri,
        "fingerprint": finding.fingerprint,
        "suggestionId": suggestion_id(finding, version),
        "version": version,
    }


def _inside_workspace(ls: Host, report: DocReport, state: DocState, finding: Finding) -> bool:
    root = report.baseline.root
    target = (root / finding.path) if root is not None else state.path
    target = target.resolve()
    allowed = ls.workspace_roots() or ([root.resolve()] if root else [state.path.parent.resolve()])
    return any(target == r or target.is_relative_to(r) for r in allowed)


def fix_action(
    ls: Host, state: DocState, report: DocReport, finding: Finding, diagnostic: types.Diagnostic
) -> types.CodeAction | None:
    """The "Apply fix" action, or None when it cannot be offered safely."""
    fix = finding.fix
    if fix is None or not fix.edits:
        return None
    if not _inside_workspace(ls, report, state, finding):
        log.warning("fix for %s refused: %s is outside the workspace", finding.rule, finding.path)
        return None
    current = ls.current_version(state.uri)
    if current != report.version:
        return None
    uri = file_uri(report.baseline, state.uri, finding.path)
    edits = [
        types.TextEdit(
            range=to_range(report.lines, e.span, ls.position_encoding), new_text=e.new_text
        )
        for e in fix.edits
    ]
    if ls.versioned_edits:
        edit = types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=report.version
                    ),
                    edits=list(edits),
                )
            ]
        )
    else:
        edit = types.WorkspaceEdit(changes={uri: list(edits)})
    return types.CodeAction(
        title=f"Apply fix: {fix.description}" if fix.description else "Apply fix",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        is_preferred=True,
        edit=edit,
        command=types.Command(
            title="Record applied fix",
            command=APPLIED,
            arguments=[command_arguments(state, finding, report.version)],
        ),
    )


def feedback_actions(
    state: DocState, finding: Finding, version: int, diagnostic: types.Diagnostic
) -> list[types.CodeAction]:
    args = [command_arguments(state, finding, version)]
    return [
        types.CodeAction(
            title=f"Dismiss ({finding.rule})",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            command=types.Command(title="Dismiss", command=DISMISS, arguments=args),
        ),
        types.CodeAction(
            title="Not helpful…",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            command=types.Command(title="Not helpful…", command=REJECT, arguments=args),
        ),
    ]


class CodeActions:
    """``textDocument/codeAction``: the quick fix and the feedback actions of each suggestion."""

    def __init__(self, host: Host) -> None:
        self.host = host

    async def actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        """The actions for the tactful diagnostics in the request's context.

        They come from the last report of the document's current version, even one the
        settings have since outdated (it is reviewed again; its fixes still fit this text).
        With no report of that version yet (just opened or edited), the request waits for the
        running review of it, as a pull does: an empty menu would tell the user there is
        nothing to do.
        """
        ls = self.host
        uri = params.text_document.uri
        state = ls.docs.get(uri)
        report = state.report if state else None
        if report is None or report.version != ls.current_version(uri):
            report = await ls.wait_for_report(uri)
            state = ls.docs.get(uri)
        if state is None or report is None:
            return []
        actions: list[types.CodeAction] = []
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != SOURCE:
                continue
            fingerprint = diagnostic_data(diagnostic).get("fingerprint")
            finding = state.known.get(fingerprint) if isinstance(fingerprint, str) else None
            if finding is None or finding.fingerprint in state.suppressed:
                continue
            current = next(
                (f for f in report.findings if f.fingerprint == finding.fingerprint), None
            )
            if current is not None:
                action = fix_action(ls, state, report, current, diagnostic)
                if action is not None:
                    actions.append(action)
            actions.extend(feedback_actions(state, finding, report.version, diagnostic))
        return actions
