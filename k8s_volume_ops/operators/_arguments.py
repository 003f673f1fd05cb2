"""DockerOperator arguments that change shape before KubernetesPodOperator sees them."""

from __future__ import annotations

from typing import Any

__all__ = ["AUTO_REMOVE", "checked_auto_remove", "split_volumes"]

# DockerOperator's auto_remove -> KPO's on_finish_action
AUTO_REMOVE = {"never": "keep_pod", "success": "delete_pod", "force": "delete_pod"}


def split_volumes(volumes: list[Any] | None) -> tuple[list[Any] | None, list[Any]]:
    """`volumes=` strings are Docker's removed `-v` argument; model objects go to KPO."""
    if not volumes:
        return None, []
    strings = [v for v in volumes if isinstance(v, str)]
    return ([v for v in volumes if not isinstance(v, str)] or None), strings


def checked_auto_remove(value: str | bool) -> str:
    """DockerOperator's values, booleans included, with its own error for others."""
    if value is True:
        return "success"
    if value is False:
        return "never"
    if value not in AUTO_REMOVE:
        raise ValueError(
            f"Invalid `auto_remove` value {value!r}, expected one of 'never', "
            "'success', or 'force'."
        )
    return value
