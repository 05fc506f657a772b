"""Credentials in reviewed code never reach the LLM endpoint, in added or removed lines.

Each planted secret is checked against what a real recording HTTP server received.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI
from support import GitRepo
from tactful.analyzers.checks import run_checks
from tactful.analyzers.languages import detect_language
from tactful.server.redact import redact
from test_checks import change

PEM_OLD = (
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
)
PEM_NEW = (
    "NIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQD8VJTUt9Us8cKk",
    "NzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvv",
)
SECRETS = {
    "shell password": ("DB_PASSWORD=hunter2sekrit\n", "hunter2sekrit"),
    "unquoted aws": (
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzKEY\n",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzKEY",
    ),
    "js fallback": (
        'const token = process.env.API_TOKEN || "tk_9f8s7d6f5g4h";\n',
        "tk_9f8s7d6f5g4h",
    ),
    "auth tuple": ('requests.get(url, auth=("admin", "Tr0ub4dor&3x"))\n', "Tr0ub4dor&3x"),
    "pgp block": (
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBFxyz123PGPBODYabc\n-----END PGP PRIVATE KEY BLOCK-----\n",
        "lQOYBFxyz123PGPBODYabc",
    ),
}


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_redact_removes_each_planted_secret(name: str) -> None:
    text, secret = SECRETS[name]
    clean, count = redact(text)
    assert secret not in clean and count >= 1


def test_rotated_pem_body_is_redacted_without_its_header() -> None:
    diff_view = "\n".join(f"- {n} | {line}" for n, line in enumerate(PEM_OLD, 2))
    clean, count = redact(diff_view)
    assert count == 2 and not any(line in clean for line in PEM_OLD)


def test_no_secret_reaches_the_llm_in_added_or_removed_lines(
    cli, git_repo: GitRepo, tmp_path: Path
) -> None:
    old_config = "".join(t for t, _ in SECRETS.values()).replace("hunter2sekrit", "oldpass99zz")
    git_repo.write("deploy/settings.py", "def settings():\n    return '''\n" + old_config + "'''\n")

    def pem(body: list[str]) -> str:
        return (
            "-----BEGIN RSA PRIVATE KEY-----\n"
            + "\n".join(body)
            + "\n-----END RSA PRIVATE KEY-----\n"
        )

    git_repo.write("deploy/key.py", "def key():\n    return '''\n" + pem(PEM_OLD) + "'''\n")
    git_repo.commit("base")
    git_repo.write(
        "deploy/settings.py",
        "def settings():\n    return '''\n" + "".join(t for t, _ in SECRETS.values()) + "'''\n",
    )
    git_repo.write("deploy/key.py", "def key():\n    return '''\n" + pem(PEM_NEW) + "'''\n")
    with FakeOpenAI() as server:
        env = {
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": "test",
            "TACTFUL_MODEL": "fake",
            "TACTFUL_CONFIG_DIR": str(tmp_path / "config"),
        }
        result = cli("-vv", "review", "--all", "--format", "json", cwd=git_repo.root, env=env)
    assert result.returncode == 0, result.stderr
    assert server.requests, "the LLM reviewed the change"
    sent = "\n".join(json.dumps(r.body) for r in server.requests)
    planted = [s for _, s in SECRETS.values()] + ["oldpass99zz", *PEM_OLD, *PEM_NEW]
    assert [s for s in planted if s in sent] == []
    assert "[REDACTED]" in sent
    # Findings and their codes never echo a secret either, nor the debug log, the LLM cache
    # or the feedback log.
    assert [s for s in planted if s in result.stdout] == []
    assert "DEBUG" in result.stderr and [s for s in planted if s in result.stderr] == []
    stored = b"".join(
        p.read_bytes()
        for p in tmp_path.rglob("*")
        if p.is_file() and git_repo.root not in p.parents
    )
    assert stored and [s for s in planted if s.encode() in stored] == []


CREDENTIAL_POSITIVE = [
    ("app/db.py", '+DSN = "postgres://app:Qm4x9Lp2@db.internal:5432/app"\n', "Qm4x9Lp2"),
    (
        "app/Db.cs",
        '+var cs = "Server=db;Database=app;User Id=sa;Password=Wq8!zr2Lk;";\n',
        "Wq8!zr2Lk",
    ),
    (
        "app/client.js",
        '+fetch(u, { headers: { Authorization: "Basic YWRtaW46czNjcjN0UHc=" } });\n',
        "YWRtaW46czNjcjN0UHc=",
    ),
    (
        "app/Client.java",
        '+req.setHeader("Authorization", "Bearer 9fK2mQ7xLp4vR8sT1wZ3");\n',
        "9fK2mQ7xLp4vR8sT1wZ3",
    ),
    (
        "app/main.go",
        '+db, _ := sql.Open("mysql", "mysql://root:Pz7qK2mw@tcp(localhost)/app")\n',
        "Pz7qK2mw",
    ),
    ("app/conn.py", '+def connect(user=None, password="Tr0ub4dor&3"):\n', "Tr0ub4dor&3"),
    ("app/dsn.go", '+\t\tPasswd:                 "Myr00tPassw0rd",\n', "Myr00tPassw0rd"),
    ("app/Mailer.php", "+    public $smtpPassword = 'Relay-24!x';\n", "Relay-24!x"),
]
CREDENTIAL_NEGATIVE = [
    ("app/db.py", '+DSN = "postgres://app:${DB_PASSWORD}@db:5432/app"\n'),
    ("app/db.py", '+DSN = "postgres://user:password@localhost/db"\n'),
    ("app/db.py", '+DSN = f"postgres://app:{pw}@db/app"\n'),
    ("app/db.py", '+DSN = "postgres://app:<pw>@db/app"\n'),
    ("app/db.py", '+DSN = "redis://:xxx@cache:6379"\n'),
    ("app/Db.cs", '+var cs = $"Server=db;User Id=sa;Password={password};";\n'),
    (
        "app/Db.cs",
        '+var cs = "Server=db;User Id=sa;Password=" + Environment.GetEnvironmentVariable("PW") + ";";\n',
    ),
    ("app/client.js", "+headers.Authorization = `Bearer ${token}`;\n"),
    ("app/client.js", '+headers["Authorization"] = "Bearer " + token;\n'),
    ("README.md", "+Clone from https://github.com/org/repo and run it.\n"),
    ("app/conn.py", '+PASSWORD_FIELD = "user_password"\n'),
    ("app/conn.py", '+if password == "Tr0ub4dor&3":\n'),
    ("app/conn.py", '+password = "changeme"\n'),
    ("app/conn.py", '+password_hint = "Enter password"\n'),
    ("tests/test_conn.py", '+password = "Tr0ub4dor&3"\n'),
    ("examples/connect.py", '+password = "Tr0ub4dor&3"\n'),
    ("tests/test_urls.py", "+    assert url.to_text() == 'http://beyonc%C3%A9:b%C3%A9b@tmp.com'\n"),
    ("tests/test_db.py", '+CS = "Server=db;Database=app;User Id=sa;Password=Wq8!zr2Lk;"\n'),
]


@pytest.mark.parametrize(("path", "annotated", "secret"), CREDENTIAL_POSITIVE)
def test_hardcoded_credentials_are_found_without_echoing_them(
    path: str, annotated: str, secret: str
) -> None:
    file, text = change(path, annotated)
    findings = [
        f
        for f in run_checks(file, (), text, detect_language(path)).findings
        if f.rule == "generic.hardcoded-credential"
    ]
    assert len(findings) == 1
    (finding,) = findings
    assert secret not in finding.message and secret not in finding.code
    assert text.split("\n")[0][finding.span.start_col : finding.span.end_col] == secret


@pytest.mark.parametrize(("path", "annotated"), CREDENTIAL_NEGATIVE)
def test_placeholders_and_lookups_are_not_credentials(path: str, annotated: str) -> None:
    file, text = change(path, annotated)
    assert [
        f
        for f in run_checks(file, (), text, detect_language(path)).findings
        if f.rule == "generic.hardcoded-credential"
    ] == []
