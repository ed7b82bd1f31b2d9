#!/usr/bin/env bash
# The GPU checks in one command, for a machine with an NVIDIA GPU whose python3 has torch with CUDA:
# the `cuda`-flagged lessons of the notebooks, the loss benchmark's GPU rows (fp32 and bf16 autocast) and the
# training step's (fp32, bf16 + channels-last). Packages python3 lacks come as wheels in .whl/ (tools/gpu_wheels.sh).
# Output goes to $OUT (or gpu_check/) as one log per check; the last lines of each are printed too.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-gpu_check}; mkdir -p "$out"
if compgen -G '.whl/*.whl' >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site PATH=/tmp/site/bin:$PATH
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
python3 -c 'import torch; assert torch.cuda.is_available(), "no CUDA device"; print("torch", torch.__version__, torch.cuda.get_device_name())' || exit 1
status=0
check() { # name, time limit in seconds, command...
  local name=$1 limit=$2; shift 2
  echo "== $name"; timeout "$limit" "$@" > "$out/$name.log" 2>&1; local rc=$?
  tail -n 12 "$out/$name.log"; echo "== $name: exit $rc"; [ $rc -eq 0 ] || status=1
}
check cuda_lessons 240 nbdev_test --flags cuda --file_re '^(20_loss|21_loss_fast|40_predict|50_cluster)\.ipynb$' --do_print
check loss_gpu 180 python3 bench/loss.py --gpu-only
check train_step_gpu 150 python3 bench/train_step.py --steps 5
exit $status
