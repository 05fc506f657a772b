"""Resource leaks: handles acquired in changed code and never released, and releases the change removed.

An acquire is a local bound to a call that opens a file, socket, connection or stream
(``open``, ``os.Open``, ``new FileInputStream``, ``fopen``...), outside ``with``/``using``/
try-with-resources/a Ruby block. It leaks when the rest of its function neither releases it
(``close``, ``defer x.Close()``, ``fclose``...) nor hands it on (returns or yields it,
stores it in a field or a collection, wraps it in another resource, passes it to
``closing``/``enter_context``): handing it on transfers ownership and stays silent. A lock
taken with ``acquire()``/``Lock()`` and never released counts too. Module-level code (a
script) is left alone.

The second rule reads the old side: a release line the change deleted (``f.close()``,
``defer rows.Close()``, ``mu.Unlock()``, ``free(buf)``, ``flock($f, LOCK_UN)``) while the
function still holds the handle (or, for a field such as ``self.conn``, still works with its
owner) and no longer releases it.
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


def _function(node: ts.Node) -> ts.Node | None:
    current = node.parent
    while current is not None and current.type not in FUNCTIONS:
        current = current.parent
    return current


def _hands_on_or_releases(text: str, name: str, language: str) -> bool:
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
        function = _function(statement)
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
        if _hands_on_or_releases(rest.decode("utf-8", "replace"), name, language):
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
        function = _function(node) if node is not None else None
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


RELEASE_LINE = re.compile(
    r"^\s{0,40}(?:defer\s{1,4})?(?:"
    r"(?P<obj>\$?[A-Za-z_](?:[\w.]|->|\[[\w.$]{1,40}\]){0,80}?)(?:\.|->)"
    r"(?P<method>close|Close|closeSync|Dispose|release|Unlock|RUnlock|unlock)\(\)"
    # fclose(f), free(p), ini_free(line), hooks.deallocate(p.buffer), xml_memory::deallocate(contents)
    r"|(?P<fn>(?:[A-Za-z_]\w{0,40}(?:\.|::|->)){0,3}(?:\w{0,30}_)?"
    r"(?:fclose|pclose|closedir|close|closesocket|curl_close|free|deallocate|dealloc))"
    r"\(\s{0,4}(?P<arg>\$?[A-Za-z_]\w{0,60}(?:(?:\.|->)[A-Za-z_]\w{0,60}){0,2})\s{0,4}\)"
    r"|flock\(\s{0,4}(?P<locked>\$?[A-Za-z_]\w{0,60})\s{0,4},\s{0,4}LOCK_UN\s{0,4}\)"
    # a deferred closing helper taking the handle last: `defer deferredClose(&err, file)`
    r"|(?<=defer )[A-Za-z_][\w.]{0,40}(?:close|Close)\w{0,20}\([^()]{0,80}?,\s{0,4}(?P<deferred>[A-Za-z_]\w{0,60})\s{0,4}\)"
    r")\s{0,4};?\s{0,4}$"
)


def _removed_releases(ctx: CheckContext) -> Iterator[tuple[int, str, str]]:
    """(new line where the removed release stood, released name, the removed line)."""
    for hunk in ctx.file.hunks:
        new_line = hunk.new_start - 1
        for raw in hunk.lines:
            tag, body = raw[:1], raw[1:]
            if tag in (" ", "+"):
                new_line += 1
            elif tag == "-":
                match = RELEASE_LINE.match(body)
                if match:
                    name = (
                        match.group("obj")
                        or match.group("arg")
                        or match.group("locked")
                        or match.group("deferred")
                        or ""
                    )
                    yield max(new_line + 1, hunk.new_start), name, body.strip()


def find_removed_release(ctx: CheckContext) -> Iterator[Hit]:
    yield from _exits_skipping_release(ctx)
    if ctx.tree is None or ctx.old_text is None or not ctx.file.removed_lines:
        return
    for anchor, name, removed in _removed_releases(ctx):
        anchor = min(anchor, len(ctx.lines))
        text = ctx.line(anchor)
        column = len(text) - len(text.lstrip())
        node = ctx.tree.root_node.descendant_for_point_range(
            (anchor - 1, column), (anchor - 1, column)
        )
        function = _function(node) if node is not None else None
        if function is None:
            continue
        body = ctx.node_text(function)
        handle = name.lstrip("$")
        # A field (`l.cn.c`, `self.stack[i]`) outlives the call: the function still using its owner is enough.
        owner = re.split(r"\.|->|\[", handle, maxsplit=1)[0]
        if not re.search(rf"(?<![\w.]){re.escape(owner)}(?!\w)", body):
            continue  # the handle itself is gone too
        compact = removed.replace(" ", "")
        if any(compact in ctx.line(n).replace(" ", "") for n in ctx.added):
            continue  # moved, not removed
        if compact in body.replace(" ", ""):
            # Still released on another path (an error branch): this path now leaks.
            yield Hit(
                Span(anchor, column, anchor, len(text.rstrip())),
                f"The change deletes `{removed}` from this path while the function still holds "
                f"`{handle}`; only the other paths release it now.",
                removed,
                anchored_on_removal=True,
                confidence=0.5,
            )
            continue
        if _released_anyway(body, handle):
            continue
        yield Hit(
            Span(anchor, column, anchor, len(text.rstrip())),
            f"The change deletes `{removed}` while this function still holds `{handle}`, so it is "
            "never released now.",
            removed,
            anchored_on_removal=True,
        )


EXIT_LINE = re.compile(r"^\s{0,80}(?:if\s{0,3}\([^;]{0,200}\)\s{0,3})?(?:return|raise|throw)\b")
MANAGED_RELEASE = re.compile(r"\b(?:defer|finally|using|with|ensure)\b")


def _exits_skipping_release(ctx: CheckContext) -> Iterator[Hit]:
    """An added early exit between acquiring a handle and the release further down, which it skips."""
    if ctx.tree is None:
        return
    names = ACQUIRES.get(ctx.language or "", frozenset())
    if not names:
        return
    acquire_calls = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    for line in sorted(ctx.added):
        text = ctx.line(line)
        if not EXIT_LINE.match(text):
            continue
        column = len(text) - len(text.lstrip())
        node = ctx.tree.root_node.descendant_for_point_range((line - 1, column), (line - 1, column))
        function = _function(node) if node is not None else None
        if function is None or MANAGED_RELEASE.search(ctx.node_text(function)):
            continue
        first, last = function.start_point[0] + 1, function.end_point[0] + 1
        later = [(n, RELEASE_LINE.match(ctx.line(n))) for n in range(line + 1, last + 1)]
        for number, match in later:
            if match is None or ctx.is_added(number):
                continue
            name = (
                match.group("obj")
                or match.group("arg")
                or match.group("locked")
                or match.group("deferred")
                or ""
            )
            escaped = re.escape(name)
            acquired = re.compile(
                rf"(?<![\w.]){escaped}\s{{0,3}}:?=\s{{0,3}}[^;\n]{{0,80}}?(?<![\w.])(?:{acquire_calls})\s{{0,3}}\("
            )
            if not any(acquired.search(ctx.line(n)) for n in range(first, line)):
                continue
            if re.search(rf"(?<![\w.]){escaped}(?!\w)", text) or (
                node is not None and _exit_tests(ctx, node, escaped)
            ):
                continue  # the exit hands the handle on or releases it, or leaves because it failed to open
            yield Hit(
                Span(line, column, line, len(text.rstrip())),
                f"This new early exit leaves before `{match.group(0).strip()}` on line {number}, so `{name}` "
                "is never released on this path; release it before leaving.",
                text.strip(),
                confidence=0.7,
            )
            break


def _exit_tests(ctx: CheckContext, node: ts.Node, escaped: str) -> bool:
    """The condition of the ``if`` around the exit mentions the handle (``if (!f) return -1;``)."""
    current: ts.Node | None = node
    while current is not None and current.type not in FUNCTIONS:
        if current.type in (
            "if_statement",
            "if",
            "unless",
            "if_modifier",
            "unless_modifier",
            "if_expression",
        ):
            condition = current.child_by_field_name("condition")
            text = ctx.node_text(condition if condition is not None else current)
            return re.search(rf"(?<![\w.]){escaped}(?!\w)", text) is not None
        current = current.parent
    return False


def _released_anyway(body: str, handle: str) -> bool:
    v = re.escape(handle)
    return bool(
        re.search(rf"\b{v}\b[\w.\->]{{0,60}}?(?:\.|->){RELEASE_METHODS}\s{{0,4}}\(", body)
        or re.search(rf"\b{RELEASE_FUNCTIONS}\s{{0,4}}\(\s{{0,4}}\$?{v}\b", body)
        or re.search(
            rf"\b{v}\b[\w.]{{0,60}}\.R?Unlock\(|\b{v}\b[\w.]{{0,60}}\.(?:release|unlock)\(", body
        )
        or re.search(rf"\b(?:with|using)\b[^\n]{{0,200}}\b{v}\b", body)
    )


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
    Rule(
        RuleInfo(
            "generic.removed-release",
            (*LANGUAGES, "rust"),
            Severity.WARNING,
            "correctness",
            "a close/unlock the change deleted, or an added early exit that skips it, while the function "
            "still holds the resource",
            confidence=0.7,
        ),
        find_removed_release,
    ),
)
