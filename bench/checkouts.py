"""Running a benchmark's worker with another checkout's `service` package, to judge two
versions side by side in one run (`git worktree add /tmp/newsdesk-before <commit>`)."""

import json
import os
import subprocess
import sys
from pathlib import Path


def run_worker(script: str, tree: Path, arguments: dict) -> list[dict]:
    """`script --worker <arguments as JSON>` in a process of its own, with `tree`'s service
    package and no NEWSDESK_* settings; each JSON line it prints, in order."""
    environment = os.environ | {"PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
    environment = {k: v for k, v in environment.items() if not k.startswith("NEWSDESK_")}
    done = subprocess.run(
        [sys.executable, script, "--worker", json.dumps(arguments)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
