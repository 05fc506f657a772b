"""generic.secret-logged: secrets passed to a logging call the change adds, in every language
that has one; names that only describe a secret, and values hidden by a call, stay silent."""

from __future__ import annotations

import pytest
from rules_support import findings, flagged_lines
from tactful.analyzers.checks.logged_secrets import holds_secret

RULE = "generic.secret-logged"


@pytest.mark.parametrize(
    ("path", "annotated", "lines"),
    [
        pytest.param("a.py", "+log.info('login %s %s', user, password)\n", [1], id="py-arg"),
        pytest.param("a.py", "+logger.debug(f'with {self.api_key}')\n", [1], id="py-fstring"),
        pytest.param(
            "a.py", "+logging.getLogger(__name__).info('{}'.format(access_token))\n", [1],
            id="py-format-call",
        ),
        pytest.param("a.py", "+log.info('login', password=pw)\n", [1], id="py-structured-key"),
        pytest.param("a.rb", '+logger.info "as #{user.password}"\n', [1], id="ruby-interpolation"),
        pytest.param("a.php", '+<?php $this->logger->info("pw " . $password);\n', [1], id="php-concat"),
        pytest.param("a.php", '+<?php error_log("k=$apiKey");\n', [1], id="php-error-log"),
        pytest.param("a.rs", '+fn f() { info!("pw {}", cfg.password); }\n', [1], id="rust-macro"),
        pytest.param(
            "a.cs", '+class C { void M() { _logger.LogInformation("{P}", password); } }\n', [1],
            id="csharp-logger",
        ),
        pytest.param(
            "a.java", '+class C { void m() { log.info("pw " + user.getPassword()); } }\n', [1],
            id="java-getter",
        ),
        pytest.param(
            "a.go", '+package p\n+func f() { log.Printf("pw %s", cfg.Password) }\n', [2],
            id="go-field",
        ),
        pytest.param(
            "a.go", '+package p\n+func f() { slog.Info("x", "token", authToken) }\n', [2],
            id="go-slog-attr",
        ),
        pytest.param("a.ts", "+console.log(`t ${this.refreshToken}`);\n", [1], id="ts-template"),
    ],
)  # fmt: skip
def test_a_secret_passed_to_a_log_call_is_reported(
    path: str, annotated: str, lines: list[int]
) -> None:
    assert flagged_lines(path, annotated, RULE) == lines


@pytest.mark.parametrize(
    ("path", "annotated"),
    [
        pytest.param("a.py", "+logger.debug('file %s', password_file)\n", id="describes-file"),
        pytest.param("a.py", "+logger.debug('len %d', len(password))\n", id="hidden-by-a-call"),
        pytest.param("a.py", "+logger.info('bad password for %s', user)\n", id="word-in-text"),
        pytest.param("a.py", "+log.info('lexer %s', token)\n", id="parser-token"),
        pytest.param("a.py", "+catalog.info(password)\n", id="not-a-logger"),
        pytest.param("a.py", " log.info('x %s', password)\n+y = 1\n", id="unchanged-line"),
        pytest.param("tests/test_a.py", "+log.info('%s', password)\n", id="test-file"),
        pytest.param("a.rs", '+fn f() { info!("{}", mask(&cfg.password)); }\n', id="rust-masked"),
        pytest.param(
            "a.java",
            '+class C { void m() { log.info("" + user.hasPassword()); } }\n',
            id="java-has",
        ),
        pytest.param("a.ts", "+console.log(`type ${tokenType}`);\n", id="ts-token-type"),
    ],
)
def test_what_only_describes_a_secret_is_silent(path: str, annotated: str) -> None:
    assert flagged_lines(path, annotated, RULE) == []


def test_the_message_names_the_variable_never_a_value() -> None:
    (finding,) = findings("a.py", "+log.info('%s', db_password)\n", RULE)
    assert "`db_password` is written to the log" in finding.message
    assert finding.code == "db_password" and finding.category == "security"


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True), ("PASSWD", True), ("clientSecret", True), ("SECRET_KEY", True),
        ("apiKey", True), ("access_token", True), ("token", False), ("token_type", False),
        ("has_password", False), ("passwordHash", False), ("id_token_id", False), ("key", False),
    ],
)  # fmt: skip
def test_names_that_hold_a_secret(name: str, secret: bool) -> None:
    assert holds_secret(name) is secret
