"""A loaded compose project -> Kubernetes objects: claims, PVs, ConfigMaps, Secrets, Pods.

Pure: reads only the `ComposeProject`. Storage is decided for the whole file at
once, because one named volume used by several services must be one claim, and
one that several pods mount at the same time must be `ReadWriteMany` (the
policy's `claims.sharedAccessModes`): with Kompose's `ReadWriteOnce`, the second
pod on another node fails with a Multi-Attach error. The same holds for a
`binds` claim several services reach. Every problem names its service and mount;
the other mounts of that service are still translated.
"""

from __future__ import annotations

import base64
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..claims import MANAGED_BY
from ..errors import ConflictError, SpecError, VolumeOpsError
from ..models import BindMountSpec, VolumeDecl, VolumeMountSpec
from ..parsing.compose import parse_volume_declaration
from ..podsecurity import check_pod_security, harden, run_as_root_note
from ..policy import ClaimOverride, StoragePolicy
from ..translate import translate_mounts
from ..translation import NAMESPACED_KINDS
from .include import attributed_note, attributed_problem
from .inherit import Placed, resolve_volumes_from
from .kompose import SIZE, STORAGE_CLASS, KomposeLabels, declaration_with_labels
from .names import name_file_objects
from .pod import SERVICE_ANNOTATION, pod_for_service
from .project import ComposeProject, ComposeResult, ServiceOutput
from .service_keys import flag
from .services import AnySpec, DirConfig, ServiceMounts, collect_service
from .written import quote_note, quote_problem

__all__ = ["build_compose"]


def build_compose(
    project: ComposeProject, policy: StoragePolicy, namespace: str | None = None
) -> ComposeResult:
    """Every object the project needs, one Pod per service, plus problems and notes."""
    result = ComposeResult(problems=list(project.problems), notes=list(project.notes))
    decls = _declarations(project, result)
    services = {
        name: collect_service(project, name, decls, result.problems, result.notes)
        for name in project.services
    }
    name_file_objects(services, result.notes)
    placed = resolve_volumes_from(services, result.problems, result.notes)
    policies = {name: _service_policy(policy, services, placed[name]) for name in services}
    volume_users, claim_users = _users(placed, policies)
    result.notes += _unused_claim_labels(services, volume_users)
    result.notes += _copy_up_notes(services, decls)
    finals = _final_declarations(decls, volume_users, services, result)
    policies = {
        name: _with_shared_claims(service_policy, claim_users)
        for name, service_policy in policies.items()
    }
    objects = _Objects(namespace)
    for name, service in services.items():
        items = []
        for p in placed[name]:
            try:
                items.append(_attach(p, finals, services[p.owner].labels))
            except VolumeOpsError as exc:
                result.problems.append(exc)
        _service_objects(project, service, items, policies[name], objects, result)
    result.objects = objects.ordered()
    result.problems = [
        attributed_problem(quote_problem(p, project.written), project.included)
        for p in result.problems
    ]
    result.notes = [
        attributed_note(quote_note(note, project.written), project.included)
        for note in result.notes
    ]
    return result


def _declarations(project: ComposeProject, result: ComposeResult) -> dict[str, VolumeDecl | None]:
    """Top-level volumes with their Kompose labels; None marks one that is invalid."""
    decls: dict[str, VolumeDecl | None] = {}
    for key, entry in project.volumes.items():
        origin = f"volumes.{key}"
        try:
            decl = parse_volume_declaration(key, entry, origin=origin)
            decls[key], notes = declaration_with_labels(decl, origin=origin)
        except VolumeOpsError as exc:
            result.problems.append(exc)
            decls[key] = None
            continue
        result.notes += notes
    return decls


def _service_policy(
    policy: StoragePolicy, services: Mapping[str, ServiceMounts], placed: Sequence[Placed]
) -> StoragePolicy:
    """The policy plus the hostPath rules that `kompose.volume.type: hostPath` asks for."""
    owners = dict.fromkeys(p.owner for p in placed)
    rules = tuple(rule for owner in owners for rule in services[owner].host_rules)
    return policy.model_copy(update={"binds": (*rules, *policy.binds)}) if rules else policy


