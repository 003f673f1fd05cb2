"""e2e: XCom as DockerOperator pushes it: last line, all lines, or a retrieved file."""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG

from k8s_volume_ops import DockerOperator

NS = os.environ.get("K8S_VOLUME_OPS_NAMESPACE", "default")
IMAGE = os.environ.get("K8S_VOLUME_OPS_E2E_IMAGE", "busybox:1.36")
PYTHON = os.environ.get("K8S_VOLUME_OPS_E2E_PYTHON_IMAGE", "python:3.12-slim")
WRITE_PICKLE = (
    "import pickle; pickle.dump({'answer': 42, 'items': [1, 2]}, "
    "open('/tmp/out/result.pkl', 'wb')); print('pickled')"
)

with DAG("e2e_xcom", start_date=pendulum.datetime(2025, 1, 1, tz="UTC"), schedule=None):
    DockerOperator(
        task_id="last_line",
        image=IMAGE,
        namespace=NS,
        command=["sh", "-c", "echo first; echo last"],
    )
    DockerOperator(
        task_id="all_lines",
        image=IMAGE,
        namespace=NS,
        xcom_all=True,
        command=["sh", "-c", "echo first; echo '  second  '; echo last"],
    )
    DockerOperator(
        task_id="dollars",
        image=IMAGE,
        namespace=NS,
        environment={"PW": "pa$$word $(HOME)"},
        command=["sh", "-c", 'printf "%s\\n" "$PW"'],
    )
    DockerOperator(
        task_id="no_push",
        image=IMAGE,
        namespace=NS,
        do_xcom_push=False,
        command=["sh", "-c", "echo quiet"],
    )
    DockerOperator(
        task_id="retrieve",
        image=PYTHON,
        namespace=NS,
        retrieve_output=True,
        retrieve_output_path="/tmp/out/result.pkl",
        retrieve_output_image=IMAGE,
        command=["python3", "-c", WRITE_PICKLE],
    )
