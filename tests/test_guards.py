"""Old-vs-new rules: removed guards, on both sides of real diffs, in every language with guards."""

from __future__ import annotations

import difflib

import pytest
from rules_support import findings as rule_findings
from tactful.analyzers import syntax
from tactful.analyzers.checks import run_checks
from tactful.analyzers.diff import parse_diff
from tactful.analyzers.languages import detect_language
from tactful.analyzers.model import Finding


def sides(annotated: str) -> tuple[str, str]:
    """(old, new) texts from lines prefixed ``+`` (added), ``-`` (removed) or `` `` (kept)."""
    old, new = [], []
    for raw in annotated.strip("\n").split("\n"):
        tag, text = raw[:1] or " ", raw[1:]
        if tag != "+":
            old.append(text)
        if tag != "-":
            new.append(text)
    return "\n".join(old) + "\n", "\n".join(new) + "\n"


def review(path: str, annotated: str, rule: str) -> list[Finding]:
    old, new = sides(annotated)
    patch = "".join(
        difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}")
    )
    (file,) = parse_diff(patch).files
    language = detect_language(path)
    units = syntax.change_units(file, old, new, language).units
    result = run_checks(file, units, new, language, old_text=old)
    assert result.errors == ()
    return [f for f in result.findings if f.rule == rule]


GUARD = "generic.removed-guard"

