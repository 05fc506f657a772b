"""Injection: SQL and shell text built from dynamic pieces on changed lines, in seven languages."""

from __future__ import annotations

import pytest
from rules_support import findings, fixed, flagged_lines

POSITIVE = [
    pytest.param(
        "src/open.c",
        " FILE *open_gz(const char *name) {\n+    char cmd[256];\n"
        '+    snprintf(cmd, sizeof cmd, "zcat %s", name);\n+    return popen(cmd, "r");\n }\n',
        "c.shell-injection",
        [3],
        None,
        id="c-snprintf-popen",
    ),
    pytest.param(
        "app/db.py",
        " import sqlite3\n def find(cur, name):\n+    cur.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n     return cur.fetchall()\n",
        "generic.sql-injection",
        [3],
        'import sqlite3\ndef find(cur, name):\n    cur.execute("SELECT * FROM users WHERE name = ?", (name,))\n    return cur.fetchall()\n',
        id="py-fstring-fix",
    ),
    pytest.param(
        "app/db.py",
        " def find(cur, name):\n+    q = \"SELECT * FROM users WHERE name = '%s'\" % name\n     cur.execute(q)\n",
        "generic.sql-injection",
        [2],
        None,
        id="py-percent-via-var",
    ),
    pytest.param(
        "app/db.py",
        ' def find(cur, name):\n+    cur.execute("DELETE FROM t WHERE id = " + str(name))\n',
        "generic.sql-injection",
        [2],
        None,
        id="py-concat",
    ),
    pytest.param(
        "app/run.py",
        ' import subprocess\n def run(path):\n+    subprocess.run(f"tar xf {path}", shell=True)\n',
        "generic.shell-injection",
        [3],
        None,
        id="py-shell-true",
    ),
    pytest.param(
        "app/run.py",
        ' import os\n def run(path):\n+    os.system("rm -rf " + path)\n',
        "generic.shell-injection",
        [3],
        None,
        id="py-os-system",
    ),
    pytest.param(
        "src/db.js",
        " async function find(db, id) {\n+  return db.query(`SELECT * FROM users WHERE id = ${id}`);\n }\n",
        "generic.sql-injection",
        [2],
        None,
        id="js-template",
    ),
    pytest.param(
        "src/run.js",
        " const { exec } = require('child_process');\n function run(f) {\n+  exec('convert ' + f + ' out.png');\n }\n",
        "generic.shell-injection",
        [3],
        None,
        id="js-exec",
    ),
    pytest.param(
        "p/db.go",
        " package p\n func find(db *sql.DB, name string) {\n+\trows, _ := db.Query(fmt.Sprintf(\"SELECT id FROM users WHERE name = '%s'\", name))\n \t_ = rows\n }\n",
        "generic.sql-injection",
        [3],
        None,
        id="go-sprintf",
    ),
    pytest.param(
        "p/run.go",
        ' package p\n func run(f string) {\n+\texec.Command("sh", "-c", "gzip "+f).Run()\n }\n',
        "generic.shell-injection",
        [3],
        None,
        id="go-sh-c",
    ),
    pytest.param(
        "A.java",
        ' class A { void m(Statement st, String id) throws Exception {\n+    st.executeQuery("SELECT * FROM t WHERE id = " + id);\n } }\n',
        "generic.sql-injection",
        [2],
        None,
        id="java-concat",
    ),
    pytest.param(
        "A.java",
        ' class A { void m(String f) throws Exception {\n+    Runtime.getRuntime().exec("gzip " + f);\n } }\n',
        "generic.shell-injection",
        [2],
        None,
        id="java-runtime-exec",
    ),
    pytest.param(
        "A.cs",
        ' class A { void M(string id, SqlConnection c) {\n+    var cmd = new SqlCommand($"SELECT * FROM t WHERE id = {id}", c);\n } }\n',
        "generic.sql-injection",
        [2],
        None,
        id="csharp-sqlcommand",
    ),
    pytest.param(
        "a.php",
        ' <?php\n function f($c, $id) {\n+    return mysqli_query($c, "SELECT * FROM t WHERE id = $id");\n }\n',
        "generic.sql-injection",
        [3],
        None,
        id="php-encapsed",
    ),
    pytest.param(
        "a.php",
        " <?php\n function f($d) {\n+    return shell_exec('ls ' . $d);\n }\n",
        "generic.shell-injection",
        [3],
        None,
        id="php-shell-exec",
    ),
    pytest.param(
        "a.py",
        ' class C:\n    def select_db(self, db):\n+        self.query(f"USE {db}")\n',
        "generic.sql-injection",
        [3],
        None,
        id="py-statement-keyword-first",
    ),
    pytest.param(
        "p/n.go",
        ' package p\n func (l *L) Listen(ch string) error {\n+\treturn l.ExecSimpleQuery("LISTEN " + ch)\n }\n',
        "generic.sql-injection",
        [3],
        None,
        id="go-sink-named-for-sql",
    ),
    pytest.param(
        "p/c.go",
        " package p\n func f(mc *C, cs string) error {\n+\treturn mc.exec(fmt.Sprintf(\"SET NAMES '%s'\", cs))\n }\n",
        "generic.sql-injection",
        [3],
        None,
        id="go-set-names",
    ),
    pytest.param(
        "p/n.go",
        ' package p\n func f(l *L, ch string) error {\n-\treturn l.send("LISTEN " + QuoteIdentifier(ch))\n+\treturn l.send("LISTEN " + ch)\n }\n',
        "generic.escaping-removed",
        [3],
        None,
        id="generic.escaping-removed",
    ),
    pytest.param(
        "lib/pg.js",
        " class C {\n  hasTable(t) {\n+    let sql = `select * from information_schema.tables where table_name = '${t}'`;\n    this.pushQuery({ sql });\n  }\n }\n",
        "generic.sql-injection",
        [3],
        None,
        id="js-quoted-value-no-sink",
    ),
    pytest.param(
        "a.py",
        ' def f(name):\n+    where = "SELECT id FROM t WHERE name = \'" + name + "\'"\n     return where\n',
        "generic.sql-injection",
        [2],
        None,
        id="py-quoted-concat-no-sink",
    ),
]


