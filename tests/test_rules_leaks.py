"""Resource leaks: handles acquired in changed code with no release, locks never released, and
releases the change deleted while the acquire stays."""

from __future__ import annotations

import pytest
from rules_support import findings, flagged_lines

POSITIVE = [
    pytest.param(
        "src/buf.c",
        " char *dup(const char *s, size_t n)\n {\n     char *out = malloc(n + 1);\n     if (!out)\n"
        "         return NULL;\n+    if (!copy_into(out, s, n))\n+        return NULL;\n     return out;\n }\n",
        "c.error-path-leak",
        [6],
        None,
        id="c-failure-return-after-malloc",
    ),
    pytest.param(
        "app/io.py",
        " def load(path):\n+    f = open(path)\n+    return json.load(f)\n",
        "generic.resource-leak",
        [2],
        None,
        id="py-open",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func load(p string) ([]byte, error) {\n+\tf, err := os.Open(p)\n \tif err != nil {\n \t\treturn nil, err\n \t}\n \treturn io.ReadAll(f)\n }\n",
        "generic.resource-leak",
        [3],
        None,
        id="go-os-open",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func get(u string) error {\n+\tresp, err := http.Get(u)\n \tif err != nil {\n \t\treturn err\n \t}\n \treturn check(resp.StatusCode)\n }\n",
        "generic.resource-leak",
        [3],
        None,
        id="go-http-get",
    ),
    pytest.param(
        "A.java",
        " class A { String first(String p) throws IOException {\n+    BufferedReader r = new BufferedReader(new FileReader(p));\n+    FileReader fr = new FileReader(p);\n     return r.readLine(); } }\n",
        "generic.resource-leak",
        [2, 3],
        None,
        id="java-file-reader",
    ),
    pytest.param(
        "A.cs",
        " class A { string First(string p) {\n+    var r = new StreamReader(p);\n     return r.ReadLine(); } }\n",
        "generic.resource-leak",
        [2],
        None,
        id="csharp-stream-reader",
    ),
    pytest.param(
        "a.c",
        ' int first(const char *p) {\n+  FILE *f = fopen(p, "r");\n   if (!f) return -1;\n   return fgetc(f);\n }\n',
        "generic.resource-leak",
        [2],
        None,
        id="c-fopen",
    ),
    pytest.param(
        "a.rb",
        " def first(p)\n+  f = File.open(p)\n   f.readline\n end\n",
        "generic.resource-leak",
        [2],
        None,
        id="ruby-file-open",
    ),
    pytest.param(
        "a.php",
        " <?php\n function first($p) {\n+    $f = fopen($p, 'r');\n     return fgets($f);\n }\n",
        "generic.resource-leak",
        [3],
        None,
        id="php-fopen",
    ),
    pytest.param(
        "a.js",
        " function first(p) {\n+  const fd = fs.openSync(p, 'r');\n   return readLine(fd);\n }\n",
        "generic.resource-leak",
        [2],
        None,
        id="js-open-sync",
    ),
    pytest.param(
        "app/a.py",
        " def bump(self):\n+    self.lock.acquire()\n     self.n += 1\n",
        "generic.lock-not-released",
        [2],
        None,
        id="py-lock",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func (c *C) Bump() {\n+\tc.mu.Lock()\n \tc.n++\n }\n",
        "generic.lock-not-released",
        [3],
        None,
        id="go-lock",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func (c *C) Bump() {\n \tc.mu.Lock()\n-\tdefer c.mu.Unlock()\n \tc.n++\n }\n",
        "generic.removed-release",
        [4],
        None,
        id="go-removed-unlock",
    ),
    pytest.param(
        "app/a.py",
        " def load(path):\n     f = open(path)\n     data = f.read()\n-    f.close()\n     return data\n",
        "generic.removed-release",
        [4],
        None,
        id="py-removed-close",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func names(db *sql.DB) error {\n \trows, err := db.Query(q)\n \tif err != nil {\n \t\treturn err\n \t}\n-\tdefer rows.Close()\n \treturn scan(rows)\n }\n",
        "generic.removed-release",
        [7],
        None,
        id="go-removed-rows-close",
    ),
    pytest.param(
        "a.c",
        ' int parse(const char *p) {\n     FILE *file = fopen(p, "r");\n     int error = run(file);\n+    if (error < 0)\n+        return error;\n     fclose(file);\n     return error;\n }\n',
        "generic.removed-release",
        [5],
        None,
        id="c-early-exit-skips-fclose",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func load(name string) (err error) {\n \tfile, err := os.Open(name)\n \tif err == nil {\n-\t\tdefer deferredClose(&err, file)\n \t\terr = send(file)\n \t}\n \treturn err\n }\n",
        "generic.removed-release",
        [5],
        None,
        id="go-removed-deferred-close-helper",
    ),
    pytest.param(
        "a.c",
        " int f(int n) {\n     char *buf = malloc(n);\n     if (!fill(buf)) {\n-        mem_free(buf);\n         return -1;\n     }\n     return use(buf);\n }\n",
        "generic.removed-release",
        [4],
        None,
        id="c-removed-free-on-error-path",
    ),
    pytest.param(
        "a.php",
        " <?php\n function w($s, $r) {\n     flock($s, LOCK_EX);\n     fwrite($s, $r);\n-    flock($s, LOCK_UN);\n }\n",
        "generic.removed-release",
        [5],
        None,
        id="php-removed-flock-unlock",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func (l *L) Exec(q string) error {\n \tif err := l.send(q); err != nil {\n-\t\tl.cn.c.Close()\n \t\treturn err\n \t}\n \treturn nil\n }\n",
        "generic.removed-release",
        [4],
        None,
        id="go-removed-field-close",
    ),
    pytest.param(
        "a.rs",
        " impl W {\n     fn push(&mut self) {\n         if self.free == self.max {\n-            self.stack[self.oldest].close();\n         }\n         self.open();\n     }\n }\n",
        "generic.removed-release",
        [4],
        None,
        id="rs-removed-indexed-close",
    ),
]