# (path, change, the new-file line the finding sits on)
REMOVED = [
    pytest.param(
        "a.py",
        """
 def load(user):
-    if user is None:
-        return None
     name = user.name
     return name.title()
""",
        2,
        id="py-none-return",
    ),
    pytest.param(
        "a.py",
        """
 def pick(items, i):
-    if i >= len(items):
-        raise IndexError(i)
     return items[i]
""",
        2,
        id="py-bounds-raise",
    ),
    pytest.param(
        "a.py",
        """
 def area(shape):
-    assert isinstance(shape, Square)
     return shape.side ** 2
""",
        2,
        id="py-assert-isinstance",
    ),
    pytest.param(
        "a.py",
        """
 def close(conn):
-    if conn is not None:
-        conn.close()
+    conn.close()
     log("closed")
""",
        2,
        id="py-wrapping-guard",
    ),
    pytest.param(
        "a.js",
        """
 function render(props) {
-  if (!props.user) {
-    return null;
-  }
   return h('div', props.user.name);
 }
""",
        2,
        id="js-falsy-return",
    ),
    pytest.param(
        "a.ts",
        """
 export function size(list: Item[] | undefined): number {
-  if (list === undefined) return 0;
   return list.length;
 }
""",
        2,
        id="ts-undefined",
    ),
    pytest.param(
        "a.go",
        """
 package p
 func name(u *User) string {
-\tif u == nil {
-\t\treturn ""
-\t}
 \treturn u.Name
 }
""",
        3,
        id="go-nil",
    ),
    pytest.param(
        "A.java",
        """
 class A {
   int len(String s) {
-    if (s == null) {
-      throw new IllegalArgumentException("s");
-    }
     return s.length();
   }
 }
""",
        3,
        id="java-null-throw",
    ),
    pytest.param(
        "A.java",
        """
 class A {
   void f(Object o) {
-    if (!(o instanceof Shape)) return;
     Shape s = (Shape) o;
     s.draw();
   }
 }
""",
        3,
        id="java-instanceof",
    ),
    pytest.param(
        "a.c",
        """
 int first(const int *xs, size_t n) {
-  if (xs == NULL || n == 0)
-    return -1;
   return xs[0];
 }
""",
        2,
        id="c-null-goto",
    ),
    pytest.param(
        "a.cpp",
        """
 int get(Node *node) {
-  if (!node) { return 0; }
   return node->value;
 }
""",
        2,
        id="cpp-not",
    ),
    pytest.param(
        "A.cs",
        """
 class A {
   int F(string s) {
-    if (s == null) return 0;
     return s.Length;
   }
 }
""",
        3,
        id="csharp-null",
    ),
    pytest.param(
        "a.rb",
        """
 def title(post)
-  return '' if post.nil?
   post.title.upcase
 end
""",
        2,
        id="ruby-nil-modifier",
    ),
    pytest.param(
        "a.php",
        """
 <?php
 function name($user) {
-    if ($user === null) {
-        return '';
-    }
     return $user->name;
 }
""",
        3,
        id="php-null",
    ),
    pytest.param(
        "a.rs",
        """
 fn head(v: &Vec<i32>) -> i32 {
-    if v.is_empty() {
-        return 0;
-    }
     v[0]
 }
""",
        2,
        id="rust-empty",
    ),
    pytest.param(
        "a.ts",
        """
 function f(cfg?: Config) {
-  const port = cfg?.port;
+  const port = cfg!.port;
   return port;
 }
""",
        2,
        id="ts-optional-chain-asserted",
    ),
    pytest.param(
        "a.js",
        """
 function f(res) {
-  return res?.body;
+  return res.body;
 }
""",
        2,
        id="js-optional-chain-dropped",
    ),
    pytest.param(
        "a.rs",
        """
 fn port(s: &str) -> Result<u16, E> {
-    let p = s.parse::<u16>()?;
+    let p = s.parse::<u16>().unwrap();
     Ok(p)
 }
""",
        2,
        id="rust-question-to-unwrap",
    ),
    pytest.param(
        "a.rs",
        """
 fn new_resolver(builder: Builder) -> Resolver {
     builder.options_mut().strict = true;
-    builder.build()
+    builder.build().unwrap()
 }
""",
        3,
        id="rust-call-used-as-is-now-unwrapped",
    ),
    pytest.param(
        "a.rs",
        """
 fn port(s: Option<u16>) -> u16 {
-    let p = match s {
-        Some(p) => p,
-        None => 80,
-    };
+    let p = s.unwrap();
     p
 }
""",
        2,
        id="rust-match-to-unwrap",
    ),
    pytest.param(
        "A.cs",
        """
 class A {
   void F(object o) {
-    var s = o as Shape;
+    var s = (Shape)o;
     s.Draw();
   }
 }
""",
        3,
        id="csharp-as-to-cast",
    ),
    pytest.param(
        "a.cpp",
        """
 void f(Base *b) {
-  auto d = dynamic_cast<Derived *>(b);
+  auto d = static_cast<Derived *>(b);
   d->run();
 }
""",
        2,
        id="cpp-dynamic-to-static",
    ),
    pytest.param(
        "a.c",
        """
 int load(const char *path) {
     FILE *f = fopen(path, "r");
-    if (!f)
-        return -1;
     int n = parse(f);
     return n;
 }
""",
        3,
        id="c-fresh-result-passed-on",
    ),
    pytest.param(
        "a.js",
        """
 function query(config) {
-  if (config == null) {
-    throw new TypeError('no query')
-  } else if (typeof config.submit === 'function') {
+  if (typeof config.submit === 'function') {
     return config.submit()
   }
 }
""",
        2,
        id="js-first-branch-of-else-if",
    ),
    pytest.param(
        "a.js",
        """
 function prepare(val) {
-  if (val == null) {
-    return null
-  }
   if (val instanceof Buffer) {
     return val
   }
   return val.toString()
 }
""",
        2,
        id="js-type-test-is-no-null-test",
    ),
    pytest.param(
        "a.php",
        """
 <?php
 function send($cmd, $many) {
     if ($many) {
         $m = popen($cmd, 'w');
         if (!$m) {
             throw new Exception('x');
         }
         fwrite($m, 'a');
     } else {
         $m = popen($cmd, 'w');
-        if (!$m) {
-            throw new Exception('x');
-        }
         fwrite($m, 'b');
     }
 }
""",
        11,
        id="php-test-in-sibling-branch",
    ),
    pytest.param(
        "a.ts",
        """
 export function ctx(opts: Opts) {
-  return opts.createContext?.(opts);
+  return opts.createContext!(opts);
 }
""",
        2,
        id="ts-optional-call-asserted",
    ),
    pytest.param(
        "a.rs",
        """
 fn next(&mut self) -> Result<A, Error> {
-    let a = Ancestor::new(&dent)
-        .map_err(|err| Error::from_io(self.depth, err))?;
+    let a = Ancestor::new(&dent).unwrap();
     Ok(a)
 }
""",
        2,
        id="rs-multiline-map-err-to-unwrap",
    ),
    pytest.param(
        "a.rs",
        """
 fn known_str(&mut self) -> Result<&str, Error> {
-    match self
+    let output = self
         .parser
         .consume_string(&mut self.tape)
-    {
-        Ok(output) => Ok(output.as_str()),
-        Err(e) => Err(e.into()),
-    }
+        .unwrap();
+    Ok(output.as_str())
 }
""",
        5,
        id="rs-multiline-match-to-unwrap",
    ),
    pytest.param(
        "a.ts",
        """
 export class Sub {
   add(teardown: Teardown | undefined): void {
-    if (teardown && teardown !== this) {
+    {
       teardown.parent = this;
       this.list.push(teardown);
     }
   }
 }
""",
        4,
        id="ts-condition-dropped-body-kept",
    ),
    pytest.param(
        "a.js",
        """
 function open(connection, resolve, reject) {
-  connection.connect((err) => {
-    if (err) {
-      return reject(err);
-    }
+  connection.connect(() => {
     resolve(connection);
   });
 }
""",
        2,
        id="js-error-callback-parameter-dropped",
    ),
    pytest.param(
        "a.py",
        """
 def read(sock, n):
     data = sock.recv(n)
-    if len(data) < n:
-        raise ConnectionError("short read")
     return data
""",
        3,
        id="py-raise-guard-then-returned",
    ),
    pytest.param(
        "a.rb",
        """
 def read(file, bytes)
   result = file.read(bytes)
-  unless result && result.length == bytes
-    raise InvalidFile, "short"
-  end
   result
 end
""",
        3,
        id="rb-raise-guard-then-implicitly-returned",
    ),
    pytest.param(
        "a.cpp",
        """
 Node LoadFile(const std::string& filename) {
   std::ifstream fin(filename);
-  if (!fin) {
-    throw BadFile(filename);
-  }
   return Load(fin);
 }
""",
        3,
        id="cpp-constructed-stream-passed-on",
    ),
    pytest.param(
        "a.php",
        """
 <?php
 function send($cmd) {
     $result = run($cmd);
-    if (0 !== $result) {
-        throw new Exception('failed');
-    }
     log_result($result);
 }
""",
        4,
        id="php-deleted-throw-on-status",
    ),
    pytest.param(
        "a.cpp",
        """
 void Node::insert(Node& key, Node& value) {
   switch (m_type) {
     case NodeType::Scalar:
-      throw BadSubscript(m_mark, key);
+      return;
   }
   insert_map_pair(key, value);
 }
""",
        4,
        id="cpp-throw-became-return",
    ),
]


