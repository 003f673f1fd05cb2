"""Two tasks share a Docker named volume: the producer writes, the consumer reads.

With the stock DockerOperator both containers had to run on one Docker host; here
the named volume is a PersistentVolumeClaim, created on first use and kept, so the
consumer's pod finds the producer's file wherever it runs. This is the DAG that
`make demo` runs end to end.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG
from docker.types import Mount

from k8s_volume_ops import DockerOperator

NAMESPACE = os.environ.get("K8S_VOLUME_OPS_NAMESPACE", "default")
shared = Mount(source="shared_data", target="/data", type="volume")

with DAG(
    "producer_consumer",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    schedule=None,
    catchup=False,
    tags=["k8s-volume-ops", "example"],
) as dag:
    produce = DockerOperator(
        task_id="produce",
        image="busybox:1.36",
        namespace=NAMESPACE,
        command=[
            "sh",
            "-c",
            "mkdir -p /data/{{ ds_nodash }} && "
            "echo 'hello from {{ ti.task_id }}' > /data/{{ ds_nodash }}/greeting.txt && "
            "echo wrote /data/{{ ds_nodash }}/greeting.txt",
        ],
        mounts=[shared],
    )
    consume = DockerOperator(
        task_id="consume",
        image="busybox:1.36",
        namespace=NAMESPACE,
        command=["sh", "-c", "cat /data/{{ ds_nodash }}/greeting.txt"],
        mounts=[Mount(source="shared_data", target="/data", type="volume", read_only=True)],
    )
    produce >> consume
