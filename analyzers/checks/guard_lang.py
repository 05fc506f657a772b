"""Per-language syntax tables for the old-vs-new rules: guard statements, exits, scopes.

Only node types and field names live here (what differs between grammars); the rules in
``guards`` and ``dropped`` read them and stay language-neutral.
"""

from __future__ import annotations

import re

LANGUAGES = (
    "python",
    "javascript",
    "typescript",
    "tsx",
    "go",
    "java",
    "c",
    "cpp",
    "csharp",
    "ruby",
    "php",
    "rust",
)

IF_TYPES = frozenset(
    {"if_statement", "if_expression", "if", "unless", "if_modifier", "unless_modifier"}
)
"""Conditional statements whose condition may guard what follows."""

NEGATED_IFS = frozenset({"unless", "unless_modifier"})

BODY_FIELDS = ("consequence", "body")
ELSE_FIELDS = ("alternative",)
ELSE_TYPES = frozenset({"else_clause", "elif_clause", "else", "elsif"})

BLOCK_TYPES = frozenset(
    {
        "block",
        "statement_block",
        "compound_statement",
        "then",
        "else",
        "body_statement",
        "do_block",
        "statement_list",
        "else_clause",
        "elif_clause",
        "elsif",
        "switch_block_statement_group",
        "case_clause",
        "colon_block",
    }
)
"""Statement blocks: a test inside one guards only what the same block holds."""

ASSERT_TYPES = frozenset({"assert_statement"})

FUNCTION_TYPES = frozenset(
    {
        "function_definition",
        "function_declaration",
        "method_declaration",
        "method_definition",
        "function_expression",
        "arrow_function",
        "generator_function_declaration",
        "function_item",
        "method",
        "singleton_method",
        "constructor_declaration",
        "local_function_statement",
        "func_literal",
        "lambda_expression",
        "closure_expression",
        "lambda",
        "anonymous_function",
        "anonymous_function_creation_expression",
        "operator_declaration",
        "accessor_declaration",
    }
)
"""Scopes a guard protects: the rest of the enclosing function."""

EXIT_TYPES = frozenset(
    {
        "return_statement",
        "raise_statement",
        "throw_statement",
        "continue_statement",
        "break_statement",
        "goto_statement",
        "return_expression",
        "continue_expression",
        "break_expression",
        "throw_expression",
        "return",
        "break",
        "next",
        "retry",
        "yield_break_statement",
    }
)
"""Statements that leave the guarded path."""

EXIT_CALLS = frozenset(
    {
        "panic",
        "abort",
        "exit",
        "_exit",
        "die",
        "raise",
        "fail",
        "Exit",
        "Fatal",
        "Fatalf",
        "Fatalln",
        "Panic",
        "Panicf",
        "Panicln",
        "unreachable",
        "todo",
        "unimplemented",
        "bail",
        "throw",
        "error",
    }
)
"""Callees (last name segment, ``!`` dropped) that do not return."""

NULL_WORDS = frozenset({"None", "null", "nil", "undefined", "NULL", "nullptr"})

TEST_CALLS = frozenset(
    {
        "len",
        "isinstance",
        "issubclass",
        "hasattr",
        "callable",
        "type",
        "is_a?",
        "kind_of?",
        "instance_of?",
        "respond_to?",
        "nil?",
        "empty?",
        "blank?",
        "present?",
        "any?",
        "none?",
        "isset",
        "empty",
        "is_null",
        "is_array",
        "is_string",
        "is_int",
        "is_numeric",
        "is_object",
        "is_callable",
        "count",
        "is_none",
        "is_some",
        "is_ok",
        "is_err",
        "is_empty",
        "isEmpty",
        "isNull",
        "nonNull",
        "isBlank",
        "IsNullOrEmpty",
        "IsNullOrWhiteSpace",
        "isArray",
        "isNaN",
        "size",
        "length",
        "Len",
        "Count",
        "Length",
        "Any",
        "has",
        "contains",
        "includes",
        "containsKey",
        "ContainsKey",
        "exists",
        "is_file",
        "is_dir",
        "isFile",
        "isDirectory",
        "is_resource",
    }
)
"""Calls in a condition that test their argument or receiver (null, size, type, presence)."""

TYPE_CALLS = frozenset(
    {
        "isinstance",
        "is_a?",
        "kind_of?",
        "instance_of?",
        "respond_to?",
        "issubclass",
        "callable",
        "type",
        "isArray",
        "isNaN",
        "is_array",
        "is_string",
        "is_int",
        "is_numeric",
        "is_object",
        "is_callable",
    }
)

SIZE_MEMBERS = frozenset({"length", "size", "Length", "Count", "len"})
"""Member reads that measure their object (``xs.length < 1``)."""

ORDERING = frozenset({"<", "<=", ">", ">="})
EQUALITY = frozenset({"==", "!=", "===", "!==", "is", "is not", "<>"})
NEGATIONS = frozenset({"!", "not"})

