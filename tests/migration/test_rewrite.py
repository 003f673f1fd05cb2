"""The libcst import rewrite: exact output, untouched bytes elsewhere, idempotence."""

from __future__ import annotations

import ast
import difflib
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8s_volume_ops.errors import SpecError
from k8s_volume_ops.migrate import rewrite_source

from .conftest import DATA

STOCK = "airflow.providers.docker.operators.docker"


def _rewrite(text: str) -> tuple[str, list[str], list[str]]:
    result = rewrite_source(textwrap.dedent(text).encode())
    again = rewrite_source(result.code)
    assert again.code == result.code and not again.changes, "not idempotent"
    return result.code.decode(), result.changes, result.notes


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            f"from {STOCK} import DockerOperator\n",
            "from k8s_volume_ops import DockerOperator\n",
        ),
        (
            f"from {STOCK} import DockerOperator as Op  # why\n",
            "from k8s_volume_ops import DockerOperator as Op  # why\n",
        ),
        (
            "from airflow.operators.docker_operator import DockerOperator\n",
            "from k8s_volume_ops import DockerOperator\n",
        ),
        (
            f"from {STOCK} import DockerOperator, fetch_logs\n",
            f"from {STOCK} import fetch_logs\nfrom k8s_volume_ops import DockerOperator\n",
        ),
        (
            f"from {STOCK} import Mount, DockerOperator as D\n",
            f"from {STOCK} import Mount\nfrom k8s_volume_ops import DockerOperator as D\n",
        ),
        (
            f"from {STOCK} import (\n    DockerOperator,  # ours now\n    Mount,\n)\n",
            f"from {STOCK} import (\n    Mount,\n)\n"
            "from k8s_volume_ops import DockerOperator  # ours now\n",
        ),
        (
            f"import {STOCK} as d\n\nd.DockerOperator(task_id='t', image='i')\n",
            "import k8s_volume_ops as d\n\nd.DockerOperator(task_id='t', image='i')\n",
        ),
        (
            "from airflow.providers.docker.operators import docker\n"
            "docker.DockerOperator(task_id='t', image='i')\n",
            "import k8s_volume_ops as docker\ndocker.DockerOperator(task_id='t', image='i')\n",
        ),
        (
            f"import {STOCK} as d\nd.DockerOperator(task_id='t', mounts=[d.Mount('/a', 'v')])\n",
            f"import {STOCK} as d\nimport k8s_volume_ops\n"
            "k8s_volume_ops.DockerOperator(task_id='t', mounts=[d.Mount('/a', 'v')])\n",
        ),
        (
            f"import {STOCK}\n{STOCK}.DockerOperator(task_id='t', image='i')\n",
            f"import {STOCK}\nimport k8s_volume_ops\n"
            "k8s_volume_ops.DockerOperator(task_id='t', image='i')\n",
        ),
        (
            f"from {STOCK} import *\n",
            f"from {STOCK} import *\nfrom k8s_volume_ops import DockerOperator\n",
        ),
        (
            f"try:\n    from {STOCK} import DockerOperator, Mount\nexcept ImportError:\n    pass\n",
            f"try:\n    from {STOCK} import Mount\n    from k8s_volume_ops import DockerOperator\n"
            "except ImportError:\n    pass\n",
        ),
    ],
    ids=[
        "plain",
        "alias",
        "legacy-path",
        "combined",
        "combined-alias-last",
        "parenthesized-comment",
        "module-alias",
        "from-package-module",
        "module-mixed-use",
        "module-no-alias",
        "star",
        "nested-block",
    ],
)
def test_rewrites(before: str, after: str) -> None:
    code, changes, _ = _rewrite(before)
    assert code == after
    assert changes
    ast.parse(code)


def test_nothing_to_do_leaves_bytes_alone() -> None:
    source = "from k8s_volume_ops import DockerOperator\nimport docker  # unrelated\n"
    result = rewrite_source(source.encode())
    assert result.code == source.encode() and not result.changed and not result.changes


