"""R12 (open-metadata/OpenMetadata#2262): example files in the Airflow container's /tmp."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG
from docker.types import Mount

with DAG(dag_id="r12_openmetadata_examples", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(
        task_id="ingest",
        image="openmetadata/ingestion",
        command="metadata ingest -c /opt/examples/sample_data.yaml",
        mounts=[
            Mount(target="/opt/examples", source="/tmp/openmetadata/examples/", type="bind"),
        ],
    )
