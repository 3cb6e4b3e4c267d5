"""The empty job of bench.export_job: what RQ runs to measure RQ and the app context alone."""


def empty_job(job_id: int, seq: int = 0) -> str:
    """The export job's arguments, and nothing done."""
    return "empty"
