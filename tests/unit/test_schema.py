"""Everything the translator emits passes the Kubernetes 1.36 schema, strictly.

Strict mode rejects unknown fields (a typo such as `accesModes`), so a manifest
that passes here has exactly the shape the apiserver expects; the e2e tests then
let the real apiserver judge the values.
"""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
from docker.types import DriverConfig, Mount

from k8s_volume_ops.podplan import DockerArgs, plan_pod
from k8s_volume_ops.policy import StoragePolicy

K8S_VERSION = "1.36"
POLICY = StoragePolicy.model_validate(
    {
        "claims": {"storageClassName": "standard", "overrides": {"scratch": {"ephemeral": True}}},
        "binds": [
            {"source": "/data", "claim": "data"},
            {"source": "/srv/nfs", "nfs": {"server": "10.0.0.5", "path": "/exports"}},
            {"source": "/mnt/host", "hostPath": True},
        ],
    }
)
NFS_DRIVER = DriverConfig("local", {"type": "nfs", "o": "addr=10.0.0.9", "device": ":/e"})
INPUTS: dict[str, dict[str, Any]] = {
    "named": {"volumes": ["my_docker_volume:/app/data", "ro_vol:/ro:ro"]},
    "binds": {
        "mounts": [
            Mount("/in", "/data/in", "bind", read_only=True),
            Mount("/nfs", "/srv/nfs/x", "bind"),
            Mount("/h", "/mnt/host/h", "bind"),
        ]
    },
    "tmpfs-shm": {"mounts": [Mount("/t", None, "tmpfs", tmpfs_size="64m")], "shm_size": "256m"},
    "ephemeral": {"mounts": [Mount("/s", "scratch")]},
    "nfs-driver": {"mounts": [Mount("/n", "exports", driver_config=NFS_DRIVER)]},
    "everything-else": {
        "command": "sh -c 'echo hi'",
        "entrypoint": ["/bin/sh"],
        "user": "1000:1000",
        "cpus": 0.5,
        "mem_limit": "512m",
        "network_mode": "host",
        "dns": ["10.0.0.53"],
        "extra_hosts": {"db": "10.0.0.7"},
        "hostname": "worker",
        "privileged": True,
        "cap_add": ["NET_ADMIN"],
        "tty": True,
        "labels": {"team": "etl"},
        "ipc_mode": "host",
        "port_bindings": {8080: 80},
        "private_environment": {"TOKEN": "s3cret"},
        "environment": {"A": "1"},
        "retrieve_output": True,
        "retrieve_output_path": "/tmp/out/result.pkl",
    },
}


def _pod(args: DockerArgs) -> list[dict[str, Any]]:
    plan = plan_pod(args, POLICY)
    assert plan.problems == []
    container = {
        "name": "base",
        "image": args.image,
        **plan.container,
        "env": plan.env("t-private-env"),
    }
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "t", "labels": plan.labels},
        "spec": {"restartPolicy": "Never", "containers": [container], **plan.pod},
    }
    return [*plan.translation.objects("airflow"), pod]


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_emitted_objects_validate_strictly(name: str) -> None:
    objects = _pod(DockerArgs(image="busybox:1.36", **INPUTS[name]))
    assert objects[-1]["kind"] == "Pod"
    for obj in objects:
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)


def test_the_validator_can_fail() -> None:
    broken = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "x"},
        "spec": {"accesModes": ["ReadWriteOnce"]},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)
