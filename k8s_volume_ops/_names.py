"""Kubernetes naming rules, applied the same way everywhere.

Docker names allow upper case, `_` and `.`; Kubernetes object names are DNS-1123
labels or subdomains. The same Docker name must always give the same claim, so the
mapping is deterministic: lower case, every run of other characters becomes `-`,
and a name longer than the limit is cut and given a short hash of the original.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

__all__ = [
    "DNS1123_LABEL",
    "LABEL_KEY",
    "distinct_labels",
    "dns1123_label",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "label_value",
]

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_INVALID_RUN = re.compile(r"[^a-z0-9]+")
_HASH_LENGTH = 8


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:_HASH_LENGTH]


def dns1123_label(name: str, *, max_length: int = 63, fallback: str = "vol") -> str:
    """Turn any Docker-style name into a valid DNS-1123 label, deterministically.

    `My_Data` becomes `my-data`; a name that needs cutting keeps its start and gets
    `-<8 hex>` of the original so that two long names sharing a prefix stay apart.
    """
    cleaned = _INVALID_RUN.sub("-", name.lower()).strip("-")
    if not cleaned:
        cleaned = f"{fallback}-{_short_hash(name)}"
    if len(cleaned) > max_length:
        keep = max_length - _HASH_LENGTH - 1
        cleaned = f"{cleaned[:keep].rstrip('-')}-{_short_hash(name)}"
    return cleaned


def distinct_labels(names: Iterable[str], *, max_length: int = 63) -> dict[str, str]:
    """Each name's `dns1123_label`, one-to-one: where several names would get the same
    label (`cfg.one`, `cfg_one`), each one the label changed gets `-<8 hex>` of itself.

    A name that clashes with none keeps its usual label, so adding the suffix only on
    a clash leaves every other object's name as it was.
    """
    groups: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        groups.setdefault(dns1123_label(name, max_length=max_length), []).append(name)
    labels = {}
    for label, group in groups.items():
        for name in group:
            if len(group) == 1 or name == label:
                labels[name] = label
            else:
                keep = max_length - _HASH_LENGTH - 1
                labels[name] = f"{label[:keep].rstrip('-')}-{_short_hash(name)}"
    return labels


def is_dns1123_label(name: str) -> bool:
    """Whether `name` is usable as a pod volume name or a label-like object name."""
    return len(name) <= 63 and bool(DNS1123_LABEL.match(name))


def is_dns1123_subdomain(name: str) -> bool:
    """Whether `name` is usable as a PVC, Secret or Pod name."""
    return len(name) <= 253 and bool(_DNS1123_SUBDOMAIN.match(name))


def label_value(value: str) -> str:
    """Make `value` a valid label value (<= 63, alphanumeric ends), deterministically."""
    if len(value) <= 63 and _LABEL_VALUE.match(value):
        return value
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", value).strip("-_.")
    if len(cleaned) > 63:
        cleaned = f"{cleaned[:54].rstrip('-_.')}-{_short_hash(value)}"
    return cleaned
