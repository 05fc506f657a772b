"""GitHub's official OpenAPI description, for checking what tactful sends to the REST API.

The spec is the npm package ``@octokit/openapi`` (GitHub's api.github.com description),
fetched by ``.ci/github-openapi`` into a cache outside the repository; CI names it with
``TACTFUL_GITHUB_OPENAPI``. A test that needs it fails when that variable names a missing
file and skips, saying how to fetch it, only when the variable is unset and the cache holds
no copy.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from pathlib import Path
from typing import Any

import pytest

ENV = "TACTFUL_GITHUB_OPENAPI"
CACHED = (
    Path.home()
    / ".cache/tactful/github-openapi/node_modules/@octokit/openapi/generated/api.github.com.json"
)
CREATE_REVIEW = ("/repos/{owner}/{repo}/pulls/{pull_number}/reviews", "post")


def spec_path() -> Path:
    named = os.environ.get(ENV)
    if named:
        if not Path(named).is_file():
            pytest.fail(f"{ENV}={named} is not a file (.ci/github-openapi fetches it)")
        return Path(named)
    if not CACHED.is_file():
        pytest.skip(
            "GitHub's OpenAPI description (npm @octokit/openapi) is not fetched: run "
            ".ci/github-openapi (CI does) or set TACTFUL_GITHUB_OPENAPI"
        )
    return CACHED


@functools.cache
def _spec(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def _pointer(spec: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are expected in GitHub's spec, got {ref}")
    node: Any = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _inline(spec: dict[str, Any], node: Any, seen: tuple[str, ...] = ()) -> Any:
    """``node`` with every ``$ref`` replaced by what it points at, and OpenAPI 3.0's
    ``nullable`` written as JSON Schema's null type."""
    if isinstance(node, list):
        return [_inline(spec, item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            raise ValueError(f"recursive reference {ref}: not expected in a request body")
        return _inline(spec, _pointer(spec, ref), (*seen, ref))
    out = {key: _inline(spec, value, seen) for key, value in node.items()}
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def _closed(schema: Any) -> Any:
    """Every object schema that lists its properties refuses others: a key GitHub does not
    document is one it ignores, so the payload should not carry it."""
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _closed(value) for key, value in schema.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def create_review_schema(*, closed: bool = False) -> dict[str, Any]:
    """The JSON body schema of ``POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews``."""
    spec = _spec(spec_path())
    path, method = CREATE_REVIEW
    body = _inline(spec, spec["paths"][path][method]["requestBody"])
    schema = copy.deepcopy(body["content"]["application/json"]["schema"])
    return _closed(schema) if closed else schema
