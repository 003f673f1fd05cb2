"""ComposeServiceOperator built offline: one compose service as one task's pod."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pendulum
import pytest
from airflow.sdk import DAG
from operator_helpers import pod_of, render

from k8s_volume_ops import ComposeServiceOperator
from k8s_volume_ops.compose.task import service_task
from k8s_volume_ops.policy import StoragePolicy

EXAMPLE = Path(__file__).resolve().parents[2] / "dags" / "compose" / "docker-compose.yml"


def compose_task(**kwargs: Any) -> ComposeServiceOperator:
    with DAG("d", schedule=None, start_date=pendulum.datetime(2025, 1, 1)):
        return ComposeServiceOperator(task_id="t", compose_file=str(EXAMPLE), **kwargs)


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def test_service_becomes_the_pod_with_its_claim_and_config() -> None:
    result = render(compose_task(service="consume"))
    pod = pod_of(result)
    (container,) = pod["spec"]["containers"]
    assert container["name"] == "base" and container["image"] == "busybox:1.36"
    assert container["args"] == [
        "sh",
        "-c",
        "cat /etc/app/greeting.txt && cat /reports/latest.txt",
    ]
    assert container["volumeMounts"] == [
        {"mountPath": "/reports", "name": "reports", "readOnly": True},
        {
            "mountPath": "/etc/app/greeting.txt",
            "name": "config-greeting",
            "readOnly": True,
            "subPath": "greeting",
        },
    ]
    claims = by_kind(result.objects, "PersistentVolumeClaim")
    # two services use `reports`: one claim, ReadWriteMany, sized by the Kompose label
    assert claims["reports"]["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": "1Gi"}},
    }
    config = by_kind(result.objects, "ConfigMap")["config-greeting"]
    assert config["data"] == {"greeting": "hello from the compose file\n"}
    assert pod["metadata"]["annotations"]["k8s-volume-ops/compose-service"] == "consume"


def test_command_and_environment_override_the_service_as_compose_run_does() -> None:
    task = compose_task(
        service="produce",
        command="sh -c 'echo {{ ds }}'",
        environment={"RUN_LABEL": "{{ ds_nodash }}", "EXTRA": "$(x)"},
    )
    (container,) = pod_of(render(task))["spec"]["containers"]
    assert container["args"] == ["sh", "-c", "echo 2026-01-02"]
    assert container["env"] == [
        {"name": "RUN_LABEL", "value": "20260102"},
        {"name": "EXTRA", "value": "$$(x)"},  # Kubernetes would expand $(x); Docker does not
    ]


def test_service_environment_is_kept_without_overrides() -> None:
    (container,) = pod_of(render(compose_task(service="produce")))["spec"]["containers"]
    assert container["env"] == [{"name": "RUN_LABEL", "value": "nightly"}]


def test_relative_compose_file_is_read_from_the_dag_folder(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "compose.yaml").write_text("services: {job: {image: 'alpine:3'}}\n")
    with DAG("d", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        task = ComposeServiceOperator(task_id="t", compose_file="c/compose.yaml", service="job")
    dag.fileloc = str(tmp_path / "dag.py")
    assert task.compose_path() == tmp_path / "c" / "compose.yaml"
    assert pod_of(render(task))["spec"]["containers"][0]["image"] == "alpine:3"


def test_settings_the_compose_file_owns_are_refused() -> None:
    with pytest.raises(ValueError, match=r"takes \['image', 'mounts'\] from service 'consume'"):
        compose_task(service="consume", image="other", mounts=["v:/v"])
    with pytest.raises(ValueError, match=r"takes \['dns', 'docker_url', 'hostname', 'tty'\]"):
        compose_task(service="consume", dns=["1.1.1.1"], hostname="h", tty=True, docker_url="x")


def test_environment_as_a_list_as_docker_takes_it() -> None:
    task = compose_task(service="produce", environment=["RUN_LABEL=listed", "EXTRA=1"])
    (container,) = pod_of(render(task))["spec"]["containers"]
    assert container["env"] == [
        {"name": "RUN_LABEL", "value": "listed"},
        {"name": "EXTRA", "value": "1"},
    ]


def test_unknown_service_names_the_ones_there_are() -> None:
    (problem,) = render(compose_task(service="nope")).problems
    assert str(problem) == (
        f"{EXAMPLE}: 'nope': the compose file has no service 'nope'; it has ['consume', 'produce']"
    )


def test_problems_of_other_services_do_not_stop_this_one(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text(
        "services:\n"
        "  good: {image: 'alpine:3', volumes: ['data:/data']}\n"
        "  bad: {image: 'alpine:3', volumes: ['/var/run/docker.sock:/var/run/docker.sock']}\n"
        "volumes: {data: {}}\n"
    )
    good = service_task(compose, "good", StoragePolicy())
    assert good.plan.problems == [] and good.image == "alpine:3"
    assert [c.name for c in good.plan.translation.claims] == ["data"]
    bad = service_task(compose, "bad", StoragePolicy())
    (problem,) = bad.plan.problems
    assert problem.origin == f"{compose} services.bad.volumes[0]"
    assert "'/var/run/docker.sock:/var/run/docker.sock'" in str(problem)
