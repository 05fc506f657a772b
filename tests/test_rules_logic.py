"""Logic rules decided from the old and new lines: loops past the end, same operands, a
variable an edit left unread, a branch that uses what its sibling tests, and a null/empty
test that its own body contradicts.

Each rule has a hit and a silent case per language family; the silent cases are the
look-alikes a reviewer would let pass (an offset index, a NaN test, a rename, a fix-up
assignment under the test, an early return on the flipped test).
"""

from __future__ import annotations

import pytest
from rules_support import findings, flagged_lines

LOOP = "generic.loop-past-end"
SAME = "generic.same-operands"
UNUSED = "generic.replaced-variable-unused"
GUARD = "generic.contradicted-guard"
BRANCH = "generic.branch-copy-paste"

POSITIVE = [
    # --- off-by-one: the bound made inclusive while the body indexes by it -----------------
    pytest.param(
        "a.py",
        " def total(xs):\n     s = 0\n-    for i in range(len(xs)):\n+    for i in range(len(xs) + 1):\n         s += xs[i]\n     return s\n",
        LOOP,
        3,
        id="py-range-plus-one",
    ),
    pytest.param(
        "a.js",
        " function total(xs) {\n   let s = 0;\n-  for (let i = 0; i < xs.length; i++) {\n+  for (let i = 0; i <= xs.length; i++) {\n     s += xs[i];\n   }\n   return s;\n }\n",
        LOOP,
        3,
        id="js-le-length",
    ),
    pytest.param(
        "a.go",
        " package p\n func total(xs []int) int {\n \ts := 0\n-\tfor i := 0; i < len(xs); i++ {\n+\tfor i := 0; i <= len(xs); i++ {\n \t\ts += xs[i]\n \t}\n \treturn s\n }\n",
        LOOP,
        4,
        id="go-le-len",
    ),
    pytest.param(
        "a.rs",
        " fn total(xs: &[i32]) -> i32 {\n     let mut s = 0;\n-    for i in 0..xs.len() {\n+    for i in 0..=xs.len() {\n         s += xs[i];\n     }\n     s\n }\n",
        LOOP,
        3,
        id="rust-inclusive-range",
    ),
    pytest.param(
        "a.rb",
        " def total(xs)\n   s = 0\n-  (0...xs.length).each do |i|\n+  (0..xs.length).each do |i|\n     s += xs[i]\n   end\n   s\n end\n",
        LOOP,
        3,
        id="ruby-two-dots",
    ),
    pytest.param(
        "A.java",
        " class A {\n   int last(List<Integer> xs) {\n-    return xs.get(xs.size() - 1);\n+    return xs.get(xs.size());\n   }\n }\n",
        LOOP,
        3,
        id="java-get-size",
    ),
    pytest.param(
        "a.c",
        " int sum(const int *v, struct vec a) {\n   int s = 0;\n-  for (int i = 0; i < a.size; i++) {\n+  for (int i = 0; i <= a.size; i++) {\n     s += a[i];\n   }\n   return s;\n }\n",
        LOOP,
        3,
        id="c-le-size",
    ),
    pytest.param(
        "a.php",
        " <?php\n function last($xs) {\n-    return $xs[count($xs) - 1];\n+    return $xs[count($xs)];\n }\n",
        LOOP,
        3,
        id="php-index-count",
    ),
    # --- wrong variable: both operands (or two arguments) now the same ---------------------
    pytest.param(
        "a.py",
        " def eq(self, other):\n-    return self.x == other.x and self.y == other.y\n+    return self.x == self.x and self.y == other.y\n",
        SAME,
        2,
        id="py-self-compare",
    ),
    pytest.param(
        "a.ts",
        " function cmp(a: A, b: A): number {\n-  if (a.delay === b.delay) {\n+  if (a.delay === a.delay) {\n     return 0;\n   }\n   return 1;\n }\n",
        SAME,
        2,
        id="ts-self-compare",
    ),
    pytest.param(
        "a.rb",
        " def ==(other)\n-  return self.pattern == other.pattern\n+  return self.pattern == self.pattern\n end\n",
        SAME,
        2,
        id="ruby-self-compare",
    ),
    pytest.param(
        "a.c",
        " int area(int w, int h) {\n-  return mul(w, h);\n+  return mul(w, w);\n }\n",
        SAME,
        2,
        id="c-duplicated-argument",
    ),
    pytest.param(
        "a.go",
        " package p\n func grow(buf []byte, n int) []byte {\n \tnewBuf := make([]byte, n)\n-\tcopy(newBuf, buf)\n+\tcopy(buf, buf)\n \treturn newBuf\n }\n",
        SAME,
        4,
        id="go-duplicated-argument",
    ),
    pytest.param(
        "A.cs",
        " class A {\n   bool Ready(Job a, Job b) {\n-    return a.Done && b.Done;\n+    return a.Done && a.Done;\n   }\n }\n",
        SAME,
        3,
        id="cs-same-conjuncts",
    ),
    # --- wrong variable: the old variable is now computed and never read -------------------
    pytest.param(
        "a.py",
        " def chunk(src, size):\n     src_iter = iter(src)\n     while True:\n-        cur = list(islice(src_iter, size))\n+        cur = list(islice(src, size))\n         if not cur:\n             break\n         yield cur\n",
        UNUSED,
        4,
        id="py-iterator-unused",
    ),
    pytest.param(
        "a.ts",
        " function f(items: number[]): number {\n   const total = items.reduce((a, b) => a + b, 0);\n   const count = items.length;\n-  return total;\n+  return count;\n }\n",
        UNUSED,
        4,
        id="ts-result-unused",
    ),
    pytest.param(
        "a.go",
        " package p\n func f(xs []int) int {\n \tn := len(xs)\n \tm := cap(xs)\n-\treturn n\n+\treturn m\n }\n",
        UNUSED,
        5,
        id="go-result-unused",
    ),
    pytest.param(
        "A.java",
        " class A {\n   int f(int[] xs) {\n     int sum = total(xs);\n     int max = peak(xs);\n-    return sum;\n+    return max;\n   }\n }\n",
        UNUSED,
        5,
        id="java-result-unused",
    ),
    pytest.param(
        "a.rs",
        " fn f(xs: &[u8]) -> usize {\n     let trimmed = xs.trim_ascii();\n-    trimmed.len()\n+    xs.len()\n }\n",
        UNUSED,
        3,
        id="rust-local-unused",
    ),
    pytest.param(
        "a.php",
        " <?php\n function f($name) {\n     $clean = trim($name);\n-    return strtolower($clean);\n+    return strtolower($name);\n }\n",
        UNUSED,
        4,
        id="php-local-unused",
    ),
    # --- wrong variable: a branch now uses what its sibling branch tests --------------------
    pytest.param(
        "a.py",
        " def clamp(value, floor, ceil):\n     if floor is not None and value < floor:\n         value = floor\n     elif ceil is not None and value > ceil:\n-        value = ceil\n+        value = floor\n     return value\n",
        BRANCH,
        5,
        id="py-elif-copy",
    ),
    pytest.param(
        "a.js",
        " function clamp(v, lo, hi) {\n   if (v < lo) {\n     v = lo;\n   } else if (v > hi) {\n-    v = hi;\n+    v = lo;\n   }\n   return v;\n }\n",
        BRANCH,
        5,
        id="js-else-if-copy",
    ),
    pytest.param(
        "a.go",
        " package p\n func clamp(v, lo, hi int) int {\n \tif v < lo {\n \t\treturn lo\n \t} else if v > hi {\n-\t\treturn hi\n+\t\treturn lo\n \t}\n \treturn v\n }\n",
        BRANCH,
        6,
        id="go-else-if-copy",
    ),
    pytest.param(
        "a.rb",
        " def clamp(v, lo, hi)\n   if v < lo\n     v = lo\n   elsif v > hi\n-    v = hi\n+    v = lo\n   end\n   v\n end\n",
        BRANCH,
        5,
        id="ruby-elsif-copy",
    ),
    pytest.param(
        "A.java",
        " class A {\n   int pick(int w, int h, boolean wide) {\n     if (wide && w > 0) {\n       return w;\n     } else if (h > 0) {\n-      return h;\n+      return w;\n     }\n     return 0;\n   }\n }\n",
        BRANCH,
        6,
        id="java-else-if-copy",
    ),
    # --- inverted condition: the body uses what the test says is missing -------------------
    pytest.param(
        "a.py",
        " def f(x):\n-    if x is not None:\n+    if x is None:\n         return x.strip()\n     return ''\n",
        GUARD,
        2,
        id="py-is-none-then-member",
    ),
    pytest.param(
        "a.c",
        " int f(struct s *p) {\n-  if (p != NULL) {\n+  if (p == NULL) {\n     return p->len;\n   }\n   return 0;\n }\n",
        GUARD,
        2,
        id="c-null-then-arrow",
    ),
    pytest.param(
        "a.c",
        " void f(struct node *head, struct node *cur) {\n-  if (head != NULL) {\n+  if (head == NULL) {\n     head->prev = cur;\n   }\n }\n",
        GUARD,
        2,
        id="c-null-then-store-through",
    ),
    pytest.param(
        "a.go",
        " package p\n func f() error {\n \terr := g()\n-\tif err != nil {\n+\tif err == nil {\n \t\treturn err\n \t}\n \treturn nil\n }\n",
        GUARD,
        4,
        id="go-err-nil-returned",
    ),
    pytest.param(
        "A.java",
        " class A {\n   String f(List<String> xs) {\n-    if (!xs.isEmpty()) {\n+    if (xs.isEmpty()) {\n       return xs.get(0);\n     }\n     return null;\n   }\n }\n",
        GUARD,
        3,
        id="java-empty-then-get",
    ),
    pytest.param(
        "a.js",
        " function f(user) {\n-  if (user !== null) {\n+  if (user === null) {\n     log(user.name);\n   }\n }\n",
        GUARD,
        2,
        id="js-null-then-member",
    ),
    pytest.param(
        "a.php",
        " <?php\n function f($u) {\n-    if ($u !== null) {\n+    if ($u === null) {\n         return $u->id;\n     }\n     return 0;\n }\n",
        GUARD,
        3,
        id="php-null-then-arrow",
    ),
    pytest.param(
        "a.rb",
        " def f(x)\n-  if !x.nil?\n+  if x.nil?\n     x.strip\n   end\n end\n",
        GUARD,
        2,
        id="ruby-nil-then-method",
    ),
    pytest.param(
        "a.rs",
        " fn f(x: Option<u8>) -> u8 {\n-    if x.is_some() {\n+    if x.is_none() {\n         return x.unwrap();\n     }\n     0\n }\n",
        GUARD,
        2,
        id="rust-none-then-unwrap",
    ),
]

