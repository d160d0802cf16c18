"""A throwaway PostgreSQL server for the tests: initdb and pg_ctl on a temporary
directory, a free loopback port, password authentication (scram-sha-256).

The binaries are found on PATH, then in /usr/lib/postgresql/*/bin (Debian's
``postgresql`` package). PostgreSQL refuses to run as root: then the server
runs as the ``postgres`` user (or ``nobody``) through ``runuser``."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "ts"
PASSWORD = "s3cret-Pa55"


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(folder, "initdb"), os.X_OK):
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    folder: Path
    bin: Path
    port: int
    run_as: list[str]

    def url(
        self, password: str = PASSWORD, database: str = "postgres", host: str = "127.0.0.1"
    ) -> str:
        return f"postgresql+psycopg://{USER}:{password}@{host}:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.run_as,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Server:
    """Start a server; raise RuntimeError saying why it could not."""
    folder_bin = binaries()
    if folder_bin is None:
        raise FileNotFoundError("no PostgreSQL server binaries (initdb, pg_ctl)")
    folder = Path(tempfile.mkdtemp(prefix="targetsplit-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        who = "postgres"
        try:
            pwd.getpwnam(who)
        except KeyError:
            who = "nobody"
        entry = pwd.getpwnam(who)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        run_as = ["runuser", "-u", who, "--"]
    os.chmod(folder, 0o700)
    pwfile = folder / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if run_as:
        os.chown(pwfile, os.stat(folder).st_uid, os.stat(folder).st_gid)
    data = folder / "data"
    init = subprocess.run(
        [
            *run_as,
            str(folder_bin / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr.strip()[-500:]}")
    port = _free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = subprocess.run(
        [
            *run_as,
            str(folder_bin / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        log = (folder / "log").read_text() if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start failed: {started.stderr.strip()[-300:]} {log[-300:]}")
    return Server(folder, folder_bin, port, run_as)
