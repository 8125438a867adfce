"""The papers of a case: the written notices the law requires, the decisions, the electronic
certificate, and the SMS that tells the applicant.

Rules (rules.md §3; 《中华人民共和国行政许可法》):
- 第三十二条: the unit gives a written receipt, a written 受理 or 不予受理 notice (the latter with
  the reason and the applicant's right to 行政复议 or 行政诉讼), or ONE 补正 notice listing
  everything that is missing (一次性告知), on the spot or within 5 working days.
- 第三十八条: a grant is a written 准予行政许可决定; a refusal states its reasons and tells the
  applicant of the right to apply for 行政复议 or bring 行政诉讼.
- 第四十二条: an extension (once, +10; joint handling +15) and its reason are told to the applicant.
- 第四十四条: the certificate is issued and served within 10 working days of the grant.
- 第四十五条: time for 听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审 is not counted, and the applicant
  is told in writing.

Notices are stored as text (:class:`CaseNotice`), in the county's official language whatever
language the staff member's browser asks for (``settings.LANGUAGE_CODE``), rendered to an A4 PDF
and signed with the implementing unit's seal certificate (PAdES, :func:`tongban.seals.services.sign_pdf`)
when first downloaded; the signed bytes are kept so every later download is the same file."""

from __future__ import annotations

import base64
import calendar as _calendar
import hashlib
import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongban.approvals import numbering
from tongban.approvals.models import (
    Case,
    CaseNotice,
    Certificate,
    Decision,
    NoticeKind,
    PauseReason,
    RejectReason,
)
from tongban.core import audit
from tongban.core import clock as core_clock
from tongban.core.errors import TongbanError
from tongban.documents.rules import chinese_date
from tongban.seals import selectors as seal_selectors
from tongban.seals import services as seal_services
from tongban.seals.fonts import choices as font_choices

logger = logging.getLogger("tongban.approvals.papers")

LAW = "《中华人民共和国行政许可法》"
SMS_MAX_CHARS = 300  # as tongban.notify: one long SMS at most
CERTIFICATE_PREFIX = "DZ"  # 电子证照 number: DZ + county code + year + 6-digit serial


# --- wording ------------------------------------------------------------------------------------


