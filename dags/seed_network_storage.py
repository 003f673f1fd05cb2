"""The seed article's third strategy: shared network storage (NFS).

A Docker `local` volume with NFS driver options becomes an `nfs` volume, or, with
`nfs.mode: persistentVolume` in the policy (what PodSecurity `restricted` needs),
a PersistentVolume and claim bound to each other. The bind of `/mnt/reports` is
mapped onto the same export by a `binds` rule.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG
from docker.types import DriverConfig, Mount

from k8s_volume_ops import DockerOperator

NFS = DriverConfig(
    "local", {"type": "nfs", "o": "addr=10.20.30.40,rw,nfsvers=4", "device": ":/exports/data"}
)
POLICY = {
    "nfs": {"mode": "persistentVolume", "size": "50Gi"},
    "binds": [
        {"source": "/mnt/reports", "nfs": {"server": "10.20.30.40", "path": "/exports/reports"}}
    ],
}

with DAG(
    "seed_network_storage",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    schedule=None,
    catchup=False,
    tags=["k8s-volume-ops", "example"],
):
    DockerOperator(
        task_id="etl",
        image="busybox:1.36",
        namespace=os.environ.get("K8S_VOLUME_OPS_NAMESPACE", "default"),
        command="sh -c 'ls /shared/data /reports'",
        mounts=[
            Mount(source="exports", target="/shared/data", driver_config=NFS),
            Mount(source="/mnt/reports/daily", target="/reports", type="bind", read_only=True),
        ],
        storage_policy=POLICY,
    )
