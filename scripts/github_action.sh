#!/usr/bin/env bash
# The GitHub Action's step (action.yml): review the pull request's merge-base range and
# publish the findings. Reads the event GitHub Actions provides; every input is an env var so
# the step runs the same on a laptop against a local stand-in for the API.
#   INPUT_MODE      github (post one review through the API, default) | reviewdog (rdjson to reviewdog) | none
#   INPUT_SARIF     file to write SARIF to for the code-scanning upload ('' to skip)
#   INPUT_FAIL_ON   info|warning|error: exit 1 when a shown finding is at least that severe
#   INPUT_MAX_FINDINGS  cap on the findings posted (default 30)
#   INPUT_ARGS      extra arguments for `tactful review` (e.g. --no-llm)
#   TACTFUL         the tactful command (default: tactful on PATH)
set -euo pipefail

TACTFUL=${TACTFUL:-tactful}
MODE=${INPUT_MODE:-github}
event=${GITHUB_EVENT_PATH:?GITHUB_EVENT_PATH is not set: run this step on a pull_request event}
read -r base head number < <(python3 - "$event" <<'PY'
import json, sys
pr = json.load(open(sys.argv[1], encoding="utf-8")).get("pull_request")
if not pr:
    sys.exit("tactful action: the event has no pull_request (run it on pull_request events)")
print(pr["base"]["sha"], pr["head"]["sha"], pr["number"])
PY
)
git cat-file -e "$base^{commit}" 2>/dev/null || git fetch -q --no-tags origin "$base"

args=(review --base "$base" --head "$head" --max-findings "${INPUT_MAX_FINDINGS:-30}")
[ -n "${INPUT_FAIL_ON:-}" ] && args+=(--fail-on "$INPUT_FAIL_ON")
# shellcheck disable=SC2206  # INPUT_ARGS is a list of words by design
[ -n "${INPUT_ARGS:-}" ] && args+=($INPUT_ARGS)

if [ -n "${INPUT_SARIF:-}" ]; then
  "$TACTFUL" "${args[@]}" --format sarif > "$INPUT_SARIF" || [ $? -eq 1 ]
fi
case "$MODE" in
  github)
    exec "$TACTFUL" "${args[@]}" --format github --post-github "${GITHUB_REPOSITORY:?}#$number" > /dev/null ;;
  reviewdog)
    # reviewdog posts the diagnostics and ignores rdjson's coverage field: the job log says it.
    rdjson=$(mktemp)
    trap 'rm -f "$rdjson"' EXIT
    status=0
    "$TACTFUL" "${args[@]}" --format rdjson > "$rdjson" || status=$?
    [ "$status" -le 1 ] || exit "$status"
    python3 - "$rdjson" >&2 <<'PY'
import json, sys
cov = json.load(open(sys.argv[1], encoding="utf-8"))["coverage"]
skipped = [f"{s['path']} ({s['reason']})" for s in cov["skipped"]]
more = f" and {len(skipped) - 20} more" if len(skipped) > 20 else ""
print(f"tactful: {cov['change']}: {cov['shown']} shown, {cov['hidden']} hidden; "
      f"{len(cov['reviewed'])} file(s) reviewed, {cov['units']} change unit(s); "
      f"skipped: {', '.join(skipped[:20]) + more or 'none'}")
for note in cov["notes"]:
    print(f"  note: {note}")
PY
    reviewdog -f=rdjson -name=tactful -reporter=github-pr-review < "$rdjson"
    exit "$status" ;;
  none)
    exec "$TACTFUL" "${args[@]}" ;;
  *)
    echo "tactful action: unknown mode '$MODE' (github, reviewdog or none)" >&2; exit 2 ;;
esac
