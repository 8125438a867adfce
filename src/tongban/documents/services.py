"""The only writers of outgoing documents (发文): drafting, body versions, attachments, numbering
under a lock, sign-off, seal, 核发, withdrawal, archiving, and each step of the outgoing process.

Every function is atomic, keyword-only, takes the ``actor`` and leaves an audit row. Bad input
changes nothing."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.archive.models import Retention as ArchiveRetention
from tongban.core import audit
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.documents import hooks, rules, selectors
from tongban.documents.models import (
    Attachment,
    BodyVersion,
    DocStatus,
    Document,
    DocumentOrgan,
    NumberRecord,
    NumberSeries,
    Recipient,
    SeriesCounter,
    SignOff,
)
from tongban.documents.sanitize import clean_html, html_to_text
from tongban.orgs import selectors as org_selectors
from tongban.orgs.models import BusinessRole, Unit

SUBJECT_TYPE = "documents.document"
PROCESS_KEY = "documents.outgoing"

# 附件: office formats only (the issue: "attachments of any office type with size and type limits").
ALLOWED_EXTENSIONS = frozenset(
    {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "ofd", "txt", "jpg", "jpeg", "png", "zip"}
)
DEFAULT_MAX_ATTACHMENT_MB = 50
ELEMENT_FIELDS = (
    "doc_type",
    "direction",
    "layout",
    "copy_no",
    "copies",
    "secrecy",
    "secrecy_period",
    "urgency",
    "flag_text",
    "title",
    "main_to",
    "attachment_note",
    "signature_text",
    "note",
    "cc_text",
    "printer_organ",
)
RETENTIONS = dict(ArchiveRetention.choices)  # 保管期限, defined once by the archive


def _max_attachment_bytes() -> int:
    return (
        int(getattr(settings, "TONGBAN_DOCUMENT_ATTACHMENT_MAX_MB", DEFAULT_MAX_ATTACHMENT_MB)) * 1024 * 1024
    )


def _wf() -> Any:
    from tongban.workflow import services as wf

    return wf


def _wfs() -> Any:
    from tongban.workflow import selectors as wfs

    return wfs


# --- validation of the elements (第九条) -----------------------------------------------------
def _choices(model_field: str) -> set[str]:
    return {c[0] for c in Document._meta.get_field(model_field).choices or []}


def _apply_elements(doc: Document, data: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the 第九条 elements present in ``data``; return {field: (old, new)} of the changes."""
    changes: dict[str, tuple[Any, Any]] = {}
    for name in ELEMENT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        field = Document._meta.get_field(name)
        if name == "copies":
            try:
                value = int(value or 0)
            except (TypeError, ValueError):
                raise TongbanError("documents.bad_copies", _("印发份数须为整数。"), field=name) from None
            if not 0 <= value <= 100000:
                raise TongbanError("documents.bad_copies", _("印发份数不正确。"), field=name)
        else:
            value = str(value or "").strip()
            max_length = getattr(field, "max_length", None)
            if max_length and len(value) > max_length:
                raise TongbanError(
                    "documents.too_long",
                    _("%(field)s 不能超过 %(n)s 个字。") % {"field": field.verbose_name, "n": max_length},
                    field=name,
                )
            if field.choices and value not in _choices(name):
                raise TongbanError(
                    "documents.bad_choice",
                    _("%(field)s 的取值不正确。") % {"field": field.verbose_name},
                    field=name,
                )
        if name == "copy_no" and value and not re.fullmatch(r"\d{6}", value):
            # GB/T 9704 7.2.1: 份号 is six Arabic digits
            raise TongbanError("documents.bad_copy_no", _("份号须为6位阿拉伯数字。"), field=name)
        if name == "title" and not value:
            raise TongbanError("documents.title_required", _("请填写标题。"), field=name)
        old = getattr(doc, name)
        if old != value:
            changes[name] = (old, value)
            setattr(doc, name, value)
    if doc.secrecy == "" and doc.secrecy_period:
        doc.secrecy_period = ""
    return changes


def _county_units(county_id: int, ids: list[Any], field: str) -> list[Unit]:
    clean: list[int] = []
    for raw in ids or []:
        try:
            clean.append(int(raw))
        except (TypeError, ValueError):
            raise TongbanError("documents.bad_unit", _("单位不正确。"), field=field) from None
    clean = list(dict.fromkeys(clean))
    units = {u.pk: u for u in Unit.objects.filter(pk__in=clean, county_id=county_id, is_active=True)}
    if len(units) != len(clean):
        raise TongbanError("documents.bad_unit", _("所选单位不存在。"), field=field)
    return [units[i] for i in clean]