@pytest.mark.parametrize(("path", "annotated", "line"), REMOVED)
def test_a_deleted_guard_is_reported_on_the_use_it_protected(
    path: str, annotated: str, line: int
) -> None:
    (finding,) = review(path, annotated, GUARD)
    assert finding.span.start_line == line
    assert 0.5 <= finding.confidence < 1 and finding.message.endswith(".") and finding.fix is None


SILENT = [
    pytest.param(
        "a.py",
        """
 def load(user):
-    if user is None:
-        return None
+    if not user:
+        return None
     return user.name
""",
        id="replaced-by-equivalent",
    ),
    pytest.param(
        "a.py",
        """
 def load(user, key):
-    if user is None:
-        return None
     value = cache.get(key)
+    if user is None:
+        return value
     return user.name + value
""",
        id="guard-moved",
    ),
    pytest.param(
        "a.py",
        """
 def load(user, key):
-    if user is None:
-        return None
-    return user.name
+    return cache.get(key)
""",
        id="value-no-longer-used",
    ),
    pytest.param(
        "a.py",
        """
-def load(user: Optional[User]):
-    if user is None:
-        return None
+def load(user: User):
     return user.name
""",
        id="parameter-made-required",
    ),
    pytest.param(
        "a.py",
        """
 def load(user):
-    if user is None:
-        return None
+    user = user or anonymous()
     return user.name
""",
        id="default-assigned",
    ),
    pytest.param(
        "a.ts",
        """
 function f(cfg?: Config) {
-  if (!cfg) return 0;
-  return cfg.port;
+  return cfg?.port ?? 0;
 }
""",
        id="ts-nullish-default",
    ),
    pytest.param(
        "a.go",
        """
 package p
 func name(u *User) string {
-\tif u == nil {
-\t\treturn ""
-\t}
-\treturn u.Name
+\treturn safeName(u)
 }
""",
        id="go-guard-and-use-moved-to-helper-call",
    ),
    pytest.param(
        "a.py",
        """
 def f(x):
-    if x is None:
-        x = 0
+    x = x or 0
     return x + 1
""",
        id="not-a-guard-clause",
    ),
    pytest.param(
        "a.rs",
        """
 fn port(s: &str) -> u16 {
-    let p = s.parse::<u16>().unwrap();
+    let p = s.parse::<u16>()?;
     p
 }
""",
        id="rust-unwrap-to-question",
    ),
    pytest.param(
        "a.rs",
        """
 fn bump(state: &Mutex<u32>) {
-    let mut n = state.lock();
+    let mut n = state.lock().unwrap();
     *n += 1;
 }
""",
        id="rust-std-mutex-lock-unwrap",
    ),
    pytest.param(
        "a.rs",
        """
 fn port(s: &str) -> u16 {
-    let p = s.parse::<u16>().expect("port");
+    let p = s.parse::<u16>().unwrap();
     p
 }
""",
        id="rust-expect-became-unwrap",
    ),
    pytest.param(
        "a.ts",
        """
 function f(res) {
-  return res.body;
+  return res?.body;
 }
""",
        id="ts-chain-added",
    ),
    pytest.param(
        "a.php",
        """
 <?php
 function normalize($header) {
-    if (!is_array($header)) {
-        return [trim($header)];
-    }
-    foreach ($header as $value) {
+    foreach ((array) $header as $value) {
         $result[] = trim($value);
     }
     return $result;
 }
""",
        id="type-guard-replaced-by-a-conversion",
    ),
    pytest.param(
        "a.go",
        """
 package p
 func (k Key) add(piece string) Key {
-\tif cap(k) > len(k) {
-\t\treturn append(k, piece)
-\t}
 \tnewKey := make(Key, len(k)+1)
 \tcopy(newKey, k)
 \treturn newKey
 }
""",
        id="fast-path-not-a-bounds-check",
    ),
    pytest.param(
        "a.py",
        """
 def load(user):
     if user is None:
-        return None
+        return DEFAULT
     return user.name
""",
        id="guard-body-edited",
    ),
    pytest.param(
        "a.c",
        """
 int load(struct ctx *c) {
     FILE *f = c->file;
-    if (!f)
-        return -1;
     int n = parse(f);
     return n;
 }
""",
        id="c-passed-on-value-not-fresh",
    ),
    pytest.param(
        "a.js",
        """
 function prepare(val) {
-  if (val == null) {
-    return null
-  }
+  if (!val) return null
   return val.toString()
 }
""",
        id="js-null-test-replaced",
    ),
    pytest.param(
        "a.php",
        """
 <?php
 class A {
-    private function dup($rec) {
-        $store = load();
-        if (!is_array($store)) {
-            return false;
-        }
+    private function dup(array $store, $rec) {
         return count($store) > 0 && $store[0] == $rec;
     }
 }
""",
        id="php-value-became-typed-parameter",
    ),
    pytest.param(
        "a.ts",
        """
 export function ctx(opts: Opts) {
-  return opts.createContext?.(opts, 1);
+  return opts.createContext?.(opts, 2);
 }
""",
        id="ts-optional-call-kept",
    ),
    pytest.param(
        "a.ts",
        """
 export function f(a: A) {
-  return a?.ok;
+  return !(a.ok);
 }
""",
        id="ts-logical-not-is-no-assertion",
    ),
    pytest.param(
        "a.rs",
        """
 fn next(&mut self) -> Result<A, Error> {
-    let a = Ancestor::new(&dent)
-        .map_err(|err| Error::from_io(self.depth, err))?;
+    let a = Ancestor::open(&dent)
+        .map_err(|err| Error::from_io(self.depth, err))?;
     Ok(a)
 }
""",
        id="rs-multiline-still-propagates",
    ),
    pytest.param(
        "a.php",
        """
 <?php
 function send($records) {
-    if ($records) {
+    if (\\count($records) > 0) {
         post($records[0]);
     }
 }
""",
        id="php-truthiness-became-count",
    ),
    pytest.param(
        "a.php",
        """
 <?php
 function last($e) {
-    if ($e && $e['type'] > 1) {
+    if (\\is_array($e) && $e['type'] > 1) {
         report($e['trace']);
     }
 }
""",
        id="php-truthiness-became-type-test",
    ),
    pytest.param(
        "a.js",
        """
 function open(connection, resolve, reject) {
-  connection.connect((err) => {
-    if (err) {
-      return reject(err);
-    }
+  connection.connect((err) => {
+    if (err) return reject(err);
     resolve(connection);
   });
 }
""",
        id="js-error-callback-check-rewritten",
    ),
    pytest.param(
        "a.py",
        """
 def read(sock, n):
     data = sock.recv(n)
-    if len(data) < n:
-        return None
     return data
""",
        id="py-return-guard-then-returned",
    ),
    pytest.param(
        "a.php",
        """
 <?php
 function encode($data) {
-    if (!function_exists('json_encode')) {
-        throw new RuntimeException('needs ext-json');
-    }
     return json_encode($data);
 }
""",
        id="php-environment-check-dropped",
    ),
    pytest.param(
        "a.php",
        """
 <?php
 class H {
-    public function __construct($redis) {
-        if (!($redis instanceof Client)) {
-            throw new InvalidArgumentException('Client required');
-        }
+    public function __construct(Client $redis) {
         $this->client = $redis;
     }
 }
""",
        id="php-check-became-parameter-type",
    ),
    pytest.param(
        "a.py",
        """
 def send(cmd):
     result = run(cmd)
-    if result != 0:
-        raise OSError("failed")
+    check_status(result)
     log(result)
""",
        id="py-throw-moved-to-helper-is-not-a-raise-line",
    ),
    pytest.param(
        "a.py",
        """
 def items(self):
     while True:
         if self.done:
-            raise StopIteration
+            return
         yield self.next()
""",
        id="py-stopiteration-became-return",
    ),
    pytest.param(
        "a.java",
        """
 class P {
   void check(Set<String> expected) throws MissingOptionException {
     if (!expected.isEmpty()) {
-      throw new MissingOptionException(expected);
+      throw new MissingOptionException(expected, "x");
     }
   }
 }
""",
        id="java-throw-rewritten",
    ),
]


