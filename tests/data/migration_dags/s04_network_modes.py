"""Supplementary: `network_mode` values; `none` and user networks have no pod equivalent."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG

with DAG(dag_id="s04_network_modes", start_date=datetime(2024, 1, 1), schedule=None):
    offline = DockerOperator(
        task_id="offline",
        image="alpine",
        command="echo isolated",
        network_mode="none",
    )
    compose_net = DockerOperator(
        task_id="compose_net",
        image="curlimages/curl",
        command="curl -fsS http://api:8080/health",
        network_mode="myproject_default",
    )
    host_net = DockerOperator(
        task_id="host_net",
        image="alpine",
        command="ip addr",
        network_mode="host",
    )
    offline >> compose_net >> host_net