def _set_recipients(doc: Document, data: dict[str, Any]) -> None:
    keys = ("main_units", "cc_units", "main_external", "cc_external")
    if not any(k in data for k in keys):
        return
    current = {k: v for k, v in selectors.recipient_lists(doc).items()}
    for k in keys:
        if k in data:
            current[k] = data[k]
    main_units = _county_units(doc.county_id, current["main_units"], "main_units")
    cc_units = _county_units(doc.county_id, current["cc_units"], "cc_units")

    def names(raw: Any) -> list[str]:
        if isinstance(raw, str):
            raw = re.split(r"[、，,\n]", raw)
        out = [str(n).strip()[:100] for n in raw or [] if str(n).strip()]
        return list(dict.fromkeys(out))

    def auto_text(kind: str) -> str:
        rows = [r for r in doc.recipients.select_related("unit") if r.kind == kind]
        return "、".join(r.unit.name if r.unit_id else r.external_name for r in rows)[:500]

    old_main, old_cc = auto_text(Recipient.Kind.MAIN), auto_text(Recipient.Kind.CC)
    doc.recipients.all().delete()
    rows: list[Recipient] = []
    for kind, units, external in (
        (Recipient.Kind.MAIN, main_units, names(current["main_external"])),
        (Recipient.Kind.CC, cc_units, names(current["cc_external"])),
    ):
        for i, unit in enumerate(units):
            rows.append(Recipient(document=doc, kind=kind, unit=unit, sort=i))
        for j, name in enumerate(external):
            rows.append(Recipient(document=doc, kind=kind, external_name=name, sort=len(units) + j))
    Recipient.objects.bulk_create(rows)
    # 主送/抄送 as printed follow the recipients, unless the drafter wrote them by hand
    main_given = str(data.get("main_to") or doc.main_to or "").strip()
    if not main_given or main_given == old_main:
        doc.main_to = "、".join([u.name for u in main_units] + names(current["main_external"]))[:500]
    cc_given = str(data.get("cc_text") or doc.cc_text or "").strip()
    if not cc_given or cc_given == old_cc:
        doc.cc_text = "、".join([u.name for u in cc_units] + names(current["cc_external"]))[:500]


def _set_organs(doc: Document, organ_unit_ids: list[Any] | None) -> None:
    """联合行文: the drafting unit leads; the others follow in the given order (第九条 (四))."""
    if organ_unit_ids is None:
        return
    others = [u for u in _county_units(doc.county_id, organ_unit_ids, "organs") if u.pk != doc.unit_id]
    doc.organs.all().delete()
    unit = doc.unit
    rows = [DocumentOrgan(document=doc, unit=unit, name=unit.name, is_lead=True, sort=0)]
    rows += [DocumentOrgan(document=doc, unit=u, name=u.name, sort=i + 1) for i, u in enumerate(others)]
    DocumentOrgan.objects.bulk_create(rows)


def _set_named_readers(doc: Document, reader_ids: list[Any] | None, actor: Any) -> None:
    if reader_ids is None and not doc.is_classified:
        return
    from tongban.identity.models import User

    ids: list[int] = []
    for raw in reader_ids or []:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            raise TongbanError("documents.bad_reader", _("知悉人员不正确。"), field="named_readers") from None
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(users) != len(set(ids)):
        raise TongbanError("documents.bad_reader", _("知悉人员不存在。"), field="named_readers")
    doc.named_readers.set(users)
    if doc.is_classified:
        doc.named_readers.add(doc.created_by)  # the drafter always knows the document


def _set_series(doc: Document, series_id: Any) -> None:
    if series_id in (None, ""):
        return
    series = NumberSeries.objects.filter(pk=series_id, unit_id=doc.unit_id, is_active=True).first()
    if series is None:
        raise TongbanError("documents.bad_series", _("发文字号系列不属于主办单位。"), field="series")
    doc.series = series


def _new_version(doc: Document, html: str, *, actor: Any, source: str, step: str = "") -> BodyVersion | None:
    last = doc.versions.order_by("-version").first()
    if last is not None and last.html == html:
        return None
    return BodyVersion.objects.create(
        document=doc,
        version=(last.version + 1) if last else 1,
        html=html,
        source=source,
        created_by=actor,
        step=step[:64],
    )