NEGATIVE = [
    # Offset index, a guard before the read, an append, C's terminator, the other bound.
    pytest.param(
        "a.py",
        " def f(xs):\n-    for i in range(1, len(xs)):\n+    for i in range(1, len(xs) + 1):\n         print(xs[i - 1])\n",
        LOOP,
        id="py-offset-index",
    ),
    pytest.param(
        "a.js",
        " function f(xs) {\n-  for (let i = 0; i < xs.length; i++) {\n+  for (let i = 0; i <= xs.length; i++) {\n     if (i === xs.length) { flush(); break; }\n     push(xs[i]);\n   }\n }\n",
        LOOP,
        id="js-guard-before-read",
    ),
    pytest.param("a.js", " function f(a, v) {\n+  a[a.length] = v;\n }\n", LOOP, id="js-append"),
    pytest.param(
        "a.c",
        " int f(const char *s) {\n+  return s[strlen(s)] == '\\0';\n }\n",
        LOOP,
        id="c-terminator",
    ),
    pytest.param(
        "a.go",
        " package p\n func f(v string) {\n-\tfor i := 0; i < len(v); i++ {\n+\tfor i := 0; i <= len(v)-1; i++ {\n \t\tuse(v[i])\n \t}\n }\n",
        LOOP,
        id="go-len-minus-one",
    ),
    pytest.param(
        "a.c",
        " int f(const char *s) {\n-  for (size_t i = 0; i < strlen(s); i++) {\n+  for (size_t i = 0; i <= strlen(s); i++) {\n     emit(s[i]);\n   }\n }\n",
        LOOP,
        id="c-loop-through-terminator",
    ),
    pytest.param(
        "a.cpp",
        " void f(const std::string &s) {\n-  for (size_t i = 0; i < s.size(); i++) {\n+  for (size_t i = 0; i <= s.size(); i++) {\n     emit(s[i]);\n   }\n }\n",
        LOOP,
        id="cpp-string-terminator",
    ),
    # NaN test, literals, calls, pre-existing self-comparison, uniform scale written anew.
    pytest.param("a.py", " def f(x):\n+    return x != x\n", SAME, id="py-nan-idiom"),
    pytest.param("a.js", " function f() {\n+  return rand() - rand();\n }\n", SAME, id="js-calls"),
    pytest.param(
        "a.go",
        " package p\n func f(s float64) {\n+\tscale(s, s)\n }\n",
        SAME,
        id="go-new-uniform-call",
    ),
    pytest.param(
        "A.java",
        " class A {\n   void f(int n) {\n-    resize(0, 0);\n+    resize(1, 1);\n   }\n }\n",
        SAME,
        id="java-literal-arguments",
    ),
    pytest.param(
        "test_a.py",
        " def test_eq(a):\n-    assert a == b\n+    assert a.x == a.x\n",
        SAME,
        id="test-reflexivity",
    ),
    # Rename everywhere, the old name still read elsewhere, the old definition rewritten too.
    pytest.param(
        "a.py",
        " def f(xs):\n-    total = sum(xs)\n-    return total\n+    amount = sum(xs)\n+    return amount\n",
        UNUSED,
        id="py-rename",
    ),
    pytest.param(
        "a.py",
        " def clamp(value, floor, ceil):\n     if ceil is not None and value > ceil:\n-        value = ceil\n+        value = floor\n     return value\n",
        UNUSED,
        id="py-old-name-still-read",
    ),
    pytest.param(
        "a.go",
        " package p\n func f(xs []int) int {\n-\tn := len(xs)\n+\tn := cap(xs)\n \tm := cap(xs)\n-\treturn n\n+\treturn m\n }\n",
        UNUSED,
        id="go-definition-rewritten",
    ),
    pytest.param(
        "a.js",
        " function f(a, b) {\n-  return g(a);\n+  return g(b);\n }\n",
        UNUSED,
        id="js-parameter-only-use-moved",
    ),
    pytest.param(
        "a.py",
        " def f(d):\n     for key, value in d.items():\n-        emit(key)\n+        emit(value)\n",
        UNUSED,
        id="py-loop-variable-left",
    ),
    # An else branch, an edited test, a value that no sibling tests, a test naming both.
    pytest.param(
        "a.py",
        " def f(a, b):\n     if a:\n         x = a\n     else:\n-        x = b\n+        x = a\n     return x\n",
        BRANCH,
        id="py-else-branch",
    ),
    pytest.param(
        "a.js",
        " function f(v, lo, hi) {\n   if (v < lo) {\n     v = lo;\n-  } else if (v > hi) {\n+  } else if (v > lo) {\n     v = hi;\n   }\n }\n",
        BRANCH,
        id="js-edited-test",
    ),
    pytest.param(
        "a.py",
        " def f(v, lo, hi, default):\n     if v < lo:\n         v = lo\n     elif v > hi:\n-        v = hi\n+        v = default\n     return v\n",
        BRANCH,
        id="py-value-no-sibling-tests",
    ),
    pytest.param(
        "a.go",
        " package p\n func f(v, lo, hi int) int {\n \tif v < lo {\n \t\treturn lo\n \t} else if v > hi && hi > lo {\n-\t\treturn hi\n+\t\treturn lo\n \t}\n \treturn v\n }\n",
        BRANCH,
        id="go-test-names-both",
    ),
    # A fix-up assignment, an early return, `or`, Go pointers, and a Ruby method nil has.
    pytest.param(
        "a.py",
        " def f(x):\n-    if x is not None:\n+    if x is None:\n         x = load()\n     return x.strip()\n",
        GUARD,
        id="py-fix-up",
    ),
    pytest.param(
        "A.java",
        " class A {\n   void f(Handler h, Option o) {\n-    if (h != null) {\n-      h.accept(o);\n-    }\n+    if (h == null) {\n+      return;\n+    }\n+    h.accept(o);\n   }\n }\n",
        GUARD,
        id="java-early-return",
    ),
    pytest.param(
        "a.js",
        " function f(u) {\n+  if (u === null || u.name === '') {\n+    return u.fallback;\n+  }\n }\n",
        GUARD,
        id="js-or",
    ),
    pytest.param(
        "a.go",
        " package p\n func f(p *T) int {\n-\tif p != nil {\n+\tif p == nil {\n \t\treturn p.Size()\n \t}\n \treturn 0\n }\n",
        GUARD,
        id="go-nil-receiver",
    ),
    pytest.param(
        "a.py",
        " def f(seen):\n-    if seen:\n+    if not seen:\n         seen[0] = True\n",
        GUARD,
        id="py-store-into-empty",
    ),
    pytest.param(
        "A.java",
        ' class A {\n   String f(List<String> xs) {\n-    if (!xs.isEmpty()) {\n+    if (xs.isEmpty()) {\n       xs.add("x");\n       return xs.get(0);\n     }\n     return null;\n   }\n }\n',
        GUARD,
        id="java-filled-first",
    ),
    pytest.param(
        "a.js",
        " class A {\n   send(m) {\n-    if (this.conn !== null) {\n+    if (this.conn === null) {\n       this.connect();\n       this.conn.write(m);\n     }\n   }\n }\n",
        GUARD,
        id="js-field-set-by-call",
    ),
    pytest.param(
        "a.rb", " def f(x)\n+  if x.nil?\n+    x.to_s\n+  end\n end\n", GUARD, id="ruby-nil-to-s"
    ),
    pytest.param(
        "a.c",
        " int f(struct s *p) {\n-  if (p != NULL) {\n+  if (p == NULL) {\n+    p = make();\n     return p->len;\n   }\n }\n",
        GUARD,
        id="c-allocated-first",
    ),
]


