"""`@task.docker` with no mounts: runs its function in the image, result via XCom."""

from datetime import datetime

from airflow.sdk import dag, task


@dag(start_date=datetime(2024, 1, 1), schedule=None, catchup=False)
def t01_taskflow_plain():
    @task.docker(image="python:3.11-slim", multiple_outputs=True)
    def transform():
        return {"rows": 3, "status": "ok"}

    @task
    def report(result: dict):
        print(result)

    report(transform())


t01_taskflow_plain()
