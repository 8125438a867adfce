"""`make demo` and every deployment run collectstatic with the manifest storage, which fails on a
vendored file that references a missing one (a source map, a font). Run it the same way here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_manifest_storage(tmp_path: Path, settings: Any) -> None:
    storages = dict(settings.STORAGES)
    storages["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    with override_settings(STATIC_ROOT=str(tmp_path), STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = tmp_path / "staticfiles.json"
    assert manifest.exists()
    assert "vendor/quill-2.0.3/quill.js" in manifest.read_text()
