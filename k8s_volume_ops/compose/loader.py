"""Read a compose file the way `docker compose` does, up to the point where Docker runs it.

That means: interpolate `${VAR}` forms with the environment over a `.env` beside
the file, make relative bind sources (and `env_file`, config/secret `file:`
sources) absolute against the file's folder, read config and secret contents,
and merge `env_file` into `environment`; then load the files it includes
(`include.py`). Host paths are read only for services whose Kompose label asks for
ConfigMaps or hostPaths (`hostpaths.py`): otherwise the machine that renders is not
the machine that runs, and its files must not change the output.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SpecError, VolumeOpsError
from ..parsing.compose import FileSource
from .hostpaths import CONFIGMAP_LIMIT, host_paths
from .include import Include, include_entries, inside, top_level_notes, with_includes
from .interpolate import Interpolator
from .pod import environment_dict
from .project import ComposeProject
from .written import Written, index_nodes, quote_problem

__all__ = ["CONFIGMAP_LIMIT", "load_compose", "project_from_data"]


def load_compose(path: Path, environ: Mapping[str, str] | None = None) -> ComposeProject:
    """Load `path` and the files it includes; `environ` defaults to `os.environ`.
    Raises SpecError if a file is unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read the compose file: {exc}") from exc
    root, data = _parse(text)
    base_dir = str(path.resolve().parent)
    shell = os.environ if environ is None else environ
    env = {**_dotenv(Path(base_dir) / ".env", shell), **shell}
    file = _File(str(path), base_dir, env, root_dir=base_dir, stack=(str(path.resolve()),))
    return _project(data, file, root, text)


@dataclass(frozen=True)
class _File:
    """A compose document's origin, folder (its project directory) and variables;
    `stack` holds the files that include it, itself last, and `label` names an
    included file (relative to `root_dir`, the top file's folder)."""

    origin: str
    base_dir: str
    environ: Mapping[str, str]
    root_dir: str
    stack: tuple[str, ...] = ()
    label: str = ""


def _parse(text: str) -> tuple[Any, object]:
    """The YAML node tree (kept to quote the file as written) and the loaded data."""
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        return root, None if root is None else loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise SpecError(f"not valid YAML: {exc}") from exc
    finally:
        loader.dispose()


def _dotenv(path: Path, shell: Mapping[str, str]) -> dict[str, str]:
    """`.env` values, each interpolated with the shell and the ones before it."""
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    values: dict[str, str] = {}
    for key, raw in dotenv_values(path, interpolate=False).items():
        if raw is not None:
            values[key] = Interpolator({**values, **shell}).text(raw, str(path))
    return values


def project_from_data(
    data: object,
    *,
    origin: str,
    base_dir: str,
    environ: Mapping[str, str],
    root: Any = None,
    source: str = "",
) -> ComposeProject:
    """Build the project from a parsed compose document (reads the files it names).

    `root` is the YAML node tree `data` was loaded from and `source` its text; with
    them, problems quote the file as written (`written.py`).
    """
    return _project(data, _File(origin, base_dir, environ, root_dir=base_dir), root, source)


def _project(data: object, file: _File, root: Any, source: str) -> ComposeProject:
    services_given = data.get("services") if isinstance(data, Mapping) else None
    if services_given is None and isinstance(data, Mapping) and (file.label or "include" in data):
        data = {**data, "services": {}}  # a file may hold only includes or only resources
    elif not isinstance(services_given, Mapping):
        raise SpecError("a compose file needs a `services:` mapping")
    assert isinstance(data, Mapping)
    base_dir, environ = file.base_dir, file.environ
    interpolator = Interpolator(environ)
    document: dict[str, Any] = interpolator.document(dict(data), "")
    home = environ.get("HOME")
    problems: list[VolumeOpsError] = []
    services: dict[str, dict[str, Any]] = {}
    for name, service in document["services"].items():
        if not isinstance(service, Mapping):
            problems.append(
                SpecError("a service must be a mapping", spec=service, origin=_at(name))
            )
            continue
        services[str(name)] = _service(dict(service), base_dir, home, problems, _at(name))
    notes = (*top_level_notes(document, file.label), *interpolator.unset_notes())
    volumes = _volumes(document.get("volumes"), base_dir, home)
    nodes = {}
    if root is not None:
        nodes = index_nodes(root, document, source)
        nodes.update(index_nodes(root, {"services": services, "volumes": volumes}, source))
    networks = document.get("networks")
    project = ComposeProject(
        origin=file.origin,
        base_dir=base_dir,
        services=services,
        volumes=volumes,
        configs=_sources(document.get("configs"), base_dir, environ, "config"),
        secrets=_sources(document.get("secrets"), base_dir, environ, "secret"),
        networks=dict(networks) if isinstance(networks, Mapping) else {},
        environ=environ,
        host_paths=host_paths(services),
        problems=tuple(problems),
        notes=notes,
        written=Written(nodes, dict(interpolator.written)),
    )
    try:
        entries = include_entries(document.get("include"), base_dir, file.root_dir)
        return with_includes(project, entries, file.stack, lambda entry: _included(entry, file))
    except VolumeOpsError as exc:
        raise quote_problem(exc, project.written) from exc


