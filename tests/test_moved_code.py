"""Code a change only moves or re-indents is not new: rules about a line's own text stay quiet there."""

from __future__ import annotations

from support import GitRepo


def _rules(cli, repo: GitRepo) -> list[str]:
    result = cli("review", "--format", "json", "--all", "--no-llm", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    return [f["rule"] for f in result.json()["findings"]]


def test_dedented_definition_keeps_its_old_defaults_quiet_but_new_lines_are_reviewed(
    cli, git_repo: GitRepo
) -> None:
    git_repo.write(
        "m.py",
        "import sys\nif sys.version_info < (3,):\n    def f(a, b={}):\n        return b.get(a)\n",
    )
    git_repo.commit("py2 branch")
    git_repo.write("m.py", "import sys\n\n\ndef f(a, b={}):\n    return b.get(a)\n")
    assert _rules(cli, git_repo) == []
    git_repo.write(
        "m.py", "import sys\n\n\ndef f(a, b={}, c=[]):\n    print(a)\n    return b.get(a)\n"
    )
    assert {"py.debug-print", "py.mutable-default"} <= set(_rules(cli, git_repo))


def test_doc_comment_reflowed_by_a_formatter_is_not_commented_out_code(
    cli, git_repo: GitRepo
) -> None:
    old = "package q\n\n// Quote quotes a name:\n//\n//    err := db.Exec(Quote(name))\n//    if err != nil { return err }\nfunc Quote(s string) string { return s }\n"
    git_repo.write("q.go", old)
    git_repo.commit("old gofmt")
    git_repo.write("q.go", old.replace("//    ", "//\t"))
    assert _rules(cli, git_repo) == []


def test_a_minified_file_is_skipped_with_a_reason(cli, git_repo: GitRepo) -> None:
    git_repo.write("app.js", "function f(a) { return a; }\n")
    git_repo.commit("base")
    bundle = ";".join(f"console.log({n})" for n in range(2000))
    git_repo.write("app.js", f"function f(a) {{ return a; }}\n{bundle}\n")
    result = cli("review", "--format", "json", "--all", "--no-llm", cwd=git_repo.root)
    assert result.returncode == 0, result.stderr
    data = result.json()
    assert data["findings"] == []
    (skipped,) = data["coverage"]["skipped"]
    assert skipped["reason"] == "minified" and "characters" in skipped["detail"]
