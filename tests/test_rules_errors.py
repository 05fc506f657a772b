"""Swallowed errors added by a change: dropped promise rejections, handlers that answer every
failure with a default where the old code propagated, and discarded Rust results."""

from __future__ import annotations

import pytest
from rules_support import fixed, flagged_lines

POSITIVE = [
    pytest.param(
        "web/a.ts",
        " async function load(url: string) {\n+  try {\n     return await fetchJson(url);\n+  } catch (e) {\n+    return null;\n+  }\n }\n",
        "js.error-to-default",
        [4],
        None,
        id="js.error-to-default",
    ),
    pytest.param(
        "web/a.js",
        " function f(p) {\n+  return p.catch(() => {});\n }\n",
        "js.swallowed-promise",
        [2],
        None,
        id="js.swallowed-promise",
    ),
    pytest.param(
        "web/a.ts",
        " async function f(p) {\n+  await load().catch(() => null);\n }\n",
        "js.swallowed-promise",
        [2],
        None,
        id="js.swallowed-promise-null",
    ),
    pytest.param(
        "A.java",
        " class A {\n   int size(Path p) {\n+    try {\n       return read(p).length;\n+    } catch (IOException e) {\n+      return -1;\n+    }\n   }\n }\n",
        "java.error-to-default",
        [5],
        None,
        id="java.error-to-default",
    ),
    pytest.param(
        "svc/a.py",
        " def load(path):\n+    try:\n-    return parse(path)\n+        return parse(path)\n+    except Exception:\n+        return None\n",
        "py.error-to-default",
        [4],
        None,
        id="py.error-to-default",
    ),
    pytest.param(
        "A.cs",
        " class A {\n   string Read(string p) {\n+    try {\n       return File.ReadAllText(p);\n+    } catch (IOException) {\n+      return null;\n+    }\n   }\n }\n",
        "csharp.error-to-default",
        [5],
        None,
        id="csharp.error-to-default",
    ),
    pytest.param(
        "src/lib.rs",
        " fn f(tx: &Sender<u8>) -> Result<()> {\n-    fs::remove_file(&path)?;\n+    let _ = fs::remove_file(&path);\n     Ok(())\n }\n",
        "rust.discarded-result",
        [2],
        None,
        id="rust.let-discard-was-checked",
    ),
    pytest.param(
        "src/lib.rs",
        " fn f() {\n+    fs::remove_file(&path).ok();\n }\n",
        "rust.discarded-result",
        [2],
        None,
        id="rust.ok-discard",
    ),
    pytest.param(
        "a.py",
        " def send(s, d):\n     try:\n         s.sendall(d)\n     except OSError:\n-        raise\n+        pass\n",
        "generic.error-swallowed-by-change",
        [4],
        None,
        id="generic.error-swallowed-by-change",
    ),
    pytest.param(
        "p/s.go",
        " package p\n func f(r *R) error {\n-\tif err := r.rows.Close(); err != nil {\n-\t\treturn err\n-\t}\n+\t_ = r.rows.Close()\n \treturn nil\n }\n",
        "generic.result-unchecked",
        [3],
        None,
        id="generic.result-unchecked",
    ),
    pytest.param(
        "src/U.php",
        ' <?php\n function f($ch) {\n     if (curl_errno($ch)) {\n-        throw new \\RuntimeException("curl failed");\n+        return false;\n     }\n }\n',
        "generic.throw-to-default",
        [4],
        None,
        id="generic.throw-to-default",
    ),
    pytest.param(
        "lib/db.js",
        " function q(c, sql, resolve, reject) {\n   c.query(sql, function (err, rows) {\n-    if (err) return reject(err);\n     resolve(rows);\n   });\n }\n",
        "js.callback-error-ignored",
        [2],
        None,
        id="js.callback-error-ignored",
    ),
]


@pytest.mark.parametrize(("path", "annotated", "rule", "lines", "after_fix"), POSITIVE)
def test_swallowed_error_is_flagged(
    path: str, annotated: str, rule: str, lines: list[int], after_fix: str | None
) -> None:
    assert flagged_lines(path, annotated, rule) == lines
    assert fixed(path, annotated, rule) == after_fix


