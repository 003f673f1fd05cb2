"""Drop-in fidelity: the stock DockerOperator and ours, given the same arguments.

The stock operator runs its real `execute()`; only the Docker Engine client is
replaced by `EngineRecorder`, because no Docker daemon can run here. The recorder
builds the real docker-py `HostConfig` and records what would be sent to the
daemon. Ours builds its pod offline. The two are compared field by field.
"""

from __future__ import annotations

from typing import Any

import pendulum
import pytest
from airflow.providers.docker.operators.docker import DockerOperator as StockDockerOperator
from airflow.sdk import DAG
from docker.types import HostConfig, Mount
from docker.utils import split_command
from operator_helpers import make_task, pod_of, render

from k8s_volume_ops.policy import StoragePolicy
from k8s_volume_ops.quantity import quantity_to_decimal
from k8s_volume_ops.xcom import xcom_value

POLICY = StoragePolicy.model_validate({"binds": [{"source": "/srv", "claim": "srv"}]})


class EngineRecorder:
    """Stands in for `docker.APIClient` (no daemon here); records the create call."""

    def __init__(self, chunks: list[bytes], status: int = 0) -> None:
        self.chunks, self.status = chunks, status
        self.created: dict[str, Any] = {}

    def images(self, name: str) -> list[str]:
        return [name]

    def create_host_config(self, **kwargs: Any) -> HostConfig:
        return HostConfig(version="1.47", **kwargs)

    def create_container(self, **kwargs: Any) -> dict[str, str]:
        self.created = kwargs
        return {"Id": "c1"}

    def attach(self, **_: Any) -> list[bytes]:
        return list(self.chunks)

    def start(self, _: str) -> None:
        pass

    def wait(self, _: str) -> dict[str, int]:
        return {"StatusCode": self.status}

    def remove_container(self, *_: Any, **__: Any) -> None:
        pass


def run_stock(
    monkeypatch: pytest.MonkeyPatch, chunks: list[bytes] | None = None, **kwargs: Any
) -> tuple[EngineRecorder, Any]:
    engine = EngineRecorder([b"done\n"] if chunks is None else chunks)
    monkeypatch.setattr(StockDockerOperator, "cli", property(lambda self: engine))
    with DAG("stock", schedule=None, start_date=pendulum.datetime(2025, 1, 1)):
        op = StockDockerOperator(task_id="t", **kwargs)
    return engine, op.execute({})


ARGS: dict[str, dict[str, Any]] = {
    "command-string": {"command": 'sh -c "echo hi && ls /"', "entrypoint": "/bin/env"},
    "command-literal": {"command": '["python", "-c", "print(1)"]'},
    "environment": {
        "environment": {"A": "1", "B": "x"},
        "env_file": "A=0\nC=3",
        "private_environment": {"B": "secret"},
    },
    "resources": {"cpus": 0.5, "mem_limit": "1.5g", "shm_size": 268435456},
    "identity": {
        "user": "1000:1000",
        "working_dir": "/w",
        "tty": True,
        "hostname": "box",
        "privileged": True,
        "cap_add": ["NET_ADMIN"],
    },
    "network": {
        "network_mode": "host",
        "dns": ["10.0.0.53"],
        "dns_search": ["corp"],
        "extra_hosts": {"db": "10.0.0.7"},
    },
    "mounts": {
        "mounts": [
            Mount("/data", "named_vol"),
            Mount("/in", "/srv/in", "bind", read_only=True),
            Mount("/scratch", None, "tmpfs", tmpfs_size="64m"),
        ],
        "tmp_dir": "/tmp/t",
    },
}


def _env(pod: dict[str, Any]) -> dict[str, str]:
    env = pod["spec"]["containers"][0].get("env") or []
    return {e["name"]: e.get("value", "<secret>") for e in env}


@pytest.mark.parametrize("name", sorted(ARGS))
def test_same_arguments_same_container(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ARGS[name]
    engine, _ = run_stock(monkeypatch, image="alpine:3.20", **args)
    created, host = engine.created, engine.created["host_config"]
    pod = pod_of(render(make_task(image="alpine:3.20", **args), POLICY))
    spec, container = pod["spec"], pod["spec"]["containers"][0]

    command = created["command"]
    assert (container.get("args") or None) == (
        split_command(command) if isinstance(command, str) else command
    )
    entry = created["entrypoint"]
    assert (container.get("command") or None) == (
        split_command(entry) if isinstance(entry, str) else entry
    )

    docker_env = dict(created["environment"])
    ours = _env(pod)
    assert set(ours) == set(docker_env)
    for key, value in docker_env.items():
        assert ours[key] == (
            "<secret>" if key in args.get("private_environment", {}) else str(value)
        )

    resources = container.get("resources") or {}
    if "Memory" in host:
        assert quantity_to_decimal(resources["limits"]["memory"]) == host["Memory"]
    if args.get("cpus"):
        assert quantity_to_decimal(resources["requests"]["cpu"]) * 1024 == host["CpuShares"]
    if "ShmSize" in host:
        shm = next(v for v in spec["volumes"] if v["name"] == "tmpfs-dev-shm")
        assert quantity_to_decimal(shm["emptyDir"]["sizeLimit"]) == host["ShmSize"]

    context = container.get("securityContext") or {}
    assert bool(context.get("privileged")) == bool(host.get("Privileged"))
    assert context.get("capabilities", {}).get("add") == host.get("CapAdd")
    if created.get("user"):
        assert f"{context['runAsUser']}:{context['runAsGroup']}" == created["user"]
    assert container.get("workingDir") == created.get("working_dir")
    assert bool(container.get("tty")) == bool(created.get("tty"))
    assert spec.get("hostname") == created.get("hostname")
    assert bool(spec.get("hostNetwork")) == (host.get("NetworkMode") == "host")
    assert (spec.get("dnsConfig") or {}).get("nameservers") == host.get("Dns")
    assert (spec.get("dnsConfig") or {}).get("searches") == host.get("DnsSearch")
    aliases = [f"{h}:{a['ip']}" for a in spec.get("hostAliases") or [] for h in a["hostnames"]]
    assert sorted(aliases) == sorted(host.get("ExtraHosts") or [])

    docker_targets = {m["Target"]: m for m in host.get("Mounts") or []}
    our_mounts = {m["mountPath"]: m for m in container.get("volumeMounts") or []}
    assert set(our_mounts) == set(docker_targets) | ({"/dev/shm"} if "ShmSize" in host else set())
    for target, mount in docker_targets.items():
        assert bool(our_mounts[target].get("readOnly")) == bool(mount["ReadOnly"])


@pytest.mark.parametrize(
    "chunks",
    [
        [b"a\nb\n"],
        [b"a\n", b"\n"],
        [b"par", b"tial\nlast"],
        [b"x  \r\n"],
        [],
        [b"\xff\xfe bad utf8\n"],
    ],
    ids=["two-lines", "trailing-empty", "split-chunks", "crlf", "no-output", "bad-utf8"],
)
@pytest.mark.parametrize("xcom_all", [False, True])
def test_same_log_same_xcom(
    chunks: list[bytes], xcom_all: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, stock_value = run_stock(monkeypatch, chunks=chunks, image="a", xcom_all=xcom_all)
    log = b"".join(chunks).decode("utf-8", errors="replace")
    assert xcom_value(log, xcom_all=xcom_all) == stock_value
