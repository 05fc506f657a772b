"""c.error-path-leak: a failure return added after an allocation the function otherwise frees or returns.

The first case is the shape of a real regression (cJSON d441fa0, fixed by 2a3a313): print_value
started returning a boolean and the new failure branch returned NULL with the buffer still held.
"""

from __future__ import annotations

import pytest
from rules_support import flagged_lines

RULE = "c.error-path-leak"

HEAD = (
    " char *print_buffered(const item *it, int prebuffer)\n {\n     printbuffer p;\n"
    "     p.buffer = (unsigned char*)hooks.allocate((size_t)prebuffer);\n"
    "     if (!p.buffer)\n     {\n         return NULL;\n     }\n"
)


def test_a_new_failure_return_that_keeps_the_buffer_leaks_it() -> None:
    annotated = HEAD + (
        "-    return (char*)print_value(it, &p);\n+    if (!print_value(it, &p))\n+    {\n"
        "+        return NULL;\n+    }\n+\n+    return (char*)p.buffer;\n }\n"
    )
    assert flagged_lines("src/print.c", annotated, RULE) == [9]


def test_an_error_code_return_that_skips_the_free_leaks_it() -> None:
    annotated = (
        " int parse(reader r)\n {\n     int error = 0;\n     char *line = malloc(64);\n"
        "     if (!line)\n         return -2;\n     while (r(line)) {\n         error = handle(line);\n"
        "+        if (error)\n+            return error;\n     }\n     free(line);\n     return error;\n }\n"
    )
    assert flagged_lines("src/parse.c", annotated, RULE) == [9]


@pytest.mark.parametrize(
    "annotated",
    [
        pytest.param(
            HEAD + "+    if (!print_value(it, &p))\n+    {\n+        hooks.deallocate(p.buffer);\n"
            "+        return NULL;\n+    }\n     return (char*)p.buffer;\n }\n",
            id="freed-before-the-return",
        ),
        pytest.param(
            " char *copy(const char *s, size_t n)\n {\n+    if (n > LIMIT)\n+        return NULL;\n"
            "     char *out = malloc(n + 1);\n     if (!out)\n         return NULL;\n"
            "     memcpy(out, s, n);\n     return out;\n }\n",
            id="return-before-the-allocation",
        ),
        pytest.param(
            " char *copy(const char *s, size_t n)\n {\n     char *out = malloc(n + 1);\n"
            "+    if (out == NULL)\n+        return NULL;\n     memcpy(out, s, n);\n     return out;\n }\n",
            id="the-allocations-own-check",
        ),
        pytest.param(
            " void fill(table *t, size_t n)\n {\n     t->rows = calloc(n, sizeof(row));\n"
            "+    if (n > t->limit)\n+        return;\n     init_rows(t->rows, n);\n }\n",
            id="owned-elsewhere-and-no-failure-value",
        ),
        pytest.param(
            " int open_all(ctx *c)\n {\n     char *buf = malloc(64);\n"
            "+    if (setup(c) < 0)\n+        goto fail;\n     use(buf);\n     free(buf);\n     return 0;\n"
            " fail:\n     free(buf);\n     return -1;\n }\n",
            id="goto-cleanup",
        ),
        pytest.param(
            " PyObject *make(PyTypeObject *type, PyObject *args)\n {\n"
            "     Self *self = (Self*) type->tp_alloc(type, 0);\n     if (!parse(args))\n"
            "-        return NULL;\n+        return nullptr;\n     return (PyObject*) self;\n }\n",
            id="null-spelt-nullptr-in-an-old-branch",
        ),
        pytest.param(
            " int keep(ctx *c)\n {\n     char *buf = malloc(64);\n     c->buf = buf;\n"
            "+    if (setup(c) < 0)\n+        return -1;\n     free(buf);\n     return 0;\n }\n",
            id="handed-to-another-owner-first",
        ),
    ],
)
def test_quiet_when_the_path_does_not_leak(annotated: str) -> None:
    assert flagged_lines("src/lib.c", annotated, RULE) == []


def test_the_same_branch_in_another_function_does_not_hide_a_new_one() -> None:
    other = (
        " char *other(const char *s)\n {\n     if (!parse(s))\n         return NULL;\n"
        "     return strdup(s);\n }\n"
    )
    annotated = other + (
        " char *copy(const char *s, size_t n)\n {\n     char *out = malloc(n + 1);\n"
        "     if (!out)\n         return NULL;\n+    if (!parse(s))\n+        return NULL;\n"
        "     memcpy(out, s, n);\n     return out;\n }\n"
    )
    assert flagged_lines("src/lib.c", annotated, RULE) == [12]


def test_tests_are_left_alone() -> None:
    annotated = (
        HEAD
        + "+    if (!print_value(it, &p))\n+        return NULL;\n     return (char*)p.buffer;\n }\n"
    )
    assert flagged_lines("tests/test_print.c", annotated, RULE) == []
