"""`render` and `scan` on inputs they cannot translate: one problem line per task and
input, exit 2 (scan: `refused`), the file's other tasks still rendered; never an
internal error."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Cli

HEADER = (
    "import pendulum\n"
    "from airflow.sdk import DAG, Param\n"
    "from k8s_volume_ops import DockerOperator\n\n"
)


def write_dag(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(HEADER + body)
    return path


def test_a_syntax_error_names_the_file_and_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "dags").mkdir()
    write_dag(tmp_path / "dags", "syn.py", "x = 1\ndef f(:\n")
    render = cli("render", "dags/syn.py", cwd=tmp_path)
    assert render.returncode == 2
    assert render.stderr.splitlines() == [
        "dags/syn.py: import error at dags/syn.py:6: SyntaxError: invalid syntax"
    ]
    (tmp_path / "dags" / "latin.py").write_bytes(HEADER.encode() + b"x = 'caf\xe9'\n")
    scan = cli("scan", "dags", "--format", "json", cwd=tmp_path)
    assert scan.returncode == 1
    assert [r["problems"] for r in json.loads(scan.stdout)] == [
        [
            "import error at dags/latin.py:5: SyntaxError: (unicode error) 'utf-8' codec "
            "can't decode byte 0xe9 in position 3: unexpected end of data"
        ],
        ["import error at dags/syn.py:6: SyntaxError: invalid syntax"],
    ]


def test_render_of_a_folder_says_it_is_one(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "dags").mkdir()
    result = cli("render", "dags", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: 'dags': is a directory; render takes one DAG file (.py) or compose file "
        "(.yml, .yaml) fix: render one of its files, or run `k8s-volume-ops scan dags` for the "
        "folder"
    ]
