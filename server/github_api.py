"""The two GitHub REST calls a pull-request review needs, over the standard library.

``tactful review --post-github OWNER/REPO#N`` reads the review comments tactful posted
before (their hidden fingerprint markers say what was already said), then posts one review
with only the new comments. The token comes from ``GITHUB_TOKEN`` and the API root from
``GITHUB_API_URL`` (GitHub Enterprise, or a local test server); nothing else is contacted.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from tactful.server.errors import UsageError

_TARGET = re.compile(
    r"^(?P<repo>[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100})#(?P<number>[0-9]{1,9})$"
)
_NEXT_LINK = re.compile(r'<([^<>\s]{1,2000})>;\s{0,4}rel="next"')
MAX_PAGES = 50
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class PullRequest:
    api: str
    repo: str
    number: int
    token: str

    @classmethod
    def parse(cls, target: str, api: str, token: str) -> PullRequest:
        match = _TARGET.match(target)
        if match is None:
            raise UsageError(f"--post-github {target!r}: expected OWNER/REPO#NUMBER")
        if not token:
            raise UsageError("--post-github: GITHUB_TOKEN is not set")
        return cls(api.rstrip("/"), match["repo"], int(match["number"]), token)

    def _request(
        self, method: str, url: str, body: dict[str, Any] | None = None
    ) -> tuple[Any, str]:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                payload = response.read().decode("utf-8", "replace")
                return (json.loads(payload) if payload else None), response.headers.get("Link", "")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300].replace("\n", " ")
            raise UsageError(f"GitHub API {method} {url}: HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise UsageError(f"GitHub API {method} {url}: {getattr(exc, 'reason', exc)}") from exc
        except json.JSONDecodeError as exc:
            raise UsageError(f"GitHub API {method} {url}: the reply is not JSON") from exc

    def comment_bodies(self) -> str:
        """Bodies of every review comment and review on the pull request (all pages)."""
        bodies: list[str] = []
        for kind in ("comments", "reviews"):
            url: str | None = (
                f"{self.api}/repos/{self.repo}/pulls/{self.number}/{kind}?per_page=100"
            )
            for _ in range(MAX_PAGES):
                if url is None:
                    break
                page, link = self._request("GET", url)
                bodies += [
                    str(item.get("body") or "") for item in page or [] if isinstance(item, dict)
                ]
                found = _NEXT_LINK.search(link)
                url = found.group(1) if found else None
        return "\n".join(bodies)

    def post_review(self, payload: dict[str, Any]) -> None:
        self._request("POST", f"{self.api}/repos/{self.repo}/pulls/{self.number}/reviews", payload)
