"""A compose file's top-level keys other than services and resources: `include:`, and a
note for each key nobody knows.

`include` follows the compose spec (`14-include.md`) and compose-go
(`loader/include.go`):

- an entry is a path, or a mapping with `path` (a string, or a list of one file:
  several files are merged as overrides of each other, which is refused by name),
  `project_directory` and `env_file`; remote (`oci://`, git) includes are refused;
- relative paths in an entry are relative to the including file's folder (its
  project directory);
- the included file is a project of its own: its relative paths resolve against
  its project directory (by default its folder), and it is interpolated with the
  including file's variables, falling back to its `env_file` (by default the `.env`
  of its project directory); includes nest, and a file that includes itself,
  directly or not, is refused;
- its services, volumes, configs, secrets and networks are copied in; one that both
  files define differently is a `ConflictError`, as docker compose refuses it.

The loader reads the files; this module decides what to read and merges the results.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ConflictError, SpecError, UnsupportedError, VolumeOpsError
from .pod import environment_dict
from .project import ComposeProject

__all__ = [
    "Include",
    "attributed_note",
    "attributed_problem",
    "include_entries",
    "inside",
    "top_level_notes",
    "with_includes",
]

KNOWN_TOP_LEVEL = frozenset(
    {"version", "name", "include", "services", "volumes", "networks", "configs", "secrets"}
)
_KINDS = ("services", "volumes", "configs", "secrets", "networks")
_LONG_KEYS = frozenset({"path", "project_directory", "env_file"})


@dataclass(frozen=True)
class Include:
    """One `include:` entry, its paths made absolute; `label` names the file in messages
    (relative to the top compose file's folder)."""

    path: str
    written: str
    project_dir: str
    env_files: tuple[str, ...]
    origin: str
    label: str


def top_level_notes(document: Mapping[Any, Any], label: str = "") -> list[str]:
    """A note for each top-level key that is neither known nor an `x-` extension."""
    prefix = f"{label}: " if label else ""
    return [
        f"{prefix}{key}: not a top-level compose key k8s-volume-ops knows; ignored"
        for key in document
        if str(key) not in KNOWN_TOP_LEVEL and not str(key).startswith("x-")
    ]


def include_entries(value: object, base_dir: str, root_dir: str) -> list[Include]:
    """The `include:` entries; `base_dir` is the including file's folder."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise SpecError("include must be a list", spec=value, origin="include")
    return [_entry(item, base_dir, root_dir, f"include[{i}]") for i, item in enumerate(value)]


def _entry(item: object, base_dir: str, root_dir: str, origin: str) -> Include:
    long = dict(item) if isinstance(item, Mapping) else {"path": item}
    unknown = sorted(str(k) for k in set(long) - _LONG_KEYS)
    if unknown:
        raise SpecError(f"unknown include keys {unknown}", spec=item, origin=origin)
    paths = _strings(long.get("path"), "path", item, origin)
    if len(paths) != 1:
        raise UnsupportedError(
            f"include path lists {len(paths)} files, which docker compose merges as overrides "
            "of each other; that merge is not implemented",
            spec=item,
            origin=origin,
            hint="include one file per entry, or merge the files into one",
        )
    (written,) = paths
    if "://" in written or written.startswith("git@"):
        raise UnsupportedError(
            "remote includes are not fetched", spec=item, origin=origin, hint="include a local copy"
        )
    path = _under(base_dir, written)
    project = long.get("project_directory")
    if project is not None and not isinstance(project, str):
        raise SpecError("include project_directory must be a path", spec=item, origin=origin)
    env_files = _strings(long.get("env_file"), "env_file", item, origin)
    return Include(
        path=path,
        written=written,
        project_dir=_under(base_dir, project) if project else posixpath.dirname(path),
        env_files=tuple(_under(base_dir, f) for f in env_files),
        origin=origin,
        label=posixpath.relpath(path, root_dir),
    )


def _strings(value: object, key: str, item: object, origin: str) -> list[str]:
    values = [] if value is None else value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) and v for v in values):
        raise SpecError(
            f"include {key} must be a path or a list of paths", spec=item, origin=origin
        )
    return [str(v) for v in values]


def _under(base_dir: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(base_dir, path))


def with_includes(
    project: ComposeProject,
    entries: Sequence[Include],
    stack: Sequence[str],
    load: Callable[[Include], ComposeProject],
) -> ComposeProject:
    """`project` with every included file's resources; `stack` holds the files being
    loaded (the including one last), `load` reads one entry's file."""
    for entry in entries:
        if entry.path in stack:
            chain = [*stack[stack.index(entry.path) :], entry.path]
            raise SpecError(
                f"include cycle: {' -> '.join(posixpath.basename(p) for p in chain)}",
                spec=entry.written,
                origin=entry.origin,
            )
        project = _merged(project, load(entry), entry)
    return project


def inside(problem: VolumeOpsError, entry: Include) -> VolumeOpsError:
    """A problem that stops loading an included file, located in that file."""
    where = f"{entry.origin} ({entry.label}) {problem.origin}".strip()
    clone = type(problem)(problem.reason, spec=problem.spec, origin=where, hint=problem.hint)
    clone.__cause__ = problem.__cause__
    return clone


def _merged(own: ComposeProject, part: ComposeProject, entry: Include) -> ComposeProject:
    conflicts = [
        f"{kind.removesuffix('s')} {name!r}"
        for kind in _KINDS
        for name, value in getattr(part, kind).items()
        if name in getattr(own, kind) and getattr(own, kind)[name] != value
    ]
    if conflicts:
        raise ConflictError(
            f"the included file defines {', '.join(conflicts)} differently from the file "
            "that includes it; docker compose refuses that",
            spec=entry.written,
            origin=entry.origin,
            hint="define each of them in one file only",
        )
    added = {
        f"{kind}.{name}": part.included.get(f"{kind}.{name}", entry.label)
        for kind in _KINDS
        for name in getattr(part, kind)
        if name not in getattr(own, kind)
    }
    services = {name: _passthrough(body, part.environ) for name, body in part.services.items()}
    return replace(
        own,
        services=_union(own.services, services),
        volumes=_union(own.volumes, part.volumes),
        configs=_union(own.configs, part.configs),
        secrets=_union(own.secrets, part.secrets),
        networks=_union(own.networks, part.networks),
        host_paths={**part.host_paths, **own.host_paths},
        problems=(*own.problems, *part.problems),
        notes=(*own.notes, *part.notes),
        written=own.written.merged(part.written),
        included={**own.included, **added},
    )


def _union(own: Mapping[str, Any], part: Mapping[str, Any]) -> dict[str, Any]:
    """Both mappings, `own`'s entries first (docker compose appends included ones)."""
    return {**own, **{name: value for name, value in part.items() if name not in own}}


def _passthrough(service: Mapping[str, Any], environ: Mapping[str, str]) -> Mapping[str, Any]:
    """An included service's `environment: [NAME]` entries take NAME from the variables
    its own file was interpolated with (its env_file included)."""
    try:
        env = environment_dict(service.get("environment"))
    except VolumeOpsError:
        return service  # pod.py reports it
    if not any(value is None and name in environ for name, value in env.items()):
        return service
    filled = {name: environ.get(name) if value is None else value for name, value in env.items()}
    return {**service, "environment": filled}


def attributed_problem(problem: VolumeOpsError, included: Mapping[str, str]) -> VolumeOpsError:
    """`problem` with the included file that defines what it is about named after its
    origin: `services.db.volumes[0] (in db/compose.yaml)`."""
    origin = attributed_note(problem.origin, included)
    if origin == problem.origin:
        return problem
    clone = type(problem)(problem.reason, spec=problem.spec, origin=origin, hint=problem.hint)
    clone.__cause__ = problem.__cause__
    return clone


def attributed_note(text: str, included: Mapping[str, str]) -> str:
    """`text`, which may start with an origin, with the included file named after it."""
    fits = [
        prefix
        for prefix in included
        if text.startswith(prefix)
        and text[len(prefix) : len(prefix) + 1] in ("", ".", "[", " ", ":")
    ]
    if not fits:
        return text
    prefix = max(fits, key=len)
    ends = [i for i in (text.find(" ", len(prefix)), text.find(":", len(prefix))) if i >= 0]
    end = min(ends, default=len(text))
    return f"{text[:end]} (in {included[prefix]}){text[end:]}"
