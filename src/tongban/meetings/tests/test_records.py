"""会议录像: conversion of REAL Janus recordings (a headless Chromium with a fake camera publishes
into a recorded room on a real Janus; browser-marked), the all-or-nothing failure path, the ranged
file response the player seeks with (206 and the right bytes), deletion, and the authorization
matrix of the recordings page, its files and the API."""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.meetings import records
from tongban.meetings.models import (
    Attendee,
    MeetingEvent,
    Recording,
    RecordingFile,
    RecordingStatus,
)
from tongban.meetings.tasks_records import convert_recording
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting
from tongban.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


@pytest.fixture
def meeting(w: MeetingsWorld) -> Any:
    return make_meeting(w, confirm={"scj": ("scj_head",)})


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TONGBAN_JANUS_RECORDINGS_DIR = tmp_path / "janus-rec"


def _client(w: MeetingsWorld, key: str) -> Client:
    c = Client()
    c.force_login(w.users[key])
    return c


def _recording(
    meeting: Any, w: MeetingsWorld, source: Path | str = "", status: str = "converting"
) -> Recording:
    return Recording.objects.create(
        meeting=meeting,
        started_by=w.users["organiser"],
        started_at=timezone.now(),
        stopped_at=timezone.now(),
        status=status,
        source_dir=str(source),
    )


def _stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- a real recording from Janus ---------------------------------------------------------------------


@dataclass
class RealRecording:
    dir: Path
    feed: int
    names: list[str]


@pytest.fixture(scope="session")
def real_mjr(browser: Any, janus_media: Any, tmp_path_factory: pytest.TempPathFactory) -> RealRecording:
    """One Chromium page publishes fake camera + microphone for ~3 s into a room created with
    ``record: true``; Janus writes the .mjr files, copied here to a directory of their own.
    The Chromium with fake media is launched from the session's Playwright (the root ``browser``
    fixture's): two sync Playwright instances cannot live in one test process."""
    from tongban.meetings.janus_testing import (
        CHROMIUM_MEDIA_ARGS,
        make_token,
        serve_test_page,
        videoroom_request,
    )
    from tongban.meetings.tests.conftest import CHROMIUM

    inst = janus_media
    rec_dir = tmp_path_factory.mktemp("janus-rec-raw")
    rec_dir.chmod(0o777)
    room = 7300 + int(time.time()) % 1000
    created = videoroom_request(
        inst,
        {
            "request": "create",
            "room": room,
            "admin_key": inst.room_admin_key,
            "publishers": 4,
            "bitrate": 256_000,
            "record": True,
            "rec_dir": str(rec_dir),
            "permanent": False,
        },
    )
    assert created.get("videoroom") == "created", created
    feed = 0
    with serve_test_page() as base:
        query = {"server": inst.public_url, "room": room, "name": "1|录像测试", "sub": "0"}
        query["token"] = make_token(inst.token_secret)
        media_browser = browser.browser_type.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_MEDIA_ARGS
        )
        context = media_browser.new_context()
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            page.goto(f"{base}/index.html?{urllib.parse.urlencode(query)}")
            page.wait_for_function("window.tb && window.tb.status === 'publishing'")
            feed = int(page.evaluate("window.tb.myFeed"))
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:  # ~3 s of encoded video
                stats = page.evaluate("window.tb.sentStats()")
                if stats and stats.get("framesSent", 0) > 45:
                    break
                time.sleep(0.5)
            time.sleep(3)
            page.evaluate("window.tb.close()")
        finally:
            context.close()
            media_browser.close()
    videoroom_request(inst, {"request": "destroy", "room": room, "admin_key": inst.room_admin_key})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(list(rec_dir.glob("*.mjr"))) < 2:
        time.sleep(0.3)
    time.sleep(0.5)
    out = tmp_path_factory.mktemp("janus-rec")
    for f in rec_dir.glob("*.mjr"):
        shutil.copy(f, out / f.name)
    names = sorted(p.name for p in out.glob("*.mjr"))
    assert names, f"Janus wrote no .mjr files; log:\n{inst.log_tail()}"
    return RealRecording(dir=out, feed=feed, names=names)


def _copy(real: RealRecording, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in real.names:
        shutil.copy(real.dir / name, dest / name)
    return dest


def _duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.strip())


