#!/usr/bin/env bash
# The first run on a lent GPU in one call: versions and the GPU, an NCCL collective on one rank,
# a tiny GPT-NeoX trial A/B/C (interrupted and resumed, against the CPU, against evaluate),
# benchmarks/train_gpu.py at trial A's shape, and trial A for two steps through the final
# milestone with each phase's peak memory. At most 7 min 40 s (each stage has a time limit);
# a failed stage does not stop the others. The table comes last.
#
# Usage (from the repository root; see docs/benchmarks.md):
#   bash scripts/gpu_check.sh            # on the GPU
#   bash scripts/gpu_check.sh --cpu      # the dry run: the same stages, tiny shapes, the CPU
# Env:  OUT=folder   where the logs and runs go (default ./gpu_check_out)
#       PYTHON=path  the interpreter (default python3)
set -u

cpu=""
if [ "${1:-}" = "--cpu" ]; then cpu="--cpu"; fi
out="${OUT:-./gpu_check_out}"
py="${PYTHON:-python3}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root" || exit 2
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
export HF_HUB_OFFLINE=1
rows=()

# stage NAME LIMIT_S COMMAND...: run it with its log in $out/NAME.log, keep a table row: its
# status, time and the log's RESULT line (or the lines matching $pick, or its last line).
pick=""
stage() {
  local name="$1" limit="$2"
  shift 2
  local began=$SECONDS status summary
  echo "== $name (at most ${limit} s): $*" | tee -a "$out/gpu_check.log"
  timeout --kill-after=10 "$limit" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  case $rc in
    0) status="ok" ;;
    124 | 137) status="TIMED OUT" ;;
    *) status="FAILED ($rc)" ;;
  esac
  summary="$(grep '^RESULT: ' "$out/$name.log" | tail -n 1 | cut -c 9-)"
  if [ -n "$pick" ]; then
    summary="$(grep -E "$pick" "$out/$name.log" | sed -E 's/^\| //; s/ \|$//; s/ \| /: /g' |
      paste -sd ';' | sed 's/;/; /g')"
  fi
  if [ -z "$summary" ]; then summary="$(tail -n 1 "$out/$name.log" | cut -c 1-160)"; fi
  if [ -z "$summary" ]; then summary="-"; fi
  cat "$out/$name.log" >>"$out/gpu_check.log"
  rows+=("| $name | $status | $((SECONDS - began)) s | ${summary//|//} |")
}

bench=(benchmarks/train_gpu.py --steps 32 --warmup 3)
if [ -n "$cpu" ]; then bench=(benchmarks/train_gpu.py --tiny --device cpu); fi

stage versions 25 "$py" scripts/gpu_check.py versions "$out" $cpu
stage nccl 25 "$py" scripts/gpu_check.py nccl "$out" $cpu
stage trials 110 "$py" scripts/gpu_check.py trials "$out" $cpu
pick='^\| (tokens/s|model FLOP utilisation|time in buffer|peak GPU|projected)'
stage benchmark 90 "$py" "${bench[@]}"
pick=""
stage full 170 "$py" scripts/gpu_check.py full "$out" $cpu
# The memory plan, where this version of the package has one (galleryforge train --plan).
if "$py" -m galleryforge train --help 2>/dev/null | grep -q -- "--plan"; then
  model="$out/pythia-410m-shape"
  if [ -n "$cpu" ]; then model="$out/tiny-neox"; fi
  pick='^ +(training steps|milestone evaluation|checkpoint write|final measurement|available) '
  stage plan 40 "$py" -m galleryforge train --plan --preset A,B,C --set "model=$model" \
    --set dataset=docstrings
  pick=""
fi

echo
echo "gpu_check$( [ -n "$cpu" ] && echo ' --cpu'), $(date -u '+%Y-%m-%d %H:%M UTC'), logs in $out"
echo
echo "| stage | status | time | result |"
echo "| --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
