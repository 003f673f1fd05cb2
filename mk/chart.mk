# Helm chart targets; included by the top-level Makefile (`include mk/*.mk`).
#
#   make chart-lint   helm lint --strict (warnings fail)
#   make chart-test   chart-lint + the chart's pytest suite (renders with helm,
#                     validates against the Kubernetes 1.36 schema; no cluster)
#
# helm is the pinned build from tests/cluster/build.sh (target `tools`), never
# one from PATH, so every machine and CI lint with the same Helm.

CACHE ?= $(or $(K8S_VOLUME_OPS_CACHE),$(HOME)/.cache/k8s-volume-ops)
HELM ?= $(CACHE)/bin/helm
VENV ?= .venv
CHART_DIR ?= charts/k8s-volume-ops

.PHONY: chart-lint chart-test

chart-lint: tools
	$(HELM) lint --strict $(CHART_DIR)

# The e2e tests of tests/chart need a cluster and run under `make e2e`.
chart-test: chart-lint
	HELM=$(HELM) $(VENV)/bin/pytest tests/chart -m "not e2e"
