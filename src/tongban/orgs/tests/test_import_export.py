from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.core.models import AuditRecord
from tongban.identity.models import User
from tongban.orgs import services, tabular
from tongban.orgs.models import Office, Post, Unit

pytestmark = pytest.mark.django_db


def _state() -> tuple[Any, ...]:
    return (
        list(Unit.objects.order_by("id").values_list()),
        list(Office.objects.order_by("id").values_list()),
        list(Post.objects.order_by("id").values_list()),
        list(User.objects.order_by("id").values_list("id", "username", "full_name", "mobile", "email")),
    )


def _xlsx(units: list[list[Any]], staff: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单位"
    ws.append(tabular.UNIT_HEADERS)
    for row in units:
        ws.append(row)
    ws = wb.create_sheet("人员")
    ws.append(tabular.STAFF_HEADERS)
    for row in staff:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD_UNITS = [
    [
        "T100",
        "青山县测试局",
        "测试局",
        "测",
        "政府工作部门",
        "361199003",
        "0797-8220001",
        "",
        5,
        "办公室、测试股",
    ],
    ["T101", "青山县测试中心", "测试中心", "", "事业单位", "T100", "", "", 6, "综合股"],
]
GOOD_STAFF = [
    ["ceshi1", "测试一", "13900000001", "", "T100", "办公室", "局长", "0797-8220002", "是", 1],
    ["ceshi2", "测试二", "13900000002", "a@example.org", "T101", "综合股", "科员", "", "是", 2],
    ["ceshi2", "测试二", "", "", "T100", "测试股", "兼职联络员", "", "否", 3],
]


def _import(actor: Any, county: Any, name: str, data: bytes, csv_kind: str = "") -> services.ImportReport:
    table = tabular.read_upload(name, data, csv_kind=csv_kind)
    return services.org_import(actor=actor, county=county, table=table, file_name=name)


def test_import_creates_then_reimport_changes_nothing(county, accounts):
    data = _xlsx(GOOD_UNITS, GOOD_STAFF)
    report = _import(accounts["sysadmin"], county, "org.xlsx", data)
    assert report.ok, report.errors
    assert report.summary == "新增 4，更新 0，未变 0"
    unit = Unit.objects.get(county=county, unit_code="T101")
    assert unit.parent.unit_code == "T100" and unit.kind == "public_institution"
    u2 = User.objects.get(username="ceshi2")
    assert u2.pinyin_initials == "cse" and not u2.has_usable_password()
    assert Post.objects.filter(user=u2).count() == 2
    rec = AuditRecord.objects.filter(event="orgs.imported").latest("seq")
    assert rec.new["file"] == "org.xlsx" and rec.new["units"]["created"] == 2 and rec.success

    before = _state()
    report = _import(accounts["sysadmin"], county, "org.xlsx", data)
    assert report.summary == "新增 0，更新 0，未变 4"
    assert _state() == before


def test_import_updates_changed_rows(county, accounts):
    _import(accounts["sysadmin"], county, "org.xlsx", _xlsx(GOOD_UNITS, GOOD_STAFF))
    units = [list(r) for r in GOOD_UNITS]
    units[0][1] = "青山县测试管理局"
    staff = [list(r) for r in GOOD_STAFF]
    staff[0][6] = "副局长"
    report = _import(accounts["sysadmin"], county, "org2.xlsx", _xlsx(units, staff))
    assert report.summary == "新增 0，更新 2，未变 2"
    assert Unit.objects.get(unit_code="T100").name == "青山县测试管理局"
    assert Post.objects.get(user__username="ceshi1").title == "副局长"


BAD_CASES = [
    # (units, staff, (sheet, row, column), message fragment)
    ([["T100", "", "", "", "政府工作部门", "", "", "", 1, ""]], [], ("单位", 2, "单位名称"), "不能为空"),
    (
        [["T100", "测试局", "", "", "政府工作部门", "NOPE", "", "", 1, ""]],
        [],
        ("单位", 2, "上级单位代码"),
        "不存在",
    ),
    ([["T100", "测试局", "", "", "政府部门", "", "", "", 1, ""]], [], ("单位", 2, "类型"), "无效"),
    (
        [["T100", "测试局", "", "财", "政府工作部门", "", "", "", 1, ""]],
        [],
        ("单位", 2, "机关代字"),
        "已被单位",
    ),
    (
        GOOD_UNITS,
        [GOOD_STAFF[0], ["ceshi1", "测试一", "13900000001", "", "T101", "综合股", "科员", "", "是", 2]],
        ("人员", 3, "登录名"),
        "重复",
    ),
    (
        GOOD_UNITS,
        [["ceshi3", "", "13900000003", "", "T100", "", "", "", "是", 1]],
        ("人员", 2, "姓名"),
        "不能为空",
    ),
    (
        GOOD_UNITS,
        [["ceshi3", "测试三", "1390000", "", "T100", "", "", "", "是", 1]],
        ("人员", 2, "手机"),
        "格式不正确",
    ),
    (
        GOOD_UNITS,
        [["ceshi3", "测试三", "", "", "T100", "", "", "12ab", "是", 1]],
        ("人员", 2, "办公电话"),
        "格式不正确",
    ),
    (
        GOOD_UNITS,
        [["ceshi3", "测试三", "", "", "T999", "", "", "", "是", 1]],
        ("人员", 2, "单位代码"),
        "不存在",
    ),
    (
        GOOD_UNITS,
        [["ceshi3", "测试三", "", "", "T100", "无此股", "", "", "是", 1]],
        ("人员", 2, "科室"),
        "没有科室",
    ),
    (
        GOOD_UNITS,
        [["ceshi3", "测试三", "", "", "T100", "", "", "", "也许", 1]],
        ("人员", 2, "是否主职"),
        "是",
    ),
]


@pytest.mark.parametrize(("units", "staff", "where", "fragment"), BAD_CASES)
def test_bad_rows_are_reported_exactly_and_nothing_is_written(
    county, accounts, units, staff, where, fragment
):
    # a valid row that would be created, to prove the whole file is refused
    units = [*units, ["OK1", "青山县好单位", "", "", "事业单位", "", "", "", 1, ""]]
    before = _state()
    report = _import(accounts["sysadmin"], county, "bad.xlsx", _xlsx(units, staff))
    assert not report.ok
    assert where in [(e.sheet, e.row, e.column) for e in report.errors], report.errors
    assert any(fragment in e.message for e in report.errors if (e.sheet, e.row, e.column) == where)
    assert _state() == before
    rec = AuditRecord.objects.filter(event="orgs.imported").latest("seq")
    assert rec.success is False


def test_export_round_trips_with_zero_changes(client, county, accounts):
    client.force_login(accounts["sysadmin"])
    response = client.get(reverse("orgs:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = response.content
    assert AuditRecord.objects.filter(event="orgs.exported").exists()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["单位", "人员"]
    assert [c.value for c in wb["单位"][1]] == tabular.UNIT_HEADERS
    before = _state()
    report = _import(accounts["sysadmin"], county, "export.xlsx", data)
    assert report.ok, report.errors[:5]
    assert report.result.created == 0 and report.result.updated == 0
    assert (
        report.result.unchanged
        == Unit.objects.count() + User.objects.filter(posts__isnull=False).distinct().count()
    )
    assert _state() == before


def test_export_keeps_formula_like_text_as_text(county, accounts):
    unit = Unit.objects.get(short_name="财政局")
    services.unit_update(actor=accounts["sysadmin"], unit=unit, address='=HYPERLINK("http://x")')
    data = services.org_export(actor=accounts["sysadmin"], county=county)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [
        c for row in wb["单位"].iter_rows() for c in row if c.value and str(c.value).startswith("=HYPERLINK")
    ]
    assert cells and all(c.data_type == "s" for c in cells)
    report = _import(accounts["sysadmin"], county, "export.xlsx", data)
    assert report.ok and report.result.updated == 0


def test_csv_units_in_gbk_and_staff_in_utf8(county, accounts):
    units_csv = "单位代码,单位名称,简称,类型,上级单位代码,科室\nC1,青山县新设局,新设局,政府工作部门,,办公室、业务股\n".encode(
        "gbk"
    )
    report = _import(accounts["sysadmin"], county, "units.csv", units_csv, csv_kind="units")
    assert report.ok and report.summary == "新增 1，更新 0，未变 0"
    staff_csv = (
        "登录名,姓名,手机,单位代码,科室,职务,是否主职\nxinren,新人,13600000000,C1,业务股,科员,是\n".encode(
            "utf-8-sig"
        )
    )
    report = _import(accounts["sysadmin"], county, "staff.csv", staff_csv, csv_kind="staff")
    assert report.ok and Post.objects.get(user__username="xinren").office.name == "业务股"


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("org.xlsx", b"not a zip at all", "不是 XLSX"),
        ("org.csv", b"PK\x03\x04rest", "不是 CSV"),
        ("org.csv", "单位代码\n".encode("utf-16"), "CSV"),
        ("org.exe", b"MZ", "只接受"),
        ("../etc/passwd.csv", b"a,b\n", "文件名"),
        ("org.csv", b"", "为空"),
    ],
)
def test_upload_checks(name, data, fragment):
    with pytest.raises(tabular.UploadRejected) as exc:
        tabular.read_upload(name, data, csv_kind="units")
    assert fragment in str(exc.value)


def test_upload_size_limit():
    with pytest.raises(tabular.UploadRejected):
        tabular.check_upload("big.csv", b"a" * (tabular.MAX_UPLOAD_BYTES + 1))


def test_import_page_shows_error_table(client, county, accounts):
    client.force_login(accounts["sysadmin"])
    data = _xlsx([["T100", "", "", "", "政府工作部门", "", "", "", 1, ""]], [])
    before = _state()
    response = client.post(reverse("orgs:import"), {"file": SimpleUploadedFile("bad.xlsx", data)})
    html = response.content.decode()
    assert (
        response.status_code == 200
        and 'id="import-errors"' in html
        and "单位名称不能为空" in html
        and "未写入任何数据" in html
    )
    assert _state() == before
    response = client.post(reverse("orgs:import"), {"file": SimpleUploadedFile("evil.xlsx", b"<html>")})
    assert "不是 XLSX" in response.content.decode()


def test_unit_kinds_in_files_are_chinese_even_when_first_loaded_in_english():
    import importlib

    from django.utils import translation

    from tongban.orgs import tabular

    with translation.override("en"):
        reloaded = importlib.reload(tabular)
    assert "乡镇" in reloaded.KIND_BY_LABEL
    assert all(not label.isascii() for label in reloaded.KIND_BY_LABEL)


def test_import_cannot_change_an_administrators_account(county, accounts):
    """三员分立: the system administrator may not rename or re-number the audit administrator."""
    auditadmin = accounts["auditadmin"]
    post = Post.objects.select_related("unit").get(user=auditadmin, is_primary=True)
    row = [auditadmin.username, "改名", "13900009999", "", post.unit.unit_code, "", post.title, "", "是", 1]
    before = _state()
    report = _import(accounts["sysadmin"], county, "admins.xlsx", _xlsx([], [row]))
    assert not report.ok
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("人员", 2, "登录名")]
    assert "三员账号" in report.errors[0].message
    assert _state() == before


