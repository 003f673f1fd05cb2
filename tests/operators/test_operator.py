"""Our DockerOperator built offline: templating, translation in execute, KPO passthrough."""

from __future__ import annotations

import pytest
from docker.types import Mount
from operator_helpers import make_task, pod_of, render

from k8s_volume_ops.errors import NeedsPolicyError, SpecError
from k8s_volume_ops.operators.docker import DockerOperator
from k8s_volume_ops.policy import StoragePolicy


def test_mounts_are_translated_after_rendering() -> None:
    """R13/R14: a templated dict mount and a templated Mount object."""
    task = make_task(
        image="writer:1.0",
        params={"dst_volume": "Results_v2"},
        mounts=[
            {"type": "volume", "source": "{{ params.dst_volume }}", "target": "/data/"},
            Mount(source="vol_{{ ds_nodash }}", target="/out/{{ ds_nodash }}"),
        ],
    )
    assert task.mounts[0]["source"] == "{{ params.dst_volume }}"  # untouched in __init__
    pod = pod_of(render(task))
    claims = {
        v["persistentVolumeClaim"]["claimName"]
        for v in pod["spec"]["volumes"]
        if "persistentVolumeClaim" in v
    }
    assert claims == {"results-v2", "vol-20260102"}
    mounts = {m["mountPath"] for m in pod["spec"]["containers"][0]["volumeMounts"]}
    assert mounts == {"/data", "/out/20260102", "/tmp/airflow"}


def test_rendered_run_id_in_a_target_is_refused_with_the_fix() -> None:
    task = make_task(image="w", mounts=[Mount(source="workspace", target="/{{ run_id }}")])
    (problem,) = render(task).problems
    assert isinstance(problem, SpecError)
    assert "'/manual__2026-01-02T03:04:05+00:00' contains ':'" in str(problem)


def test_legacy_volumes_argument_is_accepted() -> None:
    """R6: `volumes=` raises TypeError with the stock operator; here it translates."""
    policy = StoragePolicy.model_validate({"binds": [{"source": "/data", "claim": "data"}]})
    task = make_task(image="alpine", volumes=["/data/reports:/data/reports:ro", "cache:/cache"])
    mounts = pod_of(render(task, policy))["spec"]["containers"][0]["volumeMounts"]
    assert {
        "name": "data",
        "mountPath": "/data/reports",
        "readOnly": True,
        "subPath": "reports",
    } in mounts
    assert {"name": "cache", "mountPath": "/cache"} in mounts


def test_private_environment_stays_out_of_the_pod() -> None:
    task = make_task(
        image="a", environment={"PUBLIC": "1"}, private_environment={"TOKEN": "s3cret"}
    )
    result = render(task)
    pod = pod_of(result)
    secret = result.objects[-2]
    assert secret["kind"] == "Secret" and secret["stringData"] == {"TOKEN": "<redacted>"}
    assert "s3cret" not in str(result.objects)
    env = pod["spec"]["containers"][0]["env"]
    assert {
        "name": "TOKEN",
        "valueFrom": {
            "secretKeyRef": {"name": f"{pod['metadata']['name']}-private-env", "key": "TOKEN"}
        },
    } in env
    assert "private_environment" not in DockerOperator.template_fields


def test_problems_are_all_reported_and_classified() -> None:
    task = make_task(image="a", user="nobody", mounts=[Mount("/x", "/srv/x", "bind")])
    problems = render(task).problems
    assert len(problems) == 2
    assert any(isinstance(p, NeedsPolicyError) for p in problems)


def test_kpo_arguments_pass_through() -> None:
    task = make_task(
        image="a",
        namespace="tasks",
        service_account_name="runner",
        node_selector={"pool": "etl"},
        labels={"team": "etl"},
        container_name="My_Job",
    )
    pod = pod_of(render(task))
    assert pod["metadata"]["namespace"] == "airflow"  # the render's --namespace wins
    assert pod["spec"]["serviceAccountName"] == "runner"
    assert pod["spec"]["nodeSelector"] == {"pool": "etl"}
    assert pod["metadata"]["labels"]["team"] == "etl"
    assert pod["metadata"]["name"].startswith("my-job-")
    assert not any(c["name"] == "airflow-xcom-sidecar" for c in pod["spec"]["containers"])


@pytest.mark.parametrize(
    ("value", "action"),
    [
        (True, "delete_pod"),
        ("never", "keep_pod"),
        ("success", "delete_pod"),
        ("force", "delete_pod"),
    ],
)
def test_auto_remove(value: object, action: str) -> None:
    assert make_task(image="a", auto_remove=value).on_finish_action.value == action


def test_bad_auto_remove_and_host_ports_fail_like_docker() -> None:
    with pytest.raises(ValueError, match="Invalid `auto_remove` value 'yes'"):
        make_task(image="a", auto_remove="yes")
    with pytest.raises(ValueError, match="Port bindings is not supported in the host network mode"):
        make_task(image="a", network_mode="host", port_bindings={80: 80})


def test_xcom_defaults_like_docker_operator() -> None:
    assert make_task(image="a").do_xcom_push is True
    assert make_task(image="a", do_xcom_push=False).do_xcom_push is False


def test_env_file_and_command_templates() -> None:
    task = make_task(
        image="a", params={"n": 3}, command="echo {{ params.n }}", env_file="A={{ params.n }}\nB=2"
    )
    container = pod_of(render(task))["spec"]["containers"][0]
    assert container["args"] == ["echo", "3"]
    assert {"name": "A", "value": "3"} in container["env"]


def test_docker_conn_id_becomes_an_image_pull_secret() -> None:
    task = make_task(image="registry.example.com:5000/app:1", docker_conn_id="my_registry")
    result = render(task)
    pod = pod_of(result)
    secret = result.objects[-2]
    name = f"{pod['metadata']['name']}-registry"
    assert pod["spec"]["imagePullSecrets"] == [{"name": name}]
    assert secret["type"] == "kubernetes.io/dockerconfigjson"
    assert secret["metadata"]["name"] == name
    assert secret["stringData"] == {".dockerconfigjson": "<redacted>"}


def test_restricted_without_a_user_says_the_image_must_not_run_as_root() -> None:
    restricted = StoragePolicy.model_validate({"podSecurity": "restricted"})
    plain = render(make_task(image="busybox", command="true"), restricted)
    assert (
        "podSecurity: restricted sets runAsNonRoot: true, and no user is given: the image must "
        "run as a non-root user, or the kubelet will not start it (set user='1000')"
    ) in plain.notes
    named = render(make_task(image="busybox", command="true", user="1000"), restricted)
    assert not any("runAsNonRoot" in note for note in named.notes)
