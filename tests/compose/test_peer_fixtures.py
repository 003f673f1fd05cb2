"""Kompose's own end-to-end compose inputs (../shared/peer/kompose), rendered with peer/policy.yaml.

A good result: one Pod per service, and every mount of every service (volumes, tmpfs,
secrets, configs, volumes_from) present as a volumeMount at its target, or a problem
that quotes the entry. Never an exception, never a mount dropped without a word.
The expected targets are read from the raw YAML here, independently of the parser.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

import pytest
import yaml
from composecheck import SHARED, validate_objects

from k8s_volume_ops.compose import compose_result
from k8s_volume_ops.policy import load_policy

PEER = SHARED / "peer"
FIXTURES = sorted([*PEER.glob("kompose/**/*.yml"), *PEER.glob("kompose/**/*.yaml")])
pytestmark = pytest.mark.skipif(not FIXTURES, reason=f"no peer fixtures at {PEER}")


def _volume_targets(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(target, raw entry) of the service's own volumes and tmpfs."""
    out = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            out.append((entry["target"], repr(entry)))
        else:
            parts = entry.split(":")
            out.append((parts[0] if len(parts) == 1 else parts[1], entry))
    tmpfs = service.get("tmpfs") or []
    for entry in [tmpfs] if isinstance(tmpfs, str) else tmpfs:
        out.append((entry.split(":")[0], entry))
    return out


def _file_targets(service: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for kind, folder in (("secrets", "/run/secrets"), ("configs", "/")):
        for entry in service.get(kind) or []:
            long = entry if isinstance(entry, dict) else {"source": entry}
            target = long.get("target") or long["source"]
            out.append((posixpath.join(folder, target), repr(entry)))
    return out


def _expected(services: dict[str, Any], name: str, seen: tuple[str, ...] = ()) -> dict[str, str]:
    """Every target the service must mount, with the raw entry a problem would quote."""
    service = services[name]
    own = dict(_volume_targets(service) + _file_targets(service))
    for source in service.get("volumes_from") or []:
        source_name = source.split(":")[0]
        if source_name in (*seen, name):
            continue
        inherited = _expected(services, source_name, (*seen, name))
        tmpfs = services[source_name].get("tmpfs") or []
        tmpfs_targets = {t.split(":")[0] for t in ([tmpfs] if isinstance(tmpfs, str) else tmpfs)}
        for target, raw in inherited.items():
            if target not in tmpfs_targets:
                own.setdefault(target, raw)
    return own


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: str(p.relative_to(PEER / "kompose")))
def test_peer_fixture(fixture: Path) -> None:
    result = compose_result(fixture, load_policy(PEER / "policy.yaml"), "peer")
    validate_objects(result.objects)
    services = yaml.safe_load(fixture.read_text())["services"]
    pods = {
        obj["metadata"]["annotations"]["k8s-volume-ops/compose-service"]: obj
        for obj in result.objects
        if obj["kind"] == "Pod"
    }
    assert sorted(pods) == sorted(services)
    problems = "\n".join(str(p) for p in result.problems)
    for name in services:
        mounts = {
            m["mountPath"] for m in pods[name]["spec"]["containers"][0].get("volumeMounts", [])
        }
        for target, raw in _expected(services, name).items():
            assert target in mounts or raw in problems or repr(raw) in problems, (
                f"{name}: {raw!r} is neither mounted at {target} nor reported:\n{problems}"
            )


def test_only_the_windows_fixture_has_problems() -> None:
    """Everything else in Kompose's fixtures translates with the peer policy."""
    with_problems = []
    for fixture in FIXTURES:
        result = compose_result(fixture, load_policy(PEER / "policy.yaml"), None)
        if result.problems:
            with_problems.append(fixture.relative_to(PEER / "kompose").as_posix())
    assert with_problems == ["volume-mounts/windows/compose.yaml"]