def cn(d: date | None) -> str:
    """``2025年1月27日`` (GB/T 9704 7.3.5.1); an empty string for no date."""
    return chinese_date(d)


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _lines(items: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for item in items:
        text = str(getattr(item, "name", item) or "").strip()
        if text:
            out.append(text)
    return out


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {text}" for i, text in enumerate(items, 1))


def review_body(case: Case) -> str:
    """Where the applicant may seek review: the county people's government (行政复议法 2023 第二十四条:
    the government at the same level reviews its departments' acts)."""
    name = getattr(case.county, "name", "") or ""
    return _("%(county)s人民政府") % {"county": name} if name else _("本级人民政府")


def appeal_text(case: Case, custom: Any = "") -> str:
    """第三十二条第一款第五项 / 第三十八条第二款: the applicant's right to 行政复议 or 行政诉讼, with
    where and when (``custom`` replaces the default particulars, never the right itself)."""
    rights = _("你（单位）依法享有申请行政复议或者提起行政诉讼的权利。")
    particulars = str(custom or "").strip() or _(
        "如不服本决定，可以自收到本文书之日起六十日内向%(body)s申请行政复议，也可以自收到本文书之日起"
        "六个月内依法向人民法院提起行政诉讼。"
    ) % {"body": review_body(case)}
    return rights + particulars


def _days_between_text(n: Any) -> str:
    return str(n) if n not in (None, "") else "—"


def notice_text(kind: str, case: Case, **ctx: Any) -> tuple[str, str]:
    """The title and body of the notice ``kind`` (:class:`NoticeKind`) for ``case``: the wording
    the law requires of each (see the module docstring for the articles). ``ctx`` carries what
    the case row does not: ``reason``/``text`` (不予受理), ``materials``/``items_text`` (补正),
    ``reason``/``expected_days``/``note`` (挂起), ``days``/``reason`` (延期), ``reasons``/
    ``appeal_rights`` (不予许可), ``certificate`` (证照送达); dates default to the clock's dates on
    the case row. Always in the official language (``settings.LANGUAGE_CODE``)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _notice_text(kind, case, ctx)


def _notice_text(kind: str, case: Case, ctx: dict[str, Any]) -> tuple[str, str]:
    version = case.version
    title = _label(NoticeKind, kind)
    head = _("%(name)s：") % {"name": case.applicant_name}
    subject = {
        "tracking_no": case.tracking_no,
        "item": version.name,
        "received": cn(ctx.get("received_on") or case.received_on),
    }
    paras: list[str] = [head]

    if kind == NoticeKind.RECEIPT:
        due = ctx.get("preaccept_due") or case.preaccept_due
        paras.append(
            _(
                "你（单位）于%(received)s提交的“%(item)s”申请材料，本机关已收到，受理编号为%(tracking_no)s。"
                "本机关将在%(due)s前作出受理、不予受理或者一次性告知补正材料的决定；逾期不告知的，"
                "自收到申请材料之日起即为受理（%(law)s第三十二条）。"
            )
            % {**subject, "due": cn(due), "law": LAW}
        )
        names = _lines(ctx.get("materials") or [m.name for m in case.materials.all()])
        if names:
            paras.append(_("收到的申请材料："))
            paras.append(_numbered(names))
        paras.append(_("你可以凭受理编号在网上办事大厅查询办理进度。"))

    elif kind == NoticeKind.ACCEPTANCE:
        accepted = ctx.get("accepted_on") or case.accepted_on
        deemed = ctx.get("deemed", case.deemed_accepted)
        if deemed:
            paras.append(
                _(
                    "你（单位）于%(received)s提交的“%(item)s”申请（受理编号%(tracking_no)s），本机关未在法定期限内"
                    "告知补正，依照%(law)s第三十二条，自%(accepted)s起视为受理。"
                )
                % {**subject, "accepted": cn(accepted), "law": LAW}
            )
        else:
            paras.append(
                _(
                    "你（单位）于%(received)s提交的“%(item)s”申请（受理编号%(tracking_no)s），申请材料齐全、"
                    "符合法定形式，依照%(law)s第三十二条第一款第五项，本机关决定于%(accepted)s予以受理。"
                )
                % {**subject, "accepted": cn(accepted), "law": LAW}
            )
        paras.append(
            _(
                "本机关承诺在受理之日起%(committed)d个工作日内，即%(due_c)s前作出行政许可决定；法定期限为"
                "%(statutory)d个工作日，即%(due_s)s（%(law)s第四十二条）。依法需要听证、招标、拍卖、检验、检测、"
                "检疫、鉴定和专家评审的，所需时间不计算在上述期限内，本机关将书面告知（第四十五条）。"
            )
            % {
                "committed": version.committed_limit,
                "due_c": cn(ctx.get("due_committed") or case.due_committed),
                "statutory": version.statutory_limit,
                "due_s": cn(ctx.get("due_statutory") or case.due_statutory),
                "law": LAW,
            }
        )

    elif kind == NoticeKind.REJECTION:
        reason = ctx.get("reason", "")
        text = str(ctx.get("text", "") or "").strip()
        paras.append(
            _(
                "你（单位）于%(received)s提交的“%(item)s”申请（受理编号%(tracking_no)s），经审查，"
                "因%(reason)s，依照%(law)s第三十二条第一款，本机关决定不予受理。"
            )
            % {**subject, "reason": _label(RejectReason, reason), "law": LAW}
        )
        if text:
            paras.append(_("具体理由：%(text)s") % {"text": text})
        if reason == RejectReason.NOT_COMPETENT:
            paras.append(
                _("该申请事项不属于本机关职权范围，请向有关行政机关申请（第三十二条第一款第二项）。")
            )
        paras.append(appeal_text(case, ctx.get("appeal_rights")))

    elif kind == NoticeKind.SUPPLEMENT:
        names = _lines(ctx.get("materials") or [])
        items_text = str(ctx.get("items_text", "") or "").strip()
        paras.append(
            _(
                "你（单位）于%(received)s提交的“%(item)s”申请（受理编号%(tracking_no)s），申请材料不齐全或者"
                "不符合法定形式。依照%(law)s第三十二条第一款第四项，现一次性告知你（单位）需要补正的全部内容："
            )
            % {**subject, "law": LAW}
        )
        paras.append(_numbered(names + ([items_text] if items_text else [])) or "—")
        paras.append(
            _(
                "本告知为一次性告知，以上为需要补正的全部内容。请按要求补正后重新提交；本机关自收到全部补正"
                "材料之日起%(n)d个工作日内作出是否受理的决定。补正期间不计算在审查期限内。"
            )
            % {"n": 5}
        )

    elif kind == NoticeKind.PAUSE:
        reason = ctx.get("reason", "")
        paras.append(
            _(
                "你（单位）申请的“%(item)s”（受理编号%(tracking_no)s），依法需要进行%(reason)s。依照%(law)s"
                "第四十五条，%(reason)s所需时间不计算在行政许可期限内，预计需要%(days)s个工作日。"
            )
            % {
                **subject,
                "reason": _label(PauseReason, reason),
                "days": _days_between_text(ctx.get("expected_days")),
                "law": LAW,
            }
        )
        note = str(ctx.get("note", "") or "").strip()
        if note:
            paras.append(_("说明：%(note)s") % {"note": note})
        paras.append(_("上述程序结束后本机关将恢复办理并书面告知你（单位）。"))

    elif kind == NoticeKind.RESUME:
        paras.append(
            _(
                "你（单位）申请的“%(item)s”（受理编号%(tracking_no)s），%(law)s第四十五条规定的程序已结束，"
                "本机关于%(on)s恢复办理。该程序所用%(n)d个工作日不计算在行政许可期限内，承诺办结期限顺延至"
                "%(due_c)s，法定期限顺延至%(due_s)s。"
            )
            % {
                **subject,
                "on": cn(ctx.get("resumed_on") or core_clock.today()),
                "n": int(ctx.get("paused_days", case.paused_days) or 0),
                "due_c": cn(ctx.get("due_committed") or case.due_committed),
                "due_s": cn(ctx.get("due_statutory") or case.due_statutory),
                "law": LAW,
            }
        )
        note = str(ctx.get("note", "") or "").strip()
        if note:
            paras.append(_("说明：%(note)s") % {"note": note})

    elif kind == NoticeKind.EXTENSION:
        days = int(ctx.get("days", 0) or 0)
        clause = _("第四十二条第二款") if version.joint else _("第四十二条第一款")
        paras.append(
            _(
                "你（单位）申请的“%(item)s”（受理编号%(tracking_no)s），因%(reason)s，不能在%(statutory)d个"
                "工作日内作出决定。经本机关负责人批准，依照%(law)s%(clause)s，审批期限延长%(days)d个工作日，"
                "延长后的法定期限为%(due_s)s。"
            )
            % {
                **subject,
                "reason": str(ctx.get("reason", "") or "").strip().rstrip("。") or "—",
                "statutory": version.statutory_limit,
                "clause": clause,
                "days": days,
                "due_s": cn(ctx.get("due_statutory") or case.due_statutory),
                "law": LAW,
            }
        )

    elif kind == NoticeKind.GRANT:
        decided = ctx.get("decided_on") or case.decided_on or core_clock.today()
        paras.append(
            _(
                "你（单位）于%(received)s提出的“%(item)s”申请（受理编号%(tracking_no)s），经审查，符合法定条件、"
                "标准。依照%(law)s第三十八条第一款及%(basis)s，本机关决定准予行政许可。"
            )
            % {**subject, "basis": version.legal_basis.strip().rstrip("。"), "law": LAW}
        )
        reasons = str(ctx.get("reasons", "") or "").strip()
        if reasons:
            paras.append(_("审查意见：%(reasons)s") % {"reasons": reasons})
        if version.certificate_name:
            paras.append(
                _(
                    "本机关将自本决定作出之日（%(on)s）起十个工作日内向你（单位）颁发、送达%(cert)s（第四十四条）。"
                )
                % {"on": cn(decided), "cert": version.certificate_name}
            )

    elif kind == NoticeKind.REFUSAL:
        reasons = str(ctx.get("reasons", "") or "").strip()
        paras.append(
            _(
                "你（单位）于%(received)s提出的“%(item)s”申请（受理编号%(tracking_no)s），经审查，不符合法定条件、"
                "标准。依照%(law)s第三十八条第二款，本机关决定不予行政许可。"
            )
            % {**subject, "law": LAW}
        )
        paras.append(_("理由：%(reasons)s") % {"reasons": reasons or "—"})
        paras.append(appeal_text(case, ctx.get("appeal_rights")))

    elif kind == NoticeKind.CERTIFICATE:
        cert = ctx.get("certificate") or getattr(case, "certificate", None)
        if cert is None:
            raise TongbanError("approvals.no_certificate", _("该办件尚未颁发证照。"))
        paras.append(
            _(
                "你（单位）申请的“%(item)s”（受理编号%(tracking_no)s），本机关已依照%(law)s第四十四条颁发"
                "%(name)s（电子证照），证照编号%(number)s，持证者%(holder)s，有效期自%(from)s至%(until)s。"
            )
            % {
                **subject,
                "name": cert.name,
                "number": cert.number,
                "holder": cert.holder,
                "from": cn(cert.valid_from),
                "until": cn(cert.valid_until) if cert.valid_until else _("长期"),
                "law": LAW,
            }
        )
        paras.append(_("电子证照与纸质证照具有同等法律效力。你可以在网上办事大厅下载，并在%(url)s核验电子印章。")
                     % {"url": verify_url()})  # fmt: skip
    else:
        raise TongbanError("approvals.notice_kind", _("未知的文书类型。"), field="kind")
    return str(title), "\n".join(paras)


def verify_url() -> str:
    """The public page that checks a sealed PDF (tongban.seals)."""
    return settings.TONGBAN_BASE_URL + reverse("seals:verify")


# --- issuing and telling the applicant ----------------------------------------------------------


def notice_issue(*, case: Case, kind: str, actor: Any = None, **ctx: Any) -> CaseNotice:
    """Create the written notice ``kind`` on ``case`` (inside the caller's transaction) and, once
    the transaction commits, text the applicant that it is there. Staff actions are audited."""
    title, body = notice_text(kind, case, **ctx)
    user = actor if getattr(actor, "pk", None) and hasattr(actor, "username") else None
    with transaction.atomic():
        notice = CaseNotice.objects.create(case=case, kind=kind, title=title, body=body, created_by=user)
        if user is not None:
            audit.record(
                "approvals.notice_issue",
                actor=user,
                object_type="approvals.casenotice",
                object_id=notice.pk,
                object_repr=f"{case.tracking_no} {title}",
                unit_id=case.unit_id,
                new={"kind": kind, "case": case.tracking_no},
            )
        notice_id = notice.pk
        transaction.on_commit(lambda: _enqueue_notice_sms(notice_id))
    return notice


def notice_sms_text(notice: CaseNotice) -> str:
    case = notice.case
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "【%(sig)s】%(name)s：你申请的“%(item)s”（受理编号%(no)s）有新的书面文书《%(title)s》，"
            "请登录网上办事大厅查看或下载。"
        ) % {
            "sig": settings.TONGBAN_SMS_SIGNATURE,
            "name": case.applicant_name,
            "item": case.version.name,
            "no": case.tracking_no,
            "title": notice.title,
        }
    return _clip(text)


def _clip(text: str) -> str:
    return text if len(text) <= SMS_MAX_CHARS else text[: SMS_MAX_CHARS - 1] + "…"


def _enqueue_notice_sms(notice_id: int) -> None:
    from tongban.approvals.tasks import notice_sms_task

    notice_sms_task.enqueue(notice_id)


def applicant_sms(case: Case, text: str) -> None:
    """Text ``case``'s applicant once the current transaction commits (a task sends it; failures
    are retried). For messages that are not a written notice (a notice texts by itself)."""
    import uuid

    from tongban.approvals.tasks import applicant_sms_task

    key = uuid.uuid4().hex
    with translation.override(settings.LANGUAGE_CODE):
        body = _clip(f"【{settings.TONGBAN_SMS_SIGNATURE}】{text}")
    case_id = case.pk
    transaction.on_commit(lambda: applicant_sms_task.enqueue(case_id, body, key))


# --- PDF -------------------------------------------------------------------------------------------


def _fonts() -> dict[str, str]:
    f = font_choices()
    return {key: c.family for key, c in f.items()} | {f"{key}_weight": str(c.weight) for key, c in f.items()}


def _seal_uri(unit: Any) -> str:
    png = seal_selectors.seal_image_png(unit)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else ""


def _html_to_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    from tongban.documents.render import fontcache

    fontcache.install()
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)  # only the inline seal image
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=fontcache.font_config()))


def _read(field: Any) -> bytes:
    field.open("rb")
    try:
        return bytes(field.read())
    finally:
        field.close()


def notice_pdf(notice: CaseNotice, *, actor: Any = None) -> bytes:
    """The notice as an A4 PDF signed with the implementing unit's seal. Made once, under the
    notice's row lock, and kept in ``notice.pdf``: every later download is the same file.
    Raises TongbanError when the unit has no seal certificate."""
    if notice.pdf:
        return _read(notice.pdf)
    with transaction.atomic():
        row = (
            CaseNotice.objects.select_for_update()
            .select_related("case", "case__unit", "case__version", "case__county")
            .get(pk=notice.pk)
        )
        if not row.pdf:
            case = row.case
            on = timezone.localdate(row.created_at)
            pdf = _html_to_pdf(
                "approvals/papers/notice.html",
                {
                    "notice": row,
                    "case": case,
                    "paragraphs": row.body.split("\n"),
                    "unit_name": case.unit.name,
                    "date": cn(on),
                    "seal": _seal_uri(case.unit),
                    "fonts": _fonts(),
                    "verify_url": verify_url(),
                },
            )
            signed = seal_services.sign_pdf(
                pdf=pdf, unit=case.unit, actor=actor, reason=_("%(title)s 用印") % {"title": row.title}
            )
            row.pdf.save(f"{case.tracking_no}-{row.kind}-{row.pk}.pdf", ContentFile(signed), save=False)
            CaseNotice.objects.filter(pk=row.pk).update(pdf=row.pdf.name)
            notice.pdf = row.pdf.name
            return signed
        notice.pdf = row.pdf.name
    return _read(notice.pdf)


# --- certificate -------------------------------------------------------------------------------------


def add_years(d: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February → 28 February)."""
    y = d.year + years
    return d.replace(year=y, day=min(d.day, _calendar.monthrange(y, d.month)[1]))


def validity_end(start: date, years: int | None) -> date | None:
    """A certificate valid for ``years`` from ``start`` ends the day before the same date ``years``
    later (e.g. 2026-11-30 for 5 years → 2031-11-29); None = 长期有效."""
    if not years:
        return None
    return date.fromordinal(add_years(start, years).toordinal() - 1)


def certificate_create(*, case: Case, actor: Any) -> Certificate:
    """The electronic certificate of a granted case (第三十九条, 第四十四条): its number from the
    county's yearly counter, holder = the applicant, valid from today for the item version's
    ``certificate_valid_years``, and the certificate PDF sealed with the implementing unit's
    certificate (sha256 stored). Raises TongbanError when the case is not granted, the item has no
    certificate, one was already issued, or the unit has no seal."""
    version = case.version
    if case.decision != Decision.GRANT:
        raise TongbanError("approvals.not_granted", _("只有准予许可的办件才能颁发证照。"))
    if not version.certificate_name:
        raise TongbanError("approvals.no_certificate_item", _("该事项不颁发证照。"))
    if Certificate.objects.filter(case=case).exists():
        raise TongbanError("approvals.certificate_exists", _("该办件已颁发证照。"))
    if seal_selectors.live_certificate(case.unit) is None:
        raise TongbanError("seals.no_certificate", _("该单位没有有效的印章证书，请联系安全管理员签发。"))
    now = core_clock.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        serial = numbering.next_serial(case.county, f"cert:{today.year}")
        number = f"{CERTIFICATE_PREFIX}{case.county.code}{today.year}{serial:06d}"
        cert = Certificate(
            case=case,
            number=number,
            name=version.certificate_name,
            holder=case.applicant_name,
            valid_from=today,
            valid_until=validity_end(today, version.certificate_valid_years),
            issued_at=now,
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        pdf = _html_to_pdf(
            "approvals/papers/certificate.html",
            {
                "cert": cert,
                "case": case,
                "version": version,
                "unit_name": case.unit.name,
                "holder_id": case.applicant_id_number,
                "valid_from": cn(cert.valid_from),
                "valid_until": cn(cert.valid_until) if cert.valid_until else "",
                "issued": cn(today),
                "seal": _seal_uri(case.unit),
                "fonts": _fonts(),
                "verify_url": verify_url(),
            },
        )
        signed = seal_services.sign_pdf(
            pdf=pdf, unit=case.unit, actor=actor, reason=_("%(name)s 用印") % {"name": cert.name}
        )
        cert.sha256 = hashlib.sha256(signed).hexdigest()
        cert.pdf.save(f"{number}.pdf", ContentFile(signed), save=False)
        cert.save()
        audit.record(
            "approvals.certificate_create",
            actor=actor,
            object_type="approvals.certificate",
            object_id=cert.pk,
            object_repr=number,
            unit_id=case.unit_id,
            new={"case": case.tracking_no, "number": number, "sha256": cert.sha256},
        )
    return cert


def certificate_pdf(cert: Certificate) -> bytes:
    """The stored, sealed certificate PDF (the same bytes every time; checked against its sha256)."""
    data = _read(cert.pdf)
    if hashlib.sha256(data).hexdigest() != cert.sha256:
        raise TongbanError(
            "approvals.certificate_altered", _("证照文件与登记的校验值不一致，请联系发证机关。")
        )
    return data
