from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})


@require_POST
def large_text(request: HttpRequest) -> HttpResponse:
    """Toggle the 适老化 large-text mode (a cookie, so it works before login too)."""
    from django.shortcuts import redirect

    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    on = request.COOKIES.get("tb_large_text") != "1"
    response.set_cookie("tb_large_text", "1" if on else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response
