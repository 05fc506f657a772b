"""Vocabulary of the injection checks: sink and shell call names, safe calls, SQL shapes, node types."""

from __future__ import annotations

import re

from tactful.analyzers.checks.base import (
    CALLABLE_NODES,
    JS_LIKE,
)

LANGUAGES = ("python", *JS_LIKE, "go", "java", "csharp", "ruby", "php")

SQL_METHODS = frozenset(
    {
        "execute",
        "executemany",
        "raw",
        "query",
        "Query",
        "QueryRow",
        "QueryContext",
        "QueryRowContext",
        "Exec",
        "ExecContext",
        "Select",
        "Get",
        "executeQuery",
        "executeUpdate",
        "executeLargeUpdate",
        "addBatch",
        "prepareStatement",
        "prepare",
        "Prepare",
        "createQuery",
        "createNativeQuery",
        "createSQLQuery",
        "find_by_sql",
        "exec_query",
        "select_all",
        "select_one",
        "select_value",
        "ExecuteSqlRaw",
        "FromSqlRaw",
        "ExecuteSqlCommand",
        "mysqli_query",
        "pg_query",
        "exec",
        "execute_sql",
        "executescript",
        "execute_query",
        "raw_query",
        "SqlCommand",
        "MySqlCommand",
        "NpgsqlCommand",
        "SqliteCommand",
        "OleDbCommand",
        "text",
    }
)
# Names that always run shell text (no `shell=True` needed).
SHELL_CALLS = frozenset(
    {
        "os.system",
        "os.popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "commands.getoutput",
        "shell_exec",
        "passthru",
        "popen",
        "proc_open",
        "IO.popen",
        "Open3.capture2",
        "Open3.capture3",
        "Open3.capture2e",
        "Open3.popen3",
        "Kernel.system",
    }
)
SUBPROCESS_SHELL = frozenset({"run", "call", "check_call", "check_output", "Popen"})
JS_SHELL = frozenset({"exec", "execSync"})
JS_SHELL_OWNERS = frozenset({"child_process", "cp", "childProcess", "proc"})
RUBY_PHP_SHELL = frozenset({"system", "exec", "spawn"})
SAFE_CALLS = frozenset(
    {
        "shlex.quote",
        "pipes.quote",
        "quote",
        "escapeshellarg",
        "escapeshellcmd",
        "int",
        "float",
        "len",
        "str(int",
        "mysqli_real_escape_string",
        "real_escape_string",
        "Shellwords.escape",
        "shellescape",
        "strconv.Itoa",
        "Integer.parseInt",
        "intval",
        "to_i",
        "sql.Identifier",
        "quote_ident",
        "quote_identifier",
        "quote_name",
        "escape",
        "mysql_real_escape_string",
        "pg_escape_string",
    }
)
FORMAT_CALLS = frozenset(
    {
        "fmt.Sprintf",
        "String.format",
        "string.Format",
        "String.Format",
        "sprintf",
        "format",
        "Kernel.format",
    }
)
SQL_WORDS = re.compile(
    r"\b(?:select|insert|update|delete|replace|create|drop|alter|truncate|merge)\b", re.IGNORECASE
)
SQL_SHAPE = re.compile(r"\b(?:from|into|set|where|table|values)\b", re.IGNORECASE)
# A statement keyword at the very start: `USE db`, `SET NAMES`, `LISTEN ch` have no FROM/WHERE.
SQL_STATEMENT = re.compile(
    r"^\s{0,8}(?:select|insert|update|delete|with|set|use|listen|notify|unlisten|copy|show|grant|revoke|create|"
    r"drop|alter|truncate|pragma|attach|explain|lock|savepoint|vacuum|analyze|merge|replace|call)\s",
    re.IGNORECASE,
)
# Driver methods named for what they run: ExecSimpleQuery, rawQuery, execSQL, runStatement.
SQL_SINK_NAME = re.compile(
    r"^(?:exec|execute|run|raw|do|simple)\w{0,30}(?:query|sql|statement)$", re.IGNORECASE
)
CONSTANT = re.compile(r"^(?:[\w.]{0,80}\.)?[A-Z][A-Z0-9_]{0,80}$")
PLACEHOLDER_PIECE = re.compile(r"""["'](?:\?|%s|\$\d{1,3})["']""")

STRING_TYPES = frozenset(
    {
        "string",
        "template_string",
        "interpreted_string_literal",
        "raw_string_literal",
        "string_literal",
        "verbatim_string_literal",
        "interpolated_string_expression",
        "encapsed_string",
        "heredoc",
        "nowdoc",
        "subshell",
        "shell_command_expression",
        "text_block",
        "string_value",
    }
)
LITERAL_PIECES = frozenset(
    {
        "string_content",
        "string_fragment",
        "escape_sequence",
        "string_start",
        "string_end",
        "interpreted_string_literal_content",
        "raw_string_literal_content",
        "string_literal_content",
        "interpolation_start",
        "interpolation_brace",
        "heredoc_start",
        "heredoc_end",
        "heredoc_body",
        "multiline_string_fragment",
        "nowdoc_string",
        "escape_interpolation",
    }
)
NUMBERS = frozenset(
    {
        "integer",
        "float",
        "number",
        "int_literal",
        "float_literal",
        "decimal_integer_literal",
        "integer_literal",
        "real_literal",
    }
)
CONCAT_TYPES = frozenset({"binary_operator", "binary_expression", "binary"})
ASSIGNMENTS: dict[str, tuple[str, str]] = {
    "assignment": ("left", "right"),
    "augmented_assignment": ("left", "right"),
    "assignment_expression": ("left", "right"),
    "augmented_assignment_expression": ("left", "right"),
    "operator_assignment": ("left", "right"),
    "variable_declarator": ("name", "value"),
    "short_var_declaration": ("left", "right"),
    "assignment_statement": ("left", "right"),
    "var_spec": ("name", "value"),
}
FUNCTIONS = CALLABLE_NODES | {"module", "program", "source_file"}
"""A file's top level is a scope too: a query built and run there."""

CALL_TYPES = frozenset(
    {
        "call",
        "call_expression",
        "method_invocation",
        "invocation_expression",
        "object_creation_expression",
        "subshell",
        "function_call_expression",
        "member_call_expression",
        "shell_command_expression",
    }
)