@pytest.mark.parametrize(("path", "annotated", "rule", "line"), POSITIVE)
def test_logic_rule_fires(path: str, annotated: str, rule: str, line: int) -> None:
    assert flagged_lines(path, annotated, rule) == [line]


@pytest.mark.parametrize(("path", "annotated", "rule"), NEGATIVE)
def test_logic_rule_stays_quiet(path: str, annotated: str, rule: str) -> None:
    assert findings(path, annotated, rule) == []


@pytest.mark.parametrize("rule", [LOOP, SAME, UNUSED, BRANCH, GUARD])
def test_added_lines_before_removed_ones_pair_nothing(rule: str) -> None:
    # `+` lines first, then a `-` run: the pairing must not look for a replaced line that is not there.
    annotated = " def get(d, k):\n+    try:\n-    return d[k]\n+        return d[k]\n+    except KeyError:\n+        return None\n"
    assert findings("a.py", annotated, rule) == []


def test_messages_name_both_variables_and_the_dead_one() -> None:
    (finding,) = findings(
        "a.ts",
        " function f(items: number[]): number {\n   const total = sum(items);\n   const count = items.length;\n-  return total;\n+  return count;\n }\n",
        UNUSED,
    )
    assert "`count`" in finding.message and "`total`" in finding.message
    assert "line 2" in finding.message


def test_an_added_run_before_a_removed_one_pairs_nothing_and_crashes_nothing() -> None:
    # A hunk may list added lines before removed ones (a hand-written or reordered patch);
    # `findings` asserts that no rule crashed.
    annotated = " def get(d, k):\n+    try:\n-    return d[k]\n+        return d[k]\n"
    assert findings("a.py", annotated, "generic.same-operands") == []
