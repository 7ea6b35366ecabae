#!/usr/bin/env bash
# Check that SAELens loads galleryforge's checkpoints of every architecture and computes the same
# latents: probes made with galleryforge (.venv), checked in a separate environment holding
# SAELens and not galleryforge. Usage: bash scripts/saelens_compat/run.sh [SAELENS_VERSION]
set -euo pipefail
cd "$(dirname "$0")/../.."
version="${1:-6.54.12}"
work="$(mktemp -d)"
PYTHONPATH=. .venv/bin/python scripts/saelens_compat/make_probes.py "$work/probes"
python3 -m venv "$work/saelens-env"
# torch first, pinned, so that SAELens does not pull a CUDA build
"$work/saelens-env/bin/pip" install -q "torch==2.13.0"
"$work/saelens-env/bin/pip" install -q "sae-lens==$version" "torch==2.13.0"
(cd "$work" && "$work/saelens-env/bin/python" "$OLDPWD/scripts/saelens_compat/check_with_saelens.py" "$work/probes")