@pytest.mark.parametrize(("path", "annotated", "rule", "lines", "after_fix"), POSITIVE)
def test_leak_is_flagged(
    path: str, annotated: str, rule: str, lines: list[int], after_fix: str | None
) -> None:
    assert flagged_lines(path, annotated, rule) == lines
    assert all(f.fix is None for f in findings(path, annotated, rule))


NEGATIVE = [
    pytest.param(
        "a.py",
        " def f(p):\n+    with open(p) as fh:\n+        return fh.read()\n",
        "generic.resource-leak",
        id="py-with",
    ),
    pytest.param(
        "a.py",
        " def f(p):\n+    fh = open(p)\n+    try:\n+        return fh.read()\n+    finally:\n+        fh.close()\n",
        "generic.resource-leak",
        id="py-finally",
    ),
    pytest.param(
        "a.py",
        " def f(p):\n+    fh = open(p)\n+    return fh\n",
        "generic.resource-leak",
        id="py-returned",
    ),
    pytest.param(
        "a.py",
        " def f(self, p):\n+    fh = open(p)\n+    self.files.append(fh)\n",
        "generic.resource-leak",
        id="py-stored",
    ),
    pytest.param(
        "a.py",
        " def f(stack, p):\n+    fh = stack.enter_context(open(p))\n",
        "generic.resource-leak",
        id="py-exit-stack",
    ),
    pytest.param(
        "a.py",
        " import sys\n+fh = open(sys.argv[1])\n",
        "generic.resource-leak",
        id="py-module-level-script",
    ),
    pytest.param(
        "tests/test_a.py",
        " def test_f(p):\n+    fh = open(p)\n+    assert fh.read()\n",
        "generic.resource-leak",
        id="py-test",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func f(p string) error {\n+\tf, err := os.Open(p)\n+\tif err != nil {\n+\t\treturn err\n+\t}\n+\tdefer f.Close()\n+\treturn use(f)\n }\n",
        "generic.resource-leak",
        id="go-defer-close",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func f(p string) (*os.File, error) {\n+\tf, err := os.Open(p)\n+\treturn f, err\n }\n",
        "generic.resource-leak",
        id="go-returned",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func f(u string) error {\n+\tresp, err := http.Get(u)\n+\tif err != nil {\n+\t\treturn err\n+\t}\n+\tdefer resp.Body.Close()\n+\treturn nil\n }\n",
        "generic.resource-leak",
        id="go-body-close",
    ),
    pytest.param(
        "A.java",
        " class A { String f(String p) throws IOException {\n+    try (BufferedReader r = new BufferedReader(new FileReader(p))) {\n+      return r.readLine();\n+    }\n } }\n",
        "generic.resource-leak",
        id="java-try-with-resources",
    ),
    pytest.param(
        "A.java",
        " class A { Reader f(String p) throws IOException {\n+    FileReader r = new FileReader(p);\n+    return new BufferedReader(r);\n } }\n",
        "generic.resource-leak",
        id="java-wrapped-and-returned",
    ),
    pytest.param(
        "A.cs",
        " class A { string F(string p) {\n+    using var r = new StreamReader(p);\n+    return r.ReadLine();\n } }\n",
        "generic.resource-leak",
        id="csharp-using-declaration",
    ),
    pytest.param(
        "A.cs",
        " class A { string F(string p) {\n+    using (var r = new StreamReader(p)) { return r.ReadLine(); }\n } }\n",
        "generic.resource-leak",
        id="csharp-using-statement",
    ),
    pytest.param(
        "a.c",
        ' int f(const char *p) {\n+  FILE *f = fopen(p, "r");\n+  int c = fgetc(f);\n+  fclose(f);\n+  return c;\n }\n',
        "generic.resource-leak",
        id="c-fclose",
    ),
    pytest.param(
        "a.c",
        ' FILE *f(const char *p) {\n+  FILE *f = fopen(p, "r");\n+  return f;\n }\n',
        "generic.resource-leak",
        id="c-returned",
    ),
    pytest.param(
        "a.rb",
        " def f(p)\n+  data = File.open(p) { |fh| fh.read }\n end\n",
        "generic.resource-leak",
        id="ruby-block",
    ),
    pytest.param(
        "a.php",
        " <?php\n function f($p) {\n+    $f = fopen($p, 'r');\n+    $line = fgets($f);\n+    fclose($f);\n+    return $line;\n }\n",
        "generic.resource-leak",
        id="php-fclose",
    ),
    pytest.param(
        "a.py",
        " def f(self):\n+    self.lock.acquire()\n+    try:\n+        self.n += 1\n+    finally:\n+        self.lock.release()\n",
        "generic.lock-not-released",
        id="py-lock-released",
    ),
    pytest.param(
        "a.py",
        " class L:\n     def __enter__(self):\n+        self.acquire()\n",
        "generic.lock-not-released",
        id="py-enter",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func (c *C) F() {\n+\tc.mu.RLock()\n+\tdefer c.mu.RUnlock()\n }\n",
        "generic.lock-not-released",
        id="go-rlock-deferred",
    ),
    pytest.param(
        "p/a.go",
        " package p\n func f(p string) {\n \tf, _ := os.Open(p)\n-\tdefer f.Close()\n \tuse(f)\n+\tdefer f.Close()\n }\n",
        "generic.removed-release",
        id="moved-release",
    ),
    pytest.param(
        "a.py",
        " def f(p):\n-    fh = open(p)\n-    fh.close()\n+    pass\n",
        "generic.removed-release",
        id="acquire-removed-too",
    ),
    pytest.param(
        "a.c",
        ' int parse(const char *p) {\n     FILE *file = fopen(p, "r");\n+    if (!file)\n+        return -1;\n     int error = run(file);\n     fclose(file);\n     return error;\n }\n',
        "generic.removed-release",
        id="early-exit-when-open-failed",
    ),
    pytest.param(
        "a.c",
        " int f(int n) {\n-    char *buf = malloc(n);\n-    fill(buf);\n-    free(buf);\n+    return 0;\n }\n",
        "generic.removed-release",
        id="allocation-removed-too",
    ),
    pytest.param(
        "a.py",
        " def f(p):\n     with open(p) as fh:\n         data = fh.read()\n-    fh.close()\n     return data\n",
        "generic.removed-release",
        id="redundant-close-after-with",
    ),
]