def _users(
    placed: Mapping[str, Sequence[Placed]], policies: Mapping[str, StoragePolicy]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Which services mount each named volume, and each claim of a `binds` rule."""
    volumes: dict[str, list[str]] = {}
    claims: dict[str, list[str]] = {}
    for name, mounts in placed.items():
        for p in mounts:
            if isinstance(p.item, VolumeMountSpec) and p.item.source:
                _add_user(volumes, p.item.source, name)
            elif isinstance(p.item, BindMountSpec):
                rule = policies[name].bind_rule_for(posixpath.normpath(p.item.source))
                if rule is not None and rule.claim is not None:
                    _add_user(claims, rule.claim, name)
    return volumes, claims


def _add_user(users: dict[str, list[str]], key: str, service: str) -> None:
    names = users.setdefault(key, [])
    if service not in names:
        names.append(service)


def _unused_claim_labels(
    services: Mapping[str, ServiceMounts], users: Mapping[str, list[str]]
) -> list[str]:
    """Kompose's service size/storage-class labels shape only this service's named volumes."""
    notes = []
    for name, service in services.items():
        given = [
            label
            for label, value in (
                (SIZE, service.labels.size),
                (STORAGE_CLASS, service.labels.storage_class),
            )
            if value
        ]
        if given and not any(name in names for names in users.values()):
            notes.append(
                f"services.{name}.labels: {', '.join(given)} not applied: the service mounts "
                "no named volume (anonymous volumes are emptyDirs, host paths follow the "
                "binds rules)"
            )
    return notes


def _copy_up_notes(
    services: Mapping[str, ServiceMounts], decls: Mapping[str, VolumeDecl | None]
) -> list[str]:
    """Docker fills a new, empty named volume with the image's files at the mount point;
    a new claim starts empty. Said once per volume, unless a mount says `nocopy`."""
    copied: dict[str, str] = {}
    no_copy: set[str] = set()
    for name, service in services.items():
        for item in service.own:
            if isinstance(item, VolumeMountSpec) and item.source and "/" not in item.source:
                copied.setdefault(item.source, name)
                if item.no_copy:
                    no_copy.add(item.source)
    return [
        f"services.{service}: volume {volume!r} starts empty as a claim, while Docker would "
        "copy the image's files at the mount point into it (set volume.nocopy to say "
        "that is expected)"
        for volume, service in copied.items()
        if volume not in no_copy and not getattr(decls.get(volume), "external", False)
    ]


def _final_declarations(
    decls: Mapping[str, VolumeDecl | None],
    users: Mapping[str, list[str]],
    services: Mapping[str, ServiceMounts],
    result: ComposeResult,
) -> dict[str, VolumeDecl | None]:
    """Declarations with sharing and the services' size/storage-class labels merged in."""
    finals: dict[str, VolumeDecl | None] = dict(decls)
    for name, names in users.items():
        decl = decls.get(name, VolumeDecl(name=name))
        if decl is None:
            continue
        if name not in decls and "/" not in name:
            result.notes.append(
                f"services.{names[0]}: volume {name!r} is not declared under the top-level "
                "`volumes:` (docker compose refuses that); it is used as a named volume"
            )
        labels = [(svc, services[svc].labels) for svc in names]
        finals[name] = decl.model_copy(
            update={
                "size": decl.size or _agreed(name, SIZE, labels, "size", result),
                "storage_class": decl.storage_class
                or _agreed(name, STORAGE_CLASS, labels, "storage_class", result),
                "shared": len(names) > 1,
            }
        )
    return finals


def _agreed(
    volume: str,
    label: str,
    labels: Sequence[tuple[str, KomposeLabels]],
    attribute: str,
    result: ComposeResult,
) -> str | None:
    given = [(svc, getattr(found, attribute)) for svc, found in labels]
    given = [(svc, value) for svc, value in given if value is not None]
    if len({value for _, value in given}) > 1:
        result.problems.append(
            ConflictError(
                f"services disagree on {label} for volume {volume!r}: {dict(given)}; "
                f"the claim uses {given[0][1]!r}",
                spec=volume,
                origin=f"services.{given[0][0]}.labels",
                hint=f"put {label} on the top-level volume {volume!r} instead",
            )
        )
    return given[0][1] if given else None


def _with_shared_claims(policy: StoragePolicy, users: Mapping[str, list[str]]) -> StoragePolicy:
    """Claims of `binds` rules that several services mount get the shared access modes."""
    overrides = dict(policy.claims.overrides)
    for claim, names in users.items():
        current = overrides.get(claim) or ClaimOverride()
        if len(names) > 1 and current.access_modes is None:
            modes = policy.claims.shared_access_modes
            overrides[claim] = current.model_copy(update={"access_modes": modes})
    if overrides == policy.claims.overrides:
        return policy
    claims = policy.claims.model_copy(update={"overrides": overrides})
    return policy.model_copy(update={"claims": claims})


def _attach(
    placed: Placed, decls: Mapping[str, VolumeDecl | None], labels: KomposeLabels
) -> AnySpec | DirConfig:
    item = placed.item
    if not isinstance(item, VolumeMountSpec) or item.source is None:
        return item
    decl = decls.get(item.source)
    if decl is None:
        raise SpecError(
            f"top-level volume {item.source!r} is invalid (reported on its own)",
            spec=item.raw,
            origin=item.origin,
        )
    subpath = item.subpath or (None if decl.subpath else labels.subpath)
    return item.model_copy(update={"declaration": decl, "subpath": subpath})


def _dir_config(item: DirConfig) -> dict[str, Any]:
    """The ConfigMap of a host directory; files that are not UTF-8 go to binaryData."""
    data: dict[str, str] = {}
    binary: dict[str, str] = {}
    for key, content in item.files.items():
        try:
            data[key] = content.decode()
        except UnicodeDecodeError:
            binary[key] = base64.b64encode(content).decode()
    config_map: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": item.name, "labels": dict(MANAGED_BY)},
    }
    if data:
        config_map["data"] = data
    if binary:
        config_map["binaryData"] = binary
    return config_map