# --- create / update ----------------------------------------------------------------------
@transaction.atomic
def document_create(
    *,
    actor: Any,
    data: dict[str, Any],
    unit: Unit | None = None,
    start_process: bool = True,
) -> Document:
    """A new draft in the drafter's unit (or another unit where they hold a post). Starts the
    outgoing process, whose first step (拟稿) is in the drafter's inbox."""
    units = org_selectors.units_for_user(actor)
    if not units:
        raise PermissionDenied("documents.no_unit", _("您没有任职单位，不能拟稿。"))
    if unit is None:
        unit = units[0]
    elif unit.pk not in {u.pk for u in units}:
        raise PermissionDenied("documents.not_your_unit", _("只能以本人所在单位拟稿。"))
    doc = Document(county_id=unit.county_id, unit=unit, created_by=actor, status=DocStatus.DRAFT)
    doc.title = str(data.get("title") or "").strip()
    _apply_elements(doc, {k: v for k, v in data.items() if k in ELEMENT_FIELDS} | {"title": doc.title})
    if not doc.flag_text:
        doc.flag_text = f"{unit.name}文件"[:100]
    if not doc.signature_text:
        doc.signature_text = unit.name[:200]
    if not doc.printer_organ:
        doc.printer_organ = unit.name[:100]
    body = clean_html(str(data.get("body_html") or ""))
    doc.body_html = body
    _set_series(doc, data.get("series") or data.get("series_id"))
    if doc.series is None:
        doc.series = NumberSeries.objects.filter(unit=unit, is_active=True).order_by("id").first()
    doc.save()
    _set_organs(doc, data.get("organs") or [])
    _set_recipients(
        doc,
        {k: data.get(k) or [] for k in ("main_units", "cc_units", "main_external", "cc_external")}
        | {k: data[k] for k in ("main_to", "cc_text") if k in data},
    )
    _set_named_readers(doc, data.get("named_readers"), actor)
    doc.save()
    if body:
        _new_version(doc, body, actor=actor, source="editor", step=rules.STEP_DRAFT)
    audit.record(
        "documents.created", actor=actor, obj=doc, unit_id=unit.pk, new={"title": doc.title, "unit": unit.pk}
    )
    if start_process:
        inst = _wf().instance_start(
            key=PROCESS_KEY,
            subject_type=SUBJECT_TYPE,
            subject_id=doc.pk,
            title=doc.title,
            actor=actor,
            unit=unit,
            data={"countersign_units": [], "secrecy": doc.secrecy, "doc_type": doc.doc_type},
            urgency=doc.urgency,
        )
        doc.instance = inst
        doc.save(update_fields=["instance"])
    _index(doc)
    return doc


def may_edit(document: Document, actor: Any) -> bool:
    """The handler of an open 拟稿/审核/核稿/复核 item edits; so does the drafter before submitting."""
    if not rules.can_edit_status(document.status):
        return False
    if document.instance_id is None:
        return document.created_by_id == getattr(actor, "pk", None)
    steps = {
        step_of(i)
        for i in _wfs().open_items_for(user=actor, subject_type=SUBJECT_TYPE, subject_id=document.pk)
    }
    return bool(steps & rules.EDIT_STEPS)


@transaction.atomic
def document_update(*, document: Document, actor: Any, data: dict[str, Any], step: str = "") -> Document:
    """Save elements, recipients and the body; a changed body becomes a new BodyVersion."""
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if not may_edit(doc, actor):
        raise PermissionDenied("documents.not_editable", _("当前环节您不能修改此公文。"))
    changes = _apply_elements(doc, {k: v for k, v in data.items() if k in ELEMENT_FIELDS})
    if "series" in data or "series_id" in data:
        _set_series(doc, data.get("series") or data.get("series_id"))
    _set_recipients(doc, data)
    if "organs" in data:
        _set_organs(doc, data.get("organs") or [])
    if "named_readers" in data or ("secrecy" in changes and doc.is_classified):
        current = list(doc.named_readers.values_list("pk", flat=True))
        _set_named_readers(doc, data.get("named_readers", current), actor)
    version = None
    if "body_html" in data:
        body = clean_html(str(data.get("body_html") or ""))
        if body != doc.body_html:
            changes["body_html"] = ("…", "…")
            doc.body_html = body
        version = _new_version(doc, body, actor=actor, source=str(data.get("source") or "editor"), step=step)
    doc.save()
    if doc.instance_id and ("title" in changes or "urgency" in changes):
        # the inbox shows the title and urgency denormalised on the instance and its items
        _wf().instance_update(instance=doc.instance, actor=actor, title=doc.title, urgency=doc.urgency)
    audit.record(
        "documents.updated",
        actor=actor,
        obj=doc,
        unit_id=doc.unit_id,
        old={k: str(v[0]) for k, v in changes.items()},
        new={k: str(v[1]) for k, v in changes.items()} | ({"version": version.version} if version else {}),
    )
    _index(doc)
    return doc


def _docx_to_html(data: bytes) -> str:
    import mammoth

    style_map = "\n".join(
        [
            "p[style-name='Heading 1'] => h1:fresh",
            "p[style-name='Heading 2'] => h2:fresh",
            "p[style-name='Heading 3'] => h3:fresh",
            "p[style-name='Title'] => h1:fresh",
        ]
    )
    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=style_map)
    except Exception as exc:  # a corrupt or non-.docx upload
        raise TongbanError("documents.bad_docx", _("无法读取该 .docx 文件。"), field="file") from exc
    return clean_html(result.value)


@transaction.atomic
def body_import_docx(*, document: Document, actor: Any, file: Any, name: str = "") -> Document:
    """Replace the body with a converted .docx (mammoth → sanitised HTML); the .docx is kept as an
    attachment (role 正文原稿) too."""
    name = name or getattr(file, "name", "") or "body.docx"
    if not name.lower().endswith(".docx"):
        raise TongbanError("documents.not_docx", _("请上传 .docx 格式的正文。"), field="file")
    raw = _read_limited(file)
    html = _docx_to_html(raw)
    if not html:
        raise TongbanError("documents.empty_docx", _("该 .docx 文件没有正文内容。"), field="file")
    doc = document_update(document=document, actor=actor, data={"body_html": html, "source": "docx"})
    attachment_add(
        document=doc,
        actor=actor,
        file=ContentFile(raw, name=name),
        name=name,
        role=Attachment.Role.BODY_SOURCE,
    )
    return doc