NEGATIVE = [
    pytest.param(
        "a.js",
        " function f(p) {\n+  return p.catch((err) => log.warn(err));\n }\n",
        "js.swallowed-promise",
        id="logged",
    ),
    pytest.param(
        "a.js",
        " function f(p) {\n+  return p.catch(() => { /* offline is fine */ });\n }\n",
        "js.swallowed-promise",
        id="commented",
    ),
    pytest.param(
        "a.js",
        " function f(p) {\n+  return p.catch(handleError);\n }\n",
        "js.swallowed-promise",
        id="named-handler",
    ),
    pytest.param(
        "A.java",
        " class A {\n   int size(Path p) {\n     try {\n       return read(p).length;\n-    } catch (NoSuchFileException e) {\n+    } catch (IOException e) {\n       return -1;\n     }\n   }\n }\n",
        "java.error-to-default",
        id="old-code-already-caught",
    ),
    pytest.param(
        "A.java",
        " class A {\n+  int size(Path p) {\n+    try {\n+      return read(p).length;\n+    } catch (IOException e) {\n+      return -1;\n+    }\n+  }\n }\n",
        "java.error-to-default",
        id="new-function",
    ),
    pytest.param(
        "A.java",
        ' class A {\n   int size(Path p) {\n+    try {\n       return read(p).length;\n+    } catch (IOException e) {\n+      log.warn("size", e);\n+      return -1;\n+    }\n   }\n }\n',
        "java.error-to-default",
        id="logged-before-default",
    ),
    pytest.param(
        "a.py",
        " def get(d, k):\n+    try:\n-    return d[k]\n+        return d[k]\n+    except KeyError:\n+        return None\n",
        "py.error-to-default",
        id="narrow-lookup-idiom",
    ),
    pytest.param(
        "src/lib.rs",
        " fn f(tx: &Sender<u8>) {\n+    let _ = tx.send(1);\n }\n",
        "rust.discarded-result",
        id="deliberate-let-underscore",
    ),
    pytest.param(
        "src/lib.rs",
        " fn f() -> Option<u8> {\n+    g().ok()\n }\n",
        "rust.discarded-result",
        id="ok-as-value",
    ),
]


@pytest.mark.parametrize(("path", "annotated", "rule"), NEGATIVE)
def test_deliberate_or_old_handling_stays_quiet(path: str, annotated: str, rule: str) -> None:
    assert flagged_lines(path, annotated, rule) == []


def test_a_catch_emptied_by_deleting_its_body_is_flagged_on_its_header() -> None:
    annotated = (
        " function f(cb) {\n   try {\n     go();\n   } catch (err) {\n-    cb(err);\n   }\n }\n"
    )
    assert flagged_lines("a.js", annotated, "js.empty-catch") == [4]


def test_a_chained_catch_is_flagged_on_the_line_that_adds_it() -> None:
    annotated = " function f(p) {\n   return p\n     .then(use)\n-    .catch((err) => report(err))\n+    .catch(() => {})\n }\n"
    assert flagged_lines("a.js", annotated, "js.swallowed-promise") == [4]


STOPPED_PROPAGATING = [
    pytest.param(
        "a.py",
        " def send(sock, data):\n     try:\n         sock.sendall(data)\n-    except OSError as e:\n-        raise ConnectionError(e)\n"
        "+    except OSError:\n+        pass\n",
        [4],
        id="py-raise-to-pass",
    ),
    pytest.param(
        "a.js",
        " function row(msg) {\n   try {\n     parse(msg)\n   } catch (err) {\n-    this.failed = err\n-    return\n"
        "+    // ignore rows we cannot parse\n   }\n }\n",
        [4],
        id="js-error-no-longer-recorded",
    ),
    pytest.param(
        "a.rb",
        ' def load(s)\n   begin\n     parse(s)\n   rescue ParseError => e\n-    raise InvalidFile, "bad: #{e}"\n+    nil\n   end\n end\n',
        [4],
        id="rb-raise-to-nil",
    ),
    pytest.param(
        "A.java",
        " class A { Object m(String s) {\n   try { return parse(s); }\n   catch (Exception ex) {\n"
        "-    throw new IllegalArgumentException(s, ex);\n+    return null;\n   }\n } }\n",
        [3],
        id="java-throw-to-null",
    ),
    # knex: the missing-driver handler logged and threw; now it only logs
    pytest.param(
        "lib/client.js",
        " function init() {\n   try {\n     this.driver = load()\n   } catch (e) {\n"
        "     this.logger.error(e.message)\n-    throw new Error(message)\n   }\n }\n",
        [4],
        id="js-log-and-throw-to-log-only",
    ),
]


@pytest.mark.parametrize(("path", "annotated", "lines"), STOPPED_PROPAGATING)
def test_a_handler_that_stopped_propagating_is_flagged(
    path: str, annotated: str, lines: list[int]
) -> None:
    assert flagged_lines(path, annotated, "generic.error-swallowed-by-change") == lines


@pytest.mark.parametrize(
    ("path", "annotated"),
    [
        # Now logs instead of raising.
        (
            "a.py",
            ' def f():\n     try:\n         g()\n     except OSError as e:\n-        raise\n+        log.warning("g failed: %s", e)\n',
        ),
        # Raises something else.
        (
            "a.py",
            " def f():\n     try:\n         g()\n     except OSError as e:\n-        raise X(e)\n+        raise Y(e) from e\n",
        ),
        # Still hands the error to the caller's callback.
        (
            "a.js",
            " function f(cb) {\n   try { g() } catch (err) {\n-    throw err\n+    cb(err)\n   }\n }\n",
        ),
        # The handler was already quiet; the change only reworded it.
        (
            "a.py",
            " def f():\n     try:\n         g()\n     except KeyError:\n-        x = 1\n+        x = 2\n",
        ),
    ],
    ids=["logs", "raises-other", "callback", "never-propagated"],
)
def test_a_handler_that_still_handles_its_error_stays_quiet(path: str, annotated: str) -> None:
    assert flagged_lines(path, annotated, "generic.error-swallowed-by-change") == []


