"""Every example DAG in dags/ loads with no import errors and renders with no problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from operator_helpers import WHEN

from k8s_volume_ops.operators.offline import load_dag_file, render_dag_file
from k8s_volume_ops.policy import StoragePolicy

DAGS = sorted((Path(__file__).resolve().parents[2] / "dags").glob("*.py"))


def test_there_are_example_dags() -> None:
    assert {p.stem for p in DAGS} >= {
        "compose_service",
        "producer_consumer",
        "seed_named_volume",
        "seed_compose_volume",
        "seed_network_storage",
    }


@pytest.mark.parametrize("path", DAGS, ids=lambda p: p.stem)
def test_dag_loads_and_renders(path: Path) -> None:
    dags, errors = load_dag_file(path)
    assert errors == {} and dags
    renders, _ = render_dag_file(path, StoragePolicy(), "airflow", WHEN)
    assert renders, "no Docker tasks"
    for task in renders:
        assert task.problems == [], [str(p) for p in task.problems]
        assert task.objects[-1]["kind"] == "Pod"


def test_producer_and_consumer_share_one_claim() -> None:
    renders, _ = render_dag_file(
        DAGS[0].parent / "producer_consumer.py", StoragePolicy(), "airflow", WHEN
    )
    claims = {
        t.task_id: [
            o["metadata"]["name"] for o in t.objects if o["kind"] == "PersistentVolumeClaim"
        ]
        for t in renders
    }
    assert claims == {"produce": ["shared-data"], "consume": ["shared-data"]}


def test_network_storage_binds_pv_and_claim() -> None:
    renders, _ = render_dag_file(
        DAGS[0].parent / "seed_network_storage.py", StoragePolicy(), "airflow", WHEN
    )
    kinds = [o["kind"] for o in renders[0].objects]
    assert kinds.count("PersistentVolume") == 2 and kinds[-1] == "Pod"
