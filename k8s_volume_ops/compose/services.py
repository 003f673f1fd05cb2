"""One service's own mounts: parsed entry by entry, then shaped by `kompose.volume.type`.

`kompose.volume.type` (on the service, or on a top-level volume for that volume):

- `persistentVolumeClaim`: named volumes are claims (the default); anonymous volumes
  become claims too, named `<service>-<target>`, so their data outlives the pod.
  Binds still follow the storage policy's `binds` rules.
- `emptyDir`: named and anonymous volumes and binds become empty scratch
  directories; a note says which data is not carried over.
- `hostPath`: binds become hostPath volumes of the resolved source, typed File or
  Socket from what the source is on the machine that renders, else
  DirectoryOrCreate where compose would create it; PodSecurity baseline/restricted
  still refuse it.
  Named volumes stay claims: a named volume has no host path of its own.
- `configMap`: binds become ConfigMaps of the source's current content (a file, or a
  directory's top-level files), mounted read-only; named volumes stay claims.

Without the label nothing depends on the rendering machine's files.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._names import dns1123_label
from ..errors import SpecError, UnsupportedError, VolumeOpsError
from ..models import BindMountSpec, FileMountSpec, TmpfsMountSpec, VolumeDecl, VolumeMountSpec
from ..parsing.compose import (
    file_key,
    labels_dict,
    parse_compose_volume,
    parse_file_mount,
    parse_tmpfs_entry,
    parse_volumes_from,
)
from ..policy import BindRule
from .kompose import KomposeLabels, kompose_labels, label_notes
from .project import ComposeProject, HostPath

__all__ = ["DirConfig", "Item", "ServiceMounts", "collect_service"]

AnySpec = VolumeMountSpec | BindMountSpec | TmpfsMountSpec | FileMountSpec


@dataclass(frozen=True)
class DirConfig:
    """A host directory turned into one ConfigMap (`kompose.volume.type: configMap`).

    `wanted` is the name before sanitising; `name` is the ConfigMap's (`names.py`
    keeps it apart from every other one).
    """

    target: str
    name: str
    files: Mapping[str, bytes]
    raw: str
    origin: str
    wanted: str = ""


Item = AnySpec | DirConfig


@dataclass
class ServiceMounts:
    """What one service mounts itself, before `volumes_from` is resolved."""

    name: str
    labels: KomposeLabels
    own: list[Item] = field(default_factory=list)
    volumes_from: list[tuple[str, bool | None, str]] = field(default_factory=list)
    host_rules: list[BindRule] = field(default_factory=list)


@dataclass
class _Context:
    project: ComposeProject
    service: ServiceMounts
    decls: Mapping[str, VolumeDecl | None]
    problems: list[VolumeOpsError]
    notes: list[str]

    def note(self, spec: Item, text: str) -> None:
        self.notes.append(f"{spec.origin} {spec.raw!r}: {text}")


def collect_service(
    project: ComposeProject,
    name: str,
    decls: Mapping[str, VolumeDecl | None],
    problems: list[VolumeOpsError],
    notes: list[str],
) -> ServiceMounts:
    """Parse the service's volumes, tmpfs, configs, secrets and volumes_from entries.

    Each entry that cannot be translated is added to `problems` and skipped; the
    service's other entries are still collected.
    """
    body = project.services[name]
    where = f"services.{name}"
    try:
        given = labels_dict(body.get("labels"), origin=f"{where}.labels")
        labels = kompose_labels(given, origin=f"{where}.labels")
        notes += label_notes(given, f"{where}.labels", service=True)
    except VolumeOpsError as exc:
        problems.append(exc)
        labels = KomposeLabels()
    ctx = _Context(project, ServiceMounts(name, labels), decls, problems, notes)
    for i, entry in enumerate(_as_list(body.get("volumes"))):
        _guarded(ctx, _volume, entry, f"{where}.volumes[{i}]")
    for i, entry in enumerate(_as_list(body.get("tmpfs"))):
        _guarded(ctx, _tmpfs, entry, f"{where}.tmpfs[{i}]")
    for kind in ("config", "secret"):
        for i, entry in enumerate(_as_list(body.get(f"{kind}s"))):
            _guarded(ctx, _file, kind, entry, f"{where}.{kind}s[{i}]")
    for i, entry in enumerate(_as_list(body.get("volumes_from"))):
        _guarded(ctx, _volumes_from, entry, f"{where}.volumes_from[{i}]")
    return ctx.service


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _guarded(ctx: _Context, step: Callable[..., None], *args: object) -> None:
    try:
        step(ctx, *args)
    except VolumeOpsError as exc:
        ctx.problems.append(exc)


def _tmpfs(ctx: _Context, entry: object, origin: str) -> None:
    ctx.service.own.append(parse_tmpfs_entry(entry, origin=origin))


def _file(ctx: _Context, kind: str, entry: object, origin: str) -> None:
    sources = ctx.project.configs if kind == "config" else ctx.project.secrets
    ctx.service.own.append(parse_file_mount(kind, entry, sources, origin=origin))


def _volumes_from(ctx: _Context, entry: object, origin: str) -> None:
    source, read_only = parse_volumes_from(entry, origin=origin)
    if source not in ctx.project.services:
        raise SpecError(f"volumes_from names no service {source!r}", spec=entry, origin=origin)
    ctx.service.volumes_from.append((source, read_only, origin))


def _volume(ctx: _Context, entry: object, origin: str) -> None:
    spec = parse_compose_volume(entry, origin=origin)
    kind = ctx.service.labels.type
    if isinstance(spec, VolumeMountSpec) and spec.source is not None:
        decl = ctx.decls.get(spec.source)
        kind = (decl.kompose_type if decl else None) or kind
    ctx.service.own.append(_shaped(ctx, spec, kind))


def _shaped(ctx: _Context, spec: AnySpec, kind: str | None) -> Item:
    """The mount as `kompose.volume.type` asks for it (see the module docstring)."""
    if kind == "emptyDir" and isinstance(spec, VolumeMountSpec | BindMountSpec):
        what = f"host path {spec.source!r}" if isinstance(spec, BindMountSpec) else "its data"
        if spec.source is not None:
            ctx.note(spec, f"kompose.volume.type emptyDir: an empty directory; {what} is not kept")
        return VolumeMountSpec(
            target=spec.target, read_only=spec.read_only, raw=spec.raw, origin=spec.origin
        )
    if kind == "persistentVolumeClaim" and isinstance(spec, VolumeMountSpec) and not spec.source:
        return spec.model_copy(update={"source": f"{ctx.service.name}{spec.target}"})
    if kind in ("configMap", "hostPath") and isinstance(spec, BindMountSpec):
        return _from_host(ctx, spec, kind)
    if kind in ("configMap", "hostPath") and isinstance(spec, VolumeMountSpec) and spec.source:
        ctx.note(
            spec,
            f"kompose.volume.type {kind} applies to host paths; the named volume "
            f"{spec.source!r} stays a claim",
        )
    return spec


def _from_host(ctx: _Context, spec: BindMountSpec, kind: str) -> Item:
    source = posixpath.normpath(spec.source)
    found = ctx.project.host_paths.get(source) or HostPath(kind="missing")
    if kind == "hostPath":
        ctx.service.host_rules.append(
            BindRule(source=source, host_path=True, host_path_type=_host_type(found))
        )
        return spec
    if found.error or found.kind not in ("file", "dir"):
        reason = found.error or f"is {'not there' if found.kind == 'missing' else 'not a file'}"
        raise UnsupportedError(
            f"kompose.volume.type configMap: host path {source!r} {reason}",
            spec=spec.raw,
            origin=spec.origin,
        )
    if not spec.read_only:
        ctx.note(spec, "mounted read-only: a ConfigMap volume cannot be written")
    name = f"{ctx.service.name}{spec.target}"
    if found.kind == "file":
        return FileMountSpec(
            type="config",
            object_name=name,
            key=file_key(posixpath.basename(source)),
            content=found.content,
            target=spec.target,
            read_only=True,
            raw=spec.raw,
            origin=spec.origin,
        )
    if found.skipped:
        ctx.note(spec, f"left out of the ConfigMap (not top-level files): {list(found.skipped)}")
    return DirConfig(
        target=spec.target,
        name=dns1123_label(f"cm-{name}"),
        files=found.files,
        raw=spec.raw,
        origin=spec.origin,
        wanted=f"cm-{name}",
    )


def _host_type(found: HostPath) -> str | None:
    """File or Socket when the source is one; for directories the mount's own
    `create_host_path` decides (DirectoryOrCreate, or no check), as for any bind."""
    return {"file": "File", "socket": "Socket"}.get(found.kind)
