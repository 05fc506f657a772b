"""Resource leaks: handles acquired in changed code and never released.

An acquire is a local bound to a call that opens a file, socket, connection or stream
(``open``, ``os.Open``, ``new FileInputStream``, ``fopen``...), outside ``with``/``using``/
try-with-resources/a Ruby block. It leaks when the rest of its function neither releases it
(``close``, ``defer x.Close()``, ``fclose``...) nor hands it on (returns or yields it,
stores it in a field or a collection, wraps it in another resource, passes it to
``closing``/``enter_context``): handing it on transfers ownership and stays silent. A lock
taken with ``acquire()``/``Lock()`` and never released counts too. Module-level code (a
script) is left alone. Releases the change removed are in ``leak_removals``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import CALLABLE_NODES, JS_LIKE, CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.model import Severity, Span

LANGUAGES = ("python", *JS_LIKE, "go", "java", "csharp", "c", "cpp", "ruby", "php")

# What each language's acquiring calls are called (the callee's full text or its last part).
ACQUIRES: dict[str, frozenset[str]] = {
    "python": frozenset(
        {
            "open",
            "io.open",
            "socket.socket",
            "socket.create_connection",
            "sqlite3.connect",
            "psycopg2.connect",
            "psycopg.connect",
            "pymysql.connect",
            "MySQLdb.connect",
            "urlopen",
            "urllib.request.urlopen",
            "tempfile.NamedTemporaryFile",
            "tempfile.TemporaryFile",
            "gzip.open",
            "bz2.open",
            "lzma.open",
            "tarfile.open",
            "zipfile.ZipFile",
            "codecs.open",
        }
    ),
    "go": frozenset(
        {
            "os.Open",
            "os.Create",
            "os.OpenFile",
            "sql.Open",
            "net.Dial",
            "net.DialTimeout",
            "net.Listen",
            "http.Get",
            "http.Post",
            "http.Head",
            "http.PostForm",
            "zip.OpenReader",
            "gzip.NewReader",
        }
    ),
    "java": frozenset(
        {
            "FileInputStream",
            "FileOutputStream",
            "FileReader",
            "FileWriter",
            "RandomAccessFile",
            "Socket",
            "ServerSocket",
            "ZipFile",
            "JarFile",
            "DriverManager.getConnection",
            "Files.newBufferedReader",
            "Files.newBufferedWriter",
            "Files.newInputStream",
            "Files.newOutputStream",
            "Files.lines",
            "Files.list",
            "Files.walk",
        }
    ),
    "csharp": frozenset(
        {
            "StreamReader",
            "StreamWriter",
            "FileStream",
            "SqlConnection",
            "NpgsqlConnection",
            "MySqlConnection",
            "SqliteConnection",
            "TcpClient",
            "BinaryReader",
            "BinaryWriter",
            "File.OpenRead",
            "File.OpenWrite",
            "File.Open",
            "File.OpenText",
            "File.CreateText",
            "File.AppendText",
            "File.Create",
        }
    ),
    "c": frozenset({"fopen", "fdopen", "popen", "opendir", "open", "socket", "accept", "tmpfile"}),
    "ruby": frozenset(
        {"File.open", "File.new", "TCPSocket.new", "TCPSocket.open", "Socket.new", "IO.popen"}
    ),
    "php": frozenset({"fopen", "fsockopen", "popen", "opendir", "curl_init", "proc_open"}),
    "javascript": frozenset({"fs.openSync", "openSync"}),
}
ACQUIRES["cpp"] = ACQUIRES["c"]
ACQUIRES["typescript"] = ACQUIRES["tsx"] = ACQUIRES["javascript"]

ADVICE = {
    "python": "open it in a `with` block",
    "go": "add `defer {name}.Close()` after the error check",
    "java": "open it in a try-with-resources statement",
    "csharp": "declare it with `using`",
    "c": "close it on every path out of the function",
    "ruby": "pass a block to File.open so it closes itself",
    "php": "close it on every path out of the function",
    "javascript": "close it in a `finally` block",
}
ADVICE["cpp"] = ADVICE["c"]
ADVICE["typescript"] = ADVICE["tsx"] = ADVICE["javascript"]

FUNCTIONS = CALLABLE_NODES
RELEASE_METHODS = r"(?:close|Close|closeSync|Dispose|dispose|release|shutdown|disconnect|Shutdown)"
RELEASE_FUNCTIONS = (
    r"(?:fclose|pclose|closedir|close|closeSync|curl_close|closesocket|proc_close|socket_close)"
    r"(?:Quietly|_quietly|Silently)?"
)
TRANSFER_CALLS = (
    r"(?:append|add|push|put|enter_context|closing|register|extend|insert|Add|Push|set|setdefault)"
)


def _callee(node: ts.Node) -> str:
    if node.type == "object_creation_expression":
        kind = node.child_by_field_name("type")
        return (kind.text or b"").decode("utf-8", "replace") if kind is not None else ""
    function = node.child_by_field_name("function")
    if function is None and node.type in ("call", "method_invocation"):
        receiver = node.child_by_field_name("receiver") or node.child_by_field_name("object")
        method = node.child_by_field_name("method") or node.child_by_field_name("name")
        parts = [p for p in (receiver, method) if p is not None]
        return ".".join((p.text or b"").decode("utf-8", "replace") for p in parts)
    return (function.text or b"").decode("utf-8", "replace") if function is not None else ""


def _acquires(language: str, callee: str) -> bool:
    names = ACQUIRES.get(language, frozenset())
    if callee in names:
        return True
    last = callee.rsplit(".", 1)[-1]
    # `new java.io.FileReader(...)`, `os.path`-free `io.open` spelt differently: match the last part
    # only for names that are unambiguous on their own.
    return language in ("java", "csharp") and last in names


def function_of(node: ts.Node) -> ts.Node | None:
    """The function or method around ``node``, if any."""
    current = node.parent
    while current is not None and current.type not in FUNCTIONS:
        current = current.parent
    return current


def hands_on_or_releases(text: str, name: str, language: str) -> bool:
    """True when ``text`` (the function after the acquire) releases ``name`` or hands it on.

    Handing on means returning or yielding the handle itself (not something read from it),
    storing it, adding it to a collection, or wrapping it in another resource.
    """
    v = re.escape(name.lstrip("$"))
    patterns = [
        rf"\b{v}\b[\w.\->]{{0,60}}?(?:\.|->){RELEASE_METHODS}\s{{0,4}}\(",
        rf"\b{RELEASE_FUNCTIONS}\s{{0,4}}\(\s{{0,4}}\$?{v}\b",
        rf"\b(?:return|yield)\b[^\n;(]{{0,200}}\$?\b{v}\b\s{{0,4}}(?:[,;)}}\]]|$)",
        rf"(?:[^=!<>:]=|=>|:)\s{{0,4}}(?:&\s{{0,2}})?\$?{v}\b\s{{0,4}}(?:[;,)}}\]]|$)",
        rf"\b{TRANSFER_CALLS}\s{{0,4}}\(\s{{0,4}}\$?{v}\b",
        rf"\b(?:with|using|defer)\b[^\n]{{0,200}}\b{v}\b",
        rf"\bnew\s{{1,4}}[\w.]{{1,80}}\s{{0,4}}\(\s{{0,4}}{v}\b",
        rf"\bgo\b[^\n]{{0,200}}\b{v}\b",
    ]
    if language == "python":
        patterns.append(rf"\b[A-Z]\w{{0,60}}\s{{0,4}}\(\s{{0,4}}{v}\b")  # a wrapping class
    return any(re.search(p, text, re.MULTILINE) for p in patterns)


def _inside_managed(ctx: CheckContext, statement: ts.Node, value: ts.Node) -> bool:
    if ctx.language == "csharp" and ctx.node_text(statement).lstrip().startswith(
        ("using", "await using")
    ):
        return True
    if ctx.language == "ruby" and any(c.type in ("block", "do_block") for c in value.children):
        return True  # File.open(path) { |f| ... } closes itself
    current = statement.parent
    while current is not None and current.type not in FUNCTIONS:
        if current.type in ("with_statement", "resource_specification", "using_statement"):
            return True
        current = current.parent
    return False


def find_unreleased(ctx: CheckContext) -> Iterator[Hit]:
    language = ctx.language or ""
    if ctx.is_test_file:
        return  # tests open fixtures freely and the process is short-lived
    for captures in ctx.captures("leak.assign"):
        statement, name_node, value = (
            captures["leak.assign"][0],
            captures["name"][0],
            captures["value"][0],
        )
        callee = _callee(value)
        if not _acquires(language, callee) and language in ("java", "csharp"):
            # new BufferedReader(new FileReader(p)): the wrapper owns the file it wraps
            inner = re.search(
                r"\bnew\s{1,4}(?:[\w.]{0,80}\.)?(\w{1,60})\s{0,4}\(", ctx.node_text(value)[4:]
            )
            callee = inner.group(1) if inner and _acquires(language, inner.group(1)) else callee
        if not _acquires(language, callee) or _inside_managed(ctx, statement, value):
            continue
        function = function_of(statement)
        if function is None:
            continue  # module level: a script that lives as long as the process
        name = ctx.node_text(name_node)
        if name in ("_", "err"):
            continue
        rest = (
            (ctx.tree.root_node.text or b"")[statement.end_byte : function.end_byte]
            if ctx.tree
            else b""
        )
        if hands_on_or_releases(rest.decode("utf-8", "replace"), name, language):
            continue
        advice = ADVICE.get(language, "release it on every path").format(name=name)
        yield ctx.hit(
            statement,
            f"`{name}` from {callee}() is never closed or handed on in this function, so every call "
            f"leaks it; {advice}.",
        )


LOCK_CALL = {
    "python": re.compile(r"^\s{0,40}(?P<var>[A-Za-z_][\w.]{0,80})\.acquire\(\)\s{0,8}$"),
    "go": re.compile(r"^\s{0,40}(?P<var>[A-Za-z_][\w.]{0,80})\.(?P<kind>R?)Lock\(\)\s{0,8}$"),
}


def find_unreleased_lock(ctx: CheckContext) -> Iterator[Hit]:
    pattern = LOCK_CALL.get(ctx.language or "")
    if pattern is None or ctx.tree is None:
        return
    for line in sorted(ctx.added):
        match = pattern.match(ctx.line(line))
        if match is None:
            continue
        column = match.start("var")
        node = ctx.tree.root_node.descendant_for_point_range((line - 1, column), (line - 1, column))
        function = function_of(node) if node is not None else None
        if function is None:
            continue
        if _name_of(function) in LOCKING_FUNCTIONS:
            continue  # __enter__ or a lock wrapper's own acquire: its partner releases
        var = match.group("var")
        unlock = "release" if ctx.language == "python" else f"{match.group('kind')}Unlock"
        body = ctx.node_text(function)
        if re.search(rf"\b{re.escape(var)}\.{unlock}\(", body):
            continue
        start = ctx.line(line)[column:].rstrip()
        yield Hit(
            Span(line, column, line, column + len(start)),
            f"`{var}` is locked here and never unlocked in this function; the next caller deadlocks. "
            + (
                "Use `with` on the lock."
                if ctx.language == "python"
                else f"Add `defer {var}.{unlock}()`."
            ),
            start,
        )


LOCKING_FUNCTIONS = frozenset(
    {"__enter__", "__aenter__", "acquire", "lock", "Lock", "RLock", "rlock"}
)


def _name_of(function: ts.Node) -> str:
    name = function.child_by_field_name("name")
    return (name.text or b"").decode("utf-8", "replace") if name is not None else ""


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.resource-leak",
            LANGUAGES,
            Severity.WARNING,
            "correctness",
            "a file, socket or connection opened in changed code and never closed or handed on",
            confidence=0.6,
        ),
        find_unreleased,
    ),
    Rule(
        RuleInfo(
            "generic.lock-not-released",
            ("python", "go"),
            Severity.WARNING,
            "correctness",
            "a lock acquired in changed code with no release in the function",
            confidence=0.7,
        ),
        find_unreleased_lock,
    ),
)
