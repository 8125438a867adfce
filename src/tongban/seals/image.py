"""The seal image: a classic red round seal — a red ring, a five-pointed star in the centre and the
unit's name along the upper arc — drawn with Pillow as a transparent PNG."""

from __future__ import annotations

import functools
import io
import math

from PIL import Image, ImageDraw, ImageFont

from tongban.seals.fonts import ROLES, choose, font_file

RED = (230, 0, 18, 255)
SIZE = 600  # pixels; printed at 42 mm that is about 360 dpi


@functools.lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Seals are cut in a bold sans/song face; 黑体 (or its free stand-in) bold is closest.
    role = next(r for r in ROLES if r.key == "hei")
    found = font_file(choose(role).family, "Bold")
    if found:
        path, index = found
        try:
            return ImageFont.truetype(path, size, index=index)
        except OSError:
            pass
    return ImageFont.load_default(size)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float) -> None:
    inner = radius * math.sin(math.radians(18)) / math.sin(math.radians(126))
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else inner
        angle = math.radians(-90 + i * 36)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=RED)


def seal_png(name: str, *, subtitle: str = "") -> bytes:
    """A round seal with ``name`` along the arc (and an optional horizontal ``subtitle`` below the star)."""
    scale = 1
    size = SIZE * scale
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = size / 2
    ring = 16 * scale
    draw.ellipse((ring / 2, ring / 2, size - ring / 2, size - ring / 2), outline=RED, width=ring)
    _star(draw, c, c, size * 0.16)

    text = name.strip() or "印章"
    n = len(text)
    char_px = int(size * (0.13 if n <= 10 else 0.11 if n <= 14 else 0.09))
    font = _font(char_px)
    radius = c - ring - char_px * 0.62 - 6 * scale
    span = min(250.0, max(n * 21.0, 120.0)) if n > 1 else 0.0  # degrees of arc the name covers
    for i, ch in enumerate(text):
        theta = -span / 2 + (span / (n - 1) * i if n > 1 else 0.0)  # 0 = top, clockwise
        tile = Image.new("RGBA", (char_px * 2, char_px * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((char_px, char_px), ch, font=font, fill=RED, anchor="mm")
        tile = tile.rotate(-theta, resample=Image.Resampling.BICUBIC)
        x = c + radius * math.sin(math.radians(theta)) - char_px
        y = c - radius * math.cos(math.radians(theta)) - char_px
        img.alpha_composite(tile, (int(x), int(y)))
    if subtitle:
        sub_px = int(size * 0.075)
        draw.text((c, c + size * 0.29), subtitle, font=_font(sub_px), fill=RED, anchor="mm")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
