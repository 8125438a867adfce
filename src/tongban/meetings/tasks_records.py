"""Background task of the records part (run by ``manage.py db_worker``): convert a stopped
recording's raw Janus streams into playable files. Enqueued by the video part when the chair stops
recording. Thin: ``records.convert`` does the work and is safe to run twice (a ready recording is
left alone; a failed one is converted again)."""

from __future__ import annotations

from django_tasks import task


@task()
def convert_recording(recording_id: int) -> str:
    from tongban.meetings import records
    from tongban.meetings.models import Recording

    recording = Recording.objects.filter(pk=recording_id).first()
    if recording is None:
        return "gone"
    result = records.convert(recording)
    return f"{result.status} files={result.files.count()}"
