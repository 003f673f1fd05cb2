"""Top-level `include:` (compose spec 14-include.md) and unknown top-level keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from composecheck import Render, mount_at, objects_of, pod

from k8s_volume_ops.compose import load_compose
from k8s_volume_ops.errors import ConflictError, SpecError, UnsupportedError

POLICY = {"binds": [{"source": "/", "claim": "host"}]}


def test_short_form_merges_the_included_project(render: Render, tmp_path: Path) -> None:
    result = render(
        "include: [sub/other.yaml]\nservices:\n  main: {image: alpine}\n",
        POLICY,
        files={
            "sub/other.yaml": "services:\n"
            "  inc:\n"
            "    image: busybox\n"
            "    volumes: ['incvol:/iv', './data:/d', {type: image, source: a, target: /i}]\n"
            "volumes:\n"
            "  incvol: {}\n"
        },
    )
    assert [p["metadata"]["name"] for p in result.objects if p["kind"] == "Pod"] == ["main", "inc"]
    assert sorted(objects_of(result, "PersistentVolumeClaim")) == ["host", "incvol"]
    # the included file's relative paths resolve against its own folder
    assert mount_at(result, "inc", "/d")[0]["subPath"] == str(tmp_path / "sub/data")[1:]
    # problems name the included file; the service's pod is left out
    assert [str(p) for p in result.problems] == [
        "services.inc.volumes[2] (in sub/other.yaml): {type: image, source: a, target: /i}: "
        "type 'image' mounts an OCI image's files; the pod `image` volume source needs the "
        "ImageVolume feature gate, so it is not emitted; the service's other mounts are kept"
    ]
    assert result.without_problem_pods()[1] == ["inc"]


def test_long_form_project_directory_and_env_file(render: Render, tmp_path: Path) -> None:
    result = render(
        "include:\n"
        "  - path: ../lib/compose.yaml\n"
        "    project_directory: ../proj\n"
        "    env_file: [../lib/lib.env]\n",
        POLICY,
        files={
            "../lib/compose.yaml": "services:\n"
            "  web:\n"
            "    image: web:${TAG}\n"
            "    environment: [FROM_FILE, KEPT]\n"
            "    volumes: ['./site:/site']\n",
            "../lib/lib.env": "TAG=from-env-file\nFROM_FILE=f\nKEPT=env-file\n",
            "../lib/.env": "TAG=not-read\n",
        },
        environ={"KEPT": "shell"},
    )
    assert result.problems == []
    container = pod(result, "web")["spec"]["containers"][0]
    assert container["image"] == "web:from-env-file"
    # the including file's variables win over the included env_file
    assert container["env"] == [
        {"name": "FROM_FILE", "value": "f"},
        {"name": "KEPT", "value": "shell"},
    ]
    site = str((tmp_path / "../proj/site").resolve())
    assert mount_at(result, "web", "/site")[0]["subPath"] == site[1:]


def test_default_env_file_is_the_included_projects_dotenv(render: Render) -> None:
    result = render(
        "include: [lib/c.yaml]\n",
        files={"lib/c.yaml": "services:\n  w: {image: 'w:${TAG}'}\n", "lib/.env": "TAG=2\n"},
    )
    assert pod(result, "w")["spec"]["containers"][0]["image"] == "w:2"


def test_includes_nest_and_identical_definitions_agree(render: Render) -> None:
    shared = "volumes:\n  data: {}\n"
    result = render(
        "include: [a/a.yaml, b.yaml]\nservices:\n  top: {image: x, volumes: ['data:/d']}\n"
        + shared,
        files={
            "a/a.yaml": "include: [../c.yaml]\nservices:\n  a: {image: x}\n" + shared,
            "b.yaml": "services:\n  b: {image: x}\n",
            "c.yaml": "services:\n  c: {image: x, bogus: 1}\nbogus_top: 1\nx-ext: 1\n",
        },
    )
    assert [p["metadata"]["name"] for p in result.objects if p["kind"] == "Pod"] == [
        "top",
        "a",
        "c",
        "b",
    ]
    assert "c.yaml: bogus_top: not a top-level compose key k8s-volume-ops knows; ignored" in (
        result.notes
    )
    assert (
        "services.c.bogus (in c.yaml): not a compose service key k8s-volume-ops knows; ignored"
        in result.notes
    )


def test_resources_defined_differently_are_a_conflict(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text(
        "services:\n  web: {image: other}\nvolumes:\n  data: {driver: nfs}\n  new: {}\n"
    )
    compose = tmp_path / "compose.yaml"
    compose.write_text(
        "include: [other.yaml]\nservices:\n  web: {image: mine}\nvolumes:\n  data: {}\n"
    )
    with pytest.raises(ConflictError) as info:
        load_compose(compose, environ={})
    assert str(info.value) == (
        "include[0]: 'other.yaml': the included file defines service 'web', volume 'data' "
        "differently from the file that includes it; docker compose refuses that\n"
        "  fix: define each of them in one file only"
    )


def test_include_cycles_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("include: [b.yaml]\nservices: {}\n")
    (tmp_path / "b.yaml").write_text("include: [compose.yaml]\n")
    compose = tmp_path / "compose.yaml"
    compose.write_text("include: [a.yaml]\nservices:\n  s: {image: x}\n")
    with pytest.raises(SpecError) as info:
        load_compose(compose, environ={})
    assert str(info.value) == (
        "include[0] (a.yaml) include[0] (b.yaml) include[0]: 'compose.yaml': include cycle: "
        "compose.yaml -> a.yaml -> b.yaml -> compose.yaml"
    )


@pytest.mark.parametrize(
    ("entry", "error", "message"),
    [
        (
            "{path: [a.yaml, b.yaml]}",
            UnsupportedError,
            "include[0]: {path: [a.yaml, b.yaml]}: include path lists 2 files, which "
            "docker compose merges as overrides of each other; that merge is not implemented\n"
            "  fix: include one file per entry, or merge the files into one",
        ),
        (
            "{path: a.yaml, required: false}",
            SpecError,
            "include[0]: {path: a.yaml, required: false}: unknown include keys ['required']",
        ),
        (
            "oci://docker.io/x/y:1",
            UnsupportedError,
            "include[0]: 'oci://docker.io/x/y:1': remote includes are not fetched\n"
            "  fix: include a local copy",
        ),
        (
            "{path: a.yaml, env_file: nope.env}",
            SpecError,
            "include[0]: 'a.yaml': include env_file {dir}/nope.env not found",
        ),
        (
            "missing.yaml",
            SpecError,
            "include[0]: 'missing.yaml': cannot load the included compose file "
            "{dir}/missing.yaml: No such file or directory",
        ),
    ],
)
def test_include_entries_that_are_refused(
    tmp_path: Path, entry: str, error: type[Exception], message: str
) -> None:
    (tmp_path / "a.yaml").write_text("services:\n  a: {image: x}\n")
    compose = tmp_path / "compose.yaml"
    compose.write_text(f"include:\n  - {entry}\nservices:\n  s: {{image: x}}\n")
    with pytest.raises(error) as info:
        load_compose(compose, environ={})
    assert str(info.value) == message.replace("{dir}", str(tmp_path))


def test_errors_inside_an_included_file_name_it(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("services:\n  a: {image: '${IMG:?set IMG}'}\n")
    compose = tmp_path / "compose.yaml"
    compose.write_text("include: [a.yaml]\n")
    with pytest.raises(SpecError) as info:
        load_compose(compose, environ={})
    assert str(info.value) == (
        "include[0] (a.yaml) services.a.image: '${IMG:?set IMG}': required variable IMG is "
        "missing a value: set IMG"
    )


def test_unknown_top_level_keys_are_noted(render: Render) -> None:
    result = render(
        "version: '3'\nname: p\nnetworks: {n: {}}\nbogus_top: 1\nx-ext: {a: 1}\n"
        "services:\n  main: {image: alpine}\n"
    )
    assert result.notes == ["bogus_top: not a top-level compose key k8s-volume-ops knows; ignored"]
