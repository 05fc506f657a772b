"""generic.weakened-guard: a null check whose early exit the change made depend on a second condition.

The first case is the shape of werkzeug 032c2c78 ("Allow chunk request", reverted in 1fa017c0):
with max_content_length set and no Content-Length, ``min(None, limit)`` runs.
"""

from __future__ import annotations

import pytest
from rules_support import flagged_lines

RULE = "generic.weakened-guard"


@pytest.mark.parametrize(
    ("path", "annotated", "lines"),
    [
        pytest.param(
            "w/wsgi.py",
            " def get_input_stream(environ, max_content_length):\n     stream = environ['input']\n"
            "     content_length = get_length(environ)\n-    if content_length is None:\n"
            "+    if content_length is None and max_content_length is None:\n         return empty\n"
            "-    return Limited(stream, content_length)\n+    if max_content_length:\n"
            "+        return Limited(stream, min(content_length, max_content_length))\n"
            "+    return Limited(stream, content_length)\n",
            [4],
            id="python-content-length",
        ),
        pytest.param(
            "lib/send.js",
            " function send(body, opts) {\n-  if (body == null) return;\n"
            "+  if (body == null && !opts.empty) return;\n   write(body.length);\n }\n",
            [2],
            id="js-body",
        ),
    ],
)
def test_a_null_exit_that_now_needs_a_second_condition_is_reported(
    path: str, annotated: str, lines: list[int]
) -> None:
    assert flagged_lines(path, annotated, RULE) == lines


@pytest.mark.parametrize(
    "annotated",
    [
        pytest.param(
            " def f(x, y):\n-    if x is None:\n+    if x is None and y is None:\n         return 0\n"
            "+    if x is None:\n+        return y\n     return x + 1\n",
            id="tested-again-below",
        ),
        pytest.param(
            " def f(x, y):\n-    if x is None:\n+    if x is None or y is None:\n         return 0\n"
            "     return x + y\n",
            id="strengthened-with-or",
        ),
        pytest.param(
            " def f(x, y):\n-    if x is None:\n-        return 0\n+    if x is None and y is None:\n"
            "+        raise ValueError('need one')\n     return x + 1\n",
            id="the-exit-changed-too",
        ),
        pytest.param(
            " def f(x, y):\n-    if x is None:\n+    if x is None and y is None:\n         return 0\n"
            "+    x = x or y\n     return x + 1\n",
            id="reassigned-first",
        ),
    ],
)
def test_quiet_when_the_value_is_still_covered(annotated: str) -> None:
    assert flagged_lines("a.py", annotated, RULE) == []
