"""GB/T 9704 rendering: a one-page document (target < 500 ms) and a ten-page one through
render_pdf, the .docx export, and sealing (PAdES signature with a unit's certificate) — p50/p95.

Run: python bench/bench_render.py (a throwaway SQLite file for the seal certificate)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-render-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ["TONGBAN_VAR_DIR"] = str(TMP)
os.environ["TONGBAN_TEST_DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["TONGBAN_TEST_DB_NAME"] = str(TMP / "bench-test.sqlite3")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

PARA = "为切实做好今年春季森林防火工作，有效预防和遏制森林火灾发生，保护森林资源和人民群众生命财产安全，现就有关事项通知如下。"


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


CPU: dict[str, list[float]] = {}


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Wall-clock milliseconds of each run; the CPU milliseconds go to CPU[last] (on a shared, busy
    machine the CPU time is what an idle one would show as wall time)."""
    out, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    CPU["last"] = cpu
    return out


def spec(
    paragraphs: int,
    *,
    title: str = "青山县人民政府关于做好2026年春季森林防火工作的通知",
    heading: bool = True,
):  # type: ignore[no-untyped-def]
    from tongban.documents.render import DocumentSpec

    body = ("<p>一、总体要求</p>" if heading else "") + "".join(f"<p>{PARA}</p>" for _ in range(paragraphs))
    return DocumentSpec(
        copy_no="1",
        title=title,
        doc_number="青政发〔2026〕12号",
        organs=["青山县人民政府"],
        main_to="各乡镇人民政府，县政府各部门",
        body_html=body,
        signature="青山县人民政府",
        written_date="2026-07-01",
        cc="县委各部门",
        printer_organ="青山县人民政府办公室",
        printed_date="2026-07-01",
    )


def report(name: str, samples: list[float], extra: str = "") -> None:
    print(
        f"{name:<37} p50 {statistics.median(samples):7.1f} ms   p95 {pct(samples, 95):7.1f} ms"
        f"   (CPU p50 {statistics.median(CPU['last']):6.1f} ms; {len(samples)} runs){extra}"
    )


def main() -> None:
    import pypdf

    from tongban.documents.render import render_docx, render_pdf

    # one page: every element of the first page including the colophon at its foot
    one, ten = spec(1, title="关于做好春季森林防火工作的通知", heading=False), spec(62)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    render_pdf(one)  # warm-up: fontconfig, font files
    pages_one = len(pypdf.PdfReader(__import__("io").BytesIO(render_pdf(one))).pages)
    pages_ten = len(pypdf.PdfReader(__import__("io").BytesIO(render_pdf(ten))).pages)
    samples = timed(lambda: render_pdf(one), 20)
    report("render_pdf, one-page document", samples, f"   {pages_one} page(s); target p95 < 500 ms")
    report("render_pdf, ten-page document", timed(lambda: render_pdf(ten), 5), f"   {pages_ten} pages")
    report("render_docx, one-page document", timed(lambda: render_docx(one), 20))

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from tongban.orgs.models import County, Unit
    from tongban.seals import selectors, services

    county = County.objects.create(name="青山县", code="999999")
    unit = Unit.objects.create(county=county, unit_code="ZF", name="青山县人民政府", kind="leading_body")
    services.ca_init(county=county)
    report("certificate_issue (key + seal image)", timed(lambda: _issue(unit), 5))
    seal = selectors.seal_image_png(unit)
    pdf = render_pdf(one, seal_png=seal)
    report("render_pdf with seal image", timed(lambda: render_pdf(one, seal_png=seal), 10))
    signed = services.sign_pdf(pdf=pdf, unit=unit, actor=None)
    report("sign_pdf (PAdES)", timed(lambda: services.sign_pdf(pdf=pdf, unit=unit, actor=None), 10))
    report("verify_pdf", timed(lambda: services.verify_pdf(signed), 10))


def _issue(unit) -> None:  # type: ignore[no-untyped-def]
    from tongban.seals import selectors, services

    live = selectors.live_certificate(unit)
    if live is not None:
        services.certificate_revoke(certificate=live, actor=None, reason="bench")
    services.certificate_issue(unit=unit)


if __name__ == "__main__":
    main()
