"""C/C++ shell injection: a command built from variable text and run by system()/popen()."""

from __future__ import annotations

import pytest
from rules_support import flagged_lines

RULE = "c.shell-injection"


@pytest.mark.parametrize(
    ("path", "annotated", "lines"),
    [
        pytest.param(
            "src/ini.c",
            " FILE *open_ini(const char *name) {\n+    char command[512];\n"
            "+    snprintf(command, sizeof(command), \"gzip -dc '%s'\", name);\n"
            '+    return popen(command, "r");\n }\n',
            [3],
            id="c-snprintf-then-popen",
        ),
        pytest.param(
            "src/clean.c",
            " int clean(const char *dir) {\n     char cmd[256];\n"
            '     strcpy(cmd, "rm -rf ");\n     strcat(cmd, dir);\n+    return system(cmd);\n }\n',
            [5],
            id="c-strcat-then-new-system",
        ),
        pytest.param(
            "src/parse.cpp",
            " Node LoadFile(const std::string& filename) {\n"
            '+  std::string command = "gunzip -kf " + filename;\n'
            "+  if (std::system(command.c_str()) != 0) throw BadFile(filename);\n"
            "   return Load(filename);\n }\n",
            [2],
            id="cpp-string-plus-then-system",
        ),
        pytest.param(
            "src/run.cpp",
            ' void run(const std::string& dir) {\n+    system(("ls " + dir).c_str());\n }\n',
            [2],
            id="cpp-inline-concatenation",
        ),
    ],
)
def test_a_shell_command_built_from_variable_text_is_flagged(
    path: str, annotated: str, lines: list[int]
) -> None:
    assert flagged_lines(path, annotated, RULE) == lines


@pytest.mark.parametrize(
    ("path", "annotated"),
    [
        pytest.param(
            "src/a.c",
            ' int reset(void) {\n+    return system("stty sane");\n }\n',
            id="c-literal-command",
        ),
        pytest.param(
            "src/a.c",
            " int show(const char *name) {\n     char cmd[256];\n"
            '+    snprintf(cmd, sizeof cmd, "ls %s", shell_quote(name));\n     return system(cmd);\n }\n',
            id="c-quoted-piece",
        ),
        pytest.param(
            "src/a.c",
            " int count(int n) {\n     char cmd[64];\n"
            '+    snprintf(cmd, sizeof cmd, "seq %d", n);\n     return system(cmd);\n }\n',
            id="c-number-only",
        ),
        pytest.param(
            "src/a.cpp",
            ' int f(const std::string& dir) {\n     std::string cmd = "ls " + dir;\n'
            "+    int unused = 0;\n     return std::system(cmd.c_str());\n }\n",
            id="cpp-old-build-and-old-call",
        ),
        pytest.param(
            "src/a.cpp",
            ' int f(const char *p) {\n+    FILE *f = fopen(p, "r");\n     return f != 0;\n }\n',
            id="cpp-no-shell",
        ),
    ],
)
def test_literal_quoted_or_untouched_commands_stay_quiet(path: str, annotated: str) -> None:
    assert flagged_lines(path, annotated, RULE) == []
