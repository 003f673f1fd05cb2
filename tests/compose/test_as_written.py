"""Problems and notes quote compose inputs as the file writes them: relative paths
before resolution (the resolved path beside), modes in octal, backslashes single,
credential mount options redacted."""

from __future__ import annotations

from pathlib import Path

from composecheck import Render


def test_relative_paths_are_quoted_as_written_with_the_resolved_path(
    render: Render, tmp_path: Path
) -> None:
    result = render(
        "services:\n"
        "  a:\n"
        "    image: x\n"
        "    volumes:\n"
        "      - ./data:/d\n"
        "      - type: bind\n"
        "        source: ./missing-dir\n"
        "        target: /m\n"
        "        bind: {propagation: rshared}\n"
        "    secrets: [s]\n"
        "secrets:\n"
        "  s: {file: ./nope.txt}\n"
    )
    assert [str(p).splitlines()[0] for p in result.problems] == [
        "services.a.secrets[0]: 's': secret 's': cannot read file './nope.txt' "
        f"({tmp_path / 'nope.txt'}): No such file or directory",
        f"services.a.volumes[0]: './data:/d' (resolved: '{tmp_path}/data:/d'): host path "
        f"'{tmp_path}/data' has no binds rule: Docker resolved it on the daemon's host, and a "
        "pod's node has no such directory",
        "services.a.volumes[1]: {type: bind, source: ./missing-dir, target: /m, bind: "
        f"{{propagation: rshared}}}} (resolved: source '{tmp_path}/missing-dir'): propagation "
        "'rshared' becomes mountPropagation Bidirectional, which Kubernetes allows only in "
        "privileged containers",
    ]


def test_modes_backslashes_and_merge_keys_are_quoted_as_written(render: Render) -> None:
    result = render(
        "x-base: &base\n"
        "  image: x\n"
        "  volumes:\n"
        "    - {type: npipe, source: \\\\.\\pipe\\docker_engine, target: /np}\n"
        "services:\n"
        "  a:\n"
        "    <<: *base\n"
        "    configs:\n"
        "      - {source: c, target: /etc/c, mode: 0440, bogus: 1}\n"
        "      - source: c\n"
        "        target: /etc/d\n"
        "        mode: 0440\n"
        "        uid: '7'\n"
        "configs:\n"
        "  c: {content: x}\n"
    )
    assert [str(p) for p in result.problems] == [
        "services.a.volumes[0]: {type: npipe, source: \\\\.\\pipe\\docker_engine, target: /np}: "
        "type 'npipe' is a Windows named pipe; a Linux pod has nothing to mount; the "
        "service's other mounts are kept",
        "services.a.configs[0]: {source: c, target: /etc/c, mode: 0440, bogus: 1}: config "
        "entry unknown keys ['bogus']",
    ]
    assert "services.a.configs[1] {source: c, target: /etc/d, mode: 0440, uid: '7'}: " in (
        "\n".join(result.notes)
    )


def test_credentials_stay_redacted_when_quoted_as_written(render: Render) -> None:
    result = render(
        "services:\n"
        "  a: {image: x, volumes: ['smb:/s', 'env:/e']}\n"
        "volumes:\n"
        "  smb:\n"
        "    driver_opts: {type: cifs, o: 'addr=h,password=pw1', device: //h/s}\n"
        "    bogus: 1\n"
        "  env:\n"
        "    driver_opts: {type: cifs, o: '${OPTS}', device: //h/e, password: pw2}\n"
        "    bogus: 2\n",
        environ={"OPTS": "addr=h,pass=pw3"},
    )
    messages = [str(p) for p in result.problems]
    assert messages[:2] == [
        "volumes.smb: {driver_opts: {type: cifs, o: 'addr=h,password=<redacted>', device: "
        "//h/s}, bogus: 1}: unknown volume keys ['bogus']",
        "volumes.env: {driver_opts: {type: cifs, o: '${OPTS}', device: //h/e, password: "
        "<redacted>}, bogus: 2} (interpolated: driver_opts.o 'addr=h,pass=<redacted>'): "
        "unknown volume keys ['bogus']",
    ]
    assert not any(pw in m for m in messages for pw in ("pw1", "pw2", "pw3"))