def _service_objects(
    project: ComposeProject,
    service: ServiceMounts,
    items: Sequence[AnySpec | DirConfig],
    policy: StoragePolicy,
    objects: _Objects,
    result: ComposeResult,
) -> None:
    """The service's Pod and the objects its mounts need (none if the Pod cannot be made)."""
    body = project.services[service.name]
    specs = [item for item in items if not isinstance(item, DirConfig)]
    try:
        privileged = flag(body.get("privileged", False), f"services.{service.name}.privileged")
    except VolumeOpsError:  # pod_for_service reports it
        privileged = False
    translation = translate_mounts(specs, policy, privileged=privileged, problems=result.problems)
    result.notes += translation.notes
    needed = translation.objects(objects.namespace)
    volumes, mounts = list(translation.volumes), list(translation.volume_mounts)
    taken = {mount["mountPath"] for mount in mounts}
    dir_configs: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, DirConfig):
            continue
        if item.target in taken:
            duplicate = f"duplicate mount point {item.target!r}"
            result.problems.append(ConflictError(duplicate, spec=item.raw, origin=item.origin))
            continue
        taken.add(item.target)
        volumes.append({"name": item.name, "configMap": {"name": item.name}})
        mounts.append({"name": item.name, "mountPath": item.target, "readOnly": True})
        dir_configs.append(_dir_config(item))
    needed += dir_configs
    origin = f"services.{service.name}"
    try:
        pod = pod_for_service(
            service.name,
            body,
            volumes=volumes,
            mounts=mounts,
            environ=project.environ,
            origin=origin,
            problems=result.problems,
            fsgroup=service.labels.fsgroup,
            notes=result.notes,
        )
    except VolumeOpsError as exc:
        result.problems.append(exc)
        return
    if policy.pod_security == "restricted":
        note = run_as_root_note(pod["spec"]["containers"][0])
        result.notes += [f"{origin}: {note}"] if note else []
        harden(pod)
    result.problems += [
        SpecError(problem, origin=f"{origin} podSecurity")
        for problem in check_pod_security(pod, policy.pod_security)
    ]
    for obj in [*needed, pod]:
        objects.add(obj, origin, result)
    result.services[service.name] = ServiceOutput(
        pod=pod,
        translation=replace(translation, config_maps=[*translation.config_maps, *dir_configs]),
    )


@dataclass
class _Objects:
    """Objects by kind and name; the same object from two services is kept once."""

    namespace: str | None
    by_kind: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    origins: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, obj: dict[str, Any], origin: str, result: ComposeResult) -> None:
        kind, name = obj["kind"], obj["metadata"]["name"]
        if self.namespace and kind in NAMESPACED_KINDS:
            obj["metadata"]["namespace"] = self.namespace
        bucket = self.by_kind.setdefault(kind, {})
        known = bucket.get(name)
        if known is None:
            bucket[name] = obj
            self.origins[kind, name] = origin
        elif kind == "Pod" or _body(known) != _body(obj):
            result.problems.append(
                ConflictError(
                    f"{kind} {name!r} is already rendered for {self.origins[kind, name]}, "
                    "with other contents; the first one is kept",
                    spec=_who(obj),
                    origin=origin,
                )
            )

    def ordered(self) -> list[dict[str, Any]]:
        kinds = ("PersistentVolume", "PersistentVolumeClaim", "ConfigMap", "Secret", "Pod")
        return [obj for kind in kinds for obj in self.by_kind.get(kind, {}).values()]


def _body(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in obj.items() if key != "metadata"}


def _who(obj: Mapping[str, Any]) -> str:
    annotations = obj["metadata"].get("annotations") or {}
    return str(annotations.get(SERVICE_ANNOTATION) or obj["metadata"]["name"])
