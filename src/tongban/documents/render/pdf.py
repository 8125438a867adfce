"""render_pdf: a DocumentSpec to PDF bytes with WeasyPrint (GB/T 9704-2012 layout)."""

from __future__ import annotations

import logging

# WeasyPrint logs seven INFO lines a document ("Step 1 - Fetching and parsing HTML" …).
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

from tongban.documents.render import fontcache  # noqa: E402
from tongban.documents.render.html import document_html  # noqa: E402
from tongban.documents.render.spec import DocumentSpec  # noqa: E402

fontcache.install()


def _fetcher() -> URLFetcher:
    # Only the inline seal image (data: URI); never the network or the file system.
    return URLFetcher(allowed_protocols={"data"}, timeout=1)


def render_document(spec: DocumentSpec, *, seal_png: bytes | None = None, hide: tuple[int, ...] = ()):  # type: ignore[no-untyped-def]
    html = document_html(spec, seal_png=seal_png, hide_folio_pages=hide)
    return HTML(string=html, url_fetcher=_fetcher()).render(font_config=fontcache.font_config())


def colophon_alone(document) -> int | None:  # type: ignore[no-untyped-def]
    """The page number of a colophon page without any other text, if there is one."""
    pages = document.pages
    end_page = colophon_page = None
    for number, page in enumerate(pages, 1):
        if "tb-end" in page.anchors:
            end_page = number
        if "tb-colophon" in page.anchors:
            colophon_page = number
    if colophon_page and end_page and colophon_page > end_page:
        return colophon_page
    return None


def render_pdf(spec: DocumentSpec, *, seal_png: bytes | None = None) -> bytes:
    """The document as PDF. A colophon that ends up alone on the last page gets no page number
    (GB/T 9704 7.5); that case costs a second layout pass."""
    document = render_document(spec, seal_png=seal_png)
    alone = colophon_alone(document)
    if alone:
        document = render_document(spec, seal_png=seal_png, hide=(alone,))
    return document.write_pdf()
