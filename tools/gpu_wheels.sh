#!/usr/bin/env bash
# Wheels, for Python 3.12 on x86-64 Linux, of the packages that a GPU machine's image may lack: the notebook test
# runner (nbdev, execnb and IPython with their needs), fastcore and hdbscan, at the versions of constraints.txt,
# into .whl/ (ignored by git). tools/gpu_check.sh installs them there; carry .whl along with it.
set -euo pipefail
cd "$(dirname "$0")/.."
packages="nbdev fastcore execnb ghapi fastgit astunparse watchdog asttokens ipython ipython_pygments_lexers jedi parso
matplotlib-inline pexpect ptyprocess prompt_toolkit wcwidth stack-data executing pure_eval traitlets hdbscan"
rm -rf .whl && mkdir .whl
for p in $packages; do
  pin=$(grep -i "^$p==" constraints.txt) || { echo "$p is not pinned in constraints.txt" >&2; exit 1; }
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl "$pin"
done
du -sh .whl
