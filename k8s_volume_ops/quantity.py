"""Sizes: Docker's binary byte strings and Kubernetes quantities.

Docker reads `512m` as 512 MiB (docker-py `parse_bytes`), while Kubernetes reads
`512m` as 0.512 of a unit. Every Docker size is therefore converted to an integer
number of bytes first and emitted as a binary-suffixed quantity (`512Mi`), never as
the Docker string.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["bytes_to_quantity", "docker_bytes", "quantity_to_decimal", "storage_quantity"]

_DOCKER_UNITS = {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_DOCKER_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([bkmg]?)b?\s*$", re.IGNORECASE)
_K8S_SUFFIXES: dict[str, int | Decimal] = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
    "m": Decimal("0.001"),
    "u": Decimal("0.000001"),
    "n": Decimal("0.000000001"),
}
_K8S_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|([a-zA-Z]{0,2}))$")


def docker_bytes(value: int | float | str) -> int:
    """Parse a Docker size (`512m`, `1.5g`, `64MB`, 1024) into bytes, as docker-py does.

    Raises ValueError with the input quoted when it is not a Docker size; Kubernetes
    spellings such as `512Mi` are refused on purpose, because Docker refuses them too.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a size")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"{value!r} is negative")
        return int(value)
    match = _DOCKER_SIZE.match(value)
    if not match:
        raise ValueError(
            f"{value!r} is not a Docker size: use a number with b, k, m or g (binary units)"
        )
    number, unit = match.groups()
    return int(Decimal(number) * _DOCKER_UNITS[(unit or "b").lower()])


def bytes_to_quantity(size: int) -> str:
    """Render bytes as the largest exact binary quantity: 536870912 -> `512Mi`."""
    for suffix, factor in (
        ("Ei", 2**60),
        ("Pi", 2**50),
        ("Ti", 2**40),
        ("Gi", 2**30),
        ("Mi", 2**20),
        ("Ki", 2**10),
    ):
        if size and size % factor == 0:
            return f"{size // factor}{suffix}"
    return str(size)


def quantity_to_decimal(quantity: str | int | float) -> Decimal:
    """Parse a Kubernetes quantity (`1Gi`, `500M`, `0.5`, `100m`) to a Decimal."""
    if isinstance(quantity, int | float) and not isinstance(quantity, bool):
        return Decimal(str(quantity))
    match = _K8S_QUANTITY.match(str(quantity).strip())
    if not match:
        raise ValueError(f"{quantity!r} is not a Kubernetes quantity")
    number, exponent, suffix = match.groups()
    try:
        base = Decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - regex already checked
        raise ValueError(f"{quantity!r} is not a Kubernetes quantity") from exc
    if exponent:
        return base * (Decimal(10) ** int(exponent[1:]))
    if suffix not in _K8S_SUFFIXES:
        raise ValueError(f"{quantity!r} has an unknown suffix {suffix!r}")
    return base * Decimal(_K8S_SUFFIXES[suffix])


def storage_quantity(quantity: str) -> str:
    """Check a storage size, refusing the Docker habit that Kubernetes misreads.

    `512m` is 512 MiB to Docker and 0.512 bytes to Kubernetes, which the apiserver
    accepts and rounds up to a one-byte claim: refuse it with the spelling meant.
    """
    amount = quantity_to_decimal(quantity)
    text = str(quantity).strip()
    if text.endswith("m"):
        raise ValueError(
            f"{quantity!r} is {amount.normalize():f} bytes in Kubernetes units (m is milli); "
            f"Docker's {text} is {text[:-1]}Mi"
        )
    if amount < 1 or amount != amount.to_integral_value():
        raise ValueError(f"{quantity!r} is not a whole number of bytes")
    return str(quantity)
