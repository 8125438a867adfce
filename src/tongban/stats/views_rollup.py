"""The 统计计算 page (/stats/rollup/, 考核管理员 only): the state of every day's roll-up, and the
recompute of a range of days as a background job with its progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongban.core.errors import PermissionDenied, TongbanError
from tongban.stats import access, rollup, tasks_rollup
from tongban.stats.models import RollupDay, RollupStatus

PAGE_DAYS = 62


def _admin(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """考核管理员 only: anonymous users log in, everyone else gets 403 and nothing runs."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            access.require_manage(request.user)
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapped


def _job() -> dict[str, Any] | None:
    job = tasks_rollup.job_state()
    if job:
        total = max(1, int(job.get("total") or 0))
        job["percent"] = min(100, int(100 * int(job.get("done") or 0) / total))
        job["active"] = job.get("state") in ("queued", "running")
    return job


def days_page(status: str, before: date | None) -> tuple[list[RollupDay], date | None]:
    """Up to PAGE_DAYS days, newest first (filtered by status), and the cursor of the next page."""
    qs = RollupDay.objects.all()
    if status in RollupStatus.values:
        qs = qs.filter(status=status)
    if before is not None:
        qs = qs.filter(day__lt=before)
    rows = list(qs.order_by("-day")[: PAGE_DAYS + 1])
    more = rows[PAGE_DAYS].day if len(rows) > PAGE_DAYS else None
    return rows[:PAGE_DAYS], (rows[PAGE_DAYS - 1].day if more else None)


@require_GET
@_admin
def status(request: HttpRequest) -> HttpResponse:
    st = request.GET.get("status", "")
    before = parse_date(request.GET.get("before", "") or "")
    days, next_before = days_page(st, before)
    today = timezone.localdate()
    counts = rollup.summary()
    return render(
        request,
        "stats/rollup/status.html",
        {
            "days": days,
            "next_before": next_before,
            "status": st,
            "statuses": RollupStatus.choices,
            "counts": [(v, label, counts.get(v, 0)) for v, label in RollupStatus.choices],
            "job": _job(),
            "today": today,
            "default_first": today - timedelta(days=6),
        },
    )


@require_GET
@_admin
def progress(request: HttpRequest) -> HttpResponse:
    return render(request, "stats/rollup/_progress.html", {"job": _job()})


@require_POST
@_admin
def recompute(request: HttpRequest) -> HttpResponse:
    first = parse_date(request.POST.get("first", "") or "")
    last = parse_date(request.POST.get("last", "") or "")
    try:
        tasks_rollup.request_recompute(actor=request.user, first=first, last=last)
    except (ValueError, TongbanError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("已开始重新计算 %(first)s 至 %(last)s。") % {"first": first, "last": last}
        )
    return redirect("stats_rollup:status")