@pytest.mark.parametrize(("path", "annotated"), SILENT)
def test_moved_replaced_or_unneeded_guards_stay_silent(path: str, annotated: str) -> None:
    assert review(path, annotated, GUARD) == []


DROPPED = "generic.dropped-parameter"

DROPPED_HITS = [
    pytest.param(
        "a.py",
        """
 def make_context(verify, cert_file):
     ctx = ssl.create_default_context()
+    if not verify:
+        return ctx
     ctx.load_cert_chain(cert_file)
     return ctx
""",
        4,
        id="py-ssl-cert-skipped",
    ),
    pytest.param(
        "a.go",
        """
 package p
 func (c *Client) Configure(timeout time.Duration, retries int) {
+\tif c.fast {
+\t\treturn
+\t}
 \tc.timeout = timeout
 \tc.retries = retries
 }
""",
        4,
        id="go-config-skipped",
    ),
    pytest.param(
        "a.ts",
        """
 export function configure(client: Client, retries: number) {
   client.init();
+  if (client.ready) return client;
   client.setRetries(retries);
   return client;
 }
""",
        3,
        id="ts-retries-skipped",
    ),
]


@pytest.mark.parametrize(("path", "annotated", "line"), DROPPED_HITS)
def test_an_early_return_before_a_parameter_is_honoured_is_reported(
    path: str, annotated: str, line: int
) -> None:
    (finding,) = review(path, annotated, DROPPED)
    assert finding.span.start_line == line and finding.fix is None and finding.confidence == 0.6