@pytest.mark.browser
def test_convert_real_recording(
    real_mjr: RealRecording, w: MeetingsWorld, meeting: Any, settings: Any
) -> None:
    # Janus 1.1.x names: videoroom-<room>-user-<feed>-<ts>-audio-<mid>.mjr / -video-<mid>.mjr
    kinds = {records.MJR_RE.match(n)["kind"] for n in real_mjr.names if records.MJR_RE.match(n)}  # type: ignore[index]
    assert {"audio", "video"} <= kinds, real_mjr.names
    assert all(f"-user-{real_mjr.feed}-" in n for n in real_mjr.names)
    chair = Attendee.objects.get(meeting=meeting, user=w.users["deputy"])
    chair.janus_feed = real_mjr.feed
    chair.save()
    src = _copy(real_mjr, Path(settings.TONGBAN_JANUS_RECORDINGS_DIR) / str(meeting.pk) / "1")
    rec = _recording(meeting, w, src)
    convert_recording.enqueue(rec.pk)  # the task (immediate backend in tests)
    rec.refresh_from_db()
    assert rec.status == RecordingStatus.READY, rec.error
    files = list(rec.files.all())
    if records.ffmpeg_available():
        assert len(files) == 1
    else:
        assert {f.content_type for f in files} == {"video/webm", "audio/ogg"}
    video = next(f for f in files if f.content_type == "video/webm")
    assert video.attendee == chair and "县政府第一会议室" in video.label and "王副县长" in video.label
    path = Path(video.file.path)
    data = path.read_bytes()
    assert len(data) > 1000 and data[:4] == b"\x1a\x45\xdf\xa3"  # EBML
    assert video.size == len(data) and video.sha256 == hashlib.sha256(data).hexdigest()
    assert video.duration_seconds > 1
    if shutil.which("ffprobe"):
        assert _duration(path) > 1
        streams = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert "vp8" in streams or "vp9" in streams
        if records.ffmpeg_available():
            assert "opus" in streams  # picture and sound in one file
    # also measured from the raw file, without ffprobe
    video_mjr = next(p for p in src.glob("*-video-*.mjr"))
    assert records.mjr_duration(video_mjr) > 1
    ev = MeetingEvent.objects.get(meeting=meeting, kind="recording_ready")
    assert ev.data["recording_id"] == rec.pk and ev.data["files"] == len(files)
    note = Notification.objects.get(user=w.users["organiser"], event="meetings.recording_ready")
    assert reverse("meetings_records:recordings", kwargs={"pk": meeting.pk}) == note.url
    # the page plays it, and the player can seek
    c = _client(w, "scj_head")
    page = c.get(reverse("meetings_records:recordings", kwargs={"pk": meeting.pk})).content.decode()
    url = reverse("meetings_records:recording_file", kwargs={"pk": meeting.pk, "file_id": video.pk})
    assert f'src="{url}"' in page and "<video" in page
    r = c.get(url, HTTP_RANGE="bytes=100-199")
    assert r.status_code == 206 and _body(r) == data[100:200]
    # a second run changes nothing
    records.convert(rec)
    assert rec.files.count() == len(files)


@pytest.mark.browser
def test_convert_without_ffmpeg_keeps_two_files(
    real_mjr: RealRecording, w: MeetingsWorld, meeting: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "ffmpeg_available", lambda: False)
    src = _copy(real_mjr, Path(settings.TONGBAN_JANUS_RECORDINGS_DIR) / "x")
    rec = records.convert(_recording(meeting, w, src))
    assert rec.status == RecordingStatus.READY, rec.error
    files = {f.content_type: f for f in rec.files.all()}
    assert set(files) == {"video/webm", "audio/ogg"}
    assert Path(files["audio/ogg"].file.path).read_bytes()[:4] == b"OggS"
    assert files["video/webm"].label.endswith("（画面）") and files["audio/ogg"].label.endswith("（声音）")
    page = _client(w, "organiser").get(reverse("meetings_records:recordings", kwargs={"pk": meeting.pk}))
    assert "<audio" in page.content.decode() and "ffmpeg" in page.content.decode()


