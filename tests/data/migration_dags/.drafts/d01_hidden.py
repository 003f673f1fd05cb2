"""In a hidden directory: never scanned."""

from airflow.providers.docker.operators.docker import DockerOperator  # noqa: F401
