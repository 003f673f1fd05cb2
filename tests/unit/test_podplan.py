"""Every DockerOperator argument as pod and container fields (pure)."""

from __future__ import annotations

from typing import Any

import pytest
from docker.types import DeviceRequest, Ulimit
from hypothesis import given
from hypothesis import strategies as st
from node_agent.envvars import expand  # the node agent's copy of Kubernetes' expansion

from k8s_volume_ops.errors import SpecError, UnsupportedError
from k8s_volume_ops.expansion import literal
from k8s_volume_ops.podplan import DockerArgs, PodPlan, plan_pod


def plan(**kw: Any) -> PodPlan:
    return plan_pod(DockerArgs(image="alpine:3.20", **kw))


def ok(**kw: Any) -> PodPlan:
    result = plan(**kw)
    assert result.problems == []
    return result


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ('echo "hello world" && ls', ["echo", "hello world", "&&", "ls"]),
        ("bash -c 'echo $HOME; ls'", ["bash", "-c", "echo $HOME; ls"]),
        ('["echo", "hi there"]', ["echo", "hi there"]),
        ("  ['echo','x']", ["echo", "x"]),
        (["python", "run.py", 3], ["python", "run.py", "3"]),
    ],
)
def test_command_rules(command: Any, args: list[str]) -> None:
    assert ok(command=command).container["args"] == args


def test_entrypoint_is_command_and_command_is_args() -> None:
    p = ok(entrypoint="/bin/sh -c", command="echo hi")
    assert p.container["command"] == ["/bin/sh", "-c"] and p.container["args"] == ["echo", "hi"]


def test_bracket_shell_test_is_refused_like_docker() -> None:
    (problem,) = plan(command="[ -f /data/x ] && echo ok").problems
    assert isinstance(problem, SpecError) and "list literal" in str(problem)


def test_environment_priority_and_tmp_dir() -> None:
    p = ok(
        env_file="A=file\nC=file\nexport D='quoted'",
        environment={"A": "env", "B": 2, "N": None},
        private_environment={"B": "secret"},
    )
    env = {e["name"]: e["value"] for e in p.plain_env}
    assert env == {"A": "env", "C": "file", "D": "quoted", "AIRFLOW_TMP_DIR": "/tmp/airflow"}
    assert p.private_env == {"B": "secret"}
    assert any("'N' has no value" in n for n in p.notes)
    refs = [e for e in p.env("t-private-env") if "valueFrom" in e]
    assert refs == [
        {"name": "B", "valueFrom": {"secretKeyRef": {"name": "t-private-env", "key": "B"}}}
    ]
    assert "secret" not in str(p.plain_env) + str(p.container) + str(p.pod)


def test_mount_tmp_dir_off_removes_the_variable() -> None:
    p = ok(mount_tmp_dir=False, environment={"AIRFLOW_TMP_DIR": "/mine"})
    assert p.plain_env == [] and p.pod["volumes"] == []


def test_tmp_dir_and_shm() -> None:
    p = ok(tmp_dir="/work/tmp", shm_size="1g")
    assert p.pod["volumes"] == [
        {"name": "anon-work-tmp", "emptyDir": {}},
        {"name": "tmpfs-dev-shm", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
    ]
    assert [m["mountPath"] for m in p.container["volumeMounts"]] == ["/work/tmp", "/dev/shm"]


def test_resources_use_binary_memory_and_cpu_requests() -> None:
    p = ok(
        cpus=0.5, mem_limit="512m", device_requests=[DeviceRequest(count=2, capabilities=[["gpu"]])]
    )
    assert p.container["resources"] == {
        "requests": {"cpu": "0.5"},
        "limits": {"memory": "512Mi", "nvidia.com/gpu": "2"},
    }
    assert "resources" not in ok(cpus=0).container
    assert ok(mem_limit=1_000_000).container["resources"]["limits"]["memory"] == "1000000"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"user": "nobody"}, UnsupportedError, "numeric ids only"),
        ({"network_mode": "none"}, UnsupportedError, "always has a network"),
        ({"network_mode": "container:abc"}, UnsupportedError, "always has a network"),
        (
            {"ulimits": [Ulimit(name="nofile", soft=1024, hard=2048)]},
            UnsupportedError,
            "cannot set ulimits",
        ),
        (
            {"device_requests": [DeviceRequest(count=-1, capabilities=[["gpu"]])]},
            UnsupportedError,
            "not 'all' GPUs",
        ),
        ({"extra_hosts": {"gw": "host-gateway"}}, UnsupportedError, "host-gateway"),
        ({"dns": ["1.1.1.1", "8.8.8.8", "9.9.9.9", "1.0.0.1"]}, UnsupportedError, "at most 3"),
        ({"mem_limit": "512Mi"}, SpecError, "not a Docker size"),
        ({"hostname": "Bad_Host"}, SpecError, "DNS-1123 label"),
        ({"volumes": [{"a": 1}]}, SpecError, "volumes= takes `-v` strings"),
        (
            {"retrieve_output": True, "retrieve_output_path": "out.pkl"},
            SpecError,
            "absolute file path",
        ),
    ],
)
def test_refusals(kwargs: dict[str, Any], error: type, message: str) -> None:
    problems = plan(**kwargs).problems
    assert len(problems) == 1 and isinstance(problems[0], error)
    assert message in str(problems[0])


