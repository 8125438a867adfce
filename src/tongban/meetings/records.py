"""Recordings of a meeting (会议录像): the conversion of Janus's raw ``.mjr`` streams into files a
browser plays, who may see them, the ranged file response that lets the player seek, and deletion.

Janus VideoRoom (1.1.x) writes one ``.mjr`` file per stream of each publisher into the room's
``rec_dir``: ``videoroom-<room>-user-<feed>-<timestamp>-audio-<mid>.mjr`` and ``...-video-<mid>.mjr``.
``convert`` groups them by publisher (feed and start time), runs ``janus-pp-rec`` on each stream
(VP8/VP9 → .webm, Opus → .opus) and, when ``ffmpeg`` is installed, muxes a site's picture and sound
into one .webm. Without ffmpeg the picture (.webm) and the sound (.opus) stay two files of the site.
Every outside program runs with a fixed argument list, no shell and a timeout.

A conversion is all or nothing: the outputs are written in a private temporary folder, checked,
then stored; if anything fails the stored files and their rows are removed again and the
recording is ``failed`` with the reason."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.meetings import access, events
from tongban.meetings.models import Attendee, Meeting, Recording, RecordingFile, RecordingStatus

logger = logging.getLogger(__name__)

JANUS_PP_REC = "janus-pp-rec"
FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
# Seconds one outside program may run on one stream; a meeting of several hours is a few hundred
# MB per site and janus-pp-rec/ffmpeg only copy packets (no re-encoding), so this is generous.
TOOL_TIMEOUT = 1800
MJR_RE = re.compile(
    r"^videoroom-(?P<room>[^/]+?)-user-(?P<feed>[^/-]+)-(?P<ts>\d+)-(?P<kind>audio|video|data)(?:-(?P<mid>\d+))?\.mjr$"
)
# Codecs janus-pp-rec writes, with the container we ask for and its MIME type.
VIDEO_OUT = {"vp8": ("webm", "video/webm"), "vp9": ("webm", "video/webm"), "h264": ("mp4", "video/mp4")}
AUDIO_OUT = {"opus": ("opus", "audio/ogg")}
EBML_MAGIC = b"\x1a\x45\xdf\xa3"


# --- who may see ------------------------------------------------------------------------------


def may_view(user: Any, meeting: Meeting) -> bool:
    """Recordings and minutes are for the meeting's attendees (invitees), its chair and those who
    manage it — not for a unit's 文书 who only confirmed who goes, nor for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return False
    return meeting.chair_id == user.pk or access.is_invitee(user, meeting) or access.can_manage(user, meeting)


def require_view(user: Any, meeting: Meeting) -> None:
    if not may_view(user, meeting):
        raise PermissionDenied(
            "meetings.records_not_invitee", _("会议录像和纪要只对参会人员和会务人员开放。")
        )


def recordings_of(meeting: Meeting) -> list[Recording]:
    return list(
        Recording.objects.filter(meeting=meeting)
        .select_related("started_by")
        .prefetch_related("files")
        .order_by("-started_at", "-id")
    )


def get_recording(meeting: Meeting, recording_id: Any) -> Recording:
    from tongban.core.errors import NotFound

    try:
        return Recording.objects.get(meeting=meeting, pk=int(recording_id))
    except (Recording.DoesNotExist, TypeError, ValueError):
        raise NotFound("meetings.recording_not_found", _("录像不存在。")) from None


def get_file(meeting: Meeting, file_id: Any) -> RecordingFile:
    from tongban.core.errors import NotFound

    try:
        return RecordingFile.objects.select_related("recording").get(
            recording__meeting=meeting, recording__status=RecordingStatus.READY, pk=int(file_id)
        )
    except (RecordingFile.DoesNotExist, TypeError, ValueError):
        raise NotFound("meetings.recording_not_found", _("录像不存在。")) from None


def ffmpeg_available() -> bool:
    return shutil.which(FFMPEG) is not None


# --- the .mjr files -----------------------------------------------------------------------------


@dataclass
class Stream:
    path: Path
    feed: str
    started: int  # Janus's timestamp in the file name (µs)
    kind: str  # audio | video | data
    mid: str
    codec: str = ""
    first_us: int = 0  # when the first packet was written (µs, from the .mjr header)