# --- attachments --------------------------------------------------------------------------
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def safe_file_name(name: str) -> str:
    """The base name without path parts, control or reserved characters; at most 200 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if not name:
        name = "附件"
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 200:
        name = stem[: 200 - len(ext) - 1] + "." + ext
    return name[:200]


def _read_limited(file: Any) -> bytes:
    limit = _max_attachment_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise TongbanError(
            "documents.file_too_large",
            _("文件不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)},
            field="file",
        )
    if hasattr(file, "seek"):
        file.seek(0)
    chunks: list[bytes] = []
    total = 0
    iterator = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1024 * 1024), b"")
    for chunk in iterator:
        total += len(chunk)
        if total > limit:
            raise TongbanError(
                "documents.file_too_large",
                _("文件不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)},
                field="file",
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _extract_text(raw: bytes, name: str) -> str:
    try:
        from tongban.search import services as search_services
    except ImportError:
        return ""
    try:
        return str(search_services.text_of_file(ContentFile(raw, name=name), name) or "")[:1_000_000]
    except Exception:  # extraction is best effort; the file is kept either way
        return ""


@transaction.atomic
def attachment_add(
    *, document: Document, actor: Any, file: Any, name: str = "", role: str = Attachment.Role.ATTACHMENT
) -> Attachment:
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if not may_edit(doc, actor):
        raise PermissionDenied("documents.not_editable", _("当前环节您不能修改此公文。"))
    name = safe_file_name(name or getattr(file, "name", ""))
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_EXTENSIONS:
        raise TongbanError(
            "documents.bad_file_type",
            _("不支持的附件类型，允许：%(types)s。") % {"types": "、".join(sorted(ALLOWED_EXTENSIONS))},
            field="file",
        )
    raw = _read_limited(file)
    if not raw:
        raise TongbanError("documents.empty_file", _("文件是空的。"), field="file")
    sort = (doc.attachments.aggregate(m=Max("sort"))["m"] or 0) + 1
    att = Attachment(
        document=doc,
        name=name,
        size=len(raw),
        content_type=str(getattr(file, "content_type", "") or "")[:100],
        sha256=hashlib.sha256(raw).hexdigest(),
        text=_extract_text(raw, name),
        sort=sort,
        role=role,
        uploaded_by=actor,
    )
    att.file.save(f"{hashlib.sha256(raw).hexdigest()[:16]}.{ext}", ContentFile(raw), save=False)
    att.save()
    audit.record(
        "documents.attachment_added",
        actor=actor,
        obj=doc,
        unit_id=doc.unit_id,
        new={"attachment": att.pk, "name": name, "size": att.size, "sha256": att.sha256},
    )
    _index(doc)
    return att


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: Any) -> None:
    doc = Document.objects.select_for_update().get(pk=attachment.document_id)
    if not may_edit(doc, actor):
        raise PermissionDenied("documents.not_editable", _("当前环节您不能修改此公文。"))
    audit.record(
        "documents.attachment_removed",
        actor=actor,
        obj=doc,
        unit_id=doc.unit_id,
        old={"attachment": attachment.pk, "name": attachment.name, "sha256": attachment.sha256},
    )
    file = attachment.file
    attachment.delete()
    if file:
        transaction.on_commit(lambda: file.storage.delete(file.name))
    _index(doc)


# --- numbering ----------------------------------------------------------------------------
def _may_number(actor: Any, unit: Unit) -> bool:
    return org_selectors.user_has_role(actor, BusinessRole.CLERK, unit) or org_selectors.user_has_role(
        actor, BusinessRole.OFFICE_HEAD, unit
    )


def _locked_counter(series: NumberSeries, year: int) -> SeriesCounter:
    """The (series, year) counter row, locked FOR UPDATE; created safely when two requests race."""
    counter = SeriesCounter.objects.select_for_update().filter(series=series, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():  # a savepoint: a lost race only undoes this insert
                SeriesCounter.objects.create(series=series, year=year, last=0)
        except IntegrityError:
            pass
        counter = SeriesCounter.objects.select_for_update().get(series=series, year=year)
    return counter


@transaction.atomic
def number_assign(
    *, document: Document, actor: Any, series: NumberSeries | None = None, year: int | None = None
) -> NumberRecord:
    """编号登记 (第二十五条): the next serial of the series and year, taken under a row lock —
    unique, gapless, never reused. A joint document uses the lead organ's series (第九条 (五))."""
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if not rules.can_number(doc.status):
        raise TongbanError("documents.not_numberable", _("公文签发后才能编号，且不能重复编号。"))
    series = series or doc.series
    if series is None:
        raise TongbanError("documents.no_series", _("请选择发文字号系列。"), field="series")
    if series.unit_id != doc.unit_id or not series.is_active:
        raise TongbanError("documents.bad_series", _("发文字号系列不属于主办单位。"), field="series")
    if not _may_number(actor, doc.unit):
        raise PermissionDenied("documents.not_clerk", _("只有本单位文书或办公室主任可以编号。"))
    year = year or timezone.localdate().year
    counter = _locked_counter(series, year)
    counter.last += 1
    counter.save(update_fields=["last"])
    text = rules.format_number(series.prefix, year, counter.last)
    record = NumberRecord.objects.create(
        series=series, year=year, serial=counter.last, text=text, document=doc, assigned_by=actor
    )
    doc.series = series
    doc.number_year = year
    doc.number_serial = counter.last
    doc.doc_number = text
    doc.status = DocStatus.NUMBERED
    doc.save(update_fields=["series", "number_year", "number_serial", "doc_number", "status", "updated_at"])
    audit.record("documents.numbered", actor=actor, obj=doc, unit_id=doc.unit_id, new={"number": text})
    _index(doc)
    return record


