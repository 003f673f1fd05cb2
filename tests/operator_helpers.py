"""Build our operator's pod offline, as `render` does (no cluster involved)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pendulum
from airflow.sdk import DAG

from k8s_volume_ops import DockerOperator
from k8s_volume_ops.operators.offline import TaskRender, render_task
from k8s_volume_ops.policy import StoragePolicy

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def make_task(params: dict[str, Any] | None = None, **kwargs: Any) -> DockerOperator:
    """Our operator inside a fresh DAG (rendering needs the DAG's Jinja environment)."""
    with DAG("d", schedule=None, start_date=pendulum.datetime(2025, 1, 1), params=params or {}):
        return DockerOperator(task_id="t", **kwargs)


def render(task: Any, policy: StoragePolicy | None = None) -> TaskRender:
    """Render one task with the synthetic manual-run context."""
    return render_task(task, policy or StoragePolicy(), "airflow", WHEN)


def pod_of(result: TaskRender) -> dict[str, Any]:
    """The Pod document of a render, asserting it had no problems."""
    assert result.problems == [], [str(p) for p in result.problems]
    pod = result.objects[-1]
    assert pod["kind"] == "Pod"
    return pod
