"""ConfigMap and Secret names that stay apart when the compose names do.

A config or secret becomes a ConfigMap or Secret named `config-<name>` or
`secret-<name>` made a DNS-1123 label, and a host path that `kompose.volume.type:
configMap` turns into a ConfigMap is named after its service and target. Docker
keeps `cfg.one` and `cfg_one` apart, but both sanitise to `config-cfg-one`; such
names, and only they, get a short hash of the compose name (`_names.distinct_labels`),
so an object whose name clashes with nothing keeps the name it always had.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from .._names import distinct_labels
from ..file_mounts import file_object_name
from ..models import FileMountSpec
from .services import DirConfig, Item, ServiceMounts

__all__ = ["name_file_objects"]


def name_file_objects(services: Mapping[str, ServiceMounts], notes: list[str]) -> None:
    """Give every ConfigMap/Secret of the project's services a name no other one has,
    and note each external one (which must exist under that name)."""
    wanted = {_wanted(item) for service in services.values() for item in service.own}
    names = distinct_labels(name for name in wanted if name is not None)
    for service in services.values():
        service.own = [_named(item, names, notes) for item in service.own]


def _wanted(item: Item) -> str | None:
    """The name an object would have before sanitising, or None for other mounts."""
    if isinstance(item, FileMountSpec):
        return f"{item.type}-{item.object_name}"
    if isinstance(item, DirConfig):
        return item.wanted
    return None


def _named(item: Item, names: Mapping[str, str], notes: list[str]) -> Item:
    wanted = _wanted(item)
    if isinstance(item, DirConfig) and wanted is not None:
        return dataclasses.replace(item, name=names[wanted])
    if not isinstance(item, FileMountSpec) or wanted is None:
        return item
    named = item.model_copy(update={"resource_name": names[wanted]})
    if named.external:
        kind = "ConfigMap" if named.type == "config" else "Secret"
        notes.append(
            f"{named.origin} {named.raw!r}: external: the {kind} {file_object_name(named)} "
            f"with key {named.key!r} must exist in the namespace; it is not rendered"
        )
    return named
