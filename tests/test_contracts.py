"""Caller contracts a change broke (a removed raise callers catch, a changed return shape),
reviewed by the real CLI on real git repositories."""

from __future__ import annotations

from typing import Any

import pytest
from support import GitRepo

RAISE = "callgraph.removed-raise"
SHAPE = "callgraph.return-shape"


def _findings(
    cli, repo: GitRepo, before: dict[str, str], after: dict[str, str]
) -> list[dict[str, Any]]:
    for path, text in before.items():
        repo.write(path, text)
    repo.commit("base")
    for path, text in after.items():
        repo.write(path, text)
    result = cli("review", "--format", "json", "--all", "--no-llm", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    return [f for f in result.json()["findings"] if f["rule"] in (RAISE, SHAPE)]


PY_STORE = (
    "class NotFound(Exception):\n    pass\n\n\n"
    "def lookup(table, key):\n"
    "    if key not in table:\n"
    "        raise NotFound(key)\n"
    "    return table[key]\n"
)
PY_CALLER = (
    "from store import NotFound, lookup\n\n\n"
    "def describe(table, key):\n"
    "    try:\n"
    "        return lookup(table, key)\n"
    "    except NotFound:\n"
    "        return 'missing'\n"
)
PY_TEST = (
    "import pytest\nfrom store import NotFound, lookup\n\n\n"
    "def test_missing():\n"
    "    with pytest.raises(NotFound):\n"
    "        lookup({}, 'a')\n"
)


def test_a_removed_raise_that_callers_catch_is_reported_with_each_caller(cli, git_repo) -> None:
    after = {
        "store.py": PY_STORE.replace("    if key not in table:\n        raise NotFound(key)\n", "")
    }
    before = {"store.py": PY_STORE, "app.py": PY_CALLER, "tests/test_store.py": PY_TEST}
    (finding,) = _findings(cli, git_repo, before, after)
    assert finding["rule"] == RAISE and finding["path"] == "store.py"
    assert "no longer raises NotFound" in finding["message"]
    assert [(r["path"], r["line"]) for r in finding["related"]] == [
        ("app.py", 6),
        ("tests/test_store.py", 7),
    ]


def test_a_raise_moved_into_a_helper_the_function_calls_is_silent(cli, git_repo) -> None:
    moved = (
        PY_STORE.replace(
            "    if key not in table:\n        raise NotFound(key)\n", "    _check(table, key)\n"
        )
        + "\n\ndef _check(table, key):\n    if key not in table:\n        raise NotFound(key)\n"
    )
    before = {"store.py": PY_STORE, "app.py": PY_CALLER}
    assert _findings(cli, git_repo, before, {"store.py": moved}) == []


def test_a_removed_raise_nobody_catches_is_silent(cli, git_repo) -> None:
    caller = (
        "from store import lookup\n\n\ndef describe(table, key):\n    return lookup(table, key)\n"
    )
    after = {
        "store.py": PY_STORE.replace("    if key not in table:\n        raise NotFound(key)\n", "")
    }
    assert _findings(cli, git_repo, {"store.py": PY_STORE, "app.py": caller}, after) == []


JAVA_PARSER = (
    "package org.example.units;\n\n"
    "public class Units {\n"
    "    public static int parse(String text) throws UnitException {\n"
    "        if (text.isEmpty()) {\n"
    '            throw new UnitException("empty");\n'
    "        }\n"
    "        return Integer.parseInt(text);\n"
    "    }\n"
    "}\n"
)
JAVA_TEST = (
    "package org.example.units;\n\n"
    "public class UnitsTest {\n"
    "    public void empty() {\n"
    '        assertThrows(UnitException.class, () -> Units.parse(""));\n'
    "    }\n"
    "}\n"
)


def test_java_a_removed_throw_that_a_test_expects(cli, git_repo) -> None:
    after = JAVA_PARSER.replace(
        '        if (text.isEmpty()) {\n            throw new UnitException("empty");\n        }\n',
        "",
    )
    before = {
        "src/org/example/units/Units.java": JAVA_PARSER,
        "test/org/example/units/UnitsTest.java": JAVA_TEST,
    }
    (finding,) = _findings(cli, git_repo, before, {"src/org/example/units/Units.java": after})
    assert finding["rule"] == RAISE
    assert [r["path"] for r in finding["related"]] == ["test/org/example/units/UnitsTest.java"]


PY_SPLIT = (
    "def split_host(address):\n"
    "    host, _, port = address.partition(':')\n"
    "    return host, int(port or 80)\n"
)
PY_USER = (
    "from net import split_host\n\n\n"
    "def connect(address):\n"
    "    host, port = split_host(address)\n"
    "    return (host, port)\n"
)


@pytest.mark.parametrize(
    ("new_return", "expected"),
    [
        pytest.param("    return host\n", "a single value", id="tuple-to-single"),
        pytest.param("    return None\n", "nothing", id="tuple-to-nothing"),
    ],
)
def test_python_return_shape_change_the_unpacking_callers_did_not_follow(
    cli, git_repo, new_return: str, expected: str
) -> None:
    after = {"net.py": PY_SPLIT.replace("    return host, int(port or 80)\n", new_return)}
    (finding,) = _findings(cli, git_repo, {"net.py": PY_SPLIT, "app.py": PY_USER}, after)
    assert finding["rule"] == SHAPE and finding["line"] == 3
    assert f"used to return a tuple of 2; this return gives {expected}" in finding["message"]
    assert [(r["path"], r["line"]) for r in finding["related"]] == [("app.py", 5)]


def test_a_return_shape_change_whose_callers_were_updated_is_silent(cli, git_repo) -> None:
    after = {
        "net.py": PY_SPLIT.replace("    return host, int(port or 80)\n", "    return host\n"),
        "app.py": PY_USER.replace(
            "host, port = split_host(address)", "host, port = split_host(address), 80"
        ),
    }
    assert _findings(cli, git_repo, {"net.py": PY_SPLIT, "app.py": PY_USER}, after) == []


JS_TYPES = (
    "function typeFor(value) {\n"
    "  if (typeof value === 'string') {\n"
    "    return [value, 'text'];\n"
    "  }\n"
    "  return [String(value), 'number'];\n"
    "}\n\n"
    "function bind(value) {\n"
    "  const [bound, kind] = typeFor(value);\n"
    "  return bound + kind;\n"
    "}\n\n"
    "module.exports = { typeFor, bind };\n"
)


def test_javascript_destructuring_caller_of_a_path_that_now_returns_one_value(
    cli, git_repo
) -> None:
    after = JS_TYPES.replace("    return [value, 'text'];", "    return value;")
    (finding,) = _findings(cli, git_repo, {"types.js": JS_TYPES}, {"types.js": after})
    assert finding["rule"] == SHAPE and finding["line"] == 3
    assert [r["line"] for r in finding["related"]] == [9]


def test_javascript_a_path_that_keeps_its_pair_is_silent(cli, git_repo) -> None:
    # The `return` keyword is a child of the return statement: it is not a bare `return;`.
    after = JS_TYPES.replace(
        "    return [value, 'text'];", "    const text = 'text';\n    return [value, text];"
    )
    assert _findings(cli, git_repo, {"types.js": JS_TYPES}, {"types.js": after}) == []
