#!/usr/bin/env bash
# The test suite: export/clean/README/house-style checks, the docs check (every page rendered with its outputs and opened in
# headless Chromium), the JupyterLab check (the explorer and the tutorials run through JupyterLab's UI), then
# every notebook through nbdev_test (slow cells included, cuda cells skipped).
# Ends with one line `N passed, N failed`, one count per notebook and per check.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" PYTHONUNBUFFERED=1
# Two notebooks run at once on few cores: OpenMP threads that sleep instead of spinning while they wait keep
# the oversubscribed cores doing useful work (spinning made steps several times slower here).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
failed_checks=0
digest() { find "$@" -type f \( -name '*.py' -o -name '*.ipynb' -o -name '*.yml' \) -not -path '*/.ipynb_checkpoints/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum; }
check() {  # check NAME DIRS... -- COMMAND...: the command must leave DIRS unchanged
  local name=$1; shift; local dirs=(); while [ "$1" != -- ]; do dirs+=("$1"); shift; done; shift
  local before; before=$(digest "${dirs[@]}")
  "$@" >/dev/null 2>&1 || { echo "FAILED: $name (the command itself failed: $*)"; failed_checks=$((failed_checks+1)); return; }
  if [ "$(digest "${dirs[@]}")" != "$before" ]; then
    echo "FAILED: $name"; failed_checks=$((failed_checks+1))
  else echo "ok: $name"; fi
}
check "spoco/ is in sync with nbs/ (run nbdev_export and commit)" spoco -- nbdev_export
check "notebooks are clean (run nbdev_clean and commit)" nbs -- nbdev_clean
check "nbs/sidebar.yml lists every notebook (run nbdev_sidebar and commit)" nbs -- nbdev_sidebar
# nbdev_clean keeps a notebook's saved widget state (metadata "widgets"), which can be megabytes: refuse it here.
widgets=$(python -c 'import json, pathlib; print(" ".join(p.name for p in sorted(pathlib.Path("nbs").rglob("*.ipynb")) if "widgets" in json.loads(p.read_text()).get("metadata", {})))')
if [ -z "$widgets" ]; then echo "ok: notebooks hold no saved widget state"
else echo "FAILED: saved widget state in $widgets (remove the notebook metadata \"widgets\")"; failed_checks=$((failed_checks+1)); fi
if python tools/readme.py --check; then echo "ok: README.md is current"
else echo "FAILED: README.md is not current (run make readme)"; failed_checks=$((failed_checks+1)); fi
if out=$(python tools/style_check.py 2>/dev/null); then echo "ok: ${out##*$'\n'}"
else echo "FAILED: house style (python tools/style_check.py):"; echo "$out" | head -20; failed_checks=$((failed_checks+1)); fi
if out=$(python tools/import_check.py 2>&1); then echo "ok: ${out##*$'\n'}"
else echo "FAILED: import order (python tools/import_check.py): $out"; failed_checks=$((failed_checks+1)); fi

if out=$(bash tools/docs_check.sh 2>&1); then echo "ok: ${out##*$'\n'}"
else echo "FAILED: docs check: ${out##*$'\n'}"; failed_checks=$((failed_checks+1)); fi

if out=$(python tools/jupyterlab_check.py 2>&1); then echo "ok: ${out##*$'\n'}"
else echo "FAILED: JupyterLab check: ${out##*$'\n'}"; failed_checks=$((failed_checks+1)); fi

log=$(mktemp)
nbdev_test --flags slow --do_print --timing 2>&1 | tee "$log"
python - "$log" "$failed_checks" <<'PY'
import re, sys
log, checks = open(sys.argv[1]).read(), int(sys.argv[2])
ran = re.findall(r'^- Completed (.+\.ipynb)$', log, re.M)
tail = log.split('Failed On The Following Notebooks:')
failed = re.findall(r'^\t(\S+\.ipynb)$', tail[1], re.M) if len(tail) > 1 else []
if not ran: failed = failed or ['nbdev_test']
print(f'{len(ran) - len(failed)} passed, {len(failed) + checks} failed')
sys.exit(1 if failed or checks else 0)
PY
