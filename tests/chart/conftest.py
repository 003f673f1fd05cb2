"""Render the Helm chart with the real `helm` binary and validate what it renders.

Tests assert on plain dicts (the Airflow chart's helm-tests style): `render_chart`
runs `helm template`, checks every object against the Kubernetes OpenAPI schema
of the version the chart targets (strict: unknown fields fail), and returns the
objects. The binary is the one `tests/cluster/build.sh` builds into the cache
directory, so every machine renders with the same Helm; without it the chart
tests skip with the reason and CI, which builds it first, runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "k8s-volume-ops"
RELEASE = "k8s-volume-ops"
NAMESPACE = "airflow-tasks"
# The Kubernetes version the chart is rendered for; kubernetes-validate bundles
# schemas up to 1.37, so this one is checked exactly.
KUBE_VERSION = "1.36.3"


def cache_dir() -> Path:
    """Where tests/cluster/build.sh puts its binaries."""
    default = Path.home() / ".cache" / "k8s-volume-ops"
    return Path(os.environ.get("K8S_VOLUME_OPS_CACHE", default))


def helm_binary() -> Path | None:
    """The pinned helm: `$HELM` when it names one (the Makefile passes its own), else
    the cache's; never one from PATH."""
    candidates = [os.environ.get("HELM"), cache_dir() / "bin" / "helm"]
    for candidate in (Path(c) for c in candidates if c):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def require_helm() -> Path:
    """The helm binary, or skip the calling test with how to get it."""
    helm = helm_binary()
    if helm is None:
        pytest.skip(
            f"helm not found at {cache_dir() / 'bin' / 'helm'}; "
            "build it with `tests/cluster/build.sh helm` (or `make tools`)"
        )
    return helm


class HelmError(Exception):
    """`helm` exited non-zero; `stderr` is what it printed."""

    def __init__(self, args: list[str], stderr: str) -> None:
        super().__init__(f"{' '.join(args)} failed:\n{stderr}")
        self.stderr = stderr


def run_helm(*args: str, values: dict[str, Any] | None = None) -> str:
    """Run helm; `values` go in as a file, so YAML types stay exact (unlike --set)."""
    cmd = [str(require_helm()), *args]
    with tempfile.TemporaryDirectory(prefix="k8s-volume-ops-chart-") as tmp:
        if values is not None:
            path = Path(tmp) / "values.yaml"
            path.write_text(yaml.safe_dump(values, sort_keys=False))
            cmd += ["--values", str(path)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise HelmError(cmd, proc.stderr)
    return proc.stdout


def validate(obj: dict[str, Any]) -> None:
    """Check one object against the Kubernetes schema, failing on unknown fields."""
    kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)


def _template_args(show_only: list[str] | None, release: str, namespace: str) -> list[str]:
    args = [
        "template",
        release,
        str(CHART),
        "--namespace",
        namespace,
        "--kube-version",
        KUBE_VERSION,
    ]
    for template in show_only or []:
        args += ["--show-only", template]
    return args


def render_chart(
    values: dict[str, Any] | None = None,
    show_only: list[str] | None = None,
    *,
    release: str = RELEASE,
    namespace: str = NAMESPACE,
) -> list[dict[str, Any]]:
    """Render the chart and return its objects, each validated against Kubernetes 1.36.

    `show_only` lists template paths such as "templates/role.yaml".
    """
    out = run_helm(*_template_args(show_only, release, namespace), values=values or {})
    objects = [doc for doc in yaml.safe_load_all(out) if doc]
    for obj in objects:
        validate(obj)
    return objects


def render_error(values: dict[str, Any], *, release: str = RELEASE) -> str:
    """Render with values the chart must refuse; return helm's error output."""
    try:
        run_helm(*_template_args(None, release, NAMESPACE), values=values)
    except HelmError as exc:
        return exc.stderr
    raise AssertionError(f"helm template accepted values it should refuse: {values!r}")


def render_notes(values: dict[str, Any] | None = None, *, release: str = RELEASE) -> str:
    """NOTES.txt as `helm install` prints it, from a client-side dry run (no cluster)."""
    out = run_helm(
        "install",
        release,
        str(CHART),
        "--namespace",
        NAMESPACE,
        "--dry-run=client",
        "--output",
        "json",
        values=values or {},
    )
    return str(json.loads(out)["info"]["notes"])


def by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The objects of one kind, in render order."""
    return [obj for obj in objects if obj["kind"] == kind]


def one(objects: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    """The single object of `kind` (and `name`); fails when there are none or several."""
    found = [o for o in by_kind(objects, kind) if name is None or o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name or ''}, got {len(found)}"
    return found[0]


@pytest.fixture(scope="session")
def chart_values() -> dict[str, Any]:
    """The chart's values.yaml as data."""
    return dict(yaml.safe_load((CHART / "values.yaml").read_text()))


@pytest.fixture(scope="session")
def chart_schema() -> dict[str, Any]:
    """The chart's values.schema.json as data."""
    return dict(json.loads((CHART / "values.schema.json").read_text()))
