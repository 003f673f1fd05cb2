"""Fixtures for the compose tests: render a compose document in-process, validated.

Helpers shared by the test modules live in `composecheck.py`, beside this file.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from composecheck import Render, validate_objects

from k8s_volume_ops.compose import ComposeResult, build_compose, load_compose
from k8s_volume_ops.policy import load_policy


@pytest.fixture
def render(tmp_path: Path) -> Render:
    """Write a compose document (dict or YAML text) and its files, render, validate.

    `files` maps paths relative to the compose file's folder to contents.
    """

    def _render(
        document: Mapping[str, Any] | str,
        policy: Mapping[str, Any] | None = None,
        *,
        namespace: str | None = None,
        files: Mapping[str, bytes | str] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> ComposeResult:
        for name, content in (files or {}).items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode() if isinstance(content, str) else content
            path.write_bytes(data)
        text = document if isinstance(document, str) else yaml.safe_dump(dict(document))
        compose = tmp_path / "compose.yaml"
        compose.write_text(text)
        project = load_compose(compose, environ={} if environ is None else environ)
        result = build_compose(project, load_policy(dict(policy or {})), namespace)
        validate_objects(result.objects)
        return result

    return _render
