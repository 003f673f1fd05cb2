"""Secret values kept out of printed output, without importing Airflow.

`render` prints every object a DAG task or a compose service needs, Secrets
included; their values are replaced by `REDACTED`. The operator package defines
the same text (`k8s_volume_ops.operators.docker.REDACTED`) for the Secrets of DAG
tasks; this module is what the compose path uses, because importing the operator
package loads Airflow. Only printed copies are redacted: `apply` and the operator
create Secrets from the unredacted objects.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["REDACTED", "redacted"]

REDACTED = "<redacted>"


def redacted(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of `obj` with every value of a Secret's `data`/`stringData` redacted.

    Keys stay, so the output still shows what the Secret holds; other kinds are
    returned unchanged (the same object).
    """
    if obj.get("kind") != "Secret":
        return obj
    clone = copy.deepcopy(obj)
    for field in ("data", "stringData"):
        values = clone.get(field)
        if isinstance(values, dict):
            clone[field] = dict.fromkeys(values, REDACTED)
    return clone
