"""Listed in .airflowignore: never scanned (its import would fail)."""

from airflow.providers.docker.operators.docker import DockerOperator

DockerOperator(task_id="orphan", image="alpine", volumes=["/x:/x"])
