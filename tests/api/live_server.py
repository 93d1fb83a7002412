"""A real `fakescope serve` process for tests: started on a free port, stopped, or killed like a crash.

Its own session (process group), so SIGKILL takes the supervisor and every worker process down together.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from fakescope.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """A `fakescope serve` subprocess over one workspace and database (its default number of workers)."""

    settings: Settings
    log: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)
    workers: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> LiveServer:
        self.port = free_port()
        self.env = {
            **os.environ,
            "FAKESCOPE_WORKSPACE": str(self.settings.workspace),
            "FAKESCOPE_DATABASE_URL": self.settings.resolved_database_url,
        }
        command = [sys.executable, "-m", "fakescope", "serve", "--port", str(self.port)]
        if self.workers is not None:
            command += ["--workers", str(self.workers)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.process.returncode}: {self.log.read_text()[-2000:]}"
                )
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not answer /health in {timeout}s: {self.log.read_text()[-2000:]}")

    def pids(self) -> list[int]:
        """The server's processes: the one started and, with several workers, each worker under it."""
        assert self.process is not None
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                todo += [int(child) for child in task.read_text().split()]
        return found

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes (spawned by multiprocessing; its resource tracker is not one)."""
        return [pid for pid in self.pids()[1:] if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]

    def kill(self) -> None:
        """SIGKILL to every process of the server at once: no cleanup runs, as in a crash."""
        assert self.process is not None
        workers = self.pids()[1:]
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        # The workers die on their own clock; a crash is over once none of them runs any more.
        deadline = time.monotonic() + 10
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self) -> None:
        """SIGTERM (uvicorn stops its workers), then SIGKILL for anything of the server still running."""
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.pids()[1:]
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
        for pid in workers:  # only those still in the server's process group: a reused pid is left alone
            try:
                if os.getpgid(pid) == self.process.pid:
                    os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a `fakescope` command on the same workspace and database."""
        return subprocess.run(
            [sys.executable, "-m", "fakescope", *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )


def _running(pid: int) -> bool:
    """Whether a process still runs (a zombie, dead but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")
