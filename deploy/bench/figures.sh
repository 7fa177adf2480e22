#!/usr/bin/env bash
# Accuracy-vs-ratio figures (a long benchmark, not a test): trains ARCH with nnzip, then compresses it
# with each recipe, with and without one epoch of finetuning, writing every --json result to OUT.
# Then: notebooks/accuracy_vs_ratio.py OUT --out OUT/report.html (table + plot).
# usage: deploy/bench/figures.sh [ARCH (mlp-300-100)] [EPOCHS (3)] [OUT (figures)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N="$ROOT/deploy/bin/nnzip"
arch=${1:-mlp-300-100}
epochs=${2:-3}
out=${3:-figures}
mkdir -p "$out"
[[ -f $out/$arch.onnx ]] || "$N" train --arch "$arch" --epochs "$epochs" --out "$out/$arch.onnx" --json \
  > "$out/$arch-train.json" 2> "$out/$arch-train.log"
run() { # name, compress arguments of both runs, then optionally -- and arguments of the -ft run only
  local name=$1; shift
  local both=() ft=()
  while (($#)) && [[ $1 != -- ]]; do both+=("$1"); shift; done
  (($#)) && shift && ft=("$@")
  [[ -s $out/$arch-$name-ft.json ]] && grep -q finetune "$out/$arch-$name-ft.json" && return
  "$N" compress --in "$out/$arch.onnx" --out "$out/$arch-$name.nnz.safetensors" --overwrite --json "${both[@]}" \
    --set finetune.epochs=0 --set finetune.dp-net.epochs=0 --set finetune.prune.epochs=0 --set finetune.qat.epochs=0 \
    > "$out/$arch-$name.json" 2> "$out/$arch-$name.log"
  # The last --set of a key wins: a run's own finetune settings (after --) replace these defaults.
  "$N" compress --in "$out/$arch.onnx" --out "$out/$arch-$name-ft.nnz.safetensors" --overwrite --json \
    --data fashion-mnist --set finetune.epochs=1 --set finetune.lr=0.0003 "${both[@]}" ${ft[@]+"${ft[@]}"} \
    > "$out/$arch-$name-ft.json" 2> "$out/$arch-$name-ft.log"
}
run dp2 --recipe dp-2bit
run dp3 --recipe dp-2bit --set bits=3
run dp4 --recipe dp-4bit
run aq1 --recipe aq-1bit
run aq1.5 --recipe aq-1.5bit
run aq2 --recipe aq-2bit
run aq3 --recipe aq-3bit
run aq1-tensor --recipe aq-1bit --set aq.scope=tensor
run aq2-tensor --recipe aq-2bit --set aq.scope=tensor
# 5 epochs at lr 0.01: the measured setting for 0.5 bit/weight (37.65x at -0.95 pp on mlp-300-100).
run aq0.5 --recipe aq-1bit --set aq.codebooks=1 --set aq.codebook-dtype=f16 --set passthrough.min-elements=0 \
  -- --set finetune.epochs=5 --set finetune.lr=0.01
run dpnet2 --recipe dp-net-2bit
# Deep Compression's pipeline: 93% magnitude pruning while training, dp 3-bit per tensor, arithmetic-coded codes.
run prune-dp3 --recipe prune-dp-3bit --set finetune.epochs=2 --set finetune.lr=0.0005