@pytest.mark.parametrize(("path", "annotated", "rule"), NEGATIVE)
def test_released_or_handed_on_stays_quiet(path: str, annotated: str, rule: str) -> None:
    assert flagged_lines(path, annotated, rule) == []


def test_a_release_deleted_from_one_path_is_flagged_softly() -> None:
    annotated = (
        ' int f(const char *p) {\n   FILE *f = fopen(p, "r");\n   if (bad(f)) {\n     fclose(f);\n'
        "     return -1;\n   }\n-  fclose(f);\n   return 0;\n }\n"
    )
    (finding,) = findings("a.c", annotated, "generic.removed-release")
    assert finding.span.start_line == 7 and finding.confidence == 0.5


# --- releases whose result is kept, and releases moved out of their cleanup block --------

JAVA_FINALLY = (
    " class C {\n"
    "   boolean retrieve(String name) throws IOException {\n"
    "     final Socket socket = open(name);\n"
    "     try {\n"
    "       copy(socket);\n"
    "%s"
    "     } finally {\n"
    "%s"
    "       cleanUp();\n"
    "     }\n"
    "   }\n"
    " }\n"
)


@pytest.mark.parametrize(
    ("path", "annotated", "lines"),
    [
        pytest.param(
            "src/Mail.php",
            " <?php\n function send($cmd, $body) {\n     $mail = popen($cmd, 'w');\n"
            "     fwrite($mail, $body);\n-    $result = pclose($mail);\n+    $result = 0;\n"
            "     return $result;\n }\n",
            [5],
            id="php-kept-result-of-pclose",
        ),
        pytest.param(
            "src/C.java",
            JAVA_FINALLY
            % (
                "+      final boolean ok = complete();\n+      socket.close();\n+      return ok;\n",
                "-      Util.closeQuietly(socket);\n",
            ),
            [7],
            id="java-close-moved-out-of-finally",
        ),
        pytest.param(
            "src/C.java",
            JAVA_FINALLY
            % (
                "       return complete();\n",
                "-      Util.closeQuietly(socket);\n+      IOUtils.closeQuietly(socket);\n",
            ),
            [],
            id="java-close-still-in-finally",
        ),
    ],
)
def test_removed_and_moved_releases(path: str, annotated: str, lines: list[int]) -> None:
    assert flagged_lines(path, annotated, "generic.removed-release") == lines