CALL_TYPES = frozenset(
    {
        "call",
        "call_expression",
        "method_invocation",
        "invocation_expression",
        "function_call_expression",
        "member_call_expression",
        "scoped_call_expression",
        "macro_invocation",
    }
)
BINARY_TYPES = frozenset({"binary_expression", "binary", "comparison_operator", "binary_operator"})
UNARY_TYPES = frozenset(
    {"unary_expression", "not_operator", "unary", "unary_op_expression", "prefix_unary_expression"}
)
TYPE_TEST_TYPES = frozenset(
    {"instanceof_expression", "is_pattern_expression", "is_expression", "type_test"}
)
LET_CONDITIONS = frozenset({"let_condition", "let_chain"})
WRAPPERS = frozenset(
    {"parenthesized_expression", "condition_clause", "boolean_operator", "expression_statement"}
)

COMMENT_LINE = re.compile(r"^\s*(?:#|//|/\*|\*|--)")
SUBJECT = re.compile(r"^[@$]{0,2}[A-Za-z_]\w{0,80}(?:(?:\.|->|::)[A-Za-z_]\w{0,80}){0,4}$")
"""A name or a short member chain: what a guard can test and the code after it can use."""

NOT_SUBJECTS = frozenset({"self", "this", "true", "false", "True", "False", "super", *NULL_WORDS})

TEST_LINE = re.compile(
    r"\b(?:if|unless|while|guard|assert\w{0,12}|match|switch|case|when|isinstance|instanceof|"
    r"require\w{0,12}|check\w{0,12}|ThrowIf\w{0,12}|and|or|not|is|nil|null|None|undefined|NULL|"
    r"nullptr|unwrap_or\w{0,12}|ok_or\w{0,12}|getOrDefault|orElse\w{0,12}|Some|Ok)\b"
    r"|\?|&&|\|\||!=|!\s{0,3}[A-Za-z_$@(]|\.(?:nil|empty|blank|present)\?"
)
"""A line that tests something: a remaining or moved guard on the same name keeps the rule silent."""

KIND_TEST_LINE = {
    "type": re.compile(
        r"\b(?:isinstance|issubclass|instanceof|typeof|type|is_a\?|kind_of\?|instance_of\?|respond_to\?|is|as|match|case|when|switch)\b"
        r"|\bis_\w{1,12}\("
        r"|\((?:array|string|int|float|bool|object)\)|\b(?:str|int|float|list|tuple|String|Number|Boolean|Array\.from)\("
    ),
    "size": re.compile(
        r"\b(?:len|Len|size|length|Length|count|Count|empty|is_empty|isEmpty|any|none|min|max|clamp|get|at)\b"
        r"|[<>]|\bnot\b|!\s{0,3}[A-Za-z_$@(]|\?"
    ),
}
"""For type and size guards, the test (or conversion) that replaces them must be of that kind:
``while text:`` is no type check, ``(array) $x`` and ``str(x)`` make one unnecessary."""

NULL_TEST_WORDS = re.compile(
    r"\b(?:None|null|nil|undefined|NULL|nullptr|nullopt|assert\w{0,12}|require\w{0,12}|check\w{0,12}|"
    r"ThrowIf\w{0,12}|isset|empty|is_null|is_resource|is_none|is_some|isNull|nonNull|unwrap_or\w{0,12}|"
    r"ok_or\w{0,12}|getOrDefault|orElse\w{0,12}|Some|Ok|match|switch|guard|rescue)\b"
)
"""Words that make a line mentioning a name a null test of it (``x == null``, ``isset($x)``, ``match x``)."""


_TEST_CALL_NAMES = "|".join(
    sorted((re.escape(c) for c in TEST_CALLS | TYPE_CALLS), key=len, reverse=True)
)


def null_test_line(name: str) -> re.Pattern[str]:
    """A line that tests the name itself for null or truthiness (not ``if (x instanceof T)``)."""
    n = re.escape(name)
    return re.compile(
        rf"(?<![\w$@.]){n}\s{{0,3}}(?:\?\.|\?\?|\?->|&\.|\?\[|\.nil\?|\.(?:is_none|is_some|isNull)\b|\?(?![\w$]))"
        rf"|(?:!|\bnot\s|\bunless\s|\bif\s{{0,3}}\(?|&&|\|\||\band\s|\bor\s|\bwhile\s{{0,3}}\(?)"
        rf"\s{{0,3}}{n}\s{{0,3}}(?:\)|&&|\|\||:|;|\{{|\band\b|\bor\b|\bthen\b|$)"
        rf"|(?<![\w$@.]){n}\s{{0,3}}(?:\|\||\bor\b)"
        rf"|(?<![\w$])(?:{_TEST_CALL_NAMES}|strlen|sizeof)\s{{0,2}}\(\s{{0,2}}{n}\s{{0,2}}[,)]"
        rf"|(?:\b(?:if|elif|elsif|while|unless)\b|&&|\|\|)[^;{{]{{0,80}}?(?<![\w$@.]){n}\s{{0,2}}(?:\.|->)"
        rf"(?:length|size|count|Count|Length|isEmpty|empty|is_empty)\b"
    )


OPTIONAL_MARK = re.compile(r"Optional|None|\?|null|undefined|nil|Option<")

DEREFERENCE = r"\s{0,2}(?:\.(?!\.)|->|\[|\(|::)"
"""What follows a name when the code reads through it (member, index, call): the uses a guard protects."""

ITERATION = r"(?:\bin|\bof|\brange|\*|\blen\(|\bcount\(|\))\s{0,2}"
"""What precedes a name when the code iterates, dereferences, measures or casts it."""