def test_crlf_and_encoding_survive() -> None:
    source = (
        f"# -*- coding: latin-1 -*-\r\nfrom {STOCK} import DockerOperator, Mount\r\n"
        "X = 'caf\xe9'\r\n"
    )
    result = rewrite_source(source.encode("latin-1"))
    assert result.code == (
        f"# -*- coding: latin-1 -*-\r\nfrom {STOCK} import Mount\r\n"
        "from k8s_volume_ops import DockerOperator\r\nX = 'caf\xe9'\r\n"
    ).encode("latin-1")


def test_notes_for_what_is_kept_on_purpose() -> None:
    _, _, notes = _rewrite(
        f"""
        from airflow.sdk import task
        from {STOCK} import DockerOperator

        DockerOperator(task_id="a", image="i", volumes=["/x:/x"], mounts=["v:/v"])

        @task.docker(image="python")
        def f():
            pass
        """
    )
    assert [n.split(":")[0] for n in notes] == ["line 5", "line 5", "line 7"]
    assert "volumes= is kept" in notes[0]
    assert "mounts=" in notes[1]
    assert "@task.docker is kept" in notes[2]


def test_unbound_usage_is_reported_not_rewritten() -> None:
    code, changes, notes = _rewrite(f"import airflow\n{STOCK}.DockerOperator(task_id='t')\n")
    assert not changes and code.startswith("import airflow\nairflow.providers")
    assert "not rewritten" in notes[0]


def test_unparsable_source_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match=r"cannot parse line 1"):
        rewrite_source(b"def f(:\n    pass\n", origin="broken.py")


@pytest.mark.parametrize("path", sorted(DATA.glob("*.py")), ids=lambda p: p.stem)
def test_data_files_change_only_import_and_operator_lines(path: object) -> None:
    from pathlib import Path

    assert isinstance(path, Path)
    source = path.read_bytes()
    result = rewrite_source(source)
    before = source.decode().splitlines()
    after = result.code.decode().splitlines()
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for line in before[i1:i2] + after[j1:j2]:
            assert "import" in line or "DockerOperator" in line, line
    assert rewrite_source(result.code).code == result.code
    ast.parse(result.code)


_OTHER_NAMES = ["Mount", "fetch_logs", "stringify", "DockerHook", "APIError"]


@settings(max_examples=60, deadline=None)
@given(
    others=st.lists(st.sampled_from(_OTHER_NAMES), unique=True, max_size=4),
    position=st.integers(min_value=0, max_value=4),
    alias=st.sampled_from([None, "DockerOp", "Op"]),
    parenthesized=st.booleans(),
    trailing_comma=st.booleans(),
    comment=st.sampled_from(["", "  # keep me"]),
)
def test_any_combined_import_splits_cleanly(
    others: list[str],
    position: int,
    alias: str | None,
    parenthesized: bool,
    trailing_comma: bool,
    comment: str,
) -> None:
    """Whatever the shape of the import, every other name stays on the stock import."""
    ours = "DockerOperator" + (f" as {alias}" if alias else "")
    names = list(others)
    names.insert(min(position, len(names)), ours)
    if parenthesized:
        body = "".join(f"    {n},\n" for n in names) if trailing_comma else ",\n    ".join(names)
        statement = f"from {STOCK} import (\n{body if trailing_comma else '    ' + body + chr(10)})"
    else:
        statement = f"from {STOCK} import {', '.join(names)}"
    source = f"import os\n{statement}{comment}\nX = 1  # untouched\n"
    result = rewrite_source(source.encode())
    code = result.code.decode()
    tree = ast.parse(code)
    imported = {
        (node.module, a.name, a.asname)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for a in node.names
    }
    assert ("k8s_volume_ops", "DockerOperator", alias) in imported
    assert {(STOCK, n, None) for n in others} <= imported
    assert not any(m == STOCK and n == "DockerOperator" for m, n, _ in imported)
    assert code.startswith("import os\n") and code.endswith("X = 1  # untouched\n")
    assert rewrite_source(result.code).code == result.code