@pytest.mark.parametrize(("path", "annotated", "rule", "lines", "after_fix"), POSITIVE)
def test_built_query_or_command_is_flagged(
    path: str, annotated: str, rule: str, lines: list[int], after_fix: str | None
) -> None:
    assert flagged_lines(path, annotated, rule) == lines
    assert fixed(path, annotated, rule) == after_fix


NEGATIVE = [
    pytest.param(
        "a.py",
        ' def f(cur, i):\n+    cur.execute("SELECT * FROM t WHERE id = %s", (i,))\n',
        "generic.sql-injection",
        id="parameterised",
    ),
    pytest.param(
        "a.py",
        ' def f(cur, i):\n+    cur.execute(f"SELECT * FROM {TABLE} WHERE id = ?", (i,))\n',
        "generic.sql-injection",
        id="constant-table",
    ),
    pytest.param(
        "a.py",
        ' def f(cur, ids):\n+    cur.execute("SELECT * FROM t WHERE id IN (%s)" % ", ".join(["%s"] * len(ids)), ids)\n',
        "generic.sql-injection",
        id="placeholder-list",
    ),
    pytest.param(
        "a.py",
        ' def f(cur, n):\n+    cur.execute(f"SELECT * FROM t LIMIT {int(n)}")\n',
        "generic.sql-injection",
        id="int-conversion",
    ),
    pytest.param(
        "a.py",
        ' import os, shlex\n def f(p):\n+    os.system("rm " + shlex.quote(p))\n',
        "generic.shell-injection",
        id="shlex-quote",
    ),
    pytest.param(
        "a.py",
        ' import subprocess\n def f(p):\n+    subprocess.run(["tar", "xf", p])\n',
        "generic.shell-injection",
        id="argument-list",
    ),
    pytest.param(
        "a.py",
        ' def f(log, t):\n+    log.info(f"SELECT * FROM {t} took too long")\n',
        "generic.sql-injection",
        id="not-a-sink",
    ),
    pytest.param(
        "a.js",
        " function f(re, x) {\n+  return re.exec(`${x}`);\n }\n",
        "generic.shell-injection",
        id="regexp-exec",
    ),
    pytest.param(
        "a.js",
        " function f(client, id) {\n+  return client.query(`query { user(id: ${id}) { name } }`);\n }\n",
        "generic.sql-injection",
        id="graphql",
    ),
    pytest.param(
        "p/a.go",
        ' package p\n func f(db *sql.DB, id int) {\n+\tdb.Query("SELECT name FROM users WHERE id = $1", id)\n }\n',
        "generic.sql-injection",
        id="go-placeholder",
    ),
    pytest.param(
        "a.rb", ' def f(p)\n+  system("gzip", p)\n end\n', "generic.shell-injection", id="ruby-argv"
    ),
    pytest.param(
        "a.php",
        " <?php\n function f($pdo) {\n+    return $pdo->prepare('SELECT * FROM t WHERE id = ?');\n }\n",
        "generic.sql-injection",
        id="php-prepare",
    ),
    pytest.param(
        "a.py",
        ' def f(self, x):\n+    self.query(f"Useful {x} results")\n',
        "generic.sql-injection",
        id="keyword-prefix-of-a-word",
    ),
    pytest.param(
        "a.py",
        ' def f(self, x):\n+    self.buildQuery(f"USE {x}")\n',
        "generic.sql-injection",
        id="builds-not-runs",
    ),
    pytest.param(
        "a.js",
        " function f(t) {\n+  const msg = `select a table: '${t}'`;\n }\n",
        "generic.sql-injection",
        id="quoted-value-in-prose",
    ),
    pytest.param(
        "a.js",
        " function f(t) {\n+  const sql = `select * from ${t} where a = ?`;\n }\n",
        "generic.sql-injection",
        id="unquoted-identifier-no-sink",
    ),
]


