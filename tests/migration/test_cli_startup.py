"""`python -m k8s_volume_ops` imports every subcommand module: they must all load, cheaply."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import Cli


def test_all_subcommands_register(cli: Cli) -> None:
    result = cli("--help")
    assert result.returncode == 0, result.stderr
    for command in ("render", "scan", "migrate", "apply"):
        assert command in result.stdout


@pytest.mark.parametrize("command", ["scan", "migrate", "apply"])
def test_subcommand_help(cli: Cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: k8s-volume-ops " + command in result.stdout


def test_building_the_parser_loads_no_heavy_module() -> None:
    code = (
        "import sys; from k8s_volume_ops.cli import build_parser; build_parser(); "
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'airflow', 'kubernetes', 'docker', 'libcst'}); print(heavy); assert not heavy"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
