# kind targets; included by the top-level Makefile (`include mk/*.mk`).
#
#   make kind-up        create cluster $(KIND_CLUSTER) from kind/cluster.yaml, or
#                       reuse it; its kubeconfig goes to $(KIND_KUBECONFIG)
#   make kind-install   helm upgrade --install the chart with kind/values.yaml
#                       into $(KIND_NAMESPACE) of the cluster in $(KIND_KUBECONFIG)
#   make e2e-kind       kind-up + kind-install + `make e2e` against that cluster
#   make kind-down      delete the cluster
#
# kind needs a Docker (or Podman) engine. The binaries are the pinned builds
# of tests/cluster/build.sh (target `tools`); nothing is built here.

CACHE ?= $(or $(K8S_VOLUME_OPS_CACHE),$(HOME)/.cache/k8s-volume-ops)
HELM ?= $(CACHE)/bin/helm
KIND ?= $(CACHE)/bin/kind
CHART_DIR ?= charts/k8s-volume-ops
KIND_CLUSTER ?= k8s-volume-ops
KIND_CONFIG ?= kind/cluster.yaml
KIND_KUBECONFIG ?= .cache/kind/kubeconfig
KIND_HOST_DIR ?= .cache/kind-host
KIND_NAMESPACE ?= airflow-tasks
KIND_RELEASE ?= k8s-volume-ops
KIND_VALUES ?= kind/values.yaml
# tests/cluster checks the local cluster's own parts (node agent, host-path
# provisioner); every other e2e test runs unchanged on kind.
KIND_PYTEST_ARGS ?= --ignore=tests/cluster

.PHONY: kind-up kind-down kind-install e2e-kind

kind-up: tools
	mkdir -p $(dir $(KIND_KUBECONFIG)) $(KIND_HOST_DIR)
	if $(KIND) get clusters | grep -qx '$(KIND_CLUSTER)'; then \
	  $(KIND) export kubeconfig --name $(KIND_CLUSTER) --kubeconfig $(KIND_KUBECONFIG); \
	else \
	  $(KIND) create cluster --name $(KIND_CLUSTER) --config $(KIND_CONFIG) \
	    --kubeconfig $(KIND_KUBECONFIG) --wait 120s; \
	fi

kind-down: tools
	$(KIND) delete cluster --name $(KIND_CLUSTER) --kubeconfig $(KIND_KUBECONFIG)

# No --wait: nothing in the chart becomes "ready", and kind's claims stay
# Pending until a pod uses them (WaitForFirstConsumer).
kind-install: tools
	$(HELM) upgrade --install $(KIND_RELEASE) $(CHART_DIR) \
	  --kubeconfig $(KIND_KUBECONFIG) --namespace $(KIND_NAMESPACE) --create-namespace \
	  --values $(KIND_VALUES)

e2e-kind: kind-up
	$(MAKE) kind-install
	KUBECONFIG=$(abspath $(KIND_KUBECONFIG)) $(MAKE) e2e PYTEST_ARGS="$(KIND_PYTEST_ARGS)"