@transaction.atomic
def number_void(*, document: Document, actor: Any, reason: str) -> NumberRecord | None:
    """A withdrawn document's number is voided and recorded, never given again."""
    record = (
        NumberRecord.objects.select_for_update()
        .filter(document=document, state=NumberRecord.State.ASSIGNED)
        .order_by("-id")
        .first()
    )
    if record is None:
        return None
    record.state = NumberRecord.State.VOIDED
    record.voided_at = timezone.now()
    record.void_reason = (reason or "")[:200]
    record.save(update_fields=["state", "voided_at", "void_reason"])
    audit.record(
        "documents.number_voided",
        actor=actor,
        obj=document,
        unit_id=document.unit_id,
        old={"number": record.text},
        new={"state": "voided", "reason": record.void_reason},
    )
    return record


@transaction.atomic
def series_create(*, actor: Any, unit: Unit, prefix: str, name: str = "") -> NumberSeries:
    if not org_selectors.user_has_role(actor, BusinessRole.OFFICE_HEAD, unit):
        raise PermissionDenied("documents.not_office_head", _("只有本单位办公室主任可以管理发文字号。"))
    prefix = prefix.strip()
    if not prefix or len(prefix) > 32 or re.search(r"[〔〕\[\]\s\d]", prefix):
        raise TongbanError(
            "documents.bad_prefix", _("机关代字不正确（不含年份、括号、数字和空格）。"), field="prefix"
        )
    if NumberSeries.objects.filter(county_id=unit.county_id, prefix=prefix).exists():
        raise TongbanError("documents.prefix_taken", _("该机关代字已被使用。"), field="prefix")
    series = NumberSeries.objects.create(
        county_id=unit.county_id, unit=unit, prefix=prefix, name=name.strip()[:64]
    )
    audit.record("documents.series_created", actor=actor, obj=series, unit_id=unit.pk, new={"prefix": prefix})
    return series


@transaction.atomic
def series_set_active(*, actor: Any, series: NumberSeries, active: bool) -> NumberSeries:
    if not org_selectors.user_has_role(actor, BusinessRole.OFFICE_HEAD, series.unit):
        raise PermissionDenied("documents.not_office_head", _("只有本单位办公室主任可以管理发文字号。"))
    if series.is_active != active:
        series.is_active = active
        series.save(update_fields=["is_active"])
        audit.record(
            "documents.series_changed",
            actor=actor,
            obj=series,
            unit_id=series.unit_id,
            new={"active": active},
        )
    return series


