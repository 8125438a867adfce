"""Catalogue services: limits (承诺 ≤ 法定), steps against the process, fees with a basis, form
fields, the draft → submit → publish/return cycle and who may do each, immutability of a
published version, and a case keeping the version it was filed under."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from tongban.approvals import catalogue, testing
from tongban.approvals import catalogue_selectors as sel
from tongban.approvals.catalogue import FeeIn, MaterialIn, StepIn
from tongban.approvals.models import ItemStatus, ItemVersion, ServiceItem, VersionStatus
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w():
    return testing.build_world()


def _draft(w, who="scj_catalogue"):
    return catalogue.version_draft(actor=w.users[who], item=w.item)


def test_department_admin_drafts_a_copy_of_the_published_version_with_everything(w):
    current = w.item.current
    catalogue.version_update(
        actor=w.users["catalogue"],
        version=_draft(w),
        fields={},
        materials=[MaterialIn(name="申请书", form="original", sample=SimpleUploadedFile("样表.pdf", PDF))],
    )
    # publish that draft so the current version has a sample, then copy again
    v2 = w.item.versions.get(number=2)
    catalogue.version_submit(actor=w.users["scj_catalogue"], version=v2)
    catalogue.version_publish(actor=w.users["catalogue"], version=v2)
    w.item.refresh_from_db()
    v3 = _draft(w)
    assert v3.number == 3 and v3.status == VersionStatus.DRAFT
    assert [(s.key, s.limit, s.counts) for s in v3.steps.all()] == [
        (s.key, s.limit, s.counts) for s in v2.steps.all()
    ]
    m = v3.materials.get()
    assert m.name == "申请书" and m.sample.name == v2.materials.get().sample.name
    assert v3.form_schema == current.form_schema
    assert AuditRecord.objects.filter(event="approvals.version_drafted").count() == 2


def test_only_one_unpublished_version_at_a_time(w):
    _draft(w)
    with pytest.raises(TongbanError) as e:
        _draft(w)
    assert e.value.code == "approvals.draft_exists"


def test_committed_limit_over_statutory_is_refused_with_a_chinese_message_and_nothing_changes(w):
    v = _draft(w)
    with pytest.raises(TongbanError) as e:
        catalogue.version_update(
            actor=w.users["scj_catalogue"], version=v, fields={"statutory_limit": 20, "committed_limit": 21}
        )
    assert e.value.code == "approvals.committed_over_statutory" and e.value.field == "committed_limit"
    assert "不能超过法定办结时限" in str(e.value.message)
    v.refresh_from_db()
    assert (v.statutory_limit, v.committed_limit) == (20, 5)


def test_the_database_refuses_committed_over_statutory_too(w):
    v = w.item.current
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.filter(pk=v.pk).update(committed_limit=30)


def test_steps_must_be_exactly_those_of_the_process(w):
    v = _draft(w)
    u = w.users["scj_catalogue"]
    with pytest.raises(TongbanError) as e:
        catalogue.version_update(
            actor=u, version=v, fields={}, steps=[StepIn("review", 2), StepIn("certify", 5, False)]
        )
    assert e.value.code == "approvals.steps_mismatch"
    with pytest.raises(TongbanError) as e:
        catalogue.version_update(actor=u, version=v, fields={"process_key": "approval-two-level"})
    assert e.value.code == "approvals.steps_mismatch"
    v = catalogue.version_update(
        actor=u,
        version=v,
        fields={"process_key": "approval-two-level", "committed_limit": 8},
        steps=[
            StepIn("first_review", 3),
            StepIn("review", 3),
            StepIn("decide", 2),
            StepIn("certify", 10, False),
        ],
    )
    assert [s.key for s in v.steps.all()] == ["first_review", "review", "decide", "certify"]
    assert [s.name for s in v.steps.all()] == ["初审", "审查", "决定", "制证送达"]


def test_counted_steps_may_not_exceed_the_committed_limit_and_certify_does_not_count(w):
    v = _draft(w)
    u = w.users["scj_catalogue"]
    with pytest.raises(TongbanError) as e:
        catalogue.version_update(
            actor=u,
            version=v,
            fields={},
            steps=[StepIn("review", 4), StepIn("decide", 2), StepIn("certify", 10, False)],
        )
    assert e.value.code == "approvals.steps_over_committed" and "6" in str(e.value.message)
    with pytest.raises(TongbanError) as e:
        catalogue.version_update(
            actor=u,
            version=v,
            fields={},
            steps=[StepIn("review", 2), StepIn("decide", 2), StepIn("certify", 1, True)],
        )
    assert e.value.code == "approvals.certify_counts"
    with pytest.raises(TongbanError) as e:  # 第四十四条: 10 working days
        catalogue.version_update(
            actor=u,
            version=v,
            fields={},
            steps=[StepIn("review", 2), StepIn("decide", 2), StepIn("certify", 11, False)],
        )
    assert e.value.code == "approvals.certify_over_limit"
    # lowering the committed limit below the steps already there is refused too
    with pytest.raises(TongbanError) as e:
        catalogue.version_update(actor=u, version=v, fields={"committed_limit": 4})
    assert e.value.code == "approvals.steps_over_committed"
    v = catalogue.version_update(
        actor=u,
        version=v,
        fields={"committed_limit": 4},
        steps=[StepIn("review", 2), StepIn("decide", 2), StepIn("certify", 10, False)],
    )
    assert v.committed_limit == 4


def test_fees_need_a_basis_or_the_item_is_free(w):
    v = _draft(w)
    u = w.users["scj_catalogue"]
    with pytest.raises(TongbanError) as e:
        catalogue.version_update(actor=u, version=v, fields={"fee_free": False}, fees=[])
    assert e.value.code == "approvals.fees_missing"
    with pytest.raises(TongbanError) as e:
        catalogue.version_update(
            actor=u, version=v, fields={"fee_free": False}, fees=[FeeIn("工本费", "10", " ")]
        )
    assert e.value.code == "approvals.fee_basis"
    with pytest.raises(TongbanError) as e:
        catalogue.version_update(
            actor=u, version=v, fields={"fee_free": True}, fees=[FeeIn("工本费", "10", "某文件")]
        )
    assert e.value.code == "approvals.fees_when_free"
    v = catalogue.version_update(
        actor=u, version=v, fields={"fee_free": False}, fees=[FeeIn("工本费", "10", "发改价格〔2003〕2322号")]
    )
    assert [(f.name, f.amount) for f in v.fees.all()] == [("工本费", Decimal("10.00"))]


@pytest.mark.parametrize(
    ("schema", "code"),
    [
        ("x", "approvals.form_schema_invalid"),
        ([{"key": "Name", "label": "名称", "type": "text"}], "approvals.form_field_key"),
        (
            [{"key": "a", "label": "甲", "type": "text"}, {"key": "a", "label": "乙"}],
            "approvals.form_field_duplicate",
        ),
        ([{"key": "a", "label": "", "type": "text"}], "approvals.form_field_label"),
        ([{"key": "a", "label": "甲", "type": "file"}], "approvals.form_field_type"),
        ([{"key": "a", "label": "甲", "type": "select", "choices": []}], "approvals.form_field_choices"),
    ],
)
def test_form_schema_is_validated(w, schema, code):
    with pytest.raises(TongbanError) as e:
        catalogue.version_update(
            actor=w.users["scj_catalogue"], version=_draft(w), fields={"form_schema": schema}
        )
    assert e.value.code == code


def test_form_schema_select_choices_from_text(w):
    v = catalogue.version_update(
        actor=w.users["scj_catalogue"],
        version=_draft(w),
        fields={
            "form_schema": [
                {
                    "key": "scope",
                    "label": "经营项目",
                    "type": "select",
                    "choices": "甲，乙、丙",
                    "required": 1,
                }
            ]
        },
    )
    assert v.form_schema == [
        {
            "key": "scope",
            "label": "经营项目",
            "type": "select",
            "required": True,
            "choices": ["甲", "乙", "丙"],
        }
    ]


def test_sample_upload_is_checked(w):
    v = _draft(w)
    with pytest.raises(TongbanError) as e:
        catalogue.version_update(
            actor=w.users["scj_catalogue"],
            version=v,
            fields={},
            materials=[MaterialIn(name="申请书", sample=SimpleUploadedFile("样表.pdf", b"MZ not a pdf"))],
        )
    assert e.value.code == "approvals.sample_content"
    assert v.materials.count() == 4  # unchanged
    m = v.materials.first()
    catalogue.material_sample_upload(
        actor=w.users["scj_catalogue"], material=m, file=SimpleUploadedFile("样表.pdf", PDF)
    )
    m.refresh_from_db()
    assert m.sample.read() == PDF


def test_submit_publish_supersedes_and_copies_name_to_the_item(w):
    old = w.item.current
    v = catalogue.version_update(
        actor=w.users["scj_catalogue"],
        version=_draft(w),
        fields={"name": "食品经营许可（新办）2026", "committed_limit": 6},
    )
    v = catalogue.version_submit(actor=w.users["scj_catalogue"], version=v)
    assert v.status == VersionStatus.SUBMITTED
    with pytest.raises(TongbanError):
        catalogue.version_update(actor=w.users["scj_catalogue"], version=v, fields={"committed_limit": 4})
    v = catalogue.version_publish(actor=w.users["catalogue"], version=v)
    w.item.refresh_from_db()
    old.refresh_from_db()
    assert w.item.current_id == v.pk and w.item.name == "食品经营许可（新办）2026"
    assert "食品经营许可（新办）2026" in w.item.search_text
    assert old.status == VersionStatus.SUPERSEDED and v.status == VersionStatus.PUBLISHED
    assert v.published_by == w.users["catalogue"]
    assert sel.item_by_code(w.item.code).current.committed_limit == 6
    events = list(
        AuditRecord.objects.filter(event__startswith="approvals.version_")
        .order_by("seq")
        .values_list("event", flat=True)
    )
    assert events == [
        "approvals.version_drafted",
        "approvals.version_updated",
        "approvals.version_submitted",
        "approvals.version_published",
    ]


def test_a_published_version_is_never_edited_again(w):
    with pytest.raises(TongbanError) as e:
        catalogue.version_update(
            actor=w.users["catalogue"], version=w.item.current, fields={"committed_limit": 3}
        )
    assert e.value.code == "approvals.version_locked"
    with pytest.raises(TongbanError):
        catalogue.material_sample_upload(
            actor=w.users["catalogue"],
            material=w.item.current.materials.first(),
            file=SimpleUploadedFile("样表.pdf", PDF),
        )


def test_a_case_keeps_the_version_it_was_filed_under(w):
    case = testing.new_case(w)
    v = catalogue.version_update(actor=w.users["scj_catalogue"], version=_draft(w), fields={"committed_limit": 8},
                                 steps=[StepIn("review", 5), StepIn("decide", 3), StepIn("certify", 10, False)])  # fmt: skip
    catalogue.version_submit(actor=w.users["scj_catalogue"], version=v)
    catalogue.version_publish(actor=w.users["catalogue"], version=v)
    case.refresh_from_db()
    assert case.version.number == 1 and case.version.committed_limit == 5
    assert testing.new_case(w, item=ServiceItem.objects.get(pk=w.item.pk)).version.committed_limit == 8


def test_only_the_approval_office_publishes_or_returns(w):
    v = catalogue.version_submit(actor=w.users["scj_catalogue"], version=_draft(w))
    for who in ("scj_catalogue", "handler", "scj_leader", "supervisor", "outsider"):
        with pytest.raises((PermissionDenied, NotFound)):
            catalogue.version_publish(actor=w.users[who], version=v)
        with pytest.raises((PermissionDenied, NotFound)):
            catalogue.version_return(actor=w.users[who], version=v, reason="不行")
    v.refresh_from_db()
    assert v.status == VersionStatus.SUBMITTED
    with pytest.raises(TongbanError) as e:
        catalogue.version_return(actor=w.users["catalogue"], version=v, reason="  ")
    assert e.value.code == "approvals.reason_required"
    v = catalogue.version_return(actor=w.users["catalogue"], version=v, reason="设定依据请写到条")
    assert v.status == VersionStatus.RETURNED and v.return_reason == "设定依据请写到条"
    # the department edits the returned version and submits again
    v = catalogue.version_update(
        actor=w.users["scj_catalogue"], version=v, fields={"legal_basis": "《食品安全法》第三十五条第一款"}
    )
    catalogue.version_submit(actor=w.users["scj_catalogue"], version=v)
    catalogue.version_publish(actor=w.users["catalogue"], version=v)


def test_a_department_admin_edits_only_its_own_departments_items(w):
    zj = testing.published_item(w, code="330100-ZJJ-XK-001", name="建筑工程施工许可", unit="zjj")
    with pytest.raises(PermissionDenied):
        catalogue.version_draft(actor=w.users["scj_catalogue"], item=zj)
    with pytest.raises(PermissionDenied):
        catalogue.item_create(
            actor=w.users["scj_catalogue"], department=w.units["zjj"], code="X-ZJJ-1", name="某许可",
            item_type="license", legal_basis="某法", statutory_limit=20, committed_limit=5,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        catalogue.version_draft(actor=w.users["handler"], item=w.item)
    assert not zj.versions.exclude(number=1).exists() and not w.item.versions.exclude(number=1).exists()
    # the approval office maintains every department's items
    assert catalogue.version_draft(actor=w.users["catalogue"], item=zj).number == 2
    assert {i.code for i in sel.items_for_staff(w.users["scj_catalogue"])} == {w.item.code}
    assert {i.code for i in sel.items_for_staff(w.users["catalogue"])} == {w.item.code, zj.code}


def test_item_create_with_variants_and_codes_unique_in_the_county(w):
    u = w.users["scj_catalogue"]
    main = catalogue.item_create(
        actor=u, department=w.units["scj"], code="330100-SCJ-XK-Z01", name="食品生产许可", item_type="license",
        legal_basis="《食品安全法》第三十五条", statutory_limit=20, committed_limit=10,
    )  # fmt: skip
    assert main.status == ItemStatus.DRAFT and main.versions.get().number == 1
    steps = list(main.versions.get().steps.all())
    assert [(s.key, s.limit, s.counts) for s in steps] == [
        ("review", 5, True),
        ("decide", 5, True),
        ("certify", 10, False),
    ]
    child = catalogue.item_create(
        actor=u, department=w.units["scj"], code="330100-SCJ-XK-101", name="食品生产许可（新办）", item_type="license",
        legal_basis="《食品安全法》第三十五条", statutory_limit=20, committed_limit=10, parent=main, variant="new",
    )  # fmt: skip
    assert child.parent == main
    for kwargs, code in [
        ({"code": "330100-SCJ-XK-101"}, "approvals.code_taken"),
        ({"code": "食品"}, "approvals.code_invalid"),
        ({"parent": main, "variant": "new"}, "approvals.variant_taken"),
        ({"variant": "change"}, "approvals.variant_needs_parent"),
        ({"committed_limit": 25}, "approvals.committed_over_statutory"),
        ({"committed_limit": 1}, "approvals.steps_over_committed"),
    ]:
        args = {
            "actor": u, "department": w.units["scj"], "code": "330100-SCJ-XK-102", "name": "食品生产许可（变更）",
            "item_type": "license", "legal_basis": "某法", "statutory_limit": 20, "committed_limit": 5,
        }  # fmt: skip
        args.update(kwargs)
        with pytest.raises(TongbanError) as e:
            catalogue.item_create(**args)
        assert e.value.code == code
    # the first version of a new item is published like any other, making the item published
    with pytest.raises(TongbanError) as e:
        catalogue.version_submit(actor=u, version=child.versions.get())
    assert e.value.code == "approvals.materials_missing"
    v = catalogue.version_update(
        actor=u, version=child.versions.get(), fields={}, materials=[MaterialIn(name="申请书")]
    )
    v = catalogue.version_submit(actor=u, version=v)
    catalogue.version_publish(actor=w.users["catalogue"], version=v)
    child.refresh_from_db()
    assert child.status == ItemStatus.PUBLISHED and child.current == v


def test_withdraw_and_restore(w):
    with pytest.raises(PermissionDenied):
        catalogue.item_withdraw(actor=w.users["scj_catalogue"], item=w.item, reason="改革取消")
    catalogue.item_withdraw(actor=w.users["catalogue"], item=w.item, reason="改革取消")
    with pytest.raises(NotFound):
        sel.item_by_code(w.item.code)
    catalogue.item_restore(actor=w.users["catalogue"], item=w.item)
    assert sel.item_by_code(w.item.code).pk == w.item.pk
    assert AuditRecord.objects.filter(event="approvals.item_withdrawn", message="改革取消").exists()


def test_discard_a_revision_draft(w):
    v = _draft(w)
    catalogue.version_discard(actor=w.users["scj_catalogue"], version=v)
    assert list(w.item.versions.values_list("number", flat=True)) == [1]
    with pytest.raises(TongbanError):
        catalogue.version_discard(actor=w.users["scj_catalogue"], version=w.item.current)


def test_version_diff_names_what_changed(w):
    v = catalogue.version_update(
        actor=w.users["scj_catalogue"], version=_draft(w), fields={"committed_limit": 4},
        steps=[StepIn("review", 2), StepIn("decide", 2), StepIn("certify", 10, False)],
    )  # fmt: skip
    rows = sel.version_diff(sel.version_detail(w.item.current_id), sel.version_detail(v.pk))
    labels = {r.label: (r.old, r.new) for r in rows}
    assert labels["承诺办结时限（工作日）"] == ("5", "4")
    assert "办理环节" in labels
