"""The export center (issue #9): one job per export, under the stable id `export-<id>`, on
the `exports` queue; an hourly clean-up of expired files."""

from __future__ import annotations

from . import platform_job


@platform_job
def run_export(export_id: int) -> str:
    """Build the export's file and mark it done. Idempotent: a finished export is left alone;
    an unfinished one (a killed worker's, a failed try's) is built again from the start into
    a temporary file that replaces nothing until it is whole. Progress goes into the job's meta
    and the export's row. Errors are not swallowed: RQ records them and retries (Retry(max=2)),
    and the row says failed once the tries are spent."""
    from webapp.exports.services import build

    return build(export_id)


@platform_job
def cleanup_exports() -> dict[str, int]:
    """Hourly: delete the files of expired exports (their rows stay, marked expired), the
    temporary files of builds that died, and mark exports whose job was lost as failed."""
    from webapp.exports.services import cleanup

    return cleanup()
