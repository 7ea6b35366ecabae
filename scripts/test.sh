#!/usr/bin/env bash
# The test command: lint, format check, type check, then the test suite.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${GALLERYFORGE_VENV:-.venv}/bin"
# The formatter decides the layout: a bypass marker fails the build (split the code instead).
if grep -rnE --include='*.py' 'fmt: *(skip|off)' galleryforge train tests benchmarks scripts; then
    echo "test.sh: remove the formatter bypass markers above" >&2
    exit 1
fi
"$bin/ruff" check .
"$bin/ruff" format --check .
"$bin/mypy"
"$bin/python" -m pytest -n auto --durations=15 "$@"
