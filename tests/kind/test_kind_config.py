"""kind/cluster.yaml and kind/values.yaml, checked by kind and helm themselves.

kind has no offline "validate" command, so `kind create cluster` runs for real,
against stand-ins for the container engine: a docker CLI that talks to no
daemon (the error a machine without Docker gives), and a fake docker CLI that
lets kind go as far as `docker run` for the node. A config kind rejects fails
before either, so reaching the engine proves kind accepted the config.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import FAKE_DOCKER, KIND_CONFIG, KIND_VALUES, REPO, make_variable

# Field names of kind.x-k8s.io/v1alpha4 in kind v0.33.0
# (sigs.k8s.io/kind/pkg/apis/config/v1alpha4/types.go).
CLUSTER_FIELDS = {
    "kind",
    "apiVersion",
    "name",
    "nodes",
    "networking",
    "featureGates",
    "runtimeConfig",
    "kubeadmConfigPatches",
    "kubeadmConfigPatchesJSON6902",
    "containerdConfigPatches",
    "containerdConfigPatchesJSON6902",
}
NODE_FIELDS = {
    "role",
    "image",
    "labels",
    "extraMounts",
    "extraPortMappings",
    "kubeadmConfigPatches",
    "kubeadmConfigPatchesJSON6902",
}
MOUNT_FIELDS = {"containerPath", "hostPath", "readOnly", "selinuxRelabel", "propagation"}
CHECK_CLUSTER = "kvo-config-check"


def _config() -> dict[str, Any]:
    return dict(yaml.safe_load(KIND_CONFIG.read_text()))


def _run_kind(
    kind: Path, config: Path, tmp_path: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`kind create cluster` from the repository root, touching no real kubeconfig."""
    return subprocess.run(
        [str(kind), "create", "cluster", "--name", CHECK_CLUSTER, "--config", str(config)],
        cwd=REPO,
        env={**os.environ, "KUBECONFIG": str(tmp_path / "kubeconfig"), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _fake_docker_env(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    shutil.copyfile(FAKE_DOCKER, docker)
    docker.chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_DOCKER_LOG": str(tmp_path / "docker.log"),
        "KIND_EXPERIMENTAL_PROVIDER": "docker",
    }


def test_kind_binary_is_the_pinned_version(kind_binary: Path) -> None:
    out = subprocess.run(
        [str(kind_binary), "version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    assert out.startswith("kind v0.33.0 "), out


def test_config_uses_only_v1alpha4_fields() -> None:
    config = _config()
    assert config["apiVersion"] == "kind.x-k8s.io/v1alpha4"
    assert config["kind"] == "Cluster"
    assert set(config) <= CLUSTER_FIELDS
    for node in config["nodes"]:
        assert set(node) <= NODE_FIELDS
        for mount in node.get("extraMounts", []):
            assert set(mount) <= MOUNT_FIELDS


def test_config_is_one_pinned_control_plane_with_the_host_folder() -> None:
    config = _config()
    assert re.fullmatch(r"[a-z0-9.-]+", config["name"])  # kind's validNameRE
    assert config["name"] == make_variable("KIND_CLUSTER")
    (node,) = config["nodes"]
    assert node["role"] == "control-plane"
    assert re.fullmatch(r"kindest/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}", node["image"])
    (mount,) = node["extraMounts"]
    assert mount["containerPath"] == "/mnt/host"
    # kind-up creates the folder that the relative hostPath names.
    assert mount["hostPath"] == f"./{make_variable('KIND_HOST_DIR')}"


def test_kind_values_have_a_hostpath_rule_for_the_mounted_folder() -> None:
    values = yaml.safe_load(KIND_VALUES.read_text())
    mount_path = _config()["nodes"][0]["extraMounts"][0]["containerPath"]
    rules = [r for r in values["policy"]["binds"] if r.get("hostPath")]
    assert [r["source"] for r in rules] == [mount_path]


def test_kind_values_pass_helm_lint(helm_binary: Path) -> None:
    proc = subprocess.run(
        [
            str(helm_binary),
            "lint",
            "--strict",
            "charts/k8s-volume-ops",
            "--values",
            str(KIND_VALUES),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 chart(s) failed" in proc.stdout


def test_kind_rejects_a_bad_config_before_asking_the_engine(
    kind_binary: Path, tmp_path: Path
) -> None:
    """The control: kind decodes the config strictly, before any docker call."""
    bad = tmp_path / "cluster.yaml"
    config = _config()
    config["nodes"][0]["extraMount"] = config["nodes"][0].pop("extraMounts")
    bad.write_text(yaml.safe_dump(config))
    env = _fake_docker_env(tmp_path)
    proc = _run_kind(kind_binary, bad, tmp_path, env)
    assert proc.returncode == 1
    assert "ERROR: failed to create cluster: unable to decode config" in proc.stderr
    assert "field extraMount not found in type v1alpha4.Node" in proc.stderr
    assert not Path(env["FAKE_DOCKER_LOG"]).exists()


def test_kind_accepts_the_config_up_to_starting_the_node(kind_binary: Path, tmp_path: Path) -> None:
    """kind decodes, defaults and validates the config, plans the node, then `docker run`."""
    env = _fake_docker_env(tmp_path)
    proc = _run_kind(kind_binary, KIND_CONFIG, tmp_path, env)
    assert proc.returncode == 1
    assert "fake docker: unexpected call" not in proc.stderr
    assert (
        f'ERROR: failed to create cluster: command "docker run --name {CHECK_CLUSTER}-control-plane'
        in (proc.stderr)
    )
    assert "fake docker: refusing to start a container" in proc.stderr
    calls = Path(env["FAKE_DOCKER_LOG"]).read_text().splitlines()
    (run,) = [c for c in calls if c.startswith("run ")]
    image = _config()["nodes"][0]["image"]
    assert run.endswith(f" {image}")
    host_dir = REPO / make_variable("KIND_HOST_DIR")
    assert f"--volume={host_dir}:/mnt/host" in run.split()
    assert "--label io.x-k8s.kind.role=control-plane" in run


def test_kind_without_a_container_engine(kind_binary: Path, tmp_path: Path) -> None:
    """What `make kind-up` prints on a machine with the docker CLI but no engine."""
    if shutil.which("docker") is None:
        pytest.skip("no docker CLI on PATH; the fake-docker test covers kind's side")
    socket = tmp_path / "no-engine.sock"
    proc = _run_kind(
        kind_binary,
        KIND_CONFIG,
        tmp_path,
        {"DOCKER_HOST": f"unix://{socket}", "KIND_EXPERIMENTAL_PROVIDER": "docker"},
    )
    assert proc.returncode == 1
    assert (
        "ERROR: failed to create cluster: failed to get docker info: "
        "command \"docker info --format '{{json .}}'\" failed with error: exit status 1"
    ) in proc.stderr
    assert f"Cannot connect to the Docker daemon at unix://{socket}" in proc.stderr
