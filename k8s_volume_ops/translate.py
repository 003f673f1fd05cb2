"""Pure translation: mount specs + storage policy -> Kubernetes manifest dicts.

Nothing here does I/O. The result lists the pod `volumes` and `volumeMounts`, the
objects the pod needs (claims, NFS PersistentVolumes, ConfigMaps, Secrets) and
notes about Docker options that have no effect on Kubernetes, so that nothing is
dropped without a word.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ._names import dns1123_label
from ._redact import redact_options
from .claims import DOCKER_VOLUME_ANNOTATION, ClaimPlan, claim_for_volume, nfs_pair
from .errors import ConflictError, NeedsPolicyError, SpecError, UnsupportedError, VolumeOpsError
from .file_mounts import add_file_mount
from .models import BindMountSpec, FileMountSpec, TmpfsMountSpec, VolumeMountSpec
from .policy import BindRule, NfsServer, StoragePolicy
from .quantity import bytes_to_quantity
from .translation import RESULT_LISTS, Translation
from .volume_drivers import DriverTarget, resolve_driver

__all__ = ["Translation", "claim_for_volume", "translate_mounts"]

AnySpec = VolumeMountSpec | BindMountSpec | TmpfsMountSpec | FileMountSpec
_PROPAGATION = {
    "private": "None",
    "rprivate": "None",
    "slave": "HostToContainer",
    "rslave": "HostToContainer",
    "shared": "Bidirectional",
    "rshared": "Bidirectional",
}
_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


@dataclass
class _Builder:
    policy: StoragePolicy
    privileged: bool
    result: Translation = field(default_factory=Translation)
    _volume_by_name: dict[str, dict[str, Any]] = field(default_factory=dict)
    _target_origin: dict[str, str] = field(default_factory=dict)

    def checkpoint(self) -> tuple[dict[str, int], dict[str, Any], dict[str, str]]:
        """The state to go back to when a mount fails half way (objects are append-only)."""
        lengths = {name: len(getattr(self.result, name)) for name in RESULT_LISTS}
        return lengths, dict(self._volume_by_name), dict(self._target_origin)

    def rollback(self, state: tuple[dict[str, int], dict[str, Any], dict[str, str]]) -> None:
        """Forget whatever a failed mount added, so no orphan claim or volume is left."""
        lengths, self._volume_by_name, self._target_origin = state
        for name, length in lengths.items():
            del getattr(self.result, name)[length:]

    def add_volume(self, volume: dict[str, Any], spec: AnySpec) -> str:
        name = volume["name"]
        known = self._volume_by_name.get(name)
        if known is None:
            self._volume_by_name[name] = volume
            self.result.volumes.append(volume)
        elif known != volume:
            raise ConflictError(
                f"two different volumes would both be named {name!r}",
                spec=spec.raw,
                origin=spec.origin,
            )
        return str(name)

    def add_claim(self, plan: ClaimPlan, spec: AnySpec) -> None:
        for known in self.result.claims:
            if known.name == plan.name and (known.bind_source is None) != (
                plan.bind_source is None
            ):
                bind, volume = (known, plan) if known.bind_source else (plan, known)
                raise ConflictError(
                    f"claim {plan.name!r} is both the binds rule for {bind.bind_source!r} and "
                    f"Docker volume {volume.docker_name!r}; Docker keeps them apart",
                    spec=spec.raw,
                    origin=spec.origin,
                    hint="give the volume its own claim in claims.overrides",
                )
            if known.name == plan.name:
                if known.docker_name != plan.docker_name and not (known.named or plan.named):
                    raise ConflictError(
                        f"Docker volumes {known.docker_name!r} and {plan.docker_name!r} would "
                        f"both become claim {plan.name!r}, but Docker keeps them apart",
                        spec=spec.raw,
                        origin=spec.origin,
                        hint=f"name one of them in claims.overrides, e.g. "
                        f"{{{plan.docker_name}: {{claimName: {plan.name}-2}}}}, or give both the "
                        "same claimName to share one claim",
                    )
                if known.manifest["spec"] != plan.manifest["spec"]:
                    raise ConflictError(
                        f"Docker volumes {known.docker_name!r} and {plan.docker_name!r} both "
                        f"map to claim {plan.name!r} with different settings",
                        spec=spec.raw,
                        origin=spec.origin,
                    )
                return
        self.result.claims.append(plan)

    def free_target(self, spec: AnySpec) -> str:
        """The mount's target, refused when another mount already uses it."""
        target = _checked_target(spec)
        if target in self._target_origin:
            raise ConflictError(
                f"duplicate mount point {target!r} (also used by {self._target_origin[target]})",
                spec=spec.raw,
                origin=spec.origin,
            )
        return target

    def add_mount(self, spec: AnySpec, volume: str, **extra: Any) -> None:
        target = self.free_target(spec)
        self._target_origin[target] = spec.origin or repr(spec.raw)
        mount: dict[str, Any] = {"name": volume, "mountPath": target}
        rule_read_only = extra.pop("read_only", False)
        if spec.read_only or rule_read_only:
            mount["readOnly"] = True
        sub_path = extra.pop("sub_path", None)
        if sub_path:
            mount["subPath"] = _checked_sub_path(sub_path, spec)
        mount.update(extra)
        self.result.volume_mounts.append(mount)

    def note(self, spec: AnySpec, text: str) -> None:
        self.result.notes.append(f"{spec.origin} {spec.raw!r}: {text}".strip())