DROPPED_SILENT = [
    pytest.param(
        "a.py",
        """
 def get(self, key, default=None):
+    if key in self._cache:
+        return self._cache[key]
     return self._load(key) or default
""",
        id="fast-path-feeds-the-result",
    ),
    pytest.param(
        "a.py",
        """
 def make_context(verify, cert_file):
     ctx = ssl.create_default_context()
+    if not cert_file:
+        return ctx
     ctx.load_cert_chain(cert_file)
     return ctx
""",
        id="return-tests-the-parameter",
    ),
    pytest.param(
        "a.py",
        """
 def make_context(verify, cert_file):
     ctx = ssl.create_default_context()
     ctx.load_cert_chain(cert_file)
+    if not verify:
+        return ctx
     ctx.check_hostname = True
     return ctx
""",
        id="parameter-used-before-the-return",
    ),
    pytest.param(
        "a.ts",
        """
 export function send(request: Request, onProgress: Listener) {
+  if (!request.body) return request;
   track(request.body, onProgress);
   return request;
 }
""",
        id="nothing-to-process",
    ),
    pytest.param(
        "a.go",
        """
 package p
 func (lx *lexer) emit(typ itemType) {
+\tif lx.start > lx.pos {
+\t\tlx.error(errLexUTF8{})
+\t\treturn
+\t}
 \tlx.items <- item{typ: typ}
 }
""",
        id="failure-path",
    ),
    pytest.param(
        "a.py",
        """
 def f(a, b):
-    return a
+    return a + 1
""",
        id="final-return-edited",
    ),
    pytest.param(
        "A.java",
        """
 class A {
   void handle(Option option) {
-    if (handler != null) {
-      handler.accept(option);
-    }
+    if (handler == null) {
+      return;
+    }
+    handler.accept(option);
   }
 }
""",
        id="old-use-under-another-test",
    ),
]