@pytest.mark.parametrize(
    ("path", "annotated", "rule", "lines"),
    [
        pytest.param(
            "src/e.cpp",
            " void E::alias(A a) {\n-  if (!Utils::WriteAlias(m_stream, a.content)) {\n-    SetError(1);\n-  }\n"
            "+  Utils::WriteAlias(m_stream, a.content);\n }\n",
            "generic.result-unchecked",
            [2],
            id="cpp-if-not",
        ),
        pytest.param(
            "src/H.php",
            " <?php\n class H {\n  function w() {\n-    if (!fopen($this->path, 'a')) {\n"
            "-      throw new \\LogicException('cannot open');\n-    }\n"
            "+    fopen($this->path, 'a');\n  }\n }\n",
            "generic.result-unchecked",
            [4],
            id="php-can-fail",
        ),
        pytest.param(
            "src/lib.rs",
            " fn f(d: &D) -> Result<()> {\n-    let n = util::device_num(d.path())\n-        .map_err(|e| E::from(e))?;\n"
            "+    let n = util::device_num(d.path()).unwrap_or(0);\n     Ok(())\n }\n",
            "generic.result-unchecked",
            [2],
            id="rust-try-to-default",
        ),
        pytest.param(
            "a.py",
            " def f(x):\n     if x < 0:\n-        raise ValueError(x)\n+        return None\n     return x\n",
            "generic.throw-to-default",
            [3],
            id="py-raise-to-none",
        ),
    ],
)
def test_an_error_check_turned_into_nothing_is_flagged(
    path: str, annotated: str, rule: str, lines: list[int]
) -> None:
    assert flagged_lines(path, annotated, rule) == lines


@pytest.mark.parametrize(
    ("path", "annotated", "rule"),
    [
        # PHP 8.2 declares openlog() as returning true: the dropped check tested nothing.
        pytest.param(
            "src/SyslogHandler.php",
            " <?php\n class H {\n  function w() {\n-    if (!openlog($this->ident, $this->opts, $this->fac)) {\n"
            "-      throw new \\LogicException('cannot open syslog');\n-    }\n"
            "+    openlog($this->ident, $this->opts, $this->fac);\n  }\n }\n",
            "generic.result-unchecked",
            id="php-always-true",
        ),
        # The old code only called it too.
        pytest.param(
            "p/s.go",
            " package p\n func f(r *R) {\n-\tr.rows.Close()\n+\t_ = r.rows.Close()\n }\n",
            "generic.result-unchecked",
            id="never-checked",
        ),
        # Called under a condition is not its result tested.
        pytest.param(
            "a.py",
            " def f(specs, spec):\n-    if spec: specs.append(spec)\n+    specs.append(spec)\n",
            "generic.result-unchecked",
            id="conditional-call",
        ),
        # Still checked, differently.
        pytest.param(
            "p/s.go",
            " package p\n func f(r *R) error {\n-\tif err := r.Close(); err != nil {\n+\tif err := r.Close(); err != nil && !closed {\n \t\treturn err\n \t}\n }\n",
            "generic.result-unchecked",
            id="still-checked",
        ),
        # The raise moved; the return is new behaviour next to it.
        pytest.param(
            "a.py",
            " def f(x):\n-    if x < 0: raise ValueError(x)\n+    if x is None:\n+        return None\n+    if x < 0:\n+        raise ValueError(x)\n",
            "generic.throw-to-default",
            id="raise-kept",
        ),
    ],
)
def test_an_error_check_kept_or_never_there_stays_quiet(
    path: str, annotated: str, rule: str
) -> None:
    assert flagged_lines(path, annotated, rule) == []


@pytest.mark.parametrize(
    ("annotated", "lines"),
    [
        (
            " function f(c, ok, fail) {\n-  c.connect((err) => {\n-    if (err) return fail(err);\n+  c.connect(() => {\n     ok(c);\n   });\n }\n",
            [2],
        ),
        # Still checked: quiet.
        (
            " function f(c, ok, fail) {\n   c.connect((err) => {\n-    if (err) return fail(err);\n+    if (err) { log(err); return fail(err); }\n     ok(c);\n   });\n }\n",
            [],
        ),
        # A callback whose first parameter is not an error: quiet.
        (
            " function f(xs) {\n   xs.forEach((x) => {\n-    if (x) use(x);\n+    use(1);\n   });\n }\n",
            [],
        ),
    ],
    ids=["error-parameter-dropped", "still-checked", "not-error-first"],
)
def test_error_first_callbacks(annotated: str, lines: list[int]) -> None:
    assert flagged_lines("lib/c.js", annotated, "js.callback-error-ignored") == lines