def _checked_target(spec: AnySpec) -> str:
    target = spec.target
    if not target.startswith("/") or target == "/":
        raise SpecError(
            f"mount path {target!r} must be an absolute path other than /",
            spec=spec.raw,
            origin=spec.origin,
        )
    if ":" in target:
        raise SpecError(
            f"mount path {target!r} contains ':', which Kubernetes forbids in mountPath "
            "(a rendered {{ run_id }} such as manual__2025-01-01T00:00:00+00:00 has them)",
            spec=spec.raw,
            origin=spec.origin,
            hint="use {{ run_id | replace(':', '-') }} or {{ ds_nodash }} in the target",
        )
    return target


def _checked_sub_path(sub_path: str, spec: AnySpec) -> str:
    if sub_path.startswith("/") or ".." in sub_path.split("/"):
        raise SpecError(
            f"subPath {sub_path!r} must be relative and must not contain '..'",
            spec=spec.raw,
            origin=spec.origin,
        )
    return sub_path.strip("/")


def _named_volume(b: _Builder, spec: VolumeMountSpec, name: str) -> None:
    decl = spec.declaration
    target = resolve_driver(spec, b.policy)
    if target.nfs is not None:
        _nfs(b, spec, target.nfs, sub_path=spec.subpath)
        return
    if target.memory:
        _memory(b, spec, target.size_bytes)
        return
    if target.host_source is not None:
        _bind(b, spec, target.host_source, create=False)
        return
    override = b.policy.claims.overrides.get(name)
    if override is not None and override.ephemeral:
        _ephemeral(b, spec, name, target)
        return
    manifest = claim_for_volume(name, b.policy, decl, target.driver_rule)
    external = bool(decl and decl.external)
    plan = ClaimPlan(
        manifest=manifest,
        docker_name=name,
        external=external,
        create_missing=b.policy.claims.create_missing and not external,
        named=bool((override and override.claim_name) or (decl and decl.claim_name)),
    )
    b.add_claim(plan, spec)
    volume = {"name": dns1123_label(plan.name), "persistentVolumeClaim": {"claimName": plan.name}}
    sub_path = spec.subpath or (decl.subpath if decl else None)
    b.add_mount(spec, b.add_volume(volume, spec), sub_path=sub_path)


def _ephemeral(b: _Builder, spec: VolumeMountSpec, name: str, target: DriverTarget) -> None:
    manifest = claim_for_volume(name, b.policy, spec.declaration, target.driver_rule)
    template = {"metadata": {"labels": manifest["metadata"]["labels"]}, "spec": manifest["spec"]}
    volume = {
        "name": dns1123_label(manifest["metadata"]["name"]),
        "ephemeral": {"volumeClaimTemplate": template},
    }
    b.add_mount(spec, b.add_volume(volume, spec), sub_path=spec.subpath)


