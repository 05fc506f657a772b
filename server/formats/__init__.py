"""Every output format of ``tactful review``: text and JSON for people and scripts, and the
machine formats CI tools consume: SARIF 2.1.0, reviewdog's rdjson, a GitHub review payload.

Each module turns one :class:`~tactful.server.pipeline.ReviewResult` into one document and
never talks to a network; posting is the job of the CI step (``gh api``, reviewdog, the
code-scanning upload). Every format carries each finding's fingerprint and the coverage, so
a consumer can tell a partial review from a clean one.
"""

from __future__ import annotations

from tactful.server import output
from tactful.server.formats import github, rdjson, sarif
from tactful.server.pipeline import Change, ReviewResult

FORMATS = ("text", "json", "sarif", "rdjson", "github")


def render(fmt: str, result: ReviewResult, change: Change) -> str:
    """``result`` in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return output.render_json(result, change.label)
    if fmt == "sarif":
        return sarif.render(result, change.label)
    if fmt == "rdjson":
        return rdjson.render(result, change.label)
    if fmt == "github":
        return github.render(result, change.label, commit_id=getattr(change.files, "new_rev", None))
    return output.render_text(result, change.label)