def _included(entry: Include, including: _File) -> ComposeProject:
    """An included file as a project of its own (see `include.py`)."""
    try:
        text = Path(entry.path).read_text(encoding="utf-8")
        root, data = _parse(text)
    except (OSError, UnicodeDecodeError, SpecError) as exc:
        why = exc.reason if isinstance(exc, SpecError) else getattr(exc, "strerror", None) or exc
        raise SpecError(
            f"cannot load the included compose file {entry.path}: {why}",
            spec=entry.written,
            origin=entry.origin,
        ) from exc
    defaults = entry.env_files or (posixpath.join(entry.project_dir, ".env"),)
    from_files: dict[str, str] = {}
    for env_file in defaults:
        if entry.env_files and not Path(env_file).is_file():
            raise SpecError(
                f"include env_file {env_file} not found", spec=entry.written, origin=entry.origin
            )
        from_files.update(_dotenv(Path(env_file), {**from_files, **including.environ}))
    file = _File(
        entry.label,
        entry.project_dir,
        {**from_files, **including.environ},  # the including file's variables win
        root_dir=including.root_dir,
        stack=(*including.stack, entry.path),
        label=entry.label,
    )
    try:
        return _project(data, file, root, text)
    except VolumeOpsError as exc:
        raise inside(exc, entry) from exc


def _at(service: object) -> str:
    return f"services.{service}"


def _absolute(path: str, base_dir: str, home: str | None) -> str:
    """`path` against the compose file's folder; `~` is $HOME, kept as is when unset."""
    if path == "~" or path.startswith("~/"):
        if not home:
            return path
        path = home + path[1:]
    return posixpath.normpath(posixpath.join(base_dir, path))


def _resolve_volume(entry: object, base_dir: str, home: str | None) -> object:
    """A service `volumes:` entry with a relative bind source made absolute."""
    if isinstance(entry, str):
        source, colon, rest = entry.partition(":")
        if colon and source.startswith((".", "~")):
            return f"{_absolute(source, base_dir, home)}:{rest}"
        return entry
    if isinstance(entry, Mapping) and entry.get("type") == "bind":
        bind_source = entry.get("source")
        if isinstance(bind_source, str) and bind_source and "\\" not in bind_source:
            return {**entry, "source": _absolute(bind_source, base_dir, home)}
    return entry


def _service(
    service: dict[str, Any],
    base_dir: str,
    home: str | None,
    problems: list[VolumeOpsError],
    origin: str,
) -> dict[str, Any]:
    volumes = service.get("volumes")
    if isinstance(volumes, list):
        service["volumes"] = [_resolve_volume(v, base_dir, home) for v in volumes]
    env_files = service.pop("env_file", None)
    if env_files is not None:
        from_files = _env_files(env_files, base_dir, problems, f"{origin}.env_file")
        service["environment"] = {**from_files, **environment_dict(service.get("environment"))}
    return service


def _env_files(
    value: object, base_dir: str, problems: list[VolumeOpsError], origin: str
) -> dict[str, str | None]:
    from dotenv import dotenv_values

    entries = value if isinstance(value, list) else [value]
    merged: dict[str, str | None] = {}
    for i, entry in enumerate(entries):
        path, required = entry, True
        if isinstance(entry, Mapping):
            path, required = entry.get("path"), bool(entry.get("required", True))
        file = Path(_absolute(str(path), base_dir, None))
        try:
            if file.is_file():
                merged.update(dotenv_values(file, interpolate=False))
                continue
            reason = f"env_file {str(file)!r} not found"
        except (OSError, UnicodeDecodeError) as exc:
            reason = f"env_file {str(file)!r} cannot be read: {exc}"
        if required:
            where = f"{origin}[{i}]" if isinstance(value, list) else origin
            problems.append(SpecError(reason, spec=entry, origin=where))
    return merged


def _volumes(value: object, base_dir: str, home: str | None) -> dict[str, Any]:
    """Top-level volumes; a local `o: bind` device path is resolved like a bind source."""
    if not isinstance(value, Mapping):
        return {}
    return {str(name): _bind_device(entry, base_dir, home) for name, entry in value.items()}


def _bind_device(entry: object, base_dir: str, home: str | None) -> object:
    opts = entry.get("driver_opts") if isinstance(entry, Mapping) else None
    if not isinstance(entry, Mapping) or not isinstance(opts, Mapping):
        return entry
    device = opts.get("device")
    if isinstance(device, str) and "bind" in str(opts.get("o", "")).split(","):
        return {**entry, "driver_opts": {**opts, "device": _absolute(device, base_dir, home)}}
    return entry


def _sources(
    value: object, base_dir: str, environ: Mapping[str, str], kind: str
) -> dict[str, FileSource]:
    if not isinstance(value, Mapping):
        return {}
    return {str(name): _source(entry, base_dir, environ, kind) for name, entry in value.items()}


def _source(entry: object, base_dir: str, environ: Mapping[str, str], kind: str) -> FileSource:
    if not isinstance(entry, Mapping):
        return FileSource(error="must be a mapping with file, environment or external")
    if entry.get("external"):
        return FileSource(external=True)
    if entry.get("file") is not None:
        given = str(entry["file"])
        file = Path(_absolute(given, base_dir, None))
        shown = repr(given) if given == str(file) else f"{given!r} ({file})"
        try:
            content = file.read_bytes()
        except OSError as exc:
            return FileSource(error=f"cannot read file {shown}: {exc.strerror}")
        if len(content) > CONFIGMAP_LIMIT:
            return FileSource(error=f"file {shown} is larger than the 1 MiB a {kind} can hold")
        return FileSource(content=content)
    if entry.get("environment") is not None:
        variable = str(entry["environment"])
        if variable not in environ:
            return FileSource(error=f"environment variable {variable} is not set")
        return FileSource(content=environ[variable].encode())
    if kind == "config" and entry.get("content") is not None:
        return FileSource(content=str(entry["content"]).encode())
    allowed = (
        "file, environment, content or external"
        if kind == "config"
        else "file, environment or external"
    )
    return FileSource(error=f"needs one of {allowed}")