@pytest.mark.parametrize(("path", "annotated", "rule"), NEGATIVE)
def test_safe_or_unrelated_text_stays_quiet(path: str, annotated: str, rule: str) -> None:
    assert flagged_lines(path, annotated, rule) == []


def test_a_changed_call_on_a_query_built_earlier_is_flagged_at_the_call() -> None:
    annotated = " def f(cur, name):\n     q = f\"SELECT * FROM t WHERE n = '{name}'\"\n+    cur.execute(q)\n"
    (finding,) = findings("a.py", annotated, "generic.sql-injection")
    assert finding.span.start_line == 3 and "{name}" in finding.message


def test_a_query_built_on_a_changed_line_points_at_the_call_that_runs_it() -> None:
    annotated = " def f(cur, name):\n+    q = \"SELECT * FROM t WHERE n = '%s'\" % name\n     cur.execute(q)\n"
    (finding,) = findings("a.py", annotated, "generic.sql-injection")
    assert finding.span.start_line == 2 and finding.related[0].span.start_line == 3


def test_a_spliced_table_name_is_reported_softly_without_a_fix() -> None:
    annotated = (
        ' import sqlite3\n def f(cur, table):\n+    cur.execute(f"SELECT * FROM {table} LIMIT 1")\n'
    )
    (finding,) = findings("a.py", annotated, "generic.sql-injection")
    assert (
        finding.confidence == 0.3
        and finding.fix is None
        and "table or column name" in finding.message
    )


def test_dropped_escaping_of_a_value_still_used_is_flagged() -> None:
    annotated = (
        " package p\n func listen(l *L, channel string) error {\n"
        '-\treturn l.send("LISTEN " + QuoteIdentifier(channel))\n'
        '+\treturn l.send("LISTEN " + channel)\n }\n'
    )
    (finding,) = findings("p/n.go", annotated, "generic.escaping-removed")
    assert finding.span.start_line == 3 and "QuoteIdentifier" in finding.message


def test_dropped_shell_safety_check_is_flagged_in_php() -> None:
    annotated = (
        " <?php\n class M { function send() {\n"
        "-    if (!empty($this->Sender) && self::isShellSafe($this->Sender)) {\n"
        "+    if (!empty($this->Sender)) {\n         $x = 1;\n     }\n } }\n"
    )
    assert flagged_lines("src/M.php", annotated, "generic.escaping-removed") == [3]


@pytest.mark.parametrize(
    "annotated",
    [
        # Escaped by another call in the new code.
        " def f(cur, name):\n-    q = 'x' + quote(name)\n+    q = 'x' + escape_identifier(name)\n",
        # The value is gone from the new lines.
        " def f(cur, name):\n-    q = 'x' + quote(name)\n+    q = 'x'\n",
        # Unquoting is not escaping.
        " def f(cur, name):\n-    q = unquote(name)\n+    q = name\n",
    ],
    ids=["escaped-elsewhere", "value-gone", "unquote"],
)
def test_escaping_moved_or_gone_stays_quiet(annotated: str) -> None:
    assert flagged_lines("a.py", annotated, "generic.escaping-removed") == []


def test_a_bound_parameter_replaced_by_a_quoted_value_is_flagged() -> None:
    annotated = (
        " def get(self, pks, values):\n"
        '-    wheres = ["[{}] = ?".format(pk) for pk in pks]\n'
        "+    wheres = [\"[{}] = '{}'\".format(pk, v) for pk, v in zip(pks, values)]\n"
        '     return self.rows_where(" and ".join(wheres))\n'
    )
    assert flagged_lines("lib/db.py", annotated, "generic.sql-injection") == [2]


def test_a_bound_parameter_kept_is_quiet() -> None:
    annotated = (
        " def get(self, pks, values):\n"
        '-    wheres = ["[{}] = ?".format(pk) for pk in pks]\n'
        '+    wheres = ["[{}] = ?".format(pk) for pk in sorted(pks)]\n'
        "     label = \"name = '{}'\"\n"
    )
    assert flagged_lines("lib/db.py", annotated, "generic.sql-injection") == []
