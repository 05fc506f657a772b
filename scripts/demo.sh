#!/usr/bin/env bash
# Install tactful into .venv and run a headless, offline review.
#   bash scripts/demo.sh            # review a sample change in a throwaway repository
#   bash scripts/demo.sh PATH [ARGS] # review the working tree of your repository at PATH
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x "$here/.venv/bin/tactful" ]; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/python" -m pip install -q --upgrade pip
  "$here/.venv/bin/python" -m pip install -q -e "$here"
fi
tactful="$here/.venv/bin/tactful"

if [ $# -gt 0 ]; then
  repo=$1; shift
  exec "$tactful" review --repo "$repo" "$@"
fi

repo=$(mktemp -d)/sample
mkdir -p "$repo" && cd "$repo"
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.invalid GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.invalid
git init -q -b main .
cat > inventory.py <<'PY'
"""A tiny inventory service."""


class Inventory:
    def __init__(self):
        self.items = {}

    def add(self, name, count):
        self.items[name] = self.items.get(name, 0) + count

    def remove(self, name, count):
        try:
            self.items[name] -= count
        except KeyError:
            raise ValueError(name)
PY
cat > server.js <<'JS'
function handle(req, res) {
  const user = lookup(req.user);
  res.send(user.name);
}

module.exports = { handle };
JS
cat > main.go <<'GO'
package main

import "os"

func load(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return data, nil
}
GO
git add -A && git commit -q -m "initial"
cat > inventory.py <<'PY'
"""A tiny inventory service."""


class Inventory:
    def __init__(self):
        self.items = {}

    def add(self, name, count, tags=[]):
        print("adding", name)
        self.items[name] = self.items.get(name, 0) + count

    def remove(self, name, count):
        if self.items.get(name) == None:
            return
        try:
            self.items[name] -= count
        except:
            pass
PY
cat > server.js <<'JS'
function handle(req, res) {
  const user = lookup(req.user);
  console.log("user", user);
  if (user.role == "admin") {
    res.send(user.name);
  }
}

module.exports = { handle };
JS
cat > main.go <<'GO'
package main

import "os"

func load(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	return data, nil
}
GO
echo "sample repository with an uncommitted change: $repo" >&2
# A throwaway sample: its findings and index stay out of your feedback log, gate and cache.
export TACTFUL_DATA_DIR="${repo%/sample}/data" TACTFUL_CACHE_DIR="${repo%/sample}/cache"
exec "$tactful" review --repo "$repo" "$@"
