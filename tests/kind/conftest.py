"""Shared paths and binaries for the kind tests.

kind itself needs a container engine, which build machines and CI do not have;
these tests run every part of the kind path that does not: the pinned kind
binary, kind's own config decoding and validation, the make targets, and the
exact helm command of `make e2e-kind` against the local test cluster.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
KIND_CONFIG = REPO / "kind" / "cluster.yaml"
KIND_VALUES = REPO / "kind" / "values.yaml"
KIND_MK = REPO / "mk" / "kind.mk"
FAKE_DOCKER = Path(__file__).resolve().parent / "data" / "fake-docker"


def cache_bin(name: str) -> Path:
    """A binary built by tests/cluster/build.sh, or skip the test with how to get it."""
    root = Path(os.environ.get("K8S_VOLUME_OPS_CACHE", Path.home() / ".cache" / "k8s-volume-ops"))
    path = root / "bin" / name
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.skip(f"{name} not found at {path}; build it with `tests/cluster/build.sh {name}`")
    return path


def make_variable(name: str) -> str:
    """The default of a `NAME ?= value` line of mk/kind.mk."""
    for line in KIND_MK.read_text().splitlines():
        key, sep, value = line.partition("?=")
        if sep and key.strip() == name:
            return value.strip()
    raise KeyError(f"{name} is not set in {KIND_MK}")


@pytest.fixture(scope="session")
def kind_binary() -> Path:
    """The pinned kind binary."""
    return cache_bin("kind")


@pytest.fixture(scope="session")
def helm_binary() -> Path:
    """The pinned helm binary."""
    return cache_bin("helm")
