"""`liaison worker --queues rollups --burst`, with the rollup job made to stop at a chosen point
so that a test can kill it there (tests/jobs/test_rollup_worker_killed.py).

    python killable_worker.py MODE MARKER

MODE `computed`: the figures are computed, nothing is written yet.
MODE `in_transaction`: the UPSERT into rollups has run and its transaction is still open.

At that point the work horse writes MARKER (JSON: its pid and its database backend's pid) and
waits to be killed; it never goes on.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

HOLD = 60  # seconds; the test kills the process long before


def _stop_here(marker: Path, backend_pid: int) -> None:
    partial = marker.with_suffix(".part")
    partial.write_text(json.dumps({"pid": os.getpid(), "backend_pid": backend_pid}))
    partial.rename(marker)
    time.sleep(HOLD)
    os._exit(3)  # not killed: the test has failed already; never let the job finish


def main(mode: str, marker: Path) -> None:
    if mode == "computed":
        import webapp.committees.rollups as rollups
        from webapp.extensions import db

        compute = rollups.compute_figures

        def compute_then_stop(*args, **kwargs):
            figures = compute(*args, **kwargs)
            _stop_here(marker, db.session.connection().connection.dbapi_connection.info.backend_pid)
            return figures

        rollups.compute_figures = compute_then_stop
    elif mode == "in_transaction":
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        upsert = re.compile(r"\s*INSERT INTO (\w+\.)?rollups\b", re.IGNORECASE)

        @event.listens_for(Engine, "after_cursor_execute")
        def stop_before_commit(conn, cursor, statement, parameters, context, executemany):
            if upsert.match(statement):
                assert conn.in_transaction()
                _stop_here(marker, cursor.connection.info.backend_pid)
    else:
        raise SystemExit(f"unknown mode {mode}")

    from webapp.cli import main as liaison

    liaison(["worker", "--queues", "rollups", "--burst"], prog_name="liaison")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