@pytest.mark.browser
def test_half_written_conversion_leaves_nothing(
    real_mjr: RealRecording, w: MeetingsWorld, meeting: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first site converts, the second fails (its video is garbage): no file, no row remains."""
    src = _copy(real_mjr, Path(settings.TONGBAN_JANUS_RECORDINGS_DIR) / "half")
    for name in real_mjr.names:  # a second publisher, later, whose video stream is broken
        m = records.MJR_RE.match(name)
        assert m is not None
        later = int(m["ts"]) + 10_000_000
        bad = src / f"videoroom-{m['room']}-user-999999-{later}-{m['kind']}-{m['mid']}.mjr"
        if "-audio-" in name:
            shutil.copy(real_mjr.dir / name, bad)
        else:
            _fake_mjr(bad)
    rec = records.convert(_recording(meeting, w, src))
    assert rec.status == RecordingStatus.FAILED and rec.error
    assert RecordingFile.objects.count() == 0 and _stored_files(settings) == []
    assert MeetingEvent.objects.filter(meeting=meeting, kind="recording_failed").count() == 1
    assert not MeetingEvent.objects.filter(kind="recording_ready").exists()


# --- failure paths without Janus ---------------------------------------------------------------------


def _fake_mjr(path: Path, kind: str = "v", codec: str = "vp8", packets: list[int] | None = None) -> None:
    header = json.dumps({"t": kind, "c": codec, "s": 1_000_000, "u": 1_200_000}).encode()
    body = b"MJR00002" + struct.pack(">H", len(header)) + header
    for ts in packets or [0, 500, 2500]:
        rtp = b"\x80\x60" + b"\x00" * 10 + b"junk"
        body += b"MEET" + struct.pack(">IH", ts, len(rtp)) + rtp
    path.write_bytes(body)


def test_mjr_parsing(tmp_path: Path) -> None:
    v = tmp_path / "videoroom-1234-user-77-1700000000000000-video-1.mjr"
    a = tmp_path / "videoroom-1234-user-77-1700000000000000-audio-0.mjr"
    _fake_mjr(v, packets=[100, 600, 3100])
    _fake_mjr(a, kind="a", codec="opus")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "videoroom-1234-user-77-1700000000000000-data-2.mjr").write_bytes(b"MJR00002")
    assert records.mjr_header(v)["c"] == "vp8"
    assert records.mjr_duration(v) == pytest.approx(3.0)
    sites = records.find_sites(tmp_path)
    assert len(sites) == 1 and sites[0].feed == "77"
    assert {s.kind for s in sites[0].streams} == {"audio", "video"}
    assert sites[0].first("video").codec == "vp8"  # type: ignore[union-attr]


@pytest.mark.parametrize("case", ["missing_dir", "empty_dir", "garbage"])
def test_failure_is_recorded(
    w: MeetingsWorld, meeting: Any, settings: Any, tmp_path: Path, case: str
) -> None:
    src = tmp_path / "src"
    if case != "missing_dir":
        src.mkdir()
    if case == "garbage":
        _fake_mjr(src / "videoroom-1-user-5-1700000000000000-video-1.mjr")
        _fake_mjr(src / "videoroom-1-user-5-1700000000000000-audio-0.mjr", kind="a", codec="opus")
    rec = _recording(meeting, w, src)
    convert_recording.enqueue(rec.pk)
    rec.refresh_from_db()
    assert rec.status == RecordingStatus.FAILED and rec.error
    assert RecordingFile.objects.count() == 0 and _stored_files(settings) == []
    ev = MeetingEvent.objects.get(meeting=meeting, kind="recording_failed")
    assert ev.data["recording_id"] == rec.pk
    assert (
        Notification.objects.filter(user=w.users["organiser"], event="meetings.recording_failed").count() == 1
    )
    page = _client(w, "organiser").get(reverse("meetings_records:recordings", kwargs={"pk": meeting.pk}))
    assert "转换失败" in page.content.decode()


def test_store_failure_removes_stored_files(
    w: MeetingsWorld, meeting: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two outputs; storing the second one's row fails: the first stored file is removed again."""
    src = tmp_path / "src"
    src.mkdir()
    _fake_mjr(src / "videoroom-1-user-5-1700000000000000-video-1.mjr")
    _fake_mjr(src / "videoroom-1-user-6-1700000000000001-video-1.mjr")

    def fake_site(site: Any, work: Path, label: str, attendee: Any, prefix: str) -> list[records.Output]:
        out = work / f"{site.feed}.webm"
        out.write_bytes(records.EBML_MAGIC + b"\x00" * 100)
        return [records.Output(out, label, "video/webm", 2.0, attendee, out.name)]

    monkeypatch.setattr(records, "_convert_site", fake_site)
    real_save = RecordingFile.save
    calls = {"n": 0}

    def failing_save(self: RecordingFile, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(RecordingFile, "save", failing_save)
    rec = records.convert(_recording(meeting, w, src))
    assert calls["n"] == 2
    assert rec.status == RecordingStatus.FAILED and "disk full" in rec.error
    assert RecordingFile.objects.count() == 0 and _stored_files(settings) == []


def test_still_recording_is_refused(w: MeetingsWorld, meeting: Any, tmp_path: Path) -> None:
    from tongban.core.errors import TongbanError

    rec = _recording(meeting, w, tmp_path, status=RecordingStatus.RECORDING)
    with pytest.raises(TongbanError):
        records.convert(rec)
    rec.refresh_from_db()
    assert rec.status == RecordingStatus.RECORDING


# --- ranged responses --------------------------------------------------------------------------------

DATA = bytes(range(256)) * 400  # 102400 bytes


@pytest.fixture
def ready_file(w: MeetingsWorld, meeting: Any) -> RecordingFile:
    rec = _recording(meeting, w, status=RecordingStatus.READY)
    rf = RecordingFile(
        recording=rec,
        label="县政府第一会议室",
        size=len(DATA),
        duration_seconds=12.5,
        sha256=hashlib.sha256(DATA).hexdigest(),
    )
    rf.file.save("m-r-1.webm", ContentFile(DATA), save=False)
    rf.save()
    return rf


def _url(rf: RecordingFile) -> str:
    return reverse(
        "meetings_records:recording_file", kwargs={"pk": rf.recording.meeting_id, "file_id": rf.pk}
    )


def _body(r: Any) -> bytes:
    return b"".join(r.streaming_content)


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-", 1000, len(DATA) - 1),
        ("bytes=-500", len(DATA) - 500, len(DATA) - 1),
        ("bytes=102000-999999", 102000, len(DATA) - 1),
        ("bytes=65530-65545", 65530, 65545),  # across the 64 KiB chunk boundary
    ],
)
def test_range_206(w: MeetingsWorld, ready_file: RecordingFile, header: str, start: int, end: int) -> None:
    r = _client(w, "deputy").get(_url(ready_file), HTTP_RANGE=header)
    assert r.status_code == 206
    assert r["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert r["Content-Length"] == str(end - start + 1)
    assert r["Accept-Ranges"] == "bytes" and r["Content-Type"] == "video/webm"
    assert _body(r) == DATA[start : end + 1]


def test_range_whole_and_unsatisfiable(w: MeetingsWorld, ready_file: RecordingFile) -> None:
    c = _client(w, "deputy")
    r = c.get(_url(ready_file))
    assert r.status_code == 200 and _body(r) == DATA and r["Accept-Ranges"] == "bytes"
    assert r["Content-Length"] == str(len(DATA)) and r["X-Content-Type-Options"] == "nosniff"
    assert "inline" in r["Content-Disposition"]
    r = c.get(_url(ready_file), HTTP_RANGE=f"bytes={len(DATA)}-")
    assert r.status_code == 416 and r["Content-Range"] == f"bytes */{len(DATA)}"
    r = c.get(_url(ready_file), HTTP_RANGE="bytes=0-1,5-9")  # several ranges: the whole file
    assert r.status_code == 200 and _body(r) == DATA
    r = c.get(_url(ready_file), HTTP_RANGE="pages=1-2")
    assert r.status_code == 200


def test_file_of_a_converting_recording_is_404(w: MeetingsWorld, ready_file: RecordingFile) -> None:
    Recording.objects.filter(pk=ready_file.recording_id).update(status=RecordingStatus.CONVERTING)
    assert _client(w, "organiser").get(_url(ready_file)).status_code == 404


# --- who may see, who may delete ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("organiser", 200),  # manages the meeting
        ("deputy", 200),  # the chair (an attendee)
        ("scj_head", 200),  # named in the unit's 回执
        ("hall_terminal", 200),  # a venue terminal is an attendee
        ("scj_clerk", 403),  # confirmed for the unit, not an attendee
        ("cz_clerk", 403),  # a confirmer of another invited unit
        ("by_clerk", 404),  # not invited
        ("outsider", 404),
    ],
)
def test_view_matrix(
    w: MeetingsWorld, meeting: Any, ready_file: RecordingFile, key: str, status: int
) -> None:
    c = _client(w, key)
    assert c.get(reverse("meetings_records:recordings", kwargs={"pk": meeting.pk})).status_code == status
    r = c.get(_url(ready_file), HTTP_RANGE="bytes=0-9")
    assert r.status_code == (206 if status == 200 else status)
    if status != 200:
        assert DATA[:10] not in r.content
    api = c.get(f"/api/v1/meetings/{meeting.pk}/recordings")
    assert api.status_code == status
    if status == 200:
        rows = api.json()
        assert rows[0]["files"][0]["url"] == _url(ready_file) and rows[0]["status"] == "ready"


