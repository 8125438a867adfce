"""Public pages of the leader and department mailboxes (/portal/letters/): write a letter, follow
it by 查询码 + phone (rate it, ask once for re-handling), the published letters and the public
statistics. Thin: parse, call the selectors or one service."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import clock as tclock
from tongban.core.errors import NotFound, TongbanError
from tongban.identity import public
from tongban.interaction import letters
from tongban.interaction import letters_selectors as sel
from tongban.interaction.antispam import rate_limit
from tongban.interaction.forms_letters import LetterForm, LookupForm, RateForm, RehandleForm
from tongban.interaction.models import Letter, LetterKind
from tongban.orgs.models import County

PAGE_SIZE = 15
WRITTEN_KEY = "tb_letter_written"
VERIFIED_KEY = "tb_letters_verified"


def _county() -> County:
    county = sel.public_county()
    if county is None:
        raise Http404(_("网站尚未开通。"))
    return county


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _form_error(form: Any, exc: TongbanError) -> None:
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    county = _county()
    f = sel.PublicFilter(
        kind=request.GET.get("kind", "") if request.GET.get("kind") in LetterKind.values else "",
        mailbox_id=_int(request.GET.get("mailbox")),
        start=_date(request.GET.get("start")),
        end=_date(request.GET.get("end")),
        q=request.GET.get("q", "").strip()[:50],
    )
    page = Paginator(sel.published_filtered(county, f), PAGE_SIZE).get_page(request.GET.get("page"))
    q = request.GET.copy()
    q.pop("page", None)
    return render(
        request,
        "interaction/letters_public/index.html",
        {
            "mailboxes": list(sel.mailboxes(county)),
            "page": page,
            "f": f,
            "kinds": LetterKind.choices,
            "query": q.urlencode(),
            "stats": sel.public_stats(county, year=tclock.today().year),
        },
    )


@require_http_methods(["GET", "POST"])
def write(request: HttpRequest) -> HttpResponse:
    county = _county()
    boxes = list(sel.mailboxes(county))
    account = public.current(request)
    initial: dict[str, Any] = {"may_publish": True, "kind": LetterKind.CONSULT}
    if _int(request.GET.get("mailbox")):
        initial["mailbox"] = _int(request.GET.get("mailbox"))
    if account is not None:
        initial["writer_name"] = account.contact_name or account.name
        initial["phone"] = account.phone
    form = LetterForm(
        request.POST or None,
        request.FILES or None,
        mailboxes=[(b.pk, b.name) for b in boxes],
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            mailbox = sel.get_mailbox(county, d["mailbox"])
            rate_limit(request, "letter", limit=5, window=3600)
            letter = letters.letter_submit(
                mailbox=mailbox,
                kind=d["kind"],
                title=d["title"],
                content=d["content"],
                writer_name=d["writer_name"],
                phone=d["phone"],
                email=d["email"],
                address=d["address"],
                may_publish=d["may_publish"],
                account=account,
                files=d["attachments"],
            )
        except TongbanError as exc:
            _form_error(form, exc)
            form.data = form.data.copy()
            fresh = form._fresh  # a new question for the next try (the old token is spent)
            form.data["challenge_token"] = fresh.token
            form.data["challenge"] = ""
            form.challenge_question = fresh.question
        else:
            request.session[WRITTEN_KEY] = letter.pk
            _verify(request, letter)
            return redirect("letters_public:written")
    return render(
        request,
        "interaction/letters_public/write.html",
        {"form": form, "mailboxes": boxes, "account": account},
    )


def _verify(request: HttpRequest, letter: Letter) -> None:
    ids = [i for i in request.session.get(VERIFIED_KEY, []) if i != letter.pk][-19:]
    request.session[VERIFIED_KEY] = [*ids, letter.pk]


def _verified_letter(request: HttpRequest, code: str) -> Letter:
    """The writer's letter by its code, if this browser proved the phone (lookup or writing) or the
    logged-in account wrote it; otherwise 404."""
    letter = (
        Letter.objects.select_related("mailbox", "reply_unit", "routed_to")
        .filter(tracking_code=code.upper())
        .first()
    )
    account = public.current(request)
    if letter is None or not (
        letter.pk in request.session.get(VERIFIED_KEY, [])
        or (account is not None and letter.account_id == account.pk)
    ):
        raise Http404(_("请先凭查询码和联系电话查询。"))
    return letter


@require_GET
def written(request: HttpRequest) -> HttpResponse:
    pk = request.session.get(WRITTEN_KEY)
    letter = Letter.objects.select_related("mailbox").filter(pk=pk).first() if pk else None
    if letter is None:
        return redirect("letters_public:index")
    return render(request, "interaction/letters_public/written.html", {"letter": letter})


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            letter = sel.letter_lookup(form.cleaned_data["code"], form.cleaned_data["phone"])
        except NotFound as not_found:
            error: TongbanError = not_found
            try:
                rate_limit(request, "letter_lookup", limit=20, window=3600)
            except TongbanError as limited:
                error = limited
            _form_error(form, error)
        else:
            _verify(request, letter)
            return redirect("letters_public:track", code=letter.tracking_code)
    return render(request, "interaction/letters_public/lookup.html", {"form": form})


def _track_context(letter: Letter, **forms: Any) -> dict[str, Any]:
    return {
        "letter": letter,
        "events": sel.public_events(letter),
        "can_rate": letters.can_rate(letter),
        "can_rehandle": letters.can_rehandle(letter),
        "rate_form": forms.get("rate_form") or RateForm(),
        "rehandle_form": forms.get("rehandle_form") or RehandleForm(),
        "attachments": list(letter.attachments.all()),
    }


@require_GET
def track(request: HttpRequest, code: str) -> HttpResponse:
    letter = _verified_letter(request, code)
    return render(request, "interaction/letters_public/track.html", _track_context(letter))


@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    letter = _verified_letter(request, code)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            letters.letter_rate(
                letter=letter, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except TongbanError as exc:
            _form_error(form, exc)
        else:
            return redirect("letters_public:track", code=letter.tracking_code)
    return render(
        request, "interaction/letters_public/track.html", _track_context(letter, rate_form=form), status=400
    )


@require_POST
def rehandle(request: HttpRequest, code: str) -> HttpResponse:
    letter = _verified_letter(request, code)
    form = RehandleForm(request.POST)
    if form.is_valid():
        try:
            letters.letter_rehandle(letter=letter, reason=form.cleaned_data["reason"])
        except TongbanError as exc:
            _form_error(form, exc)
        else:
            return redirect("letters_public:track", code=letter.tracking_code)
    return render(
        request,
        "interaction/letters_public/track.html",
        _track_context(letter, rehandle_form=form),
        status=400,
    )


@public.public_login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    account = public.current(request)
    assert account is not None
    page = Paginator(sel.letters_of_account(account), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "interaction/letters_public/mine.html", {"page": page, "query": ""})


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        letter = sel.published_letter(_county(), pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "interaction/letters_public/detail.html", {"letter": letter})


@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    county = _county()
    this_year = tclock.today().year
    year = _int(request.GET.get("year")) or this_year
    if year < 2000 or year > this_year:
        year = this_year
    data = sel.public_stats(county, year=year)
    chart = {
        "months": [m["month"][5:] for m in data["by_month"]],
        "received": [m["received"] for m in data["by_month"]],
        "answered": [m["answered"] for m in data["by_month"]],
        "kinds": [{"name": k["label"], "value": k["count"]} for k in data["by_kind"]],
        "labels": {"received": _("收信"), "answered": _("答复")},
    }
    return render(
        request,
        "interaction/letters_public/stats.html",
        {
            "s": data,
            "year": year,
            "years": list(range(this_year, this_year - 3, -1)),
            "chart": chart,
            "lookup_url": reverse("letters_public:lookup"),
        },
    )
