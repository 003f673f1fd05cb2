"""Kompose's volume labels, read without Kompose's bugs.

- `kompose.volume.size`, `kompose.volume.storage-class-name`: claim settings. On a
  top-level volume they win; on a service they apply to the named volumes that
  service mounts, and services that disagree about one volume are reported.
  Kompose reads only the service storage-class label and skips it next to a
  top-level size; both work here, together.
- `kompose.volume.subpath`: per volume on a top-level volume; on a service, for its
  named volumes that have no `volume.subpath` of their own (Kompose puts the
  service's value on every mount, ConfigMaps and binds included).
- `kompose.volume.type` (service or top-level volume): see `apply_volume_type`.
- `kompose.volume.selector`: not applied, with a note, a claim with a selector is
  never provisioned dynamically. Kompose reads it only on a top-level volume
  (`getVolumeLabels`) and ignores it on a service without a word; here both give
  the note.
- Every other label that changes nothing gets a note too (`label_notes`): a
  `kompose.volume.*` name Kompose does not have (a typo), another Kompose label, a
  service's container labels (a pod is not labelled with them).
- Top-level labels are looked up by the volume's own key, so `db_data` finds its
  labels (Kompose looks them up after turning `_` into `-` and never finds them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .._names import dns1123_label, is_dns1123_subdomain
from ..errors import SpecError
from ..models import VolumeDecl

__all__ = [
    "FSGROUP",
    "SELECTOR",
    "SIZE",
    "STORAGE_CLASS",
    "SUBPATH",
    "TYPE",
    "VOLUME_LABELS",
    "VOLUME_TYPES",
    "KomposeLabels",
    "declaration_with_labels",
    "kompose_labels",
    "label_notes",
]

SIZE = "kompose.volume.size"
STORAGE_CLASS = "kompose.volume.storage-class-name"
TYPE = "kompose.volume.type"
SUBPATH = "kompose.volume.subpath"
SELECTOR = "kompose.volume.selector"
FSGROUP = "kompose.security-context.fsgroup"
VOLUME_TYPES = ("emptyDir", "hostPath", "configMap", "persistentVolumeClaim")
VOLUME_LABELS = (SIZE, STORAGE_CLASS, TYPE, SUBPATH, SELECTOR)
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")


@dataclass(frozen=True)
class KomposeLabels:
    """The Kompose labels of one service or top-level volume."""

    size: str | None = None
    storage_class: str | None = None
    type: str | None = None
    subpath: str | None = None
    selector: str | None = None
    fsgroup: int | None = None


def kompose_labels(labels: Mapping[str, str], *, origin: str = "") -> KomposeLabels:
    """Read and check the Kompose labels among `labels`."""
    kind = labels.get(TYPE)
    if kind is not None and kind not in VOLUME_TYPES:
        raise SpecError(
            f"{TYPE} must be one of {', '.join(VOLUME_TYPES)}", spec=kind, origin=origin
        )
    fsgroup = labels.get(FSGROUP)
    if fsgroup is not None and not fsgroup.isdigit():
        raise SpecError(f"{FSGROUP} must be a numeric group id", spec=fsgroup, origin=origin)
    return KomposeLabels(
        size=labels.get(SIZE) or None,
        storage_class=labels.get(STORAGE_CLASS) or None,
        type=kind,
        subpath=labels.get(SUBPATH) or None,
        selector=labels.get(SELECTOR) or None,
        fsgroup=int(fsgroup) if fsgroup is not None else None,
    )


def _is_label_key(key: str) -> bool:
    prefix, slash, name = key.rpartition("/")
    if slash and not (prefix and is_dns1123_subdomain(prefix)):
        return False
    return len(name) <= 63 and bool(_LABEL_NAME.match(name))


def declaration_with_labels(decl: VolumeDecl, *, origin: str = "") -> tuple[VolumeDecl, list[str]]:
    """Move a top-level volume's Kompose labels into its claim settings.

    The rest of its labels go onto the claim when they are valid Kubernetes label
    keys; `name:` becomes a valid claim name. Returns the notes about what was left out.
    """
    found = kompose_labels(decl.labels, origin=origin)
    notes = label_notes(decl.labels, origin, service=False)
    labels = {}
    for key, value in decl.labels.items():
        if key.startswith("kompose."):
            continue
        if _is_label_key(key):
            labels[key] = value
        else:
            notes.append(f"{origin}: label {key!r} is not a valid Kubernetes label key; left out")
    claim_name = decl.claim_name
    if claim_name is not None and not is_dns1123_subdomain(claim_name):
        claim_name = dns1123_label(claim_name)
    updated = decl.model_copy(
        update={
            "labels": labels,
            "claim_name": claim_name,
            "size": decl.size or found.size,
            "storage_class": decl.storage_class or found.storage_class,
            "subpath": decl.subpath or found.subpath,
            "kompose_type": decl.kompose_type or found.type,
        }
    )
    return updated, notes


def label_notes(labels: Mapping[str, str], origin: str, *, service: bool) -> list[str]:
    """Notes for the labels of a service (`service`) or a top-level volume that change
    nothing in what is rendered; a volume's other labels go onto its claim."""
    notes = []
    selector = labels.get(SELECTOR)
    if selector:
        kompose = " (Kompose reads it only on top-level volumes)" if service else ""
        notes.append(
            f"{origin}: {SELECTOR} {selector!r} is not applied{kompose}: a claim with a "
            "selector is never provisioned dynamically; bind a PersistentVolume by name instead"
        )
    typos = sorted(k for k in labels if k.startswith("kompose.volume.") and k not in VOLUME_LABELS)
    if typos:
        notes.append(
            f"{origin}: {typos} are not Kompose volume labels ({', '.join(VOLUME_LABELS)}); ignored"
        )
    honoured = {FSGROUP} if service else set()
    other = sorted(
        k
        for k in labels
        if k.startswith("kompose.") and not k.startswith("kompose.volume.") and k not in honoured
    )
    if other:
        what = "translated" if service else "read on a volume"
        notes.append(f"{origin}: Kompose labels {other} are not {what}; ignored")
    plain = sorted(k for k in labels if not k.startswith("kompose."))
    if service and plain:
        notes.append(f"{origin}: container labels {plain} are not put on the pod")
    return notes
