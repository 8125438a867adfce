"""Pictures for the demo site, drawn locally with Pillow (nothing is downloaded): landscapes and
town scenes — a sky gradient, hills, the sun or moon, fields, a river, trees and buildings — with a
caption band. 1200 × 675 JPEG, stored as Wagtail images in the collection 门户图片; Wagtail makes
the thumbnails (renditions) when a template asks for them.

The caption is written in Chinese when fontconfig knows a CJK font (Noto Sans CJK SC from Debian's
``fonts-noto-cjk``, see docs/fonts.md), otherwise in the Latin transcription with DejaVu Sans."""

from __future__ import annotations

import functools
import hashlib
import io
import math
import random
import shutil
import subprocess
from dataclasses import dataclass

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter, ImageFont, ImageOps
from wagtail.images.models import Image
from wagtail.models import Collection

WIDTH, HEIGHT = 1200, 675
COLLECTION = "门户图片"


@dataclass(frozen=True)
class Scene:
    key: str
    caption: str
    latin: str
    kind: str  # hills / town / fields / river / night / snow


# 40 distinct pictures, re-used as covers across the site.
SCENES: tuple[Scene, ...] = (
    Scene("qingshan-dawn", "青山晨曦", "Dawn over Qingshan", "hills"),
    Scene("chengguan-street", "城关镇新貌", "Chengguan town", "town"),
    Scene("liuxi-fields", "柳溪稻田", "Rice fields at Liuxi", "fields"),
    Scene("baiyun-tea", "白云乡茶园", "Tea gardens of Baiyun", "hills"),
    Scene("shimen-river", "石门河畔", "Shimen riverside", "river"),
    Scene("longtan-lake", "龙潭湖色", "Longtan lake", "river"),
    Scene("gaoping-terraces", "高坪梯田", "Gaoping terraces", "fields"),
    Scene("meiling-snow", "梅岭雪景", "Snow at Meiling", "snow"),
    Scene("taoyuan-blossom", "桃源春色", "Spring in Taoyuan", "fields"),
    Scene("shuanghe-bridge", "双河新桥", "The new bridge at Shuanghe", "river"),
    Scene("county-hall", "县政务服务中心", "County service centre", "town"),
    Scene("industrial-park", "青山工业园区", "Qingshan industrial park", "town"),
    Scene("school-campus", "县第一中学校园", "No. 1 Middle School", "town"),
    Scene("hospital", "县人民医院新院区", "County hospital", "town"),
    Scene("harvest", "秋收时节", "Harvest season", "fields"),
    Scene("night-city", "县城夜景", "The county town by night", "night"),
    Scene("mountain-road", "盘山公路", "Mountain road", "hills"),
    Scene("forest", "国有林场", "State forest farm", "hills"),
    Scene("reservoir", "青山湖水库", "Qingshan lake reservoir", "river"),
    Scene("greenhouse", "现代农业大棚", "Greenhouses", "fields"),
    Scene("old-town", "石门古镇", "Shimen old town", "town"),
    Scene("wetland", "湿地公园", "Wetland park", "river"),
    Scene("sunset-hills", "夕照青山", "Sunset over the hills", "hills"),
    Scene("winter-village", "冬日村落", "Village in winter", "snow"),
    Scene("new-district", "城东新区", "East new district", "town"),
    Scene("orchard", "柑橘果园", "Citrus orchard", "fields"),
    Scene("river-dusk", "暮色江畔", "Riverside at dusk", "river"),
    Scene("festival-night", "元宵灯会", "Lantern festival", "night"),
    Scene("sports-park", "全民健身中心", "Fitness centre", "town"),
    Scene("bamboo", "竹海", "Bamboo sea", "hills"),
    Scene("rapeseed", "油菜花海", "Rapeseed flowers", "fields"),
    Scene("station", "青山高铁站", "Qingshan railway station", "town"),
    Scene("valley-mist", "山谷云雾", "Mist in the valley", "hills"),
    Scene("fishing-village", "渔村晨光", "Fishing village", "river"),
    Scene("starry-night", "星空露营地", "Campsite under the stars", "night"),
    Scene("snow-peak", "雪后远山", "Hills after snow", "snow"),
    Scene("market-street", "便民集市", "Market street", "town"),
    Scene("wheat", "麦浪", "Wheat fields", "fields"),
    Scene("waterfall-river", "溪流", "Mountain stream", "river"),
    Scene("high-hills", "层峦叠嶂", "Ranges of hills", "hills"),
)

