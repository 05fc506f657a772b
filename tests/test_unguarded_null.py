"""``callgraph.unguarded-null``: changed code reads through a value another unit says may be
null, reviewed by the real CLI on real git repositories."""

from __future__ import annotations

from typing import Any

from support import GitRepo

RULE = "callgraph.unguarded-null"


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
    return [f for f in result.json()["findings"] if f["rule"] == RULE]


JAVA_REGISTRY = (
    "package app;\n\n"
    "class Registry {\n"
    "  Handler lookup(String name) {\n"
    "    if (!handlers.containsKey(name)) {\n"
    "      return null;\n"
    "    }\n"
    "    return handlers.get(name);\n"
    "  }\n"
    "}\n"
)
JAVA_CALLER = (
    "package app;\n\n"
    "class Dispatcher {\n"
    "  Registry registry;\n\n"
    "  String dispatch(String name) {\n"
    "    return name;\n"
    "  }\n"
    "}\n"
)


def test_a_read_through_a_callee_result_that_can_be_null_is_reported(cli, git_repo) -> None:
    after = JAVA_CALLER.replace(
        "    return name;\n",
        "    Handler handler = registry.lookup(name);\n    return handler.describe();\n",
    )
    before = {"src/app/Registry.java": JAVA_REGISTRY, "src/app/Dispatcher.java": JAVA_CALLER}
    (finding,) = _findings(cli, git_repo, before, {"src/app/Dispatcher.java": after})
    assert finding["path"] == "src/app/Dispatcher.java" and finding["line"] == 8
    assert "`handler` holds the result of `lookup()`" in finding["message"]
    assert [(r["path"], r["line"]) for r in finding["related"]] == [("src/app/Registry.java", 6)]


def test_a_null_test_before_the_read_keeps_it_silent(cli, git_repo) -> None:
    after = JAVA_CALLER.replace(
        "    return name;\n",
        "    Handler handler = registry.lookup(name);\n"
        '    if (handler == null) {\n      return "";\n    }\n'
        "    return handler.describe();\n",
    )
    before = {"src/app/Registry.java": JAVA_REGISTRY, "src/app/Dispatcher.java": JAVA_CALLER}
    assert _findings(cli, git_repo, before, {"src/app/Dispatcher.java": after}) == []


def test_a_callee_that_never_returns_null_is_silent(cli, git_repo) -> None:
    registry = JAVA_REGISTRY.replace("return null;", "return Handler.NONE;")
    after = JAVA_CALLER.replace(
        "    return name;\n",
        "    Handler handler = registry.lookup(name);\n    return handler.describe();\n",
    )
    before = {"src/app/Registry.java": registry, "src/app/Dispatcher.java": JAVA_CALLER}
    assert _findings(cli, git_repo, before, {"src/app/Dispatcher.java": after}) == []


GO_RESPONSE = (
    "package client\n\n"
    "type Response struct {\n\tRaw *http.Response\n}\n\n"
    "func (r *Response) Status() string {\n"
    '\tif r.Raw == nil {\n\t\treturn ""\n\t}\n'
    "\treturn r.Raw.Status\n}\n\n"
    "func (r *Response) Proto() string {\n"
    '\tif r.Raw == nil {\n\t\treturn ""\n\t}\n'
    "\treturn r.Raw.Proto\n}\n"
)
GO_LOGGER = (
    "package client\n\n"
    "func logResponse(res *Response) string {\n"
    '\tout := "status " + res.Status()\n'
    "\treturn out\n}\n"
)


def test_a_read_through_a_field_the_package_tests_for_nil_is_reported(cli, git_repo) -> None:
    after = GO_LOGGER.replace(
        "\treturn out\n", '\tout += " proto " + res.Raw.Proto\n\treturn out\n'
    )
    before = {"client/response.go": GO_RESPONSE, "client/logger.go": GO_LOGGER}
    (finding,) = _findings(cli, git_repo, before, {"client/logger.go": after})
    assert finding["path"] == "client/logger.go" and finding["line"] == 5
    assert "2 other functions beside this one test `Raw` against nil" in finding["message"]


def test_a_field_the_package_mostly_reads_without_a_test_is_silent(cli, git_repo) -> None:
    readers = "".join(
        f"\nfunc (r *Response) Read{n}() string {{\n\treturn r.Raw.Header{n}\n}}\n"
        for n in range(3)
    )
    after = GO_LOGGER.replace(
        "\treturn out\n", '\tout += " proto " + res.Raw.Proto\n\treturn out\n'
    )
    before = {"client/response.go": GO_RESPONSE + readers, "client/logger.go": GO_LOGGER}
    assert _findings(cli, git_repo, before, {"client/logger.go": after}) == []


PY_STORE = (
    "def find_user(users, name):\n"
    "    for user in users:\n"
    "        if user.name == name:\n"
    "            return user\n"
    "    return None\n"
)
PY_VIEW = "from store import find_user\n\n\ndef greet(users, name):\n    return 'hello ' + name\n"


