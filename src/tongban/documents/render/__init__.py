"""GB/T 9704-2012 rendering of official documents: PDF (WeasyPrint) and .docx (python-docx).

Public API::

    from tongban.documents.render import DocumentSpec, spec_from_document, render_pdf, render_docx, font_report
"""

from __future__ import annotations

from tongban.documents.render.docx import render_docx
from tongban.documents.render.pdf import render_pdf
from tongban.documents.render.spec import DocumentSpec, cn_date, spec_from_document
from tongban.seals.fonts import font_report

__all__ = ["DocumentSpec", "cn_date", "font_report", "render_docx", "render_pdf", "spec_from_document"]
