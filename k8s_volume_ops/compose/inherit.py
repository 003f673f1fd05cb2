"""`volumes_from`: a service also mounts another service's volumes and binds.

Docker copies the other container's mount points, transitively, in their own
mode unless `:ro`/`:rw` says otherwise; the service's own mount at the same
target wins. On Kubernetes the two services are two pods, so an anonymous volume
shared this way cannot stay an emptyDir (each pod would get its own): it becomes a
claim named `<owner service>-<target>` that both pods mount. tmpfs mounts are
memory of one container and are not shared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import SpecError, VolumeOpsError
from ..models import TmpfsMountSpec, VolumeMountSpec
from .services import DirConfig, Item, ServiceMounts

__all__ = ["Placed", "resolve_volumes_from"]


@dataclass(frozen=True)
class Placed:
    """A mount in a service's pod: `owner` is the service that declared it."""

    item: Item
    owner: str


@dataclass(frozen=True)
class _Entry:
    item: Item
    owner: str
    via: str | None = None
    read_only: bool | None = None


@dataclass
class _Resolver:
    services: Mapping[str, ServiceMounts]
    problems: list[VolumeOpsError]
    notes: list[str]
    memo: dict[str, list[_Entry]] = dataclasses.field(default_factory=dict)
    cycles: set[frozenset[str]] = dataclasses.field(default_factory=set)

    def effective(self, name: str, stack: tuple[str, ...]) -> list[_Entry]:
        """Own mounts, then inherited ones. Only complete results are memoized: one
        computed inside a cycle lacks the edge that was cut for its caller."""
        if name in self.memo:
            return self.memo[name]
        entries = [_Entry(item, name) for item in self.services[name].own]
        targets = {entry.item.target for entry in entries}
        for source, read_only, origin in self.services[name].volumes_from:
            if source in (*stack, name):
                self._cycle((*stack, name, source), origin)
                continue
            for entry in self.effective(source, (*stack, name)):
                if entry.item.target in targets:
                    continue
                if isinstance(entry.item, TmpfsMountSpec):
                    self.notes.append(
                        f"{origin}: tmpfs {entry.item.target!r} of {source!r} is not shared "
                        "(memory belongs to one container)"
                    )
                    continue
                targets.add(entry.item.target)
                mode = read_only if read_only is not None else entry.read_only
                entries.append(_Entry(entry.item, entry.owner, origin, mode))
        if not stack:
            self.memo[name] = entries
        return entries

    def _cycle(self, path: tuple[str, ...], origin: str) -> None:
        members = frozenset(path)
        if members not in self.cycles:
            self.cycles.add(members)
            cycle = " -> ".join(path)
            self.problems.append(
                SpecError(f"volumes_from cycle: {cycle}", spec=path[-1], origin=origin)
            )


def resolve_volumes_from(
    services: Mapping[str, ServiceMounts], problems: list[VolumeOpsError], notes: list[str]
) -> dict[str, list[Placed]]:
    """Every service's mounts, its own first, then those it gets through volumes_from."""
    resolver = _Resolver(services, problems, notes)
    resolved = {name: resolver.effective(name, ()) for name in services}
    shared = {
        (entry.owner, entry.item.target)
        for entries in resolved.values()
        for entry in entries
        if entry.via and isinstance(entry.item, VolumeMountSpec) and entry.item.source is None
    }
    for owner, target in sorted(shared):
        notes.append(
            f"services.{owner}: anonymous volume {target!r} is shared through volumes_from, so "
            f"it becomes the claim of volume {owner + target!r}, mounted by every pod using it"
        )
    return {
        name: [Placed(_concrete(entry, shared), entry.owner) for entry in entries]
        for name, entries in resolved.items()
    }


def _concrete(entry: _Entry, shared: set[tuple[str, str]]) -> Item:
    item = entry.item
    if isinstance(item, VolumeMountSpec) and (entry.owner, item.target) in shared:
        item = item.model_copy(update={"source": entry.owner + item.target})
    if entry.via is None:
        return item
    origin = f"{entry.via} -> {item.origin}"
    if isinstance(item, DirConfig):
        return dataclasses.replace(item, origin=origin)
    update: dict[str, object] = {"origin": origin}
    if entry.read_only is not None and item.type in ("volume", "bind"):
        update["read_only"] = entry.read_only
    return item.model_copy(update=update)
