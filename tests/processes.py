"""Real processes for tests: a Chroma server and Newsdesk services on loopback."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def newsdesk_environment(**settings: str) -> dict[str, str]:
    """This environment without any NEWSDESK_ variable, plus these."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return environment | settings


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 120) -> None:
    """Until `url` answers 200; fails with the process's log if it exits or takes too long."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up: {log.read_text()}")
        time.sleep(0.3)


class ChromaServer:
    """A real Chroma server (`chroma run`) on loopback that can be stopped and started again
    on the same port and data directory."""

    def __init__(self, data: Path, log: Path, *, port: int | None = None):
        self.data, self.log_path = data, log
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        chroma = Path(sys.executable).parent / "chroma"
        assert chroma.exists(), f"{chroma} missing: chromadb is installed with the project"
        with self.log_path.open("a") as log:
            self._process = subprocess.Popen(
                [
                    str(chroma),
                    "run",
                    "--path",
                    str(self.data),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until_up(f"{self.url}/api/v2/heartbeat", self._process, self.log_path)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None


class NewsdeskServer:
    """`newsdesk serve` in its own process, with these NEWSDESK_ settings."""

    def __init__(self, log: Path, **settings: str):
        self.log_path = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._settings = settings
        self._process: subprocess.Popen | None = None
        self.returncode: int | None = None
        """The process's exit code, once stopped."""

    def __enter__(self) -> "NewsdeskServer":
        environment = newsdesk_environment(NEWSDESK_PORT=str(self.port), **self._settings)
        with self.log_path.open("a") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=environment,
            )
        wait_until_up(f"{self.url}/health", self._process, self.log_path)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self.returncode = self._process.wait(timeout=30)


class HangingServer:
    """A TCP listener on loopback that accepts connections and never answers: a hung process
    or a stalled disk, as a client sees it."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept_forever, daemon=True).start()

    def _accept_forever(self) -> None:
        try:
            while True:
                connection, _ = self._listener.accept()
                self._held.append(connection)  # kept open, never read, never answered
        except OSError:  # closed
            return

    def close(self) -> None:
        self._listener.close()
        for connection in self._held:
            connection.close()


class Hook:
    """A webhook receiver on loopback that keeps what it is sent (and the raw body and headers
    in `requests`); it answers `status`, with `location` when given."""

    def __init__(self, status: int = 200, *, location: str | None = None):
        self.received: list[dict] = []
        self.requests: list[tuple[dict[str, str], bytes]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.received.append(json.loads(body))
                hook.requests.append((dict(self.headers), body))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/hook"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