def test_anonymous(meeting: Any, ready_file: RecordingFile) -> None:
    r = Client().get(_url(ready_file))
    assert r.status_code == 302 and "/account/login/" in r["Location"]
    assert Client().get(f"/api/v1/meetings/{meeting.pk}/recordings").status_code == 401


def _delete_state(rf: RecordingFile) -> tuple[Any, ...]:
    return (
        Recording.objects.filter(pk=rf.recording_id).exists(),
        RecordingFile.objects.filter(pk=rf.pk).exists(),
        default_storage.exists(str(rf.file.name)),
        MeetingEvent.objects.filter(kind="recording_deleted").count(),
    )


@pytest.mark.parametrize("key", ["deputy", "scj_head", "hall_terminal", "scj_clerk", "outsider"])
def test_delete_refused(w: MeetingsWorld, meeting: Any, ready_file: RecordingFile, key: str) -> None:
    before = _delete_state(ready_file)
    c = _client(w, key)
    url = reverse(
        "meetings_records:recording_delete", kwargs={"pk": meeting.pk, "rec_id": ready_file.recording_id}
    )
    assert c.post(url, {"reason": "误录"}).status_code in (403, 404)
    api = f"/api/v1/meetings/{meeting.pk}/recordings/{ready_file.recording_id}"
    r = c.delete(api, data=json.dumps({"reason": "误录"}), content_type="application/json")
    assert r.status_code in (403, 404)
    assert _delete_state(ready_file) == before == (True, True, True, 0)


