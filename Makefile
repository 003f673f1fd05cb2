# k8s-volume-ops: one Makefile for set-up, the demo, tests and tools.
#
#   make demo    the example producer/consumer DAG end to end on the local cluster
#                (or on the cluster $KUBECONFIG reaches), then stop what it started
#   make test    lint, types, chart lint, and the whole test suite, e2e included
#
# Both do all set-up on a fresh machine: the virtualenv in .venv (pinned by
# constraints.txt) and the Kubernetes components, built from their Go modules by
# tests/cluster/build.sh into $(CACHE)/bin and reused afterwards.

PYTHON ?= python3
VENV ?= .venv
PY ?= $(VENV)/bin/python
CACHE ?= $(or $(K8S_VOLUME_OPS_CACHE),$(HOME)/.cache/k8s-volume-ops)
PYTEST_ARGS ?=
export AIRFLOW_HOME ?= $(CURDIR)/.cache/airflow-home
export AIRFLOW__CORE__LOAD_EXAMPLES = False

.DEFAULT_GOAL := help
.PHONY: help venv tools lint typecheck unit e2e test demo cluster-up cluster-down bench

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST) | head -40

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c constraints.txt -e ".[airflow,migrate,test]"
	touch $@

#   make venv         create .venv and install the project with its test tools
venv: $(VENV)/.installed

#   make tools        build (or reuse) kube-apiserver, etcd, helm, kind, ... from Go modules
tools:
	bash tests/cluster/build.sh

#   make lint         ruff and mypy --strict
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

#   make unit         every test that needs no cluster
unit: venv tools
	HELM=$(CACHE)/bin/helm $(VENV)/bin/pytest -m "not e2e" $(PYTEST_ARGS)

#   make e2e          the tests that need a cluster ($KUBECONFIG's, else the local one)
e2e: venv tools
	HELM=$(CACHE)/bin/helm $(VENV)/bin/pytest -m e2e $(PYTEST_ARGS)

#   make test         lint + chart lint + the whole suite, e2e included (CI runs this)
test: venv tools lint chart-lint
	HELM=$(CACHE)/bin/helm $(VENV)/bin/pytest $(PYTEST_ARGS)

#   make demo         producer/consumer DAG end to end; prints where the data landed
demo: venv tools
	$(PY) scripts/demo.py

#   make cluster-up   start the local cluster (prints its kubeconfig); cluster-down stops it
cluster-up: venv tools
	$(PY) tests/cluster/localcluster.py up
cluster-down: venv
	$(PY) tests/cluster/localcluster.py down

#   make bench        benchmarks: import cost, and per-task overhead on the cluster
bench: venv tools
	$(PY) benchmarks/import_cost.py
	$(PY) benchmarks/task_overhead.py

include mk/*.mk
