"""Only the public media folders are served at /media/; attachments of letters and requests never are."""

from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("images/a.jpg", 200),
        ("original_images/a.jpg", 200),
        ("interviews/photos/a.jpg", 200),
        ("letters/2026/11/a.jpg", 404),
        ("disclosure/2026/11/a.jpg", 404),
        ("images/../letters/2026/11/a.jpg", 404),
    ],
)
def test_public_media_folders_only(client: Any, tmp_path: Path, path: str, status: int) -> None:
    for folder in ("images", "original_images", "interviews/photos", "letters/2026/11", "disclosure/2026/11"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "a.jpg").write_bytes(b"\xff\xd8\xff")
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        response = client.get(f"/media/{path}")
    assert response.status_code == status
