"""Start Prefect's temporary local server early, as Prefect itself would, but without importing Prefect.

With no ``PREFECT_API_URL``, Prefect starts a temporary server when the first flow runs: the
command first imports Prefect, then Prefect imports its whole server code just to launch it, and
only then does the server process begin its own start-up. :func:`start_temporary_server`
launches the same server process (uvicorn on ``prefect.server.api.server:create_app``, with the
same settings Prefect's ``SubprocessASGIServer`` passes) before anything imports Prefect, so the
server starts while the command imports its packages. This module imports no prefect.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

#: Environment variable holding the API URL of the temporary server this command started.
TEMPORARY_API_URL = "EVALCYCLE_TEMPORARY_API_URL"


@dataclass
class TemporaryServer:
    """A Prefect server process on 127.0.0.1, stopped at exit."""

    process: subprocess.Popen[bytes]
    api_url: str

    def wait_until_ready(self, timeout: float = 120.0) -> None:
        """Wait for the server's health check to answer; raise RuntimeError if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Prefect's temporary server stopped with exit code {self.process.returncode}.")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"Prefect's temporary server did not answer within {timeout:.0f} s.")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_temporary_server(env: MutableMapping[str, str] | None = None) -> TemporaryServer | None:
    """Launch the server and point ``PREFECT_API_URL`` at it; None if an API URL is already set.

    Call it before prefect is imported (Prefect reads ``PREFECT_API_URL`` when it loads its
    settings), then :meth:`TemporaryServer.wait_until_ready` before the first flow runs.
    """
    env = os.environ if env is None else env
    spec = importlib.util.find_spec("prefect")
    if env.get("PREFECT_API_URL") or spec is None or not spec.submodule_search_locations:
        return None
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(Path(next(iter(spec.submodule_search_locations))).parent),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]
    server_env = {**env, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    process = subprocess.Popen(command, env=server_env)
    server = TemporaryServer(process, f"http://127.0.0.1:{port}/api")
    atexit.register(server.stop)
    env["PREFECT_API_URL"] = server.api_url
    # Marks the URL as this command's own server, on the workspace's local database (see
    # flows.settings: the migrated database template is still made for it).
    env[TEMPORARY_API_URL] = server.api_url
    return server
