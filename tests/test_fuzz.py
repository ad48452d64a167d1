"""Schemathesis against the service's own OpenAPI, over real HTTP: no input may cause a 5xx."""

import subprocess
import sys
from pathlib import Path

from service.api.app import create_app
from tests.test_page import serve

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def test_no_generated_request_gets_a_server_error(seeded, settings):
    assert SCHEMATHESIS.exists(), "schemathesis is a dev dependency: `make test` installs it"
    for url in serve(create_app(settings, components=seeded)):
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"{url}/openapi.json",
                "--checks",
                "not_a_server_error",
                "--max-examples",
                "30",
                "--seed",
                "20261123",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout[-4000:]
