#!/usr/bin/env bash
# Set up a virtual environment in .venv with galleryforge and everything its tests need.
# Usage: bash scripts/setup.sh            (idempotent; re-running only fills in what is missing)
# Env:   GALLERYFORGE_VENV=path           (default .venv)
#        GALLERYFORGE_NO_SYSTEM=1         (skip apt-get for Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${GALLERYFORGE_VENV:-.venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install --upgrade pip

# PyTorch: a CPU build where there is no NVIDIA GPU (an unpinned torch pulls a multi-GB CUDA
# build). 2.13.0 is the CPU wheel this project is tested with; the project itself accepts a range.
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
    if command -v nvidia-smi >/dev/null 2>&1; then
        "${pip[@]}" install "torch>=2.2,<2.15"
    else
        "${pip[@]}" install "torch==2.13.0" \
            || "${pip[@]}" install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
    fi
fi
"${pip[@]}" install -e ".[train,hub,dev]"

# Chromium drives plotly's static export (kaleido) and the site's browser tests.
if [ -z "${GALLERYFORGE_NO_SYSTEM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
            >/dev/null || echo "setup: could not install chromium; plotly images and browser tests will be skipped" >&2
    else
        echo "setup: no chromium found; install it (Debian: sudo apt-get install chromium) for plotly images and browser tests" >&2
    fi
fi
echo "setup: ready ($venv)"
