"""The JSON-RPC protocol with a client's mistakes answered, not dropped.

pygls drops a request whose params do not fit the method's type (ill-typed or missing
params: no answer, a logged traceback) and ignores requests after ``shutdown``. A client
then waits forever. Here every request gets a response: ``InvalidParams`` (-32602) naming the
method for a message that cannot be read as its type, ``InvalidRequest`` (-32600) after
shutdown. Notifications with bad params are logged in one line and dropped, as the protocol
wants (they have no answer).

A body that is not JSON gets ``ParseError`` (-32700) and one that is JSON but not a message
object (a batch, a number) gets ``InvalidRequest``, both with a null id and one log line:
no traceback, no "Error in server" pop-up, since the mistake is the client's.

An incremental edit whose range lies outside the buffer (pygls would append its text at the
end) is not applied: the document is marked out of sync, its diagnostics are withheld, and
the next full-text change or reopen brings it back.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Sequence
from typing import Any

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
)
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCProtocol
from pygls.protocol.language_server import lsp_method

log = logging.getLogger(__name__)

EXIT = "exit"


class _Answered:
    """Stands in for a message that was already answered with an error."""

    jsonrpc = JsonRPCProtocol.VERSION


ANSWERED = _Answered()


def _not_a_deserialize_traceback(record: logging.LogRecord) -> bool:
    # pygls logs a full traceback for each message it cannot read; the one line below says it.
    if str(record.msg).startswith("Unable to deserialize message"):
        return False
    error = record.exc_info[1] if record.exc_info else None
    if isinstance(
        error, JsonRpcInvalidParams
    ):  # the client's mistake, answered: one line, no traceback
        record.msg, record.args, record.exc_info, record.levelno, record.levelname = (
            f"invalid params answered: {error.message}", (), None, logging.WARNING, "WARNING",
        )  # fmt: skip
    return True


def _not_an_unreadable_body_traceback(record: logging.LogRecord) -> bool:
    # pygls.server logs a traceback for a body it cannot decode; report_unreadable says it once.
    error = record.exc_info[1] if record.exc_info else None
    return not (str(record.msg).startswith("Unable to handle message") and _unreadable(error))


def _unreadable(error: BaseException | None) -> bool:
    """Whether ``error`` is a body that is not JSON text (a client's mistake, not ours)."""
    return isinstance(error, json.JSONDecodeError | UnicodeDecodeError)


def _out_of_range(lines: Sequence[str], changes: list[Any]) -> str:
    """Why the first change that does not fit the buffer does not ('' when all fit)."""
    count = len(lines)
    for change in changes:
        if not isinstance(change, types.TextDocumentContentChangePartial):
            count = change.text.count("\n") + 1  # a full-text change replaces everything
            continue
        start, end = change.range.start, change.range.end
        if (start.line, start.character) > (end.line, end.character):
            return f"range end {end.line}:{end.character} is before its start {start.line}:{start.character}"
        if start.line > count or end.line > count:
            return f"line {max(start.line, end.line)} is past the end of a {count}-line buffer"
        # later changes are relative to the buffer after this one; its line count is a bound
        count += change.text.count("\n") - (end.line - start.line)
    return ""


def _utf16_units(line: str) -> int:
    return len(line.rstrip("\r\n").encode("utf-16-le")) // 2


def _clamped(lines: Sequence[str], change: Any) -> Any:
    """``change`` with characters past the end of their line moved back to it, as LSP says.

    pygls applies such a range as if it ended before the line's end (an edit of ``0:0-0:9``
    on ``"a"`` deleted nothing), so the buffer and the client's text would drift apart.
    """
    if not isinstance(change, types.TextDocumentContentChangePartial):
        return change

    def clamp(position: types.Position) -> types.Position:
        if position.line >= len(lines):
            return position
        limit = _utf16_units(lines[position.line])
        return position if position.character <= limit else types.Position(position.line, limit)

    start, end = clamp(change.range.start), clamp(change.range.end)
    if (start, end) == (change.range.start, change.range.end):
        return change
    return types.TextDocumentContentChangePartial(range=types.Range(start, end), text=change.text)


def pulls(capabilities: types.ClientCapabilities) -> bool:
    """Whether diagnostics are pulled: the client pulls *and* can be asked to pull again.

    A dismissal or a late stage changes the findings without an edit; a client that cannot
    be sent ``workspace/diagnostic/refresh`` (Neovim 0.10-0.12) would keep showing the old
    ones until the next edit. Such a client is not offered pulls at all and gets pushes,
    which it applies at once (pushing *beside* its pulls would show every finding twice:
    Neovim keeps pushed and pulled diagnostics in separate namespaces).
    """
    td, ws = capabilities.text_document, capabilities.workspace
    return (
        td is not None
        and td.diagnostic is not None
        and bool(ws and ws.diagnostics and ws.diagnostics.refresh_support)
    )


def _answers_request(protocol: JsonRPCProtocol, callback: Any) -> bool:
    """Whether ``callback`` sends a client's request its answer (pygls then drops the future)."""
    func = getattr(callback, "func", None)
    return func is not None and func == protocol._send_handler_result


class TactfulProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.out_of_sync: set[str] = set()
        """Documents whose last edit did not fit the buffer: not reviewed until resent whole."""
        pygls_log = logging.getLogger("pygls.protocol.json_rpc")
        if _not_a_deserialize_traceback not in pygls_log.filters:
            pygls_log.addFilter(_not_a_deserialize_traceback)
        server_log = logging.getLogger("pygls.server")
        if _not_an_unreadable_body_traceback not in server_log.filters:
            server_log.addFilter(_not_an_unreadable_body_traceback)

    def report_unreadable(self, error: BaseException) -> bool:
        """Answer a body that is not JSON with a ParseError; False when ``error`` is not that."""
        if not _unreadable(error):
            return False
        log.warning("dropped a message whose body is not JSON: %s", str(error)[:200])
        parse_error = JsonRpcParseError("the body is not JSON").to_response_error()
        self._send_response(None, error=parse_error)  # type: ignore[arg-type]  # null id, as JSON-RPC says
        return True

    def structure_message(self, data: dict[str, Any]) -> Any:
        if not isinstance(data.get("method", ""), str):
            # json.loads calls this for every object, params' own included: a "method" that
            # is not a name made the lookup raise (a traceback); such a dict is plain data,
            # and at the top it is answered as not a message.
            return data
        if "method" in data and "params" not in data and not self.get_message_type(data["method"]):
            # JSON-RPC lets params be left out; pygls's generic message type (tactful/inspect,
            # unknown methods) insists on the key.
            data = {**data, "params": None}
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            method = data.get("method", "")
            if "id" in data and method:
                log.warning(
                    "%s request %s: params do not fit the method (%s)",
                    method,
                    data["id"],
                    exc.message,
                )
                error = JsonRpcInvalidParams(f"{method}: params do not fit the method's type")
                self._send_response(data["id"], error=error.to_response_error())
            else:
                log.warning(
                    "dropped a %s notification whose params do not fit its type",
                    method or "malformed",
                )
            return ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is ANSWERED:
            return
        if not hasattr(message, "jsonrpc"):  # a batch, a number, a string: not a message object
            log.warning("dropped a JSON %s that is not a message object", type(message).__name__)
            error = JsonRpcInvalidRequest("a message must be a JSON object")
            invalid = error.to_response_error()
            self._send_response(None, error=invalid)  # type: ignore[arg-type]  # null id
            return
        method = getattr(message, "method", "")
        if (
            self._shutdown
            and method != EXIT
            and getattr(message, "id", None) is not None
            and method
        ):
            error = JsonRpcInvalidRequest(f"{method}: the server is shutting down")
            self._send_response(message.id, error=error.to_response_error())
            return
        super().handle_message(message)

    @property
    def held_futures(self) -> int:
        """How many handler futures the protocol holds: in-flight requests (a leak shows here)."""
        return len(self._request_futures)

    def _execute_handler(
        self, msg_id: Any, handler: Any, callback: Any, args: Any = None, kwargs: Any = None
    ) -> None:
        # pygls 2.1 files the future of each notification (and of each step of a built-in
        # generator handler, e.g. the command behind workspace/executeCommand) under a fresh
        # id that nothing removes: one finished task and its arguments per didChange, kept for
        # the life of the server. Only a client's request ids can be cancelled, so only their
        # futures are worth keeping; pygls releases those itself when it sends the answer.
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is None or _answers_request(self, callback):
            return
        if future.done():
            self._request_futures.pop(msg_id, None)
        else:
            future.add_done_callback(functools.partial(self._forget_future, msg_id))

    def _forget_future(self, msg_id: Any, _future: Any) -> None:
        self._request_futures.pop(msg_id, None)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        uri = params.text_document.uri
        document = self.workspace.get_text_document(uri)
        problem = _out_of_range(document.lines, list(params.content_changes))
        if problem:
            log.warning("%s: edit to version %s not applied: %s; waiting for the whole text", uri,
                        params.text_document.version, problem)  # fmt: skip
            self.out_of_sync.add(uri)
        else:
            if any(
                not isinstance(c, types.TextDocumentContentChangePartial)
                for c in params.content_changes
            ):
                self.out_of_sync.discard(uri)
            if uri not in self.out_of_sync:
                for change in params.content_changes:
                    self.workspace.update_text_document(
                        params.text_document, _clamped(document.lines, change)
                    )
        if (user_handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield user_handler, (params,), None

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Any:
        result = yield from super().lsp_initialize(params)
        if not pulls(params.capabilities):
            # A client that cannot be asked to pull again gets pushes only (see ``pulls``).
            result.capabilities.diagnostic_provider = None
        return result

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Any:
        self.out_of_sync.discard(params.text_document.uri)
        yield from super().lsp_text_document__did_open(params)
