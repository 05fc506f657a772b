"""Inverted condition, where the result contradicts itself: a changed ``if`` that tests that a
value is missing (or empty) and whose body then uses it as present.

``if x is None: x.strip()``, ``if (p == NULL) { p->len }``, ``if ($u === null) { $u->id }``,
``if (list.isEmpty()) return list.get(0)``, ``if x.is_none() { x.unwrap() }``, and Go's
``if err == nil { return err }`` where the old line tested ``err != nil``. Only the body's
leading statements count, up to the first one that assigns the value, branches or loops
(``if x is None: x = load()`` is the usual fix-up, not a contradiction); for a container's
emptiness or a field (``this.conn``), which any call may fill, only the first statement. A condition joined
with ``or`` proves nothing about the body and stays silent. Every other flipped condition
is left alone: intentional fixes flip conditions too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.checks.logic_lines import LANGUAGES, line_pairs, nodes_on_added
from tactful.analyzers.model import Severity

_IFS = frozenset({"if_statement", "if_expression", "if"})
_X = r"(?P<x>[$]?[A-Za-z_]\w{0,40}(?:(?:\.|->)[A-Za-z_]\w{0,40}){0,2})"
_NULL_TESTS = (
    rf"^{_X}\s+is\s+None$",
    rf"^{_X}\s*={{2,3}}\s*(?:None|null|nil|NULL|nullptr|undefined)$",
    rf"^(?:None|null|nil|NULL|nullptr)\s*={{2,3}}\s*{_X}$",
    rf"^{_X}\.nil\?$",
    rf"^{_X}\.is_none\(\)$",
    rf"^is_null\(\s*{_X}\s*\)$",
    rf"^typeof\s+{_X}\s*={{2,3}}\s*['\"]undefined['\"]$",
)
_EMPTY_TESTS = (
    rf"^len\(\s*{_X}\s*\)\s*==\s*0$",
    rf"^{_X}\.(?:length|Length|Count|size\(\)|len\(\)|count\(\))\s*={{2,3}}\s*0$",
    rf"^{_X}\.(?:isEmpty|is_empty|empty)\(\)$",
    rf"^count\(\s*{_X}\s*\)\s*={{2,3}}\s*0$",
    rf"^empty\(\s*{_X}\s*\)$",
    rf"^!\s*{_X}\.Any\(\)$",
)
_C_NOT = rf"^!\s*{_X}$"
_PY_NOT = rf"^not\s+{_X}$"
# Methods that work on nil/None-like receivers (Ruby's nil responds to these).
_SAFE_ON_NIL = r"nil\?|to_s|to_a|to_i|to_h|inspect|class|is_a\?|equal\?|hash|frozen\?|then|tap|presence|blank\?|present\?|try"
_STORED = re.compile(r"^\s*\]?\s*=(?!=)")
"""`d[0] = v` stores into the value (a dict or JS array takes it), not a read of what is missing."""
_GO_ERR = re.compile(r"^(?P<x>[A-Za-z_]*[eE]rr\w*)\s*==\s*nil$")


def find_contradicted_guards(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.tree is None or ctx.is_test_file or not ctx.added:
        return
    flipped = _flipped_lines(ctx) if ctx.language == "go" else set()
    for node in nodes_on_added(ctx, _IFS):
        line = node.start_point[0] + 1
        condition = node.child_by_field_name("condition")
        if condition is None:
            continue
        tests = _tests(ctx.node_text(condition))
        if tests is None:
            continue
        body = node.child_by_field_name("consequence") or node.child_by_field_name("body")
        if body is None:
            continue
        for test in tests:
            found = _contradiction(ctx, test, body, line in flipped)
            if found is not None:
                name, use = found
                yield Hit(
                    ctx.span(condition),
                    (
                        f"This condition holds only when `{name}` is {_state(test, ctx.language)}, yet "
                        f"its body goes on to use it (`{use}`): the test looks inverted."
                    ),
                    ctx.line(line).strip(),
                    confidence=0.8,
                )
                break


def _tests(condition: str) -> list[str] | None:
    """The conjuncts of a condition (None when it has an `or`, which proves nothing)."""
    text = " ".join(condition.split())
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    if "||" in text or re.search(r"\bor\b", text):
        return None
    parts = [p.strip() for p in re.split(r"&&|\band\b", text)]
    return [_unwrap(p) for p in parts if p]


def _unwrap(text: str) -> str:
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _kind(test: str, language: str | None) -> tuple[str, str] | None:
    for pattern in _NULL_TESTS:
        match = re.match(pattern, test)
        if match:
            return match.group("x"), "null"
    for pattern in _EMPTY_TESTS:
        match = re.match(pattern, test)
        if match:
            return match.group("x"), "empty"
    if language in ("c", "cpp"):
        match = re.match(_C_NOT, test)
        if match:
            return match.group("x"), "pointer"
    if language == "python":
        match = re.match(_PY_NOT, test)
        if match:
            return match.group("x"), "empty"
    return None


def _state(test: str, language: str | None) -> str:
    if language == "go":
        return "nil"
    kind = _kind(test, language)
    return "empty" if kind is not None and kind[1] == "empty" else "missing (null)"


def _use_pattern(name: str, kind: str, language: str | None) -> re.Pattern[str]:
    x = rf"(?<![\w$.>]){re.escape(name)}"
    if kind == "empty":
        return re.compile(
            rf"{x}(?:\[\s*-?[01]\s*\]|\.(?:get\(\s*0\s*\)|getFirst\(\)|First\(\)|front\(\)|back\(\)|iterator\(\)\.next\(\)))"
        )
    if kind == "pointer":
        return re.compile(rf"{x}\s*->\s*\w+|\(\s*\*\s*{re.escape(name)}\s*\)\s*\.\s*\w+")
    if language == "ruby":
        return re.compile(rf"{x}\.(?!(?:{_SAFE_ON_NIL})(?![\w?]))[a-z_]\w*|{x}\[")
    if language == "rust":
        return re.compile(rf"{x}\.(?:unwrap|expect)\(")
    if language in ("c", "cpp"):
        return re.compile(rf"{x}\s*->\s*\w+|{x}\s*\[")
    if language == "php":
        return re.compile(rf"{x}\s*->\s*\w+")
    # Python, JS/TS, Java, C#: a member or an element of a null value (not `x?.y`).
    return re.compile(rf"{x}\s*(?:\.(?!\?)\s*[A-Za-z_]\w*|\[)")


def _contradiction(
    ctx: CheckContext, test: str, body: ts.Node, flipped: bool
) -> tuple[str, str] | None:
    if ctx.language == "go":
        match = _GO_ERR.match(test)
        if match is None or not flipped:
            return None  # a nil pointer may still have methods; only errors are certain
        name = match.group("x")
        use = re.compile(rf"^\s*return\b.*(?<![\w.]){name}\s*$|(?<![\w.]){name}\.Error\(\)")
        kind = "go-error"
    else:
        found = _kind(test, ctx.language)
        if found is None:
            return None
        name, kind = found
        use = _use_pattern(name, kind, ctx.language)
    assigns = re.compile(
        rf"(?<![\w$.]){re.escape(name)}\s*(?:=(?![=~>])|\|\|=|\?\?=|:=)|&\s*{re.escape(name)}\b"
    )
    statements = [c for c in body.named_children if "comment" not in c.type]
    if body.type not in _BLOCKS:
        statements = [body]
    # A container can be filled and a field set by any call (`list.add(x)`, `this.connect()`):
    # for those only the first statement is certain to see what the test saw.
    certain = 1 if kind == "empty" or re.search(r"\.|->", name) else 4
    for statement in statements[:certain]:
        text = ctx.node_text(statement)
        if assigns.search(text) or _branches(statement) or "=>" in text or "lambda" in text:
            return None
        for raw in text.split("\n"):
            code = raw.split("//")[0].split(" #")[0]
            match = use.search(code)
            if match and not (kind == "empty" and _STORED.match(code[match.end() :])):
                return name, match.group(0).strip()
        if _exits(text):
            return None
    return None


_BLOCKS = frozenset(
    {"block", "statement_block", "compound_statement", "then", "body_statement", "declaration_list"}
)
_BRANCHING = ("if", "for", "while", "try", "switch", "match", "case", "loop", "unless", "begin")


def _branches(statement: ts.Node) -> bool:
    return statement.type.split("_")[0] in _BRANCHING or any(
        c.type.split("_")[0] in _BRANCHING for c in statement.named_children
    )


def _exits(text: str) -> bool:
    return bool(re.match(r"^\s*(?:return|raise|throw|break|continue|goto|panic|exit)\b", text))


def _flipped_lines(ctx: CheckContext) -> set[int]:
    """New lines whose old line tested ``!= nil`` where they now test ``== nil``."""
    return {
        pair.new_line
        for pair in line_pairs(ctx)
        if "!= nil" in pair.old and "== nil" in pair.new and "!= nil" not in pair.new
    }


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.contradicted-guard",
            LANGUAGES,
            Severity.WARNING,
            "correctness",
            "a changed condition tests that a value is missing or empty, and its body then uses the value",
            confidence=0.8,
        ),
        find_contradicted_guards,
    ),
)
