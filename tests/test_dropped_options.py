"""``generic.dropped-option``: the change deletes the file's only setting of an option
constant while the value it passed is still computed; reviewed by the real CLI."""

from __future__ import annotations

from typing import Any

from support import GitRepo

RULE = "generic.dropped-option"

PHP_FACTORY = """<?php
class CurlFactory
{
    private function applyBody($request, array &$conf)
    {
        $size = $request->hasHeader('Content-Length')
            ? (int) $request->getHeaderLine('Content-Length')
            : null;

        if ($size !== null && $size < 1000000) {
            $conf[CURLOPT_POSTFIELDS] = (string) $request->getBody();
        } else {
            $conf[CURLOPT_UPLOAD] = true;
            if ($size !== null) {
                $conf[CURLOPT_INFILESIZE] = $size;
            }
            $conf[CURLOPT_READFUNCTION] = $this->reader($request);
        }
    }
}
"""


def _findings(cli, repo: GitRepo, before: str, after: str) -> list[dict[str, Any]]:
    repo.write("src/CurlFactory.php", before)
    repo.commit("base")
    repo.write("src/CurlFactory.php", after)
    result = cli("review", "--format", "json", "--all", "--no-llm", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    return [f for f in result.json()["findings"] if f["rule"] == RULE]


def test_the_only_setting_of_an_option_deleted_while_its_value_remains_is_reported(
    cli, git_repo
) -> None:
    after = PHP_FACTORY.replace(
        "            if ($size !== null) {\n"
        "                $conf[CURLOPT_INFILESIZE] = $size;\n"
        "            }\n",
        "",
    )
    (finding,) = _findings(cli, git_repo, PHP_FACTORY, after)
    assert "`CURLOPT_INFILESIZE`" in finding["message"] and "`$size`" in finding["message"]


def test_an_option_still_set_elsewhere_in_the_file_is_silent(cli, git_repo) -> None:
    after = PHP_FACTORY.replace(
        "            if ($size !== null) {\n"
        "                $conf[CURLOPT_INFILESIZE] = $size;\n"
        "            }\n",
        "",
    ).replace(
        "        $conf[CURLOPT_READFUNCTION]",
        "        $conf[CURLOPT_INFILESIZE] = $size ?? -1;\n        $conf[CURLOPT_READFUNCTION]",
    )
    assert _findings(cli, git_repo, PHP_FACTORY, after) == []


def test_an_option_whose_value_is_gone_too_is_silent(cli, git_repo) -> None:
    after = (
        PHP_FACTORY.replace(
            "            if ($size !== null) {\n"
            "                $conf[CURLOPT_INFILESIZE] = $size;\n"
            "            }\n",
            "",
        )
        .replace(
            "        $size = $request->hasHeader('Content-Length')\n"
            "            ? (int) $request->getHeaderLine('Content-Length')\n"
            "            : null;\n\n",
            "",
        )
        .replace(
            "($size !== null && $size < 1000000)", "($request->getBody()->getSize() < 1000000)"
        )
    )
    assert _findings(cli, git_repo, PHP_FACTORY, after) == []
