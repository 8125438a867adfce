"""Keep the bytes of the big CJK font files between renders.

WeasyPrint copies the whole font file out of HarfBuzz for every document it writes (a 26 MB
Noto Serif CJK collection costs ~100 ms a render on this kind of machine) although with
HarfBuzz-subset it only needs the small subset afterwards. We memoise that copy for font files over
1 MB, keyed by the blob's length and a digest of its first and last 64 KB, so each font file is copied
once per process. Memory: the fonts in use stay resident (about 90 MB with the free
fallbacks, 10–30 MB with the official 方正/中易 fonts). ``TONGBAN_RENDER_FONT_CACHE=0`` turns it off."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from typing import Any

_MIN_BYTES = 1 << 20
_MAX_ENTRIES = 8
_lock = threading.Lock()
_cache: OrderedDict[tuple[int, bytes], bytes] = OrderedDict()
_installed = False


def install() -> None:
    global _installed
    if _installed or os.environ.get("TONGBAN_RENDER_FONT_CACHE", "1") == "0":
        return
    try:
        from weasyprint.pdf import fonts as pdf_fonts
        from weasyprint.text.ffi import ffi, harfbuzz
    except ImportError:  # pragma: no cover - WeasyPrint internals moved: render uncached
        return
    original = pdf_fonts.get_hb_object_data

    def cached(hb_object: Any, ot_color: Any = None, glyph: Any = None) -> Any:
        if ot_color is not None:
            return original(hb_object, ot_color, glyph)
        blob = harfbuzz.hb_face_reference_blob(hb_object)
        try:
            with ffi.new("unsigned int *") as length_p:
                data = harfbuzz.hb_blob_get_data(blob, length_p)
                length = int(length_p[0])
                if data == ffi.NULL or length < _MIN_BYTES:
                    return original(hb_object)
                buf = ffi.buffer(data, length)
                digest = hashlib.blake2b(
                    bytes(buf[: 1 << 16]) + bytes(buf[-(1 << 16) :]), digest_size=16
                ).digest()
                key = (length, digest)
                with _lock:
                    hit = _cache.get(key)
                    if hit is not None:
                        _cache.move_to_end(key)
                        return hit
                content = ffi.unpack(data, length)
                with _lock:
                    _cache[key] = content
                    while len(_cache) > _MAX_ENTRIES:
                        _cache.popitem(last=False)
                return content
        finally:
            harfbuzz.hb_blob_destroy(blob)

    pdf_fonts.get_hb_object_data = cached
    _installed = True


_local = threading.local()


def font_config() -> Any:
    """One WeasyPrint FontConfiguration per thread (Pango font maps are not thread-safe): fonts are
    looked up and opened once, not for every document."""
    config = getattr(_local, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.config = FontConfiguration()
    return config