def test_import_audit_names_the_accounts_it_created_and_changed(county, accounts):
    report = _import(accounts["sysadmin"], county, "good.xlsx", _xlsx(GOOD_UNITS, GOOD_STAFF))
    assert report.ok
    rec = AuditRecord.objects.filter(event="orgs.imported", success=True).latest("seq")
    assert "ceshi1" in rec.new["created_usernames"] and rec.new["updated_usernames"] == []


def test_staff_update_cannot_switch_an_administrator_off(county, accounts):
    from tongban.core.errors import TongbanError

    secadmin = accounts["secadmin"]
    post = Post.objects.get(user=secadmin, is_primary=True)
    with pytest.raises(TongbanError) as exc:
        services.staff_update(
            actor=accounts["sysadmin"],
            user=secadmin,
            full_name=secadmin.full_name,
            mobile=secadmin.mobile,
            email=secadmin.email,
            unit=post.unit,
            office=post.office,
            title=post.title,
            office_phone=post.office_phone,
            is_active=False,
        )
    assert exc.value.code == "orgs.admin_account_protected"
    secadmin.refresh_from_db()
    assert secadmin.is_active


def test_a_small_file_that_unpacks_huge_is_refused(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_UNPACKED_BYTES", 10_000)
    data = _xlsx([], [["u", "名" * 5000, "", "", "T100", "", "", "", "是", 1]])
    assert len(data) < 10_000  # compresses well, unpacks past the limit
    with pytest.raises(tabular.UploadRejected) as exc:
        tabular.read_upload("bomb.xlsx", data)
    assert "解压后过大" in str(exc.value)


def test_too_many_rows_are_refused_before_validation(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    rows = [[f"u{i}", "张三", "", "", "T100", "", "", "", "是", 1] for i in range(5)]
    with pytest.raises(tabular.UploadRejected) as exc:
        tabular.read_upload("many.xlsx", _xlsx([], rows))
    assert "超过 3 行" in str(exc.value)