def test_all_problems_are_collected() -> None:
    p = plan(
        user="nobody",
        network_mode="none",
        mounts=[{"target": "/x", "source": "/h", "type": "bind"}],
    )
    assert len(p.problems) == 3


def test_security_and_network_fields() -> None:
    p = ok(
        user="1000:2000",
        privileged=True,
        cap_add=["CAP_NET_ADMIN", "sys_time"],
        network_mode="host",
        ipc_mode="host",
        extra_hosts={"a": "10.0.0.1", "b": "10.0.0.1", "c": "10.0.0.2"},
        dns_search=["corp.example"],
        hostname="worker.corp.example",
        tty=True,
        working_dir="/w",
        port_bindings={"8080/tcp": 80, 9000: None},
        force_pull=True,
    )
    assert p.container["securityContext"] == {
        "runAsUser": 1000,
        "runAsGroup": 2000,
        "privileged": True,
        "capabilities": {"add": ["NET_ADMIN", "SYS_TIME"]},
    }
    assert p.pod["hostNetwork"] and p.pod["hostIPC"] and p.pod["hostname"] == "worker"
    assert p.pod["hostAliases"] == [
        {"ip": "10.0.0.1", "hostnames": ["a", "b"]},
        {"ip": "10.0.0.2", "hostnames": ["c"]},
    ]
    assert p.pod["dnsConfig"] == {"searches": ["corp.example"]}
    assert p.container["ports"] == [
        {"containerPort": 8080, "protocol": "TCP", "hostPort": 80},
        {"containerPort": 9000, "protocol": "TCP"},
    ]
    assert p.container["tty"] and p.container["workingDir"] == "/w"
    assert p.container["imagePullPolicy"] == "Always"
    assert ok().container["imagePullPolicy"] == "IfNotPresent"


def test_dns_replaces_cluster_dns_with_a_note() -> None:
    p = ok(dns=["10.0.0.53"])
    assert p.pod["dnsPolicy"] == "None" and p.pod["dnsConfig"] == {"nameservers": ["10.0.0.53"]}
    assert any("cluster DNS names stop resolving" in n for n in p.notes)


def test_labels_split_between_labels_and_annotations() -> None:
    p = ok(
        labels={
            "team": "etl",
            "com.example/owner": "x",
            "bad key": "v",
            "a/b/c": "y",
            "long": "v" * 70,
        }
    )
    assert p.labels == {"team": "etl", "com.example/owner": "x"}
    assert p.annotations == {
        "long": "v" * 70,
        "k8s-volume-ops/docker-labels": '{"a/b/c": "y", "bad key": "v"}',
    }
    assert ok(labels=["flag"]).labels == {"flag": ""}


def test_dollars_stay_literal() -> None:
    """Kubernetes expands $(NAME) and $$ in command, args and env values; Docker does not."""
    p = ok(command=["sh", "-c", "echo $(date) $$ $HOME"], environment={"PW": "pa$$word"})
    assert p.container["args"] == ["sh", "-c", "echo $$(date) $$$ $HOME"]
    assert {"name": "PW", "value": "pa$$$word"} in p.plain_env


@given(st.text(alphabet="$()ABC_ x", max_size=20))
def test_literal_survives_kubernetes_expansion(text: str) -> None:
    """What the kubelet hands the container is the text Docker would have passed."""
    assert expand(literal(text), {"A": "1", "ABC": "2", "B_": "3"}) == text


def test_retrieve_output_reuses_the_mount_that_holds_the_file() -> None:
    p = ok(retrieve_output=True, retrieve_output_path="/tmp/airflow/out/result.pkl")
    (sidecar,) = p.pod["initContainers"]
    assert sidecar["volumeMounts"] == [
        {"name": "anon-tmp-airflow", "mountPath": "/tmp/airflow", "readOnly": True}
    ]
    assert [v["name"] for v in p.pod["volumes"]] == ["anon-tmp-airflow"]
    assert not any("hidden" in n for n in p.notes)


def test_retrieve_output_sidecar() -> None:
    p = ok(retrieve_output=True, retrieve_output_path="/tmp/script.out")
    (sidecar,) = p.pod["initContainers"]
    assert sidecar["restartPolicy"] == "Always" and sidecar["name"] == "retrieve-output"
    assert {"name": "retrieve-output", "mountPath": "/tmp"} in p.container["volumeMounts"]
    assert {"name": "OUTPUT", "value": "/tmp/script.out"} in sidecar["env"]
    assert any("files the image has in /tmp are hidden" in n for n in p.notes)