@dataclass
class Site:
    """The streams one publisher sent in one go (one join of the room)."""

    feed: str
    started: int
    streams: list[Stream] = field(default_factory=list)

    def first(self, kind: str) -> Stream | None:
        # Janus may write several streams of a kind (simulcast is one stream); take the biggest.
        found = [s for s in self.streams if s.kind == kind and s.codec]
        return max(found, key=lambda s: s.path.stat().st_size) if found else None


def mjr_header(path: Path) -> dict[str, Any]:
    """The JSON header of a .mjr file (``{"t": "v"|"a"|"d", "c": "vp8", "s": created µs,
    "u": first written µs}``), read directly from the file: "MJR00002", a 2-byte length, the JSON."""
    with path.open("rb") as fh:
        magic = fh.read(8)
        if not magic.startswith(b"MJR0000"):
            raise ValueError(f"not a Janus recording: {path.name}")
        (length,) = struct.unpack(">H", fh.read(2))
        data = json.loads(fh.read(length).decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"bad header: {path.name}")
    return data


def mjr_duration(path: Path) -> float:
    """Seconds from the first to the last packet: each packet is "MEET", a 4-byte time in ms since
    the recording started, a 2-byte length and the RTP packet."""
    last = 0
    with path.open("rb") as fh:
        fh.seek(8)
        (length,) = struct.unpack(">H", fh.read(2))
        fh.seek(length, 1)
        first: int | None = None
        while True:
            head = fh.read(10)
            if len(head) < 10 or head[:4] != b"MEET":
                break
            ts, size = struct.unpack(">IH", head[4:])
            if first is None:
                first = ts
            last = ts - first
            fh.seek(size, 1)
    return last / 1000.0


def find_sites(source_dir: Path) -> list[Site]:
    """The publishers in ``source_dir``, each with its streams (codec and start from the header).
    The audio and video files of one publish carry slightly different timestamps in their names;
    a feed that published again (a renegotiation) starts a new site when a kind repeats."""
    by_feed: dict[str, list[Stream]] = {}
    for path in sorted(source_dir.glob("*.mjr")):
        m = MJR_RE.match(path.name)
        if not m or m["kind"] == "data" or path.stat().st_size <= 10:
            continue
        stream = Stream(path=path, feed=m["feed"], started=int(m["ts"]), kind=m["kind"], mid=m["mid"] or "")
        try:
            header = mjr_header(path)
        except (OSError, ValueError, UnicodeDecodeError):
            logger.warning("meetings: unreadable recording %s", path)
            continue
        stream.codec = str(header.get("c") or "").lower()
        stream.first_us = int(header.get("u") or header.get("s") or 0)
        by_feed.setdefault(stream.feed, []).append(stream)
    sites: list[Site] = []
    for feed, streams in by_feed.items():
        current: Site | None = None
        for stream in sorted(streams, key=lambda s: (s.started, s.kind)):
            if current is None or any(s.kind == stream.kind for s in current.streams):
                current = Site(feed=feed, started=stream.started)
                sites.append(current)
            current.streams.append(stream)
    return sorted(sites, key=lambda s: (s.started, s.feed))


# --- outside programs ---------------------------------------------------------------------------


class ToolError(Exception):
    pass