def test_python_a_direct_read_through_a_none_result_is_reported(cli, git_repo) -> None:
    after = PY_VIEW.replace("'hello ' + name", "'hello ' + find_user(users, name).display")
    before = {"store.py": PY_STORE, "view.py": PY_VIEW}
    (finding,) = _findings(cli, git_repo, before, {"view.py": after})
    assert finding["line"] == 5 and "`find_user()`" in finding["message"]


def test_python_an_or_default_keeps_it_silent(cli, git_repo) -> None:
    after = PY_VIEW.replace(
        "    return 'hello ' + name\n",
        "    user = find_user(users, name) or DEFAULT\n    return 'hello ' + user.display\n",
    )
    before = {"store.py": PY_STORE, "view.py": PY_VIEW}
    assert _findings(cli, git_repo, before, {"view.py": after}) == []


RB_BODY = (
    "class Body\n"
    "  def streaming?\n    @parts.any?\n  end\n\n"
    "  def to_stream\n    return nil unless streaming?\n    Stream.new(@parts)\n  end\n"
    "end\n"
)
RB_REQUEST = "class Request\n  def setup(body)\n    @raw.body = body.call\n  end\nend\n"


def test_a_null_returned_under_a_condition_the_caller_tested_is_silent(cli, git_repo) -> None:
    after = RB_REQUEST.replace(
        "    @raw.body = body.call\n",
        "    if body.streaming?\n      stream = body.to_stream\n      @raw.length = stream.size\n"
        "    else\n      @raw.body = body.call\n    end\n",
    )
    before = {"lib/body.rb": RB_BODY, "lib/request.rb": RB_REQUEST}
    assert _findings(cli, git_repo, before, {"lib/request.rb": after}) == []


def test_ruby_the_same_read_without_the_callers_test_is_reported(cli, git_repo) -> None:
    after = RB_REQUEST.replace(
        "    @raw.body = body.call\n",
        "    stream = body.to_stream\n    @raw.length = stream.size\n",
    )
    before = {"lib/body.rb": RB_BODY, "lib/request.rb": RB_REQUEST}
    (finding,) = _findings(cli, git_repo, before, {"lib/request.rb": after})
    assert (
        finding["line"] == 4 and "`stream` holds the result of `to_stream()`" in finding["message"]
    )


CPP_STACK = (
    "#include <stack>\n\n"
    "void Scanner::PopIndent() {\n  const Indent& indent = *m_indents.top();\n  m_indents.pop();\n}\n\n"
    "void Scanner::PopAll() {\n  while (!m_indents.empty()) {\n    PopIndent();\n  }\n}\n\n"
    "void Scanner::PopInvalid() {\n"
    "  while (!m_indents.empty() && m_indents.top()->invalid) {\n    PopIndent();\n  }\n}\n\n"
    "void Scanner::Next() {\n  if (m_keys.empty()) {\n    return;\n  }\n  Scan();\n}\n"
)


def test_a_new_call_that_skips_the_test_every_other_caller_makes_is_reported(cli, git_repo) -> None:
    after = CPP_STACK.replace(
        "  Scan();\n", "  if (m_keys.top().unverified) {\n    PopIndent();\n  }\n  Scan();\n"
    )
    (finding,) = _findings(
        cli, git_repo, {"src/scanner.cpp": CPP_STACK}, {"src/scanner.cpp": after}
    )
    assert finding["line"] == 25
    assert "all 2 of its other call sites call it only after" in finding["message"]
    assert "`m_indents`" in finding["message"]


def test_a_new_call_under_the_same_test_is_silent(cli, git_repo) -> None:
    after = CPP_STACK.replace(
        "  Scan();\n", "  if (!m_indents.empty()) {\n    PopIndent();\n  }\n  Scan();\n"
    )
    assert (
        _findings(cli, git_repo, {"src/scanner.cpp": CPP_STACK}, {"src/scanner.cpp": after}) == []
    )


CS_CONVERTER = (
    "class Converter\n{\n"
    "    object Convert(object value)\n    {\n"
    "        var text = value as string;\n"
    "        if (text != null)\n        {\n            value = Truncate(text);\n        }\n"
    "        return value;\n    }\n\n"
    "    string Truncate(string text)\n    {\n"
    "        return text.Length > Max ? text.Substring(0, Max) : text;\n    }\n\n"
    "    object Stringify(object value)\n    {\n        return value;\n    }\n"
    "}\n"
)


def test_csharp_a_new_caller_passing_an_untested_argument_is_reported(cli, git_repo) -> None:
    after = CS_CONVERTER.replace(
        "    object Stringify(object value)\n    {\n        return value;\n",
        "    object Stringify(object value)\n    {\n"
        "        var shown = value.ToString();\n        return Truncate(shown);\n",
    )
    before = {"src/Converter.cs": CS_CONVERTER}
    (finding,) = _findings(cli, git_repo, before, {"src/Converter.cs": after})
    assert finding["line"] == 21
    assert "reads through its parameter `text`" in finding["message"]
    assert "passes `shown`" in finding["message"]


