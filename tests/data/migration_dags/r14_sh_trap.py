"""R14 / section 2.2: `.sh` values of templated fields are loaded as Jinja template files."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG
from docker.types import Mount

with DAG(dag_id="r14_sh_trap", start_date=datetime(2024, 1, 1), schedule=None):
    # TemplateNotFound: '/app/run.sh' when the task renders.
    run_script = DockerOperator(
        task_id="run_script",
        image="app:1.4",
        command="/app/run.sh",
    )

    # The same trap through a mount: the Target ends in `.sh`.
    mounted_script = DockerOperator(
        task_id="mounted_script",
        image="app:1.4",
        command=["bash", "/run.sh "],
        mounts=[Mount(source="/opt/scripts/run.sh", target="/run.sh", type="bind")],
    )

    # The documented workaround: a trailing space keeps Jinja away.
    run_script_fixed = DockerOperator(
        task_id="run_script_fixed",
        image="app:1.4",
        command="/app/run.sh ",
    )

    run_script >> mounted_script >> run_script_fixed
