"""`render` and `scan` on inputs they cannot translate: one problem line per task and
input, exit 2 (scan: `refused`), the file's other tasks still rendered; never an
internal error."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

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


def pods(stdout: str) -> dict[str, dict[str, object]]:
    docs = [d for d in yaml.safe_load_all(stdout) if d and d["kind"] == "Pod"]
    return {d["metadata"]["labels"]["task_id"]: d for d in docs}


PARAMS_DAG = (
    "with DAG('prm', start_date=pendulum.datetime(2025, 1, 1), schedule=None,\n"
    "         params={'vol': Param(type='string'), 'n': Param(5, type='integer', minimum=10)}):\n"
    "    DockerOperator(task_id='a', image='alpine', command='true', mount_tmp_dir=False,\n"
    "                   volumes=['{{ params.vol }}:/a'])\n"
    "    DockerOperator(task_id='b', image='alpine', command='echo {{ params.n }}',\n"
    "                   mount_tmp_dir=False, volumes=['v:/b'])\n"
)
NO_DEFAULT = (
    "volumes: param 'vol' has no default value: only a triggered run supplies one, so this "
    "cannot be rendered offline fix: give the Param a default (render and scan use the defaults)"
)


def test_params_without_valid_defaults_fail_only_the_task_that_needs_them(
    cli: Cli, tmp_path: Path
) -> None:
    write_dag(tmp_path, "prm.py", PARAMS_DAG)
    result = cli("render", "prm.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"prm.py: task prm.a: {NO_DEFAULT}"]
    assert list(pods(result.stdout)) == ["b"]
    scan = cli("scan", "prm.py", "--format", "json", cwd=tmp_path)
    assert scan.returncode == 1
    assert [(r["task_id"], r["verdict"], r["problems"]) for r in json.loads(scan.stdout)] == [
        ("a", "refused", [NO_DEFAULT]),
        ("b", "ok", []),
    ]


def test_claims_and_secrets_are_in_the_pods_namespace(cli: Cli, tmp_path: Path) -> None:
    write_dag(
        tmp_path,
        "ns.py",
        "with DAG('ns', start_date=pendulum.datetime(2025, 1, 1), schedule=None):\n"
        "    DockerOperator(task_id='t', image='alpine', command='true', namespace='explicit',\n"
        "                   volumes=['v:/v'], private_environment={'A': 'b'})\n",
    )
    for args, namespace in ((("ns.py",), "explicit"), (("ns.py", "--namespace", "ns2"), "ns2")):
        result = cli("render", *args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        docs = [d for d in yaml.safe_load_all(result.stdout) if d]
        assert [(d["kind"], d["metadata"]["namespace"]) for d in docs] == [
            ("PersistentVolumeClaim", namespace),
            ("Secret", namespace),
            ("Pod", namespace),
        ]


ODD_DAG = (
    "with DAG('odd', start_date=pendulum.datetime(2025, 1, 1), schedule=None):\n"
    "    def op(task_id, **kw):\n"
    "        DockerOperator(task_id=task_id, image=kw.pop('image', 'alpine'),\n"
    "                       mount_tmp_dir=False, **kw)\n"
    "    op('unterminated', command=\"echo 'unterminated\")\n"
    "    op('entry', entrypoint=\"sh -c 'x\")\n"
    "    op('hosts', extra_hosts=['h:1.2.3.4'])\n"
    "    op('cpus', cpus='0.5')\n"
    "    op('cpus_bad', cpus='lots')\n"
    "    op('env', environment=['A=1'])\n"
    "    op('name', container_name='!!!')\n"
    "    op('policy', storage_policy=42)\n"
    "    op('dns', dns='8.8.8.8')\n"
    "    op('image', image='')\n"
    "    op('ports', port_bindings={'http': 80})\n"
)


def test_odd_arguments_are_problems_of_their_tasks(cli: Cli, tmp_path: Path) -> None:
    write_dag(tmp_path, "odd.py", ODD_DAG)
    result = cli("render", "odd.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        'odd.py: task odd.unterminated: command: "echo \'unterminated": cannot be split into '
        "words as a shell would: No closing quotation fix: close the quote, or pass a list of "
        "words",
        'odd.py: task odd.entry: entrypoint: "sh -c \'x": cannot be split into words as a '
        "shell would: No closing quotation fix: close the quote, or pass a list of words",
        "odd.py: task odd.cpus_bad: cpus: 'lots': must be a number of CPUs, such as 0.5",
        "odd.py: task odd.name: container_name: '!!!': Docker container names match "
        "[a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least two characters); the pod name is derived from it",
        "odd.py: task odd.policy: storage_policy: 42: must be a dict, a StoragePolicy or the "
        "path of a YAML file, not int",
        "odd.py: task odd.image: image: '': an image name is required",
        "odd.py: task odd.ports: port_bindings: {'http': 80}: cannot be translated: ValueError: "
        "invalid literal for int() with base 10: 'http'",
    ]
    rendered = pods(result.stdout)
    assert list(rendered) == ["hosts", "cpus", "env", "dns"]
    spec = {task: pod["spec"] for task, pod in rendered.items()}
    assert spec["hosts"]["hostAliases"] == [{"hostnames": ["h"], "ip": "1.2.3.4"}]
    assert spec["cpus"]["containers"][0]["resources"] == {"requests": {"cpu": "0.5"}}
    assert spec["env"]["containers"][0]["env"] == [{"name": "A", "value": "1"}]
    assert spec["dns"]["dnsConfig"] == {"nameservers": ["8.8.8.8"]}


def test_an_xcom_value_is_a_stand_in_said_on_stderr(cli: Cli, tmp_path: Path) -> None:
    write_dag(
        tmp_path,
        "xc.py",
        "with DAG('xc', start_date=pendulum.datetime(2025, 1, 1), schedule=None):\n"
        "    DockerOperator(task_id='t', image='alpine', mount_tmp_dir=False,\n"
        "                   volumes=[\"{{ ti.xcom_pull(task_ids='up') }}:/x\"])\n",
    )
    result = cli("render", "xc.py", cwd=tmp_path)
    note = (
        "note: volumes: rendered offline with ti.xcom_pull(task_ids='up') giving None (or its "
        "default): that value exists only in a run, so what this renders here is a stand-in "
        "(a claim named 'none', a 'None' argument)"
    )
    assert result.returncode == 0
    assert result.stderr.splitlines() == [f"xc.py: task xc.t: {note}"]
    assert f"# {note}\n" in result.stdout


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