def _volume(b: _Builder, spec: VolumeMountSpec) -> None:
    if spec.source is None:
        volume = {"name": dns1123_label(f"anon{spec.target}"), "emptyDir": {}}
        b.add_mount(spec, b.add_volume(volume, spec))
        return
    _named_volume(b, spec, spec.source)


def _nfs(b: _Builder, spec: AnySpec, nfs: NfsServer, sub_path: str | None = None) -> None:
    path = posixpath.join(nfs.path, sub_path) if sub_path else nfs.path
    server = nfs.model_copy(update={"path": path})
    name = dns1123_label(f"nfs-{server.server}-{server.path}")
    if b.policy.pod_security == "restricted" or b.policy.nfs.mode == "persistentVolume":
        pv, claim = nfs_pair(name, server, b.policy)
        if pv not in b.result.persistent_volumes:
            b.result.persistent_volumes.append(pv)
        b.add_claim(ClaimPlan(manifest=claim, docker_name=f"{server.server}:{server.path}"), spec)
        volume = {"name": name, "persistentVolumeClaim": {"claimName": name}}
    else:
        source: dict[str, Any] = {"server": server.server, "path": server.path}
        if server.read_only:
            source["readOnly"] = True
        volume = {"name": name, "nfs": source}
        options = (*b.policy.nfs.mount_options, *server.mount_options)
        if options:
            b.note(
                spec,
                f"NFS mount options {[redact_options(o) for o in options]} are not applied: "
                "an inline nfs volume has none (set nfs.mode: persistentVolume to keep them)",
            )
    b.add_mount(spec, b.add_volume(volume, spec), read_only=server.read_only)


def _memory(b: _Builder, spec: AnySpec, size_bytes: int | None) -> None:
    empty_dir: dict[str, Any] = {"medium": "Memory"}
    if size_bytes:
        empty_dir["sizeLimit"] = bytes_to_quantity(size_bytes)
    volume = {"name": dns1123_label(f"tmpfs{spec.target}"), "emptyDir": empty_dir}
    b.add_mount(spec, b.add_volume(volume, spec))


def _tmpfs(b: _Builder, spec: TmpfsMountSpec) -> None:
    if spec.mode is not None and spec.mode & 0o777 != 0o777:
        b.note(
            spec,
            f"tmpfs mode {oct(spec.mode)} has no Kubernetes equivalent; the emptyDir "
            "is world-writable (0777)",
        )
    _memory(b, spec, spec.size_bytes)


def _no_rule(spec: AnySpec, source: str) -> NeedsPolicyError:
    claim = dns1123_label(posixpath.basename(source) or "host")
    return NeedsPolicyError(
        f"host path {source!r} has no binds rule: Docker resolved it on the daemon's host, "
        "and a pod's node has no such directory",
        spec=spec.raw,
        origin=spec.origin,
        hint=f"add to the storage policy:  binds: [{{source: {source}, claim: {claim}}}]  "
        f"(or nfs: {{server: ..., path: ...}}, or hostPath: true where the node has it)",
    )


def _bind(b: _Builder, spec: AnySpec, source: str, *, create: bool) -> None:
    if not source.startswith("/"):
        raise SpecError(
            f"bind source {source!r} is relative; Docker's Engine API resolves nothing relative",
            spec=spec.raw,
            origin=spec.origin,
            hint="use an absolute path covered by a binds rule",
        )
    source = posixpath.normpath(source)
    if source in _SOCKETS or source.endswith("/docker.sock"):
        raise UnsupportedError(
            f"{source!r} is the Docker daemon's socket; a pod on Kubernetes has no Docker "
            "daemon to talk to",
            spec=spec.raw,
            origin=spec.origin,
            hint="drop this mount: the task now runs as a pod, started through the Kubernetes API",
        )
    # A refusal no rule can fix comes before asking for a rule.
    propagation = getattr(spec, "propagation", None)
    mode = _propagation(b, spec, propagation) if propagation else None
    rule = b.policy.bind_rule_for(source)
    if rule is None:
        raise _no_rule(spec, source)
    rest = posixpath.relpath(source, rule.source) if source != rule.source else ""
    rest = "" if rest == "." else rest
    extra: dict[str, Any] = {"read_only": bool(rule.read_only)}
    if mode:
        extra["mountPropagation"] = mode
    _bind_target(b, spec, rule, source, rest, create, extra)