@pytest.mark.parametrize(("path", "annotated"), DROPPED_SILENT)
def test_early_returns_that_honour_every_parameter_stay_silent(path: str, annotated: str) -> None:
    assert review(path, annotated, DROPPED) == []


def test_a_null_test_that_remains_does_not_stand_in_for_a_deleted_type_check() -> None:
    # addressable: `if new_host && !new_host.respond_to?(:to_str)` deleted; the ternary below
    # still tests for nil, but no longer for the type, so `to_str` now raises NoMethodError.
    annotated = (
        " class URI\n   def host=(new_host)\n"
        "-    if new_host && !new_host.respond_to?(:to_str)\n"
        '-      raise TypeError, "cannot convert"\n'
        "-    end\n"
        "     @host = new_host ? new_host.to_str : nil\n   end\n end\n"
    )
    (finding,) = rule_findings("lib/uri.rb", annotated, "generic.removed-guard")
    assert "of another type" in finding.message


def test_php_global_namespace_test_calls_are_guards() -> None:
    # monolog: `if (!\is_resource($stream)) { throw ... }` deleted after fopen()
    annotated = (
        " <?php\n function open($url) {\n     $stream = fopen($url, 'a');\n"
        "-    if (!\\is_resource($stream)) {\n"
        "-        throw new \\UnexpectedValueException('cannot open');\n"
        "-    }\n"
        "     stream_set_chunk_size($stream, 1024);\n     return $stream;\n }\n"
    )
    assert [
        f.span.start_line for f in rule_findings("src/S.php", annotated, "generic.removed-guard")
    ] == [4]


def test_a_check_of_a_fresh_result_a_few_statements_below_the_call() -> None:
    # monolog 2.9.1: fopen(), a chmod and restore_error_handler(), then the deleted check
    annotated = (
        " <?php\n function open($url, $mode) {\n     $stream = fopen($url, 'a');\n"
        "     if ($mode !== null) {\n         @chmod($url, $mode);\n     }\n"
        "     restore_error_handler();\n"
        "-    if (!is_resource($stream)) {\n"
        "-        throw new \\UnexpectedValueException('cannot open');\n"
        "-    }\n"
        "     stream_set_chunk_size($stream, 1024);\n     return $stream;\n }\n"
    )
    assert [
        f.span.start_line for f in rule_findings("src/S.php", annotated, "generic.removed-guard")
    ] == [8]
