"""Airflow exception classes, in one place for the operators."""

from __future__ import annotations

from airflow.sdk import BaseHook
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

__all__ = ["AirflowException", "AirflowFailException", "AirflowSkipException", "BaseHook"]