def test_delete_needs_reason_and_an_idle_recording(
    w: MeetingsWorld, meeting: Any, ready_file: RecordingFile
) -> None:
    c = _client(w, "organiser")
    url = reverse(
        "meetings_records:recording_delete", kwargs={"pk": meeting.pk, "rec_id": ready_file.recording_id}
    )
    before = _delete_state(ready_file)
    assert c.post(url, {"reason": "  "}).status_code == 302
    Recording.objects.filter(pk=ready_file.recording_id).update(status=RecordingStatus.CONVERTING)
    r = c.delete(
        f"/api/v1/meetings/{meeting.pk}/recordings/{ready_file.recording_id}",
        data=json.dumps({"reason": "误录"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "meetings.recording_busy"
    assert _delete_state(ready_file) == before


def test_delete(
    w: MeetingsWorld,
    meeting: Any,
    ready_file: RecordingFile,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    raw = Path(settings.TONGBAN_JANUS_RECORDINGS_DIR) / str(meeting.pk) / str(ready_file.recording_id)
    raw.mkdir(parents=True)
    _fake_mjr(raw / "videoroom-1-user-5-1700000000000000-video-1.mjr")
    Recording.objects.filter(pk=ready_file.recording_id).update(source_dir=str(raw))
    c = _client(w, "organiser")
    url = reverse(
        "meetings_records:recording_delete", kwargs={"pk": meeting.pk, "rec_id": ready_file.recording_id}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(url, {"reason": "试录，无保存价值"}).status_code == 302
    assert not Recording.objects.exists() and not RecordingFile.objects.exists()
    assert not default_storage.exists(str(ready_file.file.name)) and not raw.exists()
    ev = MeetingEvent.objects.get(kind="recording_deleted")
    assert ev.actor == w.users["organiser"] and ev.data["reason"] == "试录，无保存价值"


def test_delete_never_touches_files_outside_the_recordings_dir(
    w: MeetingsWorld, meeting: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    keep = outside / "videoroom-1-user-5-1700000000000000-video-1.mjr"
    _fake_mjr(keep)
    rec = _recording(meeting, w, outside, status=RecordingStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        records.recording_delete(recording=rec, actor=w.users["organiser"], reason="失败的录像")
    assert keep.exists() and not Recording.objects.exists()


def test_recordings_page_lists(w: MeetingsWorld, meeting: Any, ready_file: RecordingFile) -> None:
    _recording(meeting, w, status=RecordingStatus.CONVERTING)
    html = (
        _client(w, "organiser")
        .get(reverse("meetings_records:recordings", kwargs={"pk": meeting.pk}))
        .content.decode()
    )
    assert "县政府第一会议室" in html and 'data-status="converting"' in html and 'data-status="ready"' in html
    assert "删除录像" in html
    html = (
        _client(w, "scj_head")
        .get(reverse("meetings_records:recordings", kwargs={"pk": meeting.pk}))
        .content.decode()
    )
    assert "删除录像" not in html and "<video" in html
