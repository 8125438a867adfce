"""REST endpoints of the archive domain: archive search over what the caller may read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema

from tongban.api.common import OptionalYear, PageNo, errors
from tongban.archive import selectors

router = Router(tags=["archive"])


def _user(request: HttpRequest) -> Any:
    return getattr(request, "auth", None) or request.user


class ArchiveRecordOut(Schema):
    id: int
    subject_type: str
    subject_label: str
    subject_id: int
    url: str
    unit_id: int
    unit: str
    year: int
    doc_type: str
    number: str
    title: str
    retention: str  # permanent | 30y | 10y
    retention_label: str
    archived_at: dt.datetime


class ArchivePageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[ArchiveRecordOut]


class ArchiveParams(Schema):
    year: OptionalYear = None
    unit_id: int | None = None
    doc_type: str = ""
    number: str = ""
    q: str = ""
    page: PageNo = 1


@router.get(
    "/",
    response={200: ArchivePageOut, **errors(403)},
    summary="档案查询",
    description="按年度、立档单位、文种、文号和题名查询档案，每页 20 件。单位的文书、办公室主任和单位领导可查本单位全部档案；其他人只能查有权查看的文件的档案。",
)
def archive_list(request: HttpRequest, params: Query[ArchiveParams]) -> ArchivePageOut:
    user = _user(request)
    selectors.access_archive(user)
    qs = selectors.archive_search(
        user=user,
        year=params.year,
        unit_id=params.unit_id,
        doc_type=params.doc_type[:8],
        number=params.number,
        q=params.q[:100],
    )
    page = Paginator(qs, selectors.PER_PAGE).get_page(params.page)
    return ArchivePageOut(
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        items=[
            ArchiveRecordOut(
                id=r.pk,
                subject_type=r.subject_type,
                subject_label=selectors.kind_label(r.subject_type),
                subject_id=r.subject_id,
                url=selectors.subject_url(r),
                unit_id=r.unit_id,
                unit=r.unit.name,
                year=r.year,
                doc_type=r.doc_type,
                number=r.number,
                title=r.title,
                retention=r.retention,
                retention_label=str(r.get_retention_display()),
                archived_at=r.archived_at,
            )
            for r in page.object_list
        ],
    )
