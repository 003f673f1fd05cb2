"""End-to-end checks of the local cluster: real control plane, simulated node.

Uses ``$KUBECONFIG`` if it reaches a cluster, otherwise starts a
``LocalCluster`` in a temporary directory for the session.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

sys.path.insert(0, str(Path(__file__).resolve().parent))  # works with --import-mode=importlib
from localcluster import LocalCluster, binary

pytestmark = pytest.mark.e2e


def _reachable(kubeconfig: str) -> bool:
    try:
        api = config.new_client_from_config(kubeconfig)
        client.VersionApi(api).get_code(_request_timeout=3)
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[client.ApiClient]:
    env = os.environ.get("KUBECONFIG")
    if env and _reachable(env):
        yield config.new_client_from_config(env)
        return
    if os.geteuid() != 0:
        pytest.skip("the local cluster's node agent needs root")
    try:
        binary("kube-apiserver")
    except FileNotFoundError as e:
        pytest.skip(str(e))
    with LocalCluster(tmp_path_factory.mktemp("local-cluster")) as kubeconfig:
        yield config.new_client_from_config(str(kubeconfig))


@pytest.fixture(scope="session")
def core(kube: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(kube)


@pytest.fixture(scope="session")
def ns(core: client.CoreV1Api) -> Iterator[str]:
    name = f"lc-{uuid.uuid4().hex[:6]}"
    core.create_namespace({"metadata": {"name": name}})
    deadline = time.monotonic() + 30
    while True:  # pods are refused until the namespace's ServiceAccount exists
        try:
            core.read_namespaced_service_account("default", name)
            break
        except ApiException:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    yield name
    core.delete_namespace(name)


def _pod(
    name: str,
    script: str,
    mounts: list[dict[str, Any]] | None = None,
    volumes: list[dict[str, Any]] | None = None,
    **ctr: Any,
) -> dict[str, Any]:
    return {
        "metadata": {"name": name},
        "spec": {
            "restartPolicy": "Never",
            "containers": [
                {
                    "name": "main",
                    "image": "busybox",
                    "command": ["sh", "-c", script],
                    "volumeMounts": mounts or [],
                    **ctr,
                }
            ],
            "volumes": volumes or [],
        },
    }


def _run(
    core: client.CoreV1Api, ns: str, manifest: dict[str, Any], timeout: float = 60
) -> client.V1Pod:
    """Create a pod and wait until it is Succeeded or Failed."""
    name = manifest["metadata"]["name"]
    core.create_namespaced_pod(ns, manifest)
    deadline = time.monotonic() + timeout
    while True:
        pod = core.read_namespaced_pod(name, ns)
        if pod.status.phase in ("Succeeded", "Failed"):
            return pod
        assert time.monotonic() < deadline, f"pod {name} still {pod.status.phase}"
        time.sleep(0.2)


def _logs(core: client.CoreV1Api, ns: str, name: str) -> str:
    # kubernetes 36.0.3 returns the repr of the bytes ("b'...'") when the body
    # is preloaded (kubernetes-client/python#2596), so read the raw response.
    resp = core.read_namespaced_pod_log(name, ns, container="main", _preload_content=False)
    return resp.data.decode()


def _wait(pred: Any, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture(scope="session")
def claim(core: client.CoreV1Api, ns: str) -> str:
    core.create_namespaced_persistent_volume_claim(
        ns,
        {
            "metadata": {"name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        },
    )
    _wait(
        lambda: core.read_namespaced_persistent_volume_claim("data", ns).status.phase == "Bound",
        what="PVC Bound",
    )
    return "data"


def test_default_storage_class_binds_claim(core: client.CoreV1Api, ns: str, claim: str) -> None:
    pvc = core.read_namespaced_persistent_volume_claim(claim, ns)
    assert pvc.spec.storage_class_name == "standard"
    pv = core.read_persistent_volume(pvc.spec.volume_name)
    assert pv.spec.host_path.path.startswith("/tmp/hostpath_pv/")
    assert Path(pv.spec.host_path.path).is_dir()


def test_write_then_read_back_through_claim(core: client.CoreV1Api, ns: str, claim: str) -> None:
    vol = [{"name": "d", "persistentVolumeClaim": {"claimName": claim}}]
    mnt = [{"name": "d", "mountPath": "/data"}]
    w = _run(core, ns, _pod("writer", "echo payload-42 > /data/out.txt && echo written", mnt, vol))
    assert w.status.phase == "Succeeded", w.status
    r = _run(core, ns, _pod("reader", "cat /data/out.txt", mnt, vol))
    assert r.status.phase == "Succeeded"
    assert _logs(core, ns, "reader") == "payload-42\n"
    term = r.status.container_statuses[0].state.terminated
    assert term.exit_code == 0 and term.reason == "Completed" and term.finished_at


def test_read_only_mount_and_sub_path(core: client.CoreV1Api, ns: str, claim: str) -> None:
    vol = [{"name": "d", "persistentVolumeClaim": {"claimName": claim}}]
    mnt = [
        {"name": "d", "mountPath": "/ro", "readOnly": True},
        {"name": "d", "mountPath": "/sub", "subPath": "nested/dir"},
    ]
    script = (
        "if touch /ro/x 2>/dev/null; then echo WRITABLE; else echo ro-refused; fi; "
        "echo in-sub > /sub/f && ls /ro/nested/dir"
    )
    p = _run(core, ns, _pod("ro-sub", script, mnt, vol))
    assert p.status.phase == "Succeeded", _logs(core, ns, "ro-sub")
    assert _logs(core, ns, "ro-sub") == "ro-refused\nf\n"


def test_exit_code_fails_pod(core: client.CoreV1Api, ns: str) -> None:
    p = _run(core, ns, _pod("exit3", "echo failing; exit 3"))
    assert p.status.phase == "Failed"
    term = p.status.container_statuses[0].state.terminated
    assert (term.exit_code, term.reason) == (3, "Error")


def test_secret_key_ref_env(core: client.CoreV1Api, ns: str) -> None:
    core.create_namespaced_secret(
        ns, {"metadata": {"name": "creds"}, "stringData": {"token": "s3cr3t"}}
    )
    env = [
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}},
        {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    ]
    p = _run(core, ns, _pod("env", 'echo "$TOKEN/$POD"', env=env))
    assert p.status.phase == "Succeeded"
    assert _logs(core, ns, "env") == "s3cr3t/env\n"


def test_follow_logs_of_running_pod(core: client.CoreV1Api, ns: str) -> None:
    """What KubernetesPodOperator does: follow=True, timestamps=True, unbuffered."""
    core.create_namespaced_pod(
        ns, _pod("follow", "for i in 1 2 3; do echo line-$i; sleep 0.3; done")
    )
    _wait(
        lambda: core.read_namespaced_pod("follow", ns).status.phase != "Pending", what="pod running"
    )
    resp = core.read_namespaced_pod_log(
        "follow", ns, container="main", follow=True, timestamps=True, _preload_content=False
    )
    lines = [ln.decode() for ln in resp.stream() for ln in ln.splitlines()]
    resp.release_conn()
    assert [ln.split(" ", 1)[1] for ln in lines] == ["line-1", "line-2", "line-3"]
    assert all(ln.split(" ", 1)[0].endswith("Z") for ln in lines)


def test_owned_secret_is_garbage_collected(core: client.CoreV1Api, ns: str) -> None:
    core.create_namespaced_pod(ns, _pod("owner", "sleep 30"))
    _wait(
        lambda: core.read_namespaced_pod("owner", ns).status.phase == "Running",
        what="owner running",
    )
    uid = core.read_namespaced_pod("owner", ns).metadata.uid
    core.create_namespaced_secret(
        ns,
        {
            "metadata": {
                "name": "owned",
                "ownerReferences": [
                    {"apiVersion": "v1", "kind": "Pod", "name": "owner", "uid": uid}
                ],
            },
            "stringData": {"k": "v"},
        },
    )
    core.delete_namespaced_pod("owner", ns)  # graceful: the node agent kills and finalizes

    def gone(read: Any, name: str) -> bool:
        try:
            read(name, ns)
            return False
        except ApiException as e:
            return e.status == 404

    _wait(lambda: gone(core.read_namespaced_pod, "owner"), what="pod deleted")
    _wait(lambda: gone(core.read_namespaced_secret, "owned"), what="secret garbage-collected")


def test_pod_security_baseline_rejects_host_path(core: client.CoreV1Api) -> None:
    name = f"lc-psa-{uuid.uuid4().hex[:6]}"
    core.create_namespace(
        {"metadata": {"name": name, "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}
    )
    try:
        with pytest.raises(ApiException) as err:
            core.create_namespaced_pod(
                name, _pod("hp", "true", volumes=[{"name": "h", "hostPath": {"path": "/tmp"}}])
            )
        assert err.value.status == 403
        assert "violates PodSecurity" in err.value.body and "hostPath" in err.value.body
    finally:
        core.delete_namespace(name)


def test_unsupported_volume_fails_clearly(core: client.CoreV1Api, ns: str) -> None:
    p = _run(
        core,
        ns,
        _pod("nfs", "true", volumes=[{"name": "n", "nfs": {"server": "127.0.0.1", "path": "/x"}}]),
    )
    assert p.status.phase == "Failed"
    assert p.status.reason == "UnsupportedVolume" and "nfs" in p.status.message


def test_read_write_many_claim_is_provisioned(core: client.CoreV1Api, ns: str) -> None:
    """The in-tree host-path provisioner copies the claim's access modes (no RWO-only check)."""
    core.create_namespaced_persistent_volume_claim(
        ns,
        {
            "metadata": {"name": "shared"},
            "spec": {
                "accessModes": ["ReadWriteMany"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        },
    )
    _wait(
        lambda: core.read_namespaced_persistent_volume_claim("shared", ns).status.phase == "Bound",
        what="RWX PVC Bound",
    )
    pvc = core.read_namespaced_persistent_volume_claim("shared", ns)
    assert core.read_persistent_volume(pvc.spec.volume_name).spec.access_modes == ["ReadWriteMany"]