GO_FLAGS = (
    'package cli\n\nimport "reflect"\n\n'
    "func (f *Flag) TypeName() string {\n"
    '\tty := reflect.TypeOf(f.Value)\n\tif ty == nil {\n\t\treturn ""\n\t}\n'
    "\treturn ty.Name()\n}\n\n"
    "func (f *Flag) IsMulti() bool {\n"
    "\tif reflect.TypeOf(f.Value) == nil {\n\t\treturn false\n\t}\n"
    "\treturn reflect.TypeOf(f.Value).Kind() == reflect.Slice\n}\n\n"
    'func (f *Flag) ItemsType() string {\n\treturn ""\n}\n'
)


def test_a_read_through_a_call_result_the_package_tests_for_nil_is_reported(cli, git_repo) -> None:
    after = GO_FLAGS.replace(
        'func (f *Flag) ItemsType() string {\n\treturn ""\n',
        "func (f *Flag) ItemsType() string {\n\tvar zero T\n\tt := reflect.TypeOf(zero)\n"
        '\tif t.Kind() == reflect.Slice {\n\t\treturn t.Elem().Name()\n\t}\n\treturn ""\n',
    )
    (finding,) = _findings(cli, git_repo, {"flags.go": GO_FLAGS}, {"flags.go": after})
    assert finding["line"] == 23
    assert "`reflect.TypeOf()`, which 2 other functions here test for null" in finding["message"]


def test_a_call_result_the_package_reads_without_a_test_is_silent(cli, git_repo) -> None:
    plain = GO_FLAGS.replace('\tif ty == nil {\n\t\treturn ""\n\t}\n', "").replace(
        "\tif reflect.TypeOf(f.Value) == nil {\n\t\treturn false\n\t}\n", ""
    )
    after = plain.replace(
        'func (f *Flag) ItemsType() string {\n\treturn ""\n',
        "func (f *Flag) ItemsType() string {\n\tvar zero T\n\tt := reflect.TypeOf(zero)\n"
        '\tif t.Kind() == reflect.Slice {\n\t\treturn t.Elem().Name()\n\t}\n\treturn ""\n',
    )
    assert _findings(cli, git_repo, {"flags.go": plain}, {"flags.go": after}) == []


def test_ruby_an_assignment_that_is_the_condition_is_a_null_test(cli, git_repo) -> None:
    body = (
        "class Sendfile\n"
        "  def accel_mapping(env)\n    return nil unless @enabled\n    env['MAPPING']\n  end\n\n"
        "  def map_path(env, path)\n    path\n  end\n"
        "end\n"
    )
    after = body.replace(
        "  def map_path(env, path)\n    path\n",
        "  def map_path(env, path)\n    if path.empty?\n      path\n    elsif mapping = accel_mapping(env)\n"
        "      return mapping.split(',').first\n    end\n    path\n",
    )
    assert _findings(cli, git_repo, {"lib/sendfile.rb": body}, {"lib/sendfile.rb": after}) == []


class _Source:
    """A lazy tag source over a few texts, counting which files the graph loads."""

    def __init__(self, texts: dict[str, str]) -> None:
        from tactful.analyzers.callgraph.tags import extract_tags

        self.texts = texts
        self.tags_by_path = {p: extract_tags("go", p, t) for p, t in texts.items()}
        self.loaded: list[str] = []

    def tags(self, path: str) -> Any:
        self.loaded.append(path)
        return self.tags_by_path.get(path)

    def defining(self, name: str) -> list[str]:
        return [
            p for p, t in self.tags_by_path.items() if any(d.name == name for d in t.definitions)
        ]

    def referencing(self, name: str) -> list[str]:
        return [
            p for p, t in self.tags_by_path.items() if any(r.name == name for r in t.references)
        ]


def test_directory_evidence_loads_that_directory_only() -> None:
    # A warm review of a large repository loads a few files; the null-test habit of one
    # directory must not pull in the whole repository's tags.
    from tactful.analyzers.callgraph.graph import CallGraph
    from tactful.analyzers.callgraph.nullable_fields import directory_sources

    texts = {
        "pkg/a.go": "package pkg\n\nfunc A() int { return 1 }\n",
        "pkg/a_test.go": "package pkg\n\nfunc TestA() {}\n",
        "other/b.go": "package other\n\nfunc B() int { return 2 }\n",
    }
    source = _Source(texts)
    graph = CallGraph()
    graph.attach(source, {"pkg/a.go": "pkg", "pkg/a_test.go": "pkg", "other/b.go": "other"})
    found = list(directory_sources(graph, texts.get, "pkg", "go"))
    assert [path for path, _, _ in found] == ["pkg/a.go"]
    assert "other/b.go" not in source.loaded
