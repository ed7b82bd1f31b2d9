# The two commands of the README: `make demo` (the main job) and `make test` (what .ci/run calls).
# Both set up the virtual environment first, with exactly the versions pinned in constraints.txt.
VENV  ?= .venv
PY     = $(VENV)/bin/python
STAMP  = $(VENV)/.installed
DEMO  ?= demo

.PHONY: install demo test readme clean

install: $(STAMP)

$(STAMP): settings.ini setup.py constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e ".[dev,bioimageio,napari]"
	touch $(STAMP)

# OpenMP threads that sleep while waiting keep a busy CPU (other programs, loader processes) from slowing training down.
demo: $(STAMP)
	OMP_WAIT_POLICY=$${OMP_WAIT_POLICY:-PASSIVE} $(VENV)/bin/spoco_demo --out $(DEMO)

test: $(STAMP)
	bash tools/test.sh

readme: $(STAMP)
	$(PY) tools/readme.py

clean:
	rm -rf $(VENV) $(DEMO) _docs _proc
