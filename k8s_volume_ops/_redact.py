"""Secret values kept out of printed output, without importing Airflow.

`render` prints every object a DAG task or a compose service needs, Secrets
included; their values are replaced by `REDACTED`. The operator package defines
the same text (`k8s_volume_ops.operators.docker.REDACTED`) for the Secrets of DAG
tasks; this module is what the compose path uses, because importing the operator
package loads Airflow. Only printed copies are redacted: `apply` and the operator
create Secrets from the unredacted objects.

Messages quote their input, and a volume's `o:` mount options may hold a password
(`type: cifs, o: addr=...,username=u,password=...`). Every message or note that
quotes mount options or a mount holding them goes through `redact_options` or
`redact_quoted`, so this module is the one place that knows which options are
credentials.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["CREDENTIAL_OPTIONS", "REDACTED", "redact_options", "redact_quoted", "redacted"]

REDACTED = "<redacted>"

CREDENTIAL_OPTIONS = frozenset({"password", "pass", "password2", "secret"})
"""Mount options whose value is a credential: mount.cifs/smb3 `password`, `pass` and
`password2` (the next password, for key rotation), and the CephFS kernel client's
`secret`. `credentials=`/`cred=` and `secretfile=` name files, which are not secret."""

_USER_OPTIONS = frozenset({"user", "username"})
"""mount.cifs still reads the deprecated `user=name%password` form."""

# A single comma separates options; cifs reads `,,` as a literal comma in a value.
_SEPARATOR = re.compile(r"(?<!,),(?!,)")


def redact_options(text: str) -> str:
    """`addr=h,username=u,password=p` -> `addr=h,username=u,password=<redacted>`.

    Option names are matched without regard to case, as the cifs client does.
    """
    return ",".join(_redact_option(word) for word in _SEPARATOR.split(text))


def _redact_option(word: str) -> str:
    key, eq, value = word.partition("=")
    name = key.strip().lower()
    if eq and name in CREDENTIAL_OPTIONS:
        return f"{key}={REDACTED}"
    if eq and name in _USER_OPTIONS and "%" in value:
        return f"{key}={value.partition('%')[0]}%{REDACTED}"
    return word


def redact_quoted(value: Any) -> Any:
    """A copy of an input, safe to quote: mount options under an `o` key are redacted,
    and so is the value of any key named like a credential option (a plugin driver's
    `password:` option). Mappings (docker-py `Mount`, `DriverConfig`) become dicts;
    lists and tuples are walked; anything else is returned as it is.
    """
    if isinstance(value, Mapping):
        return {key: _redact_entry(key, item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_quoted(item) for item in value]
    if isinstance(value, tuple):
        return tuple(redact_quoted(item) for item in value)
    return value


def _redact_entry(key: object, value: object) -> object:
    if isinstance(key, str) and key.lower() in CREDENTIAL_OPTIONS and value is not None:
        return REDACTED
    if key == "o" and isinstance(value, str):
        return redact_options(value)
    return redact_quoted(value)


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
