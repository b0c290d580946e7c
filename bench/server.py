"""A gunicorn server for the benchmarks that measure over real HTTP (no Django imports here:
`python -m bench --only pages` starts one before any settings are loaded)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the app with `env` (settings module, database, keys), on a free local port.

    Its output goes to a log file under the run's VAR_DIR (a pipe nobody reads would fill and stall
    the workers); the log's end is printed when the run fails, and the file is kept then.
    """

    def __init__(self, env: dict[str, str], workers: int = 2):
        self.port = _free_port()
        var_dir = Path(env.get("VAR_DIR") or BASE_DIR / "var")
        var_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = var_dir / f"bench-gunicorn-{self.port}.log"
        self.keep_log = False
        with self.log_path.open("wb") as log:  # the child keeps its own copy of the file descriptor
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "sts_checkin.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(workers),
                    "--backlog",
                    "2048",
                    "--log-level",
                    "warning",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn did not start ({self.log_path}):\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start within 30 s ({self.log_path}):\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        """The last `chars` characters of the server's output."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(max(0, log.seek(0, 2) - chars))
                return log.read().decode(errors="replace")
        except OSError:
            return ""

    def show_log(self, log=print) -> None:
        """Print where the server's output is and its end (after a failed run); the file is kept."""
        self.keep_log = True
        log(f"gunicorn's output, the end of {self.log_path}:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.stop()
        if exc_type is not None and not issubclass(exc_type, (KeyboardInterrupt, SystemExit)):
            self.show_log(lambda text: print(text, file=sys.stderr))
        if not self.keep_log:
            self.log_path.unlink(missing_ok=True)