# --- sign-off, seal, 核发 -------------------------------------------------------------------
@transaction.atomic
def document_signoff(*, document: Document, actor: Any, opinion: str, unit: Unit | None = None) -> SignOff:
    """签发 (第二十二条): the leader's opinion, name and full date; 成文日期 = the sign-off date, the
    last signer's for a joint document (第九条 (十二))."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise TongbanError("documents.opinion_required", _("请填写签发意见。"), field="opinion")
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if doc.status in rules.FROZEN_STATUSES:
        raise TongbanError("documents.not_signable", _("该公文已编号或已办结，不能再签发。"))
    now = timezone.now()
    sign = SignOff.objects.create(
        document=doc,
        user=actor,
        name=actor.full_name or actor.username,
        unit=unit or org_selectors.user_primary_unit(actor),
        opinion=opinion[:2000],
        signed_at=now,
    )
    signoffs = list(doc.signoffs.all())
    doc.written_date = rules.written_date(timezone.localdate(s.signed_at) for s in signoffs)
    names = list(dict.fromkeys(s.name for s in signoffs))
    doc.signers_text = "、".join(names)[:100]
    doc.save(update_fields=["written_date", "signers_text", "updated_at"])
    audit.record(
        "documents.signed",
        actor=actor,
        obj=doc,
        unit_id=doc.unit_id,
        new={"opinion": sign.opinion, "written_date": str(doc.written_date)},
    )
    return sign


def _render_sealed(doc: Document, actor: Any) -> bytes:
    from tongban.documents.render import render_pdf, spec_from_document
    from tongban.seals import selectors as seal_selectors
    from tongban.seals import services as seal_services

    png = seal_selectors.seal_image_png(doc.unit)
    pdf = render_pdf(spec_from_document(doc), seal_png=png)
    return seal_services.sign_pdf(pdf=pdf, unit=doc.unit, actor=actor, reason="用印")


@transaction.atomic
def document_seal(*, document: Document, actor: Any) -> Document:
    """用印: render the PDF with the unit's seal image, sign it with the unit's certificate."""
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if not rules.can_seal(doc.status):
        raise TongbanError("documents.not_sealable", _("公文编号后才能用印。"))
    if not _may_number(actor, doc.unit):
        raise PermissionDenied("documents.not_clerk", _("只有本单位文书或办公室主任可以用印。"))
    if doc.printed_date is None:
        # 印发日期 (第九条 (十七)) is printed in the colophon of the sealed copy: the day it is
        # sealed for printing, unless the clerk set one
        doc.printed_date = timezone.localdate()
    signed = _render_sealed(doc, actor)
    name = f"{doc.pk}-{hashlib.sha256(signed).hexdigest()[:12]}.pdf"
    doc.sealed_pdf.save(name, ContentFile(signed), save=False)
    doc.sealed_at = timezone.now()
    doc.status = DocStatus.SEALED
    doc.save(update_fields=["sealed_pdf", "sealed_at", "printed_date", "status", "updated_at"])
    audit.record(
        "documents.sealed",
        actor=actor,
        obj=doc,
        unit_id=doc.unit_id,
        new={"sha256": hashlib.sha256(signed).hexdigest(), "size": len(signed)},
    )
    return doc


@transaction.atomic
def document_issue(*, document: Document, actor: Any) -> Document:
    """核发 (第二十五条): units inside the county receive an incoming-document task (through the
    listeners receiving registers); external organs get the signed PDF exported."""
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if not rules.can_issue(doc.status):
        raise TongbanError("documents.not_issuable", _("公文用印后才能核发。"))
    if not _may_number(actor, doc.unit):
        raise PermissionDenied("documents.not_clerk", _("只有本单位文书或办公室主任可以核发。"))
    now = timezone.now()
    doc.issued_at = now
    if doc.printed_date is None:
        doc.printed_date = timezone.localdate(now)
    doc.status = DocStatus.ISSUED
    doc.save(update_fields=["issued_at", "printed_date", "status", "updated_at"])
    inside = list(doc.recipients.filter(unit__isnull=False).select_related("unit"))
    hooks.fire_issued(document=doc, recipients=inside, actor=actor)
    audit.record(
        "documents.issued",
        actor=actor,
        obj=doc,
        unit_id=doc.unit_id,
        new={
            "units": [r.unit_id for r in inside],
            "external": list(
                doc.recipients.filter(unit__isnull=True).values_list("external_name", flat=True)
            ),
        },
    )
    _index(doc)
    return doc


@transaction.atomic
def document_withdraw(*, document: Document, actor: Any, reason: str) -> Document:
    """撤销 before 核发: the process is cancelled; a number already given is voided, never reused."""
    reason = (reason or "").strip()
    if not reason:
        raise TongbanError("documents.reason_required", _("请填写撤销原因。"), field="reason")
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if not rules.can_withdraw(doc.status):
        raise TongbanError("documents.not_withdrawable", _("已核发或已归档的公文不能撤销。"))
    if doc.created_by_id != actor.pk and not org_selectors.user_has_role(
        actor, BusinessRole.OFFICE_HEAD, doc.unit
    ):
        raise PermissionDenied("documents.not_drafter", _("只有拟稿人或本单位办公室主任可以撤销。"))
    old = doc.status
    number_void(document=doc, actor=actor, reason=reason)
    doc.status = DocStatus.WITHDRAWN
    doc.withdrawn_at = timezone.now()
    doc.withdraw_reason = reason[:200]
    doc.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "updated_at"])
    if doc.instance_id and doc.instance.status == "running":
        _wf().instance_cancel(instance=doc.instance, actor=actor, reason=reason)
    audit.record(
        "documents.withdrawn",
        actor=actor,
        obj=doc,
        unit_id=doc.unit_id,
        old={"status": old},
        new={"reason": reason},
    )
    _index(doc)
    return doc


@transaction.atomic
def document_archive(*, document: Document, actor: Any, retention: str) -> Document:
    """归档 with the retention the clerk chose (永久/30年/10年); read-only from then on."""
    if retention not in RETENTIONS:
        raise TongbanError("documents.bad_retention", _("请选择保管期限。"), field="retention")
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if not rules.can_archive(doc.status):
        raise TongbanError("documents.not_archivable", _("公文核发后才能归档。"))
    if not _may_number(actor, doc.unit):
        raise PermissionDenied("documents.not_clerk", _("只有本单位文书或办公室主任可以归档。"))
    from tongban.archive import services as archive_services

    archive_services.archive_create(
        subject_type=SUBJECT_TYPE,
        subject_id=doc.pk,
        county=doc.county,
        unit=doc.unit,
        year=doc.number_year or timezone.localdate().year,
        doc_type=doc.doc_type,
        number=doc.doc_number,
        title=doc.title,
        retention=retention,
        actor=actor,
    )
    doc.status = DocStatus.ARCHIVED
    doc.archived_at = timezone.now()
    doc.retention = retention
    doc.save(update_fields=["status", "archived_at", "retention", "updated_at"])
    audit.record(
        "documents.archived", actor=actor, obj=doc, unit_id=doc.unit_id, new={"retention": retention}
    )
    return doc


# --- steps of the outgoing process --------------------------------------------------------
def _ids(raw: Any) -> list[int]:
    if raw in (None, ""):
        return []
    if isinstance(raw, (str, int)):
        raw = [raw]
    out: list[int] = []
    for v in raw:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            raise TongbanError("documents.bad_choice", _("所选人员或单位不正确。")) from None
    return list(dict.fromkeys(out))


def _check_next(doc: Document, step: str, chosen: list[int]) -> list[int]:
    allowed = {u.pk for u in selectors.next_candidates(doc, step)}
    if not chosen:
        raise TongbanError("documents.next_required", _("请选择下一步办理人。"), field="next_assignees")
    if not set(chosen) <= allowed:
        raise TongbanError("documents.bad_next", _("所选办理人不在可选范围内。"), field="next_assignees")
    if doc.is_classified:
        named = set(doc.named_readers.values_list("pk", flat=True))
        if not set(chosen) <= named:
            # a 密级 document is shown only to its named readers: name the handler first
            raise TongbanError(
                "documents.not_named_reader",
                _("密级公文只能送知悉人员办理，请先将其列为知悉人员。"),
                field="next_assignees",
            )
    return chosen


_FORM_STEPS = {form: step for step, form in rules.STEP_FORMS.items()}


def _form(definition: Any, step: str) -> str:
    try:
        form = _wf().step_properties(definition, step).get("form", "")
    except Exception:  # a definition that cannot be read falls back to the step id
        form = ""
    return form if form in _FORM_STEPS else rules.STEP_FORMS.get(step, "")


def form_of(item: Any) -> str:
    """The step's ``form`` property in the instance's definition (an uploaded definition may name
    its steps differently); the default process's form for a known step id otherwise."""
    return _form(item.instance.definition, str(getattr(item, "step", "") or ""))


