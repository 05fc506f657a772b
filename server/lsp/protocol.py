"""The JSON-RPC protocol with a client's mistakes answered, not dropped.

pygls drops a request whose params do not fit the method's type (ill-typed or missing
params: no answer, a logged traceback) and ignores requests after ``shutdown``. A client
then waits forever. Here every request gets a response: ``InvalidParams`` (-32602) naming the
method for a message that cannot be read as its type, ``InvalidRequest`` (-32600) after
shutdown. Notifications with bad params are logged in one line and dropped, as the protocol
wants (they have no answer).
"""

from __future__ import annotations

import logging
from typing import Any

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCProtocol

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
    if isinstance(error, JsonRpcInvalidParams):  # the client's mistake, answered: one line, no traceback
        record.msg, record.args, record.exc_info, record.levelno, record.levelname = (
            f"invalid params answered: {error.message}", (), None, logging.WARNING, "WARNING",
        )  # fmt: skip
    return True


class TactfulProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pygls_log = logging.getLogger("pygls.protocol.json_rpc")
        if _not_a_deserialize_traceback not in pygls_log.filters:
            pygls_log.addFilter(_not_a_deserialize_traceback)

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            method = data.get("method", "")
            if "id" in data and method:
                log.warning("%s request %s: params do not fit the method (%s)", method, data["id"], exc.message)
                error = JsonRpcInvalidParams(f"{method}: params do not fit the method's type")
                self._send_response(data["id"], error=error.to_response_error())
            else:
                log.warning("dropped a %s notification whose params do not fit its type", method or "malformed")
            return ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is ANSWERED:
            return
        method = getattr(message, "method", "")
        if self._shutdown and method != EXIT and getattr(message, "id", None) is not None and method:
            error = JsonRpcInvalidRequest(f"{method}: the server is shutting down")
            self._send_response(message.id, error=error.to_response_error())
            return
        super().handle_message(message)
