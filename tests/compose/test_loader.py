"""Loading a compose file: interpolation, `.env`, relative paths, env_file, configs and secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from composecheck import Render, mount_at, objects_of, pod

from k8s_volume_ops.compose import load_compose
from k8s_volume_ops.compose.interpolate import Interpolator
from k8s_volume_ops.errors import SpecError

ENV = {"TAG": "1.2", "EMPTY": "", "DIR": "/srv/app"}
INTERPOLATION = [
    ("plain", "plain"),
    ("$TAG", "1.2"),
    ("${TAG}", "1.2"),
    ("img:${TAG}-slim", "img:1.2-slim"),
    ("${MISSING}", ""),
    ("${MISSING:-dflt}", "dflt"),
    ("${MISSING-dflt}", "dflt"),
    ("${EMPTY:-dflt}", "dflt"),
    ("${EMPTY-dflt}", ""),
    ("${TAG:+alt}", "alt"),
    ("${EMPTY:+alt}", ""),
    ("${EMPTY+alt}", "alt"),
    ("${MISSING+alt}", ""),
    ("${MISSING:-${DIR}/data}", "/srv/app/data"),
    ("${MISSING:-${ALSO:-deep}}", "deep"),
    ("$$HOME", "$HOME"),
    ("cost: $$5", "cost: $5"),
    ("${TAG:?needed}", "1.2"),
]


@pytest.mark.parametrize(("text", "expected"), INTERPOLATION, ids=[t for t, _ in INTERPOLATION])
def test_interpolation(text: str, expected: str) -> None:
    assert Interpolator(ENV).text(text, "o") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${MISSING:?set MISSING first}", "required variable MISSING is missing a value: set"),
        ("${EMPTY:?}", "required variable EMPTY is missing a value: is not set"),
        ("${MISSING?gone}", "required variable MISSING is missing a value: gone"),
        ("${TAG", "never closed"),
        ("${1BAD}", "invalid interpolation"),
        ("${TAG:x}", "invalid interpolation"),
        ("price $5", r"write \$\$ for a literal"),
    ],
)
def test_interpolation_errors(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        Interpolator(ENV).text(text, "services.a.image")


def test_unset_variables_are_reported() -> None:
    interpolator = Interpolator({})
    assert interpolator.document({"a": ["${X}", "$Y"], "b": 1}, "") == {"a": ["", ""], "b": 1}
    assert interpolator.unset == {"X", "Y"}
    assert interpolator.written == {"a[0]": ("${X}", ""), "a[1]": ("$Y", "")}
    assert interpolator.unset_notes() == [
        "The X variable is not set. Defaulting to a blank string. (used in a[0])",
        "The Y variable is not set. Defaulting to a blank string. (used in a[1])",
    ]


def test_problems_quote_the_file_as_written(render: Render) -> None:
    result = render(
        {
            "services": {
                "app": {
                    "image": "x",
                    "volumes": [
                        "${UNSET_VAR}:/u",
                        {"type": "bind", "source": "${UNSET_VAR}", "target": "/b"},
                        "$$weird:/w",
                    ],
                    "user": "${APP_USER:-app}",
                }
            }
        }
    )
    messages = [str(p) for p in result.problems]
    assert messages[0].startswith(
        "services.app.volumes[0]: '${UNSET_VAR}:/u' (interpolated: ':/u'): invalid volume"
    )
    assert messages[1] == (
        "services.app.volumes[1]: {source: ${UNSET_VAR}, target: /b, type: bind} "
        "(interpolated: source ''): a bind mount needs a source path"
    )
    assert messages[2].startswith(
        "services.app.volumes[2]: '$$weird:/w' (interpolated: '$weird:/w')"
    )
    assert messages[3].startswith("services.app.user: '${APP_USER:-app}' (interpolated: 'app')")
    assert result.notes[0] == (
        "The UNSET_VAR variable is not set. Defaulting to a blank string. (used in "
        "services.app.volumes[0], services.app.volumes[1].source)"
    )


def test_problems_without_interpolation_are_unchanged(render: Render) -> None:
    result = render(
        {"services": {"app": {"image": "${IMG}", "user": "nobody"}}}, environ={"IMG": "x"}
    )
    assert [str(p).split(": ")[1] for p in result.problems] == ["'nobody'"]


def test_env_file_and_shell_interpolate_the_whole_file(render: Render) -> None:
    result = render(
        "services:\n  app:\n    image: app:${TAG}\n    volumes: ['${VOL:-data}:/d']\n"
        "    environment: {HOME_DIR: '$${HOME}'}\nvolumes:\n  data: {}\n  other: {}\n",
        files={".env": "TAG=from-dotenv\nVOL=other\n"},
        environ={"TAG": "from-shell"},
    )
    container = pod(result, "app")["spec"]["containers"][0]
    assert container["image"] == "app:from-shell"  # the shell wins over .env
    assert container["env"] == [{"name": "HOME_DIR", "value": "${HOME}"}]
    assert mount_at(result, "app", "/d")[1]["persistentVolumeClaim"]["claimName"] == "other"


def test_required_variable_stops_the_load(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  a:\n    image: ${IMAGE:?set IMAGE}\n")
    with pytest.raises(SpecError, match=r"services.a.image.*set IMAGE"):
        load_compose(compose, environ={})


@pytest.mark.parametrize(
    ("text", "message"),
    [("services: [\n", "not valid YAML"), ("volumes: {}\n", "needs a `services:` mapping")],
)
def test_unloadable_files(tmp_path: Path, text: str, message: str) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text(text)
    with pytest.raises(SpecError, match=message):
        load_compose(compose, environ={})


def test_relative_binds_resolve_against_the_compose_folder(tmp_path: Path, render: Render) -> None:
    policy = {"binds": [{"source": str(tmp_path), "claim": "project"}]}
    result = render(
        {
            "services": {
                "a": {
                    "image": "x",
                    "volumes": [
                        "./data:/data",
                        ".:/code:ro",
                        "../" + tmp_path.name + "/sub/../logs:/logs",
                        {"type": "bind", "source": "conf", "target": "/conf"},
                    ],
                }
            }
        },
        policy,
    )
    expected = {"/data": "data", "/code": None, "/logs": "logs", "/conf": "conf"}
    for target, sub_path in expected.items():
        mount, volume = mount_at(result, "a", target)
        assert volume["persistentVolumeClaim"]["claimName"] == "project"
        assert mount.get("subPath") == sub_path
    assert mount_at(result, "a", "/code")[0]["readOnly"] is True


def test_home_relative_binds(tmp_path: Path, render: Render) -> None:
    home = tmp_path / "home"
    policy = {"binds": [{"source": str(home), "claim": "homes"}]}
    result = render(
        {"services": {"a": {"image": "x", "volumes": ["~/cache:/c"]}}},
        policy,
        environ={"HOME": str(home)},
    )
    assert mount_at(result, "a", "/c")[0]["subPath"] == "cache"


def test_env_file_is_merged_under_environment(render: Render) -> None:
    result = render(
        {
            "services": {
                "a": {
                    "image": "x",
                    "env_file": ["app.env", {"path": "opt.env", "required": False}],
                    "environment": ["B=service", "FROM_SHELL"],
                }
            }
        },
        files={"app.env": "A=file\nB=file\n"},
        environ={"FROM_SHELL": "shell"},
    )
    env = pod(result, "a")["spec"]["containers"][0]["env"]
    assert env == [
        {"name": "A", "value": "file"},
        {"name": "B", "value": "service"},
        {"name": "FROM_SHELL", "value": "shell"},
    ]


def test_missing_env_file_is_a_problem(render: Render, tmp_path: Path) -> None:
    """Quoted as written, with the path it was looked for at."""
    result = render(
        {"services": {"a": {"image": "x", "env_file": ["./ok.env", "nope.env"]}}},
        files={"ok.env": "A=1\n"},
    )
    assert [str(p) for p in result.problems] == [
        f"services.a.env_file[1]: 'nope.env': env_file '{tmp_path / 'nope.env'}' not found"
    ]
    assert pod(result, "a")


def test_config_and_secret_sources(render: Render) -> None:
    result = render(
        {
            "services": {
                "a": {
                    "image": "x",
                    "configs": ["from_file", "inline", "from_env"],
                    "secrets": ["token", {"source": "token", "target": "/etc/Token"}],
                }
            },
            "configs": {
                "from_file": {"file": "./conf/app.ini"},
                "inline": {"content": "k=$${V}"},
                "from_env": {"environment": "CONF"},
            },
            "secrets": {"token": {"file": "token.txt"}},
        },
        files={"conf/app.ini": "[app]\n", "token.txt": "s3cret"},
        environ={"CONF": "from-env"},
    )
    config_maps = objects_of(result, "ConfigMap")
    assert config_maps["config-from-file"]["data"] == {"from_file": "[app]\n"}
    assert config_maps["config-inline"]["data"] == {"inline": "k=${V}"}
    assert config_maps["config-from-env"]["data"] == {"from_env": "from-env"}
    secret = objects_of(result, "Secret")["secret-token"]
    assert secret["data"] == {"token": "czNjcmV0"}
    for target in ("/from_file", "/inline", "/from_env", "/run/secrets/token", "/etc/Token"):
        mount, _ = mount_at(result, "a", target)
        assert mount["readOnly"] is True and mount["subPath"] in (
            "from_file",
            "inline",
            "from_env",
            "token",
        )
    assert not result.problems


def test_unreadable_sources_name_the_mount(render: Render) -> None:
    result = render(
        {
            "services": {"a": {"image": "x", "secrets": ["gone", "unset"], "volumes": ["/d"]}},
            "secrets": {"gone": {"file": "./missing.txt"}, "unset": {"environment": "NOPE"}},
        }
    )
    messages = [str(p) for p in result.problems]
    assert any("services.a.secrets[0]" in m and "missing.txt" in m for m in messages)
    assert any("services.a.secrets[1]" in m and "NOPE is not set" in m for m in messages)
    assert mount_at(result, "a", "/d")  # the other mounts are still there


def test_dotenv_values_interpolate_earlier_ones_and_the_shell(render: Render) -> None:
    result = render(
        {"services": {"a": {"image": "${REGISTRY}/app:${TAG}"}}},
        files={".env": "BASE=reg.example\nREGISTRY=${BASE}:5000\nTAG=${SHELL_TAG:-dev}\n"},
        environ={"SHELL_TAG": "v3"},
    )
    assert pod(result, "a")["spec"]["containers"][0]["image"] == "reg.example:5000/app:v3"


def test_oversized_secret_is_refused_by_name(render: Render) -> None:
    result = render(
        {"services": {"a": {"image": "x", "secrets": ["big"]}}, "secrets": {"big": {"file": "b"}}},
        files={"b": b"x" * (1024 * 1024 + 1)},
    )
    assert "services.a.secrets[0]" in str(result.problems[0])
    assert "larger than the 1 MiB a secret can hold" in str(result.problems[0])
