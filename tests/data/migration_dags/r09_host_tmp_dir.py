"""R9 (AIRFLOW-1381): Docker for Mac needed the temp dir inside a shared folder."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG

with DAG(dag_id="r09_host_tmp_dir", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(
        task_id="t",
        image="alpine",
        command='sh -c "date > $AIRFLOW_TMP_DIR/stamp && cat $AIRFLOW_TMP_DIR/stamp"',
        host_tmp_dir="/Users/shared/airflow-tmp",
        tmp_dir="/tmp/work",
    )