_PALETTES = {
    "hills": (("#8ec5fc", "#e0f0ff"), ("#4f7d4a", "#6f9e5e", "#9cc48a")),
    "town": (("#74b9ff", "#dfefff"), ("#5d6d7e", "#85929e", "#aab7b8")),
    "fields": (("#a1c4fd", "#f6f9d4"), ("#6a994e", "#a7c957", "#f2e8cf")),
    "river": (("#89c2d9", "#e9f5fb"), ("#386641", "#6a994e", "#61a5c2")),
    "night": (("#0b132b", "#3a506b"), ("#1c2541", "#2b3a55", "#f4d35e")),
    "snow": (("#b8c6db", "#f5f7fa"), ("#dfe7ef", "#c9d6df", "#ffffff")),
}


@functools.lru_cache(maxsize=1)
def _font_path() -> tuple[str, bool]:
    """(font file, is_cjk): a CJK font fontconfig knows, else DejaVu Sans."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        for pattern in ("Noto Sans CJK SC:style=Bold", "Noto Sans CJK SC", "Source Han Sans SC", ":lang=zh"):
            try:
                out = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                    [fc_match, "-f", "%{file}\n%{lang}", pattern], capture_output=True, text=True, timeout=5
                ).stdout
            except (OSError, subprocess.SubprocessError):
                continue
            path, _, langs = out.partition("\n")
            if path and "zh-cn" in langs.split("|"):
                return path, True
        try:
            out = subprocess.run(  # noqa: S603
                [fc_match, "-f", "%{file}", "DejaVu Sans:style=Bold"],
                capture_output=True,
                text=True,
                timeout=5,
            ).stdout
            if out:
                return out, False
        except (OSError, subprocess.SubprocessError):
            pass
    return "", False


def _hex(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _shade(color: tuple[int, int, int], f: float) -> tuple[int, int, int]:
    return (min(255, int(color[0] * f)), min(255, int(color[1] * f)), min(255, int(color[2] * f)))


def _sky(top: str, bottom: str) -> PILImage.Image:
    gradient = PILImage.linear_gradient("L").resize((WIDTH, HEIGHT))
    return ImageOps.colorize(gradient, black=_hex(top), white=_hex(bottom)).convert("RGB")


def _ridge(
    draw: ImageDraw.ImageDraw, rnd: random.Random, base: int, amp: int, color: tuple[int, int, int]
) -> None:
    phase, freq = rnd.uniform(0, math.tau), rnd.uniform(1.2, 3.2)
    phase2, freq2 = rnd.uniform(0, math.tau), rnd.uniform(4, 9)
    points = [(0, HEIGHT)]
    for x in range(0, WIDTH + 20, 20):
        t = x / WIDTH
        y = base - amp * (
            0.6 * math.sin(t * freq * math.pi + phase) + 0.25 * math.sin(t * freq2 * math.pi + phase2)
        )
        points.append((x, int(y)))
    points.append((WIDTH, HEIGHT))
    draw.polygon(points, fill=color)


def _buildings(draw: ImageDraw.ImageDraw, rnd: random.Random, ground: int, night: bool) -> None:
    x = rnd.randint(-20, 30)
    while x < WIDTH:
        w, h = rnd.randint(50, 120), rnd.randint(90, 300)
        grey = rnd.randint(110, 200) if not night else rnd.randint(30, 60)
        body = (grey, grey + rnd.randint(-10, 10) if grey > 20 else grey, min(255, grey + 15))
        draw.rectangle((x, ground - h, x + w, ground), fill=body)
        lit = (250, 220, 120) if night else _shade(body, 0.7)
        for wy in range(ground - h + 12, ground - 12, 22):
            for wx in range(x + 8, x + w - 12, 18):
                if not night or rnd.random() < 0.55:
                    draw.rectangle((wx, wy, wx + 9, wy + 11), fill=lit)
        x += w + rnd.randint(4, 24)


def _trees(
    draw: ImageDraw.ImageDraw, rnd: random.Random, ground: int, color: tuple[int, int, int], snow: bool
) -> None:
    for _ in range(rnd.randint(8, 18)):
        x, size = rnd.randint(0, WIDTH), rnd.randint(18, 42)
        y = ground + rnd.randint(-10, 40)
        draw.rectangle((x - 3, y, x + 3, y + size // 2), fill=(96, 64, 40))
        crown = (235, 240, 245) if snow else _shade(color, rnd.uniform(0.7, 1.0))
        draw.polygon([(x, y - size * 1.4), (x - size * 0.7, y + 4), (x + size * 0.7, y + 4)], fill=crown)


def _fields(draw: ImageDraw.ImageDraw, rnd: random.Random, top: int, colors: tuple[str, ...]) -> None:
    rows = rnd.randint(6, 10)
    for i in range(rows):
        y0 = top + (HEIGHT - top) * (i / rows) ** 1.3
        y1 = top + (HEIGHT - top) * ((i + 1) / rows) ** 1.3
        color = _hex(colors[i % len(colors)])
        draw.polygon(
            [(0, y0), (WIDTH, y0 - 20), (WIDTH, y1 - 20), (0, y1)], fill=_shade(color, rnd.uniform(0.85, 1.1))
        )


def _river(draw: ImageDraw.ImageDraw, rnd: random.Random, top: int, color: tuple[int, int, int]) -> None:
    left, right = rnd.randint(350, 650), rnd.randint(380, 700)
    points_l, points_r = [], []
    for i in range(0, 21):
        t = i / 20
        y = top + (HEIGHT - top) * t
        centre = left + (right - left) * t + 60 * math.sin(t * math.pi * 2 + rnd.random())
        half = 8 + 260 * t
        points_l.append((centre - half, y))
        points_r.append((centre + half, y))
    draw.polygon(points_l + points_r[::-1], fill=color)


def _caption(image: PILImage.Image, scene: Scene) -> None:
    path, cjk = _font_path()
    band = PILImage.new("RGBA", (WIDTH, 78), (0, 0, 0, 120))
    image.paste(band, (0, HEIGHT - 78), band)
    if not path:
        return
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(path, 34)
    small = ImageFont.truetype(path, 18)
    draw.text((32, HEIGHT - 62), scene.caption if cjk else scene.latin, font=font, fill=(255, 255, 255))
    draw.text(
        (WIDTH - 32, HEIGHT - 30),
        "青山县融媒体中心" if cjk else "Qingshan",
        font=small,
        fill=(230, 230, 230),
        anchor="rs",
    )


def draw_scene(scene: Scene, seed: int = 0) -> bytes:
    """One picture as JPEG bytes (deterministic for a scene and seed)."""
    rnd = random.Random(f"{scene.key}:{seed}")
    (sky_top, sky_bottom), ground = _PALETTES[scene.kind]
    image = _sky(sky_top, sky_bottom)
    draw = ImageDraw.Draw(image)
    night = scene.kind == "night"
    snow = scene.kind == "snow"
    # sun or moon
    cx, cy, r = rnd.randint(150, WIDTH - 150), rnd.randint(70, 220), rnd.randint(30, 60)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(250, 245, 215) if night else (255, 214, 102))
    if night:
        for _ in range(120):
            sx, sy = rnd.randint(0, WIDTH), rnd.randint(0, HEIGHT // 2)
            draw.point((sx, sy), fill=(255, 255, 240))
    colors = [_hex(c) for c in ground]
    horizon = rnd.randint(330, 420)
    for i, amp in enumerate((140, 100, 70)):
        _ridge(draw, rnd, horizon - 60 + i * 55, amp, _shade(colors[min(i, 1)], 0.75 + 0.12 * i))
    if scene.kind in ("town", "night"):
        _buildings(draw, rnd, horizon + 130, night)
        draw.rectangle((0, horizon + 130, WIDTH, HEIGHT), fill=_shade(colors[0], 0.8))
        draw.rectangle((0, horizon + 170, WIDTH, horizon + 200), fill=(70, 70, 75))
        for x in range(0, WIDTH, 80):
            draw.rectangle((x, horizon + 183, x + 40, horizon + 187), fill=(240, 240, 240))
    elif scene.kind == "fields":
        _fields(draw, rnd, horizon + 80, ground)
    elif scene.kind == "river":
        draw.rectangle((0, horizon + 60, WIDTH, HEIGHT), fill=colors[1])
        _river(draw, rnd, horizon + 60, colors[2])
    else:
        draw.rectangle((0, horizon + 90, WIDTH, HEIGHT), fill=colors[2] if snow else colors[1])
    if scene.kind not in ("town", "night"):
        _trees(draw, rnd, horizon + 100, colors[0], snow)
    image = image.filter(ImageFilter.SMOOTH)
    _caption(image, scene)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()


def collection() -> Collection:
    existing = Collection.objects.filter(name=COLLECTION).first()
    if existing is not None:
        return existing
    return Collection.get_first_root_node().add_child(name=COLLECTION)


def ensure_images() -> list[Image]:
    """The 40 demo pictures as Wagtail images (created once; idempotent by title in 门户图片)."""
    coll = collection()
    existing = {img.title: img for img in Image.objects.filter(collection=coll)}
    images: list[Image] = []
    for scene in SCENES:
        img = existing.get(scene.caption)
        if img is None:
            data = draw_scene(scene)
            img = Image(
                title=scene.caption,
                collection=coll,
                description=scene.caption,
                file_size=len(data),
                file_hash=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
            )
            img.file = ImageFile(io.BytesIO(data), name=f"demo-{scene.key}.jpg")
            img.save()
        images.append(img)
    return images