def _run(argv: list[str], *, timeout: int = TOOL_TIMEOUT, with_stderr: bool = True) -> str:
    """Run ``argv`` (a fixed list, no shell); its output (stdout, then stderr unless
    ``with_stderr`` is false), or ToolError with the tail of stderr."""
    try:
        proc = subprocess.run(  # noqa: S603 — fixed argv, no shell
            argv, capture_output=True, text=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError as exc:
        raise ToolError(f"{argv[0]} is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"{argv[0]} did not finish in {timeout} s") from exc
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-5:]
        raise ToolError(f"{argv[0]} exit {proc.returncode}: {' | '.join(tail)}")
    return proc.stdout + (proc.stderr if with_stderr else "")


FRAMES_RE = re.compile(r"Counted (\d+) frame packets")


def _pp_rec(src: Path, dest: Path) -> Path:
    """janus-pp-rec ``src`` → ``dest``. It exits 0 even on a stream with no usable frame (it then
    writes a file no player opens), so its report is checked too: frames counted, a key frame."""
    report = _run([JANUS_PP_REC, "-o", "-d", "4", str(src), str(dest)])
    frames = [int(n) for n in FRAMES_RE.findall(report)]
    if not frames or max(frames) == 0:
        raise ToolError(f"janus-pp-rec found no media in {src.name}")
    if "No key frame" in report:
        raise ToolError(f"janus-pp-rec found no key frame in {src.name}")
    if not dest.exists() or dest.stat().st_size == 0:
        raise ToolError(f"janus-pp-rec wrote nothing for {src.name}")
    return dest


def _probe_duration(path: Path) -> float | None:
    if shutil.which(FFPROBE) is None:
        return None
    try:
        out = _run(
            [
                FFPROBE,
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "default=nw=1:nk=1",
                str(path),
            ],
            timeout=60,
            with_stderr=False,
        )
        return float(out.strip().splitlines()[0])
    except (ToolError, ValueError, IndexError):
        return None


def _mux(video: Path, audio: Path, offset_s: float, dest: Path) -> Path:
    """One .webm with the site's picture and sound (packets copied, not re-encoded); the stream
    that started later is shifted by ``offset_s`` (audio minus video start) to stay in sync."""
    argv = [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    if offset_s < 0:
        argv += ["-itsoffset", f"{-offset_s:.3f}"]
    argv += ["-i", str(video)]
    if offset_s > 0:
        argv += ["-itsoffset", f"{offset_s:.3f}"]
    argv += ["-i", str(audio), "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-f", "webm", str(dest)]
    _run(argv)
    if not dest.exists() or dest.stat().st_size == 0:
        raise ToolError("ffmpeg wrote nothing")
    return dest


# --- conversion ---------------------------------------------------------------------------------


@dataclass
class Output:
    path: Path
    label: str
    content_type: str
    duration: float
    attendee: Attendee | None
    name: str  # stored file name


def _site_label(attendee: Attendee | None, feed: str) -> str:
    if attendee is None:
        return _("会场 %(feed)s") % {"feed": feed}
    user = attendee.user
    name = getattr(user, "full_name", "") or user.get_username()
    place = attendee.venue.name if attendee.venue_id and attendee.venue else ""
    if not place and attendee.unit_id and attendee.unit:
        place = attendee.unit.short_name or attendee.unit.name
    if attendee.role == "terminal" and place:
        return place
    return f"{place} {name}".strip()


def _duration(path: Path, streams: list[Stream]) -> float:
    probed = _probe_duration(path)
    if probed and probed > 0:
        return round(probed, 3)
    best = 0.0
    for s in streams:
        try:
            best = max(best, mjr_duration(s.path))
        except (OSError, struct.error):
            continue
    return round(best, 3)


def _convert_site(site: Site, work: Path, label: str, attendee: Attendee | None, prefix: str) -> list[Output]:
    video = site.first("video")
    audio = site.first("audio")
    if video is not None and video.codec not in VIDEO_OUT:
        raise ToolError(f"unsupported video codec {video.codec}")
    if audio is not None and audio.codec not in AUDIO_OUT:
        audio = None  # G.711 and the like: no sound rather than no recording
    if video is None and audio is None:
        return []
    base = f"{prefix}-{site.feed}-{site.started}"
    outputs: list[Output] = []
    v_path = a_path = None
    if video is not None:
        ext, _ctype = VIDEO_OUT[video.codec]
        v_path = _pp_rec(video.path, work / f"{base}-video.{ext}")
    if audio is not None:
        a_path = _pp_rec(audio.path, work / f"{base}-audio.opus")
    if v_path is not None and a_path is not None and v_path.suffix == ".webm" and ffmpeg_available():
        offset = ((audio.first_us if audio else 0) - (video.first_us if video else 0)) / 1_000_000
        if abs(offset) > 30:  # headers from different clocks: do not shift by nonsense
            offset = 0.0
        muxed = _mux(v_path, a_path, offset, work / f"{base}.webm")
        streams = [s for s in (video, audio) if s is not None]
        outputs.append(
            Output(muxed, label, "video/webm", _duration(muxed, streams), attendee, f"{base}.webm")
        )
        return outputs
    if v_path is not None and video is not None:
        _ext, ctype = VIDEO_OUT[video.codec]
        v_label = label if a_path is None else _("%(site)s（画面）") % {"site": label}
        outputs.append(Output(v_path, v_label, ctype, _duration(v_path, [video]), attendee, v_path.name))
    if a_path is not None and audio is not None:
        a_label = label if v_path is None else _("%(site)s（声音）") % {"site": label}
        outputs.append(
            Output(a_path, a_label, "audio/ogg", _duration(a_path, [audio]), attendee, a_path.name)
        )
    return outputs


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _attendees_by_feed(meeting: Meeting) -> dict[str, Attendee]:
    rows = (
        Attendee.objects.filter(meeting=meeting, janus_feed__isnull=False)
        .select_related("user", "venue", "unit")
        .order_by("id")
    )
    return {str(a.janus_feed): a for a in rows}


def _store(recording: Recording, outputs: list[Output]) -> None:
    """Store every output and its row, or none: on any error the stored files are removed."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            for out in outputs:
                row = RecordingFile(
                    recording=recording,
                    attendee=out.attendee,
                    label=out.label[:200],
                    content_type=out.content_type,
                    size=out.path.stat().st_size,
                    duration_seconds=out.duration,
                    sha256=_sha256(out.path),
                )
                with out.path.open("rb") as fh:
                    row.file.save(out.name, File(fh), save=False)
                stored.append(str(row.file.name))
                row.save()
            recording.status = RecordingStatus.READY
            recording.error = ""
            recording.save(update_fields=["status", "error"])
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def convert(recording: Recording) -> Recording:
    """Convert the raw streams of ``recording`` into playable files (see the module's docstring).
    A recording already ``ready`` is left as it is; one still being recorded is refused."""
    recording = Recording.objects.select_related("meeting").get(pk=recording.pk)
    if recording.status == RecordingStatus.READY:
        return recording
    if recording.status == RecordingStatus.RECORDING:
        raise TongbanError("meetings.still_recording", _("录制尚未停止，不能转换。"))
    meeting = recording.meeting
    try:
        outputs_count, total = _convert_into(recording)
    except Exception as exc:
        reason = str(exc) or exc.__class__.__name__
        logger.warning("meetings: recording %s failed: %s", recording.pk, reason)
        with transaction.atomic():
            RecordingFile.objects.filter(recording=recording).delete()
            Recording.objects.filter(pk=recording.pk).update(
                status=RecordingStatus.FAILED, error=reason[:2000]
            )
            events.record(meeting, "recording_failed", recording_id=recording.pk, error=reason[:500])
            _notify_organiser(recording, ok=False)
        recording.refresh_from_db()
        return recording
    with transaction.atomic():
        events.record(
            meeting, "recording_ready", recording_id=recording.pk, files=outputs_count, seconds=total
        )
        _notify_organiser(recording, ok=True)
    recording.refresh_from_db()
    return recording


def _convert_into(recording: Recording) -> tuple[int, float]:
    source = Path(recording.source_dir or "")
    if not recording.source_dir or not source.is_dir():
        raise ToolError(_("找不到录制目录：%(dir)s") % {"dir": recording.source_dir or "-"})
    sites = find_sites(source)
    if not sites:
        raise ToolError(_("录制目录中没有可转换的音视频文件。"))
    by_feed = _attendees_by_feed(recording.meeting)
    prefix = f"m{recording.meeting_id}-r{recording.pk}"
    labels: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="tb-rec-") as tmp:
        work = Path(tmp)
        outputs: list[Output] = []
        for site in sites:
            attendee = by_feed.get(site.feed)
            label = _site_label(attendee, site.feed)
            labels[label] = labels.get(label, 0) + 1
            if labels[label] > 1:
                label = f"{label}（{labels[label]}）"
            outputs += _convert_site(site, work, label, attendee, prefix)
        if not outputs:
            raise ToolError(_("录制目录中没有可转换的音视频文件。"))
        for out in outputs:
            with out.path.open("rb") as fh:
                head = fh.read(4)
            if out.content_type == "video/webm" and head != EBML_MAGIC:
                raise ToolError(f"{out.name} is not a WebM file")
        _store(recording, outputs)
    return len(outputs), max(o.duration for o in outputs)


def _notify_organiser(recording: Recording, *, ok: bool) -> None:
    from tongban.notify.services import notify

    meeting = recording.meeting
    url = reverse("meetings_records:recordings", kwargs={"pk": meeting.pk})
    if ok:
        title = _("会议录像已可播放：%(title)s") % {"title": meeting.title}
        event = "meetings.recording_ready"
    else:
        title = _("会议录像转换失败：%(title)s") % {"title": meeting.title}
        event = "meetings.recording_failed"
    notify(
        users=[meeting.organiser],
        event=event,
        title=title,
        url=url,
        dedupe_key=f"recording:{recording.pk}:{'ready' if ok else 'failed'}",
    )


# --- deletion -----------------------------------------------------------------------------------


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def recording_delete(
    *, recording: Recording, actor: Any, reason: str, request: HttpRequest | None = None
) -> None:
    """Delete a recording with its files and raw streams (the organisers, with a reason)."""
    meeting = recording.meeting
    access.require_manage(actor, meeting)
    reason = (reason or "").strip()
    if not reason:
        raise TongbanError("meetings.reason_required", _("请填写删除原因。"), field="reason")
    if len(reason) > 200:
        raise TongbanError("meetings.reason_too_long", _("删除原因不能超过200个字。"), field="reason")
    with transaction.atomic():
        rec = Recording.objects.select_for_update().get(pk=recording.pk)
        if rec.status in (RecordingStatus.RECORDING, RecordingStatus.CONVERTING):
            raise TongbanError("meetings.recording_busy", _("录像正在录制或转换中，请稍后再删除。"))
        names = [str(f.file.name) for f in rec.files.all() if f.file]
        source = Path(rec.source_dir) if rec.source_dir else None
        events.record(
            meeting,
            "recording_deleted",
            actor=actor,
            recording_id=rec.pk,
            started_at=rec.started_at.isoformat(),
            reason=reason,
        )
        audit.record(
            "meetings.recording_deleted",
            actor=actor,
            request=request,
            obj=rec,
            old={"files": len(names), "status": rec.status},
            message=reason,
        )
        rec.delete()
        transaction.on_commit(lambda: _remove_files(names, source))


def _remove_files(names: list[str], source: Path | None) -> None:
    for name in names:
        default_storage.delete(name)
    root = Path(settings.TONGBAN_JANUS_RECORDINGS_DIR)
    if (
        source is not None
        and source.is_dir()
        and _inside(source, root)
        and source.resolve() != root.resolve()
    ):
        for mjr in source.glob("*.mjr"):
            mjr.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            source.rmdir()


# --- a file response that can seek ---------------------------------------------------------------

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _chunks(fh: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        fh.seek(start)
        left = length
        while left > 0:
            data = fh.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        fh.close()


def ranged_file_response(
    request: HttpRequest, fh: IO[bytes], *, size: int, content_type: str, filename: str
) -> HttpResponseBase:
    """The file ``fh`` (``size`` bytes) as a whole (200) or, for a single ``Range: bytes=a-b``, the
    part asked for (206 with Content-Range); an unsatisfiable range is 416. Several ranges in one
    request are answered with the whole file (allowed by RFC 9110)."""
    header = request.headers.get("Range", "").strip()
    common = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition_header(False, filename) or "inline",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=0",
    }
    m = RANGE_RE.match(header) if header else None
    if m and (m[1] or m[2]):
        if m[1]:
            start = int(m[1])
            end = min(int(m[2]), size - 1) if m[2] else size - 1
        else:  # the last N bytes
            start = max(size - int(m[2]), 0)
            end = size - 1
        if start >= size or end < start:
            fh.close()
            resp = HttpResponse(status=416)
            resp["Content-Range"] = f"bytes */{size}"
            resp["Accept-Ranges"] = "bytes"
            return resp
        length = end - start + 1
        part = StreamingHttpResponse(_chunks(fh, start, length), status=206, content_type=content_type)
        part["Content-Length"] = str(length)
        part["Content-Range"] = f"bytes {start}-{end}/{size}"
        for k, v in common.items():
            part[k] = v
        return part
    whole = FileResponse(fh, content_type=content_type)
    whole["Content-Length"] = str(size)
    for k, v in common.items():
        whole[k] = v
    return whole


def file_response(request: HttpRequest, rf: RecordingFile) -> HttpResponseBase:
    ext = Path(str(rf.file.name)).suffix
    safe = re.sub(r"[\\/:*?\"<>|\s]+", "_", rf.label).strip("_") or "recording"
    name = f"{rf.recording.meeting.title[:40]}-{safe}{ext}"
    try:
        fh = rf.file.open("rb")
    except (FileNotFoundError, OSError):
        from tongban.core.errors import NotFound

        raise NotFound("meetings.recording_missing", _("录像文件已不存在。")) from None
    size = rf.file.size
    return ranged_file_response(request, fh, size=size, content_type=rf.content_type, filename=name)
