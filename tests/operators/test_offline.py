"""Offline rendering (`render`, `scan`): params, run-time-only values, namespaces."""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import DAG, Param
from operator_helpers import WHEN, make_task, pod_of, render

from k8s_volume_ops import DockerOperator
from k8s_volume_ops.errors import SpecError
from k8s_volume_ops.operators.offline import render_task
from k8s_volume_ops.operators.offline_context import NoDefaultError
from k8s_volume_ops.policy import StoragePolicy


def claims_of(pod: dict[str, Any]) -> list[str]:
    return [
        v["persistentVolumeClaim"]["claimName"]
        for v in pod["spec"]["volumes"]
        if "persistentVolumeClaim" in v
    ]


def test_a_param_without_default_is_a_problem_of_the_task_that_uses_it() -> None:
    params = {"vol": Param(type="string"), "n": Param(5, type="integer", minimum=10)}
    with DAG("d", schedule=None, start_date=pendulum.datetime(2025, 1, 1), params=params):
        uses = DockerOperator(task_id="uses", image="a", volumes=["{{ params.vol }}:/a"])
        other = DockerOperator(task_id="other", image="a", command="echo {{ params.n }}")
    (problem,) = render(uses).problems
    assert isinstance(problem, NoDefaultError) and isinstance(problem, SpecError)
    assert str(problem) == (
        "volumes: param 'vol' has no default value: only a triggered run supplies one, so "
        "this cannot be rendered offline\n"
        "  fix: give the Param a default (render and scan use the defaults)"
    )
    # A default that breaks its own schema is still what the author wrote: it is used.
    assert pod_of(render(other))["spec"]["containers"][0]["args"] == ["echo", "5"]


def test_a_template_may_handle_a_missing_param_itself() -> None:
    task = make_task(
        params={"vol": Param(type="string")},
        image="a",
        volumes=["{{ params.vol | default('fallback') }}:/a"],
    )
    assert claims_of(pod_of(render(task))) == ["fallback"]


def test_param_defaults_none_and_task_level_params() -> None:
    """None is a default like any other; a task's own params override the DAG's."""
    params = {"opt": Param(None, type=["null", "string"]), "vol": "dag"}
    with DAG("d", schedule=None, start_date=pendulum.datetime(2025, 1, 1), params=params):
        task = DockerOperator(
            task_id="t",
            image="a",
            params={"vol": "task"},
            command="echo {{ params.opt }}",
            volumes=["{{ params.vol }}:/v"],
        )
    pod = pod_of(render(task))
    assert pod["spec"]["containers"][0]["args"] == ["echo", "None"]
    assert claims_of(pod) == ["task"]


def test_an_undeclared_param_reads_as_it_does_in_a_run() -> None:
    task = make_task(params={"vol": Param(type="string")}, image="a", volumes=["{{ params.x }}:/a"])
    (problem,) = render(task).problems
    assert str(problem) == (
        "volumes: rendering templates failed: UndefinedError: 'dict object' has no attribute 'x'"
    )


def test_an_xcom_mount_source_is_a_stand_in_with_a_note() -> None:
    task = make_task(
        image="a",
        mount_tmp_dir=False,
        command="echo {{ dag_run.conf.get('who', 'me') }}",
        volumes=["{{ ti.xcom_pull(task_ids='make') }}:/x"],
    )
    result = render(task)
    assert claims_of(pod_of(result)) == ["none"]
    assert result.runtime_notes == [
        "command: rendered offline with dag_run.conf.get('who') giving None (or its default): "
        "that value exists only in a run, so what this renders here is a stand-in (a claim "
        "named 'none', a 'None' argument)",
        "volumes: rendered offline with ti.xcom_pull(task_ids='make') giving None (or its "
        "default): that value exists only in a run, so what this renders here is a stand-in "
        "(a claim named 'none', a 'None' argument)",
    ]
    assert render(make_task(image="a", volumes=["v:/x"])).runtime_notes == []


def test_every_namespaced_object_is_in_the_pods_namespace() -> None:
    task = make_task(
        image="a",
        namespace="explicit",
        volumes=["v:/v"],
        private_environment={"A": "b"},
        docker_conn_id="registry",
    )
    explicit = render_task(task, StoragePolicy(), None, WHEN)
    assert [(o["kind"], o["metadata"]["namespace"]) for o in explicit.objects] == [
        ("PersistentVolumeClaim", "explicit"),
        ("Secret", "explicit"),
        ("Secret", "explicit"),
        ("Pod", "explicit"),
    ]
    flag = render_task(make_task(image="a", volumes=["v:/v"]), StoragePolicy(), "other", WHEN)
    assert {o["metadata"]["namespace"] for o in flag.objects} == {"other"}


def test_an_unexpected_error_is_a_problem_of_its_task_only() -> None:
    """A bug met while rendering one task must not cost the file's other tasks."""

    class Broken(DockerOperator):
        def plan(self, policy: StoragePolicy) -> Any:
            raise RuntimeError("boom")

    with DAG("d", schedule=None, start_date=pendulum.datetime(2025, 1, 1)):
        broken = Broken(task_id="broken", image="a")
    result = render(broken)
    assert result.objects == []
    assert [str(p) for p in result.problems] == [
        "internal error while rendering this task: RuntimeError: boom (a k8s-volume-ops bug; "
        "K8S_VOLUME_OPS_DEBUG=1 shows the traceback)"
    ]
