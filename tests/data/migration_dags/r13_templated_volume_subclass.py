"""R13 (apache/airflow#66345): a subclass templating `mounts`, with dict mounts.

Provider 4.4.1-4.5.5 crashed at import; 4.6.1 renders the dict and normalises it in
`execute()`. The volume name comes from a DAG param.
"""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG, Param


class MyDockerOperator(DockerOperator):
    """Adds `mounts` to the templated fields, as the reporter did."""

    template_fields = (*DockerOperator.template_fields, "mounts")


with DAG(
    dag_id="r13_templated_volume_subclass",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    params={"dst_volume": Param("Results_2024", type="string")},
):
    MyDockerOperator(
        task_id="write",
        image="writer",
        command=["write-results", "--out", "/data/"],
        mounts=[
            {
                "type": "volume",
                "source": "{{ params.dst_volume }}",
                "target": "/data/",
                "read_only": False,
            }
        ],
    )