def _bind_target(
    b: _Builder,
    spec: AnySpec,
    rule: BindRule,
    source: str,
    rest: str,
    create: bool,
    extra: dict[str, Any],
) -> None:
    if rule.claim is not None:
        plan = ClaimPlan(
            manifest=claim_for_volume(rule.claim, b.policy),
            docker_name=rule.claim,
            create_missing=b.policy.claims.create_missing,
            named=True,
            bind_source=rule.source,
        )
        metadata = plan.manifest["metadata"]
        metadata["name"] = rule.claim  # the rule names the claim exactly
        metadata["annotations"][DOCKER_VOLUME_ANNOTATION] = f"bind:{rule.source}"
        b.add_claim(plan, spec)
        volume = {
            "name": dns1123_label(plan.name),
            "persistentVolumeClaim": {"claimName": plan.name},
        }
        b.add_mount(spec, b.add_volume(volume, spec), sub_path=rest or None, **extra)
    elif rule.nfs is not None:
        nfs = (
            rule.nfs
            if rule.read_only is None
            else rule.nfs.model_copy(update={"read_only": rule.read_only})
        )
        _nfs(b, spec, nfs, sub_path=rest or None)
    else:
        if b.policy.pod_security in ("baseline", "restricted"):
            raise UnsupportedError(
                f"hostPath {source!r} is forbidden by PodSecurity level {b.policy.pod_security!r}",
                spec=spec.raw,
                origin=spec.origin,
                hint="map the path to a claim or to NFS in the binds rules",
            )
        host: dict[str, Any] = {"path": source}
        kind = rule.host_path_type or ("DirectoryOrCreate" if create else None)
        if kind:
            host["type"] = kind
        volume = {"name": dns1123_label(f"host{source}"), "hostPath": host}
        b.add_mount(spec, b.add_volume(volume, spec), **extra)


def _propagation(b: _Builder, spec: AnySpec, propagation: str) -> str:
    mode = _PROPAGATION[propagation]
    if mode == "Bidirectional" and not b.privileged:
        raise UnsupportedError(
            f"propagation {propagation!r} becomes mountPropagation Bidirectional, which "
            "Kubernetes allows only in privileged containers",
            spec=spec.raw,
            origin=spec.origin,
            hint="set privileged=True, or use rslave (HostToContainer)",
        )
    return mode


def translate_mounts(
    specs: Iterable[AnySpec],
    policy: StoragePolicy | None = None,
    *,
    privileged: bool = False,
    problems: list[VolumeOpsError] | None = None,
) -> Translation:
    """Translate parsed mounts into pod volumes, mounts and the objects they need.

    With `problems`, a mount that cannot be translated is recorded there and the
    others are still translated; without it, the first problem is raised.
    """
    b = _Builder(policy=policy or StoragePolicy(), privileged=privileged)
    for spec in specs:
        state = b.checkpoint()
        try:
            _dispatch(b, spec)
        except VolumeOpsError as exc:
            if problems is None:
                raise
            b.rollback(state)
            problems.append(exc)
    return b.result


def _dispatch(b: _Builder, spec: AnySpec) -> None:
    b.free_target(spec)  # before volumes are named after the target and collide
    for ignored in spec.ignored:
        b.note(spec, f"ignored {ignored}: no Kubernetes equivalent")
    if isinstance(spec, VolumeMountSpec):
        _volume(b, spec)
    elif isinstance(spec, BindMountSpec):
        _bind(b, spec, spec.source, create=spec.create_host_path)
    elif isinstance(spec, TmpfsMountSpec):
        _tmpfs(b, spec)
    else:
        add_file_mount(b, spec)
