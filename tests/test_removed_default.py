"""generic.removed-guard on a deleted fallback: ``if not x: x = d`` / ``x = d if x.empty?``.

The Ruby case is the shape of sinatra fa99a214 ("PATH_INFO can never be empty", reverted in
92e2fbb9: an app mounted under a prefix got an empty PATH_INFO and answered 404).
"""

from __future__ import annotations

import pytest
from rules_support import flagged_lines

RULE = "generic.removed-guard"


@pytest.mark.parametrize(
    ("path", "annotated", "lines"),
    [
        pytest.param(
            "lib/base.rb",
            " class A\n   def process_route(pattern)\n     route = @request.path_info\n"
            "-    route = '/' if route.empty? && !settings.empty_path_info?\n"
            "     params = pattern.params(route)\n     params\n   end\n end\n",
            [4],
            id="ruby-modifier",
        ),
        pytest.param(
            "app/base.py",
            " def process(self, pattern):\n     route = self.request.path_info\n"
            "-    if not route:\n-        route = '/'\n     return pattern.params(route)\n",
            [3],
            id="python-if",
        ),
        pytest.param(
            "lib/opts.js",
            " function connect(opts) {\n   let host = opts.host;\n-  if (!host) {\n-    host = 'localhost';\n-  }\n"
            "   return dial(host, opts.port);\n }\n",
            [3],
            id="js-block",
        ),
    ],
)
def test_a_deleted_fallback_for_a_value_still_used_is_reported(
    path: str, annotated: str, lines: list[int]
) -> None:
    assert flagged_lines(path, annotated, RULE) == lines


@pytest.mark.parametrize(
    "annotated",
    [
        pytest.param(
            " def process(self, pattern):\n     route = self.request.path_info\n"
            "-    if not route:\n-        route = '/'\n+    route = route or '/'\n     return pattern.params(route)\n",
            id="replaced-by-or",
        ),
        pytest.param(
            " def process(self, pattern):\n     route = self.request.path_info\n"
            "-    if not route:\n-        route = '/'\n     return pattern.params(self.request.path)\n",
            id="no-longer-used",
        ),
        pytest.param(
            "-def process(self, route=None):\n+def process(self, route='/'):\n"
            "-    if route is None:\n-        route = '/'\n     return route.upper()\n",
            id="moved-into-the-parameter-default",
        ),
        pytest.param(
            " def process(self, pattern):\n     route = self.request.path_info\n"
            "-    if not route:\n-        route = '/'\n+    if not route:\n+        raise ValueError('empty path')\n"
            "     return pattern.params(route)\n",
            id="now-refused",
        ),
        pytest.param(
            " def process(self, pattern):\n     route = self.request.path_info\n"
            "-    if not route:\n-        route = '/'\n+    if not route:\n+        return self.index()\n"
            "     return pattern.params(route)\n",
            id="tested-again-before-the-use",
        ),
        pytest.param(
            "-def process(self, pattern):\n-    route = self.request.path_info\n"
            "-    if not route:\n-        route = '/'\n-    return pattern.params(route)\n",
            id="function-deleted",
        ),
    ],
)
def test_quiet_when_the_fallback_moved_or_the_value_is_gone(annotated: str) -> None:
    assert flagged_lines("app/base.py", annotated, RULE) == []
