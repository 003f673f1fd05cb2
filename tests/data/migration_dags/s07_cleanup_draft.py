"""Matches `*_draft.py` in .airflowignore: never scanned."""

from airflow.providers.docker.operators.docker import DockerOperator

DockerOperator(task_id="draft", image="alpine", volumes=["/draft:/draft"])
