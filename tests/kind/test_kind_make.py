"""The make targets of the kind path: what `make e2e-kind` runs, and that its
helm step works against a real API server (the local test cluster)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client, config

from .conftest import REPO, make_variable

CACHE = Path(os.environ.get("K8S_VOLUME_OPS_CACHE", Path.home() / ".cache" / "k8s-volume-ops"))

# Stands in for the top-level Makefile while it does not exist: it includes
# mk/*.mk and has no-op `tools` and `e2e`, so mk/kind.mk's own recipes run.
STUB_MAKEFILE = """\
include mk/*.mk
tools:
\t@:
e2e:
\t@echo e2e suite
"""


def _make(
    *args: str, tmp_path: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run make in the repository; without a top-level Makefile, with the stub."""
    extra = dict(env or {})
    if not (REPO / "Makefile").is_file():
        stub = tmp_path / "stub.mk"
        stub.write_text(STUB_MAKEFILE)
        extra["MAKEFILES"] = str(stub)  # read by every make, sub-makes included
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), *args],
        env={**os.environ, **extra},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_dry_run_of_e2e_kind_prints_the_exact_commands(tmp_path: Path) -> None:
    proc = _make("-n", "e2e-kind", f"CACHE={CACHE}", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    kind, helm = f"{CACHE}/bin/kind", f"{CACHE}/bin/helm"
    create = f"{kind} create cluster --name k8s-volume-ops --config kind/cluster.yaml"
    install = f"{helm} upgrade --install k8s-volume-ops charts/k8s-volume-ops"
    e2e = f"KUBECONFIG={REPO}/.cache/kind/kubeconfig make"
    expected = [
        "mkdir -p .cache/kind/ .cache/kind-host",
        f"if {kind} get clusters | grep -qx 'k8s-volume-ops'; then",
        f"{kind} export kubeconfig --name k8s-volume-ops --kubeconfig .cache/kind/kubeconfig;",
        create,
        "--kubeconfig .cache/kind/kubeconfig --wait 120s;",
        install,
        "--kubeconfig .cache/kind/kubeconfig --namespace airflow-tasks --create-namespace",
        "--values kind/values.yaml",
        e2e,
    ]
    for fragment in expected:
        assert fragment in out, f"{fragment!r} not in:\n{out}"
    # The cluster first, then the chart, then the e2e suite.
    positions = [out.index(create), out.index(install), out.index(e2e)]
    assert positions == sorted(positions)


def test_dry_run_of_kind_down(tmp_path: Path) -> None:
    proc = _make("-n", "kind-down", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "delete cluster --name k8s-volume-ops --kubeconfig .cache/kind/kubeconfig" in (
        proc.stdout
    )


@pytest.fixture
def fresh_namespace(kubeconfig: Path) -> Iterator[str]:
    """A namespace name nothing uses yet; the release and namespace go afterwards."""
    name = f"kvo-kind-{uuid.uuid4().hex[:6]}"
    yield name
    helm = CACHE / "bin" / "helm"
    release = make_variable("KIND_RELEASE")
    subprocess.run(
        [str(helm), "uninstall", release, "--kubeconfig", str(kubeconfig), "-n", name],
        capture_output=True,
        check=False,
        timeout=120,
    )
    core = client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))
    try:
        core.delete_namespace(name)
    except client.exceptions.ApiException as exc:
        if exc.status != 404:
            raise


@pytest.mark.e2e
def test_kind_install_works_against_a_real_api_server(
    kubeconfig: Path, fresh_namespace: str, tmp_path: Path
) -> None:
    """`make kind-install` is the helm step of `make e2e-kind`: same target, chart and
    values, pointed at the local test cluster instead of kind. It runs twice: the
    second run is the upgrade that a reused kind cluster gets."""
    args = [f"KIND_KUBECONFIG={kubeconfig}", f"KIND_NAMESPACE={fresh_namespace}"]
    for attempt in ("install", "upgrade"):
        proc = _make("kind-install", *args, tmp_path=tmp_path)
        assert proc.returncode == 0, f"{attempt}: {proc.stdout}\n{proc.stderr}"
    api = config.new_client_from_config(config_file=str(kubeconfig))
    core = client.CoreV1Api(api)
    rbac = client.RbacAuthorizationV1Api(api)
    assert core.read_namespaced_config_map("k8s-volume-ops-policy", fresh_namespace)
    assert core.read_namespaced_service_account("k8s-volume-ops", fresh_namespace)
    binding = rbac.read_namespaced_role_binding("k8s-volume-ops", fresh_namespace)
    assert "k8s-volume-ops" in [subject.name for subject in binding.subjects]