def step_of(item: Any) -> str:
    """The documents step (``rules.STEP_*``) an item stands for, read from its ``form`` property."""
    return _FORM_STEPS.get(form_of(item), str(getattr(item, "step", "") or ""))


def _sign_step_id(item: Any) -> str:
    """The BPMN id of the 领导签发 step to return to from 复核 (第二十五条)."""
    for step, _name in _wfs().returnable_steps(item):
        if _form(item.instance.definition, step) == rules.STEP_FORMS[rules.STEP_SIGN]:
            return step
    return rules.STEP_SIGN


@transaction.atomic
def step_submit(*, item: Any, actor: Any, opinion: str = "", data: dict[str, Any] | None = None) -> Document:
    """Do the document's part of the user's open step and complete the work item: 拟稿/审核/核稿
    choose the next handler, 会签 records the organ's sign-off of a joint document, 签发 signs,
    复核 passes or returns to the signer, 编号登记 numbers, 用印 seals, 核发 issues."""
    data = dict(data or {})
    wfs = _wfs()
    item = wfs.access_item(item.pk, actor)
    if item.subject_type != SUBJECT_TYPE:
        raise TongbanError("documents.not_a_document", _("该待办不是发文。"))
    open_ids = {
        i.pk for i in wfs.open_items_for(user=actor, subject_type=SUBJECT_TYPE, subject_id=item.subject_id)
    }
    if item.pk not in open_ids:
        raise PermissionDenied("documents.not_your_item", _("该环节不在您的待办中，或已办理。"))
    doc = Document.objects.select_for_update().get(pk=item.subject_id)
    step = step_of(item)
    opinion = (opinion or "").strip()
    complete: dict[str, Any] = {}
    if step == rules.STEP_DRAFT:
        if not doc.title or not doc.body_html:
            raise TongbanError("documents.incomplete", _("请先填写标题和正文。"))
        complete["next_assignees"] = _check_next(doc, step, _ids(data.get("next_assignees")))
        doc.status = DocStatus.REVIEW
    elif step == rules.STEP_DEPT_REVIEW:
        doc.status = DocStatus.REVIEW
    elif step == rules.STEP_OFFICE_REVIEW:
        units = _county_units(doc.county_id, _ids(data.get("countersign_units")), "countersign_units")
        units = [u for u in units if u.pk != doc.unit_id]
        signers = _check_next(doc, rules.STEP_SIGN, _ids(data.get("next_assignees") or data.get("signers")))
        doc.countersign_unit_ids = [u.pk for u in units]
        doc.planned_signer_ids = signers
        complete["countersign_units"] = doc.countersign_unit_ids
        complete["signers"] = signers  # read by the 领导签发 step's assignee rule data_user:signers
    elif step == rules.STEP_COUNTERSIGN:
        if not opinion:
            raise TongbanError("documents.opinion_required", _("请填写会签意见。"), field="opinion")
        unit = item.unit if getattr(item, "unit_id", None) else org_selectors.user_primary_unit(actor)
        if unit is not None and doc.organs.filter(unit=unit).exists():
            document_signoff(document=doc, actor=actor, opinion=opinion, unit=unit)
            doc.refresh_from_db()
    elif step == rules.STEP_SIGN:
        document_signoff(document=doc, actor=actor, opinion=opinion or str(data.get("sign_opinion") or ""))
        doc.refresh_from_db()
        doc.status = DocStatus.SIGNED
    elif step == rules.STEP_RECHECK:
        if str(data.get("decision") or "pass") == "return":
            if not opinion:
                raise TongbanError(
                    "documents.opinion_required", _("请写明实质性修改的内容。"), field="opinion"
                )
            doc.status = DocStatus.REVIEW
            doc.save(update_fields=["status", "updated_at"])
            _wf().item_return(item=item, actor=actor, to_step=_sign_step_id(item), opinion=opinion)
            audit.record(
                "documents.recheck_returned",
                actor=actor,
                obj=doc,
                unit_id=doc.unit_id,
                new={"opinion": opinion},
            )
            return doc
        if selectors.body_changed_since_signoff(doc) and not data.get("not_substantive"):
            # 第二十五条: a substantive change after sign-off goes back to the signer
            raise TongbanError(
                "documents.changed_after_signoff",
                _("签发后正文有改动：如属实质性修改，须退回签发人重新签发；如仅文字格式调整，请勾选确认。"),
                field="decision",
            )
    elif step == rules.STEP_REGISTER:
        series = None
        if data.get("series"):
            series = NumberSeries.objects.filter(pk=_ids(data.get("series"))[0], unit_id=doc.unit_id).first()
            if series is None:
                raise TongbanError("documents.bad_series", _("发文字号系列不属于主办单位。"), field="series")
        if "copies" in data:
            _apply_elements(doc, {"copies": data["copies"]})
            doc.save(update_fields=["copies"])
        number_assign(document=doc, actor=actor, series=series)
    elif step == rules.STEP_SEAL:
        document_seal(document=doc, actor=actor)
    elif step == rules.STEP_ISSUE:
        document_issue(document=doc, actor=actor)
    else:
        raise TongbanError("documents.unknown_step", _("未知的办理环节。"))
    if step in {rules.STEP_DRAFT, rules.STEP_DEPT_REVIEW, rules.STEP_OFFICE_REVIEW, rules.STEP_SIGN}:
        doc.save()
    _wf().item_complete(item=item, actor=actor, opinion=opinion, data=complete)
    return doc


def on_workflow_event(event: str, instance: Any, item: Any) -> None:
    """Workflow listener: a 密级 document reaches only its named readers — a step, 转办, 加签 or
    抄送 to anybody else is refused and rolls back; a return to a step before 签发 un-signs it."""
    if getattr(instance, "subject_type", "") != SUBJECT_TYPE or item is None or event != "item_opened":
        return
    if item.assignee_id is not None:
        doc = Document.objects.filter(pk=instance.subject_id).only("pk", "secrecy").first()
        if doc is not None and doc.secrecy and not doc.named_readers.filter(pk=item.assignee_id).exists():
            raise PermissionDenied(
                "documents.classified_route",
                _("密级公文只能交由知悉人员办理或阅知，请先将其列为知悉人员。"),
            )
    if step_of(item) in {
        rules.STEP_DRAFT,
        rules.STEP_DEPT_REVIEW,
        rules.STEP_OFFICE_REVIEW,
        rules.STEP_COUNTERSIGN,
        rules.STEP_SIGN,
    }:
        Document.objects.filter(pk=instance.subject_id, status=DocStatus.SIGNED).update(
            status=DocStatus.REVIEW, updated_at=timezone.now()
        )


# --- search index -------------------------------------------------------------------------
def _index(doc: Document) -> None:
    """Keep the search index in step (after commit; search is optional while it is being built)."""
    try:
        from tongban.search import services as search_services
    except ImportError:
        return
    doc_id = doc.pk

    def run() -> None:
        fresh = Document.objects.filter(pk=doc_id).first()
        if fresh is None or fresh.status == DocStatus.WITHDRAWN:
            search_services.index_delete(kind="documents.document", object_id=doc_id)
            return
        search_services.index_upsert(
            kind="documents.document",
            object_id=fresh.pk,
            county=fresh.county,
            unit_id=fresh.unit_id,
            title=fresh.title,
            number=fresh.doc_number,
            body=html_to_text(fresh.body_html),
            attachments_text="\n".join(fresh.attachments.values_list("text", flat=True)),
            year=fresh.number_year or timezone.localdate(fresh.created_at).year,
            doc_type=fresh.doc_type,
            date=fresh.written_date or timezone.localdate(fresh.created_at),
        )

    transaction.on_commit(run)
