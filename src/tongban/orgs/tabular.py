"""The organisation as tables: the import/export format (sheets "单位" and "人员"), reading an
uploaded XLSX/CSV, checking every row, and writing the XLSX. Nothing here writes to the database."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from tongban.orgs.models import County, Office, Post, Unit, UnitKind

UNIT_SHEET = "单位"
STAFF_SHEET = "人员"
UNIT_HEADERS = [
    "单位代码",
    "单位名称",
    "简称",
    "机关代字",
    "类型",
    "上级单位代码",
    "电话",
    "地址",
    "排序",
    "科室",
]
STAFF_HEADERS = ["登录名", "姓名", "手机", "邮箱", "单位代码", "科室", "职务", "办公电话", "是否主职", "排序"]
REQUIRED_UNIT = {"单位代码", "单位名称", "类型"}
REQUIRED_STAFF = {"登录名", "姓名", "单位代码", "是否主职"}
OFFICE_SEP = "、"
# The file format is Chinese whatever the user's language: build the map from the Chinese labels.
with translation.override("zh-hans"):
    KIND_BY_LABEL = {str(label): value for value, label in UnitKind.choices}
LABEL_BY_KIND = {value: label for label, value in KIND_BY_LABEL.items()}
YES = {"是", "主职", "y", "yes", "true", "1"}
NO = {"否", "兼职", "n", "no", "false", "0"}

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A county has ~150 units and ~2,000 staff; a province-sized file stays far below these. They stop
# a small compressed file from expanding into millions of rows (a "zip bomb").
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 50_000
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
PHONE_RE = re.compile(r"^(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{2,150}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SAFE_NAME_RE = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


@dataclass
class UnitRow:
    row: int
    unit_code: str
    name: str
    short_name: str = ""
    code: str = ""
    kind: str = ""
    parent_code: str = ""
    phone: str = ""
    address: str = ""
    sort: int = 0
    offices: list[str] = field(default_factory=list)


@dataclass
class StaffRow:
    row: int
    username: str
    full_name: str
    mobile: str = ""
    email: str = ""
    unit_code: str = ""
    office: str = ""
    title: str = ""
    office_phone: str = ""
    is_primary: bool = True
    sort: int = 0


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str


@dataclass
class OrgTable:
    units: list[UnitRow] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class UploadRejected(Exception):
    """The file as a whole is not acceptable (type, size, name, encoding, headers)."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- reading files ---------------------------------------------------------------------------


def check_upload(name: str, data: bytes) -> str:
    """Return "xlsx" or "csv" after checking name, size and content; raise UploadRejected otherwise."""
    if not name or not SAFE_NAME_RE.match(name) or ".." in name:
        raise UploadRejected(_("文件名不合法。"))
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRejected(_("文件超过 5 MB。"))
    if not data:
        raise UploadRejected(_("文件为空。"))
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext == "xlsx":
        if not data.startswith(b"PK\x03\x04"):
            raise UploadRejected(_("文件内容不是 XLSX 工作簿。"))
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "[Content_Types].xml" not in zf.namelist():
                    raise UploadRejected(_("文件内容不是 XLSX 工作簿。"))
                if sum(info.file_size for info in zf.infolist()) > MAX_UNPACKED_BYTES:
                    raise UploadRejected(_("工作簿解压后过大（超过 50 MB），请拆分后分批导入。"))
        except zipfile.BadZipFile as exc:
            raise UploadRejected(_("文件内容不是 XLSX 工作簿。")) from exc
        return "xlsx"
    if ext == "csv":
        if data.startswith(b"PK\x03\x04") or b"\x00" in data[:4096]:
            raise UploadRejected(_("文件内容不是 CSV 文本。"))
        decode_csv(data)
        return "csv"
    raise UploadRejected(_("只接受 .xlsx 或 .csv 文件。"))


def decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadRejected(_("CSV 文件须为 UTF-8 或 GBK 编码。"))


def _records(
    sheet: str, rows: Iterable[Iterable[Any]], headers: list[str], required: set[str]
) -> list[tuple[int, dict[str, str]]]:
    it = iter(rows)
    try:
        header = [_cell(h) for h in next(it)]
    except StopIteration:
        raise UploadRejected(_("工作表“%(sheet)s”是空的。") % {"sheet": sheet}) from None
    missing = [h for h in headers if h in required and h not in header]
    if missing:
        raise UploadRejected(
            _("工作表“%(sheet)s”缺少列：%(cols)s") % {"sheet": sheet, "cols": "、".join(missing)}
        )
    out = []
    for number, values in enumerate(it, start=2):
        if number > MAX_ROWS + 1:
            raise UploadRejected(
                _("工作表“%(sheet)s”超过 %(max)d 行，请拆分后分批导入。") % {"sheet": sheet, "max": MAX_ROWS}
            )
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        rec = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
        out.append((number, rec))
    return out


def read_upload(name: str, data: bytes, *, csv_kind: str = "") -> OrgTable:
    """Parse an uploaded file into rows (+ per-cell format errors). ``csv_kind`` is "units" or "staff"."""
    kind = check_upload(name, data)
    table = OrgTable()
    if kind == "xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise UploadRejected(_("无法读取 XLSX 工作簿。")) from exc
        if UNIT_SHEET not in wb.sheetnames and STAFF_SHEET not in wb.sheetnames:
            raise UploadRejected(_("工作簿中没有“单位”或“人员”工作表。"))
        if UNIT_SHEET in wb.sheetnames:
            recs = _records(
                UNIT_SHEET, wb[UNIT_SHEET].iter_rows(values_only=True), UNIT_HEADERS, REQUIRED_UNIT
            )
            table.units = [_unit_row(n, r, table.errors) for n, r in recs]
        if STAFF_SHEET in wb.sheetnames:
            recs = _records(
                STAFF_SHEET, wb[STAFF_SHEET].iter_rows(values_only=True), STAFF_HEADERS, REQUIRED_STAFF
            )
            table.staff = [_staff_row(n, r, table.errors) for n, r in recs]
        wb.close()
    else:
        text = decode_csv(data)
        rows = list(csv.reader(io.StringIO(text)))
        if csv_kind == "units":
            recs = _records(UNIT_SHEET, rows, UNIT_HEADERS, REQUIRED_UNIT)
            table.units = [_unit_row(n, r, table.errors) for n, r in recs]
        elif csv_kind == "staff":
            recs = _records(STAFF_SHEET, rows, STAFF_HEADERS, REQUIRED_STAFF)
            table.staff = [_staff_row(n, r, table.errors) for n, r in recs]
        else:
            raise UploadRejected(_("请选择 CSV 文件的内容：单位或人员。"))
    return table


def _int(sheet: str, number: int, column: str, value: str, errors: list[RowError]) -> int:
    if not value:
        return 0
    try:
        return int(value)
    except ValueError:
        errors.append(RowError(sheet, number, column, _("须为整数。")))
        return 0


def _unit_row(number: int, rec: dict[str, str], errors: list[RowError]) -> UnitRow:
    return UnitRow(
        row=number,
        unit_code=rec.get("单位代码", ""),
        name=rec.get("单位名称", ""),
        short_name=rec.get("简称", ""),
        code=rec.get("机关代字", ""),
        kind=rec.get("类型", ""),
        parent_code=rec.get("上级单位代码", ""),
        phone=rec.get("电话", ""),
        address=rec.get("地址", ""),
        sort=_int(UNIT_SHEET, number, "排序", rec.get("排序", ""), errors),
        offices=[o.strip() for o in rec.get("科室", "").split(OFFICE_SEP) if o.strip()],
    )


def _staff_row(number: int, rec: dict[str, str], errors: list[RowError]) -> StaffRow:
    primary = rec.get("是否主职", "").lower()
    if primary not in YES | NO:
        errors.append(RowError(STAFF_SHEET, number, "是否主职", _("须填“是”或“否”。")))
    return StaffRow(
        row=number,
        username=rec.get("登录名", ""),
        full_name=rec.get("姓名", ""),
        mobile=rec.get("手机", ""),
        email=rec.get("邮箱", ""),
        unit_code=rec.get("单位代码", ""),
        office=rec.get("科室", ""),
        title=rec.get("职务", ""),
        office_phone=rec.get("办公电话", ""),
        is_primary=primary in YES,
        sort=_int(STAFF_SHEET, number, "排序", rec.get("排序", ""), errors),
    )


# --- checking rows against each other and the database ----------------------------------------


def validate(table: OrgTable, county: County) -> list[RowError]:
    """Every problem of every row; an empty list means the whole file can be applied."""
    errors = list(table.errors)
    U, S = UNIT_SHEET, STAFF_SHEET
    db_units = {u.unit_code: u for u in Unit.objects.filter(county=county)}
    db_offices: dict[str, set[str]] = {}
    for unit_code, office_name in Office.objects.filter(county=county).values_list("unit__unit_code", "name"):
        db_offices.setdefault(unit_code, set()).add(office_name)
    file_units: dict[str, UnitRow] = {}
    for r in table.units:
        if not r.unit_code:
            errors.append(RowError(U, r.row, "单位代码", _("单位代码不能为空。")))
        elif len(r.unit_code) > 32:
            errors.append(RowError(U, r.row, "单位代码", _("单位代码过长（最多 32 个字符）。")))
        elif r.unit_code in file_units:
            errors.append(
                RowError(
                    U,
                    r.row,
                    "单位代码",
                    _("单位代码与第 %(row)d 行重复。") % {"row": file_units[r.unit_code].row},
                )
            )
        else:
            file_units[r.unit_code] = r
        if not r.name:
            errors.append(RowError(U, r.row, "单位名称", _("单位名称不能为空。")))
        elif len(r.name) > 100:
            errors.append(RowError(U, r.row, "单位名称", _("单位名称过长（最多 100 个字符）。")))
        if len(r.short_name) > 32:
            errors.append(RowError(U, r.row, "简称", _("简称过长（最多 32 个字符）。")))
        if len(r.code) > 16:
            errors.append(RowError(U, r.row, "机关代字", _("机关代字过长（最多 16 个字符）。")))
        if r.kind not in KIND_BY_LABEL:
            errors.append(
                RowError(
                    U,
                    r.row,
                    "类型",
                    _("类型“%(kind)s”无效，应为：%(all)s")
                    % {"kind": r.kind, "all": "、".join(KIND_BY_LABEL)},
                )
            )
        if r.phone and not PHONE_RE.match(r.phone):
            errors.append(RowError(U, r.row, "电话", _("电话号码格式不正确。")))
        if len(set(r.offices)) != len(r.offices):
            errors.append(RowError(U, r.row, "科室", _("科室名称重复。")))
        if any(len(o) > 64 for o in r.offices):
            errors.append(RowError(U, r.row, "科室", _("科室名称过长（最多 64 个字符）。")))
        if len(r.address) > 200:
            errors.append(RowError(U, r.row, "地址", _("地址过长（最多 200 个字符）。")))
    known_codes = set(db_units) | set(file_units)
    for r in table.units:
        if r.parent_code:
            if r.parent_code not in known_codes:
                errors.append(
                    RowError(
                        U, r.row, "上级单位代码", _("上级单位“%(code)s”不存在。") % {"code": r.parent_code}
                    )
                )
            elif r.parent_code == r.unit_code:
                errors.append(RowError(U, r.row, "上级单位代码", _("上级单位不能是本单位。")))
    # parent cycles among the file's units
    parent_of: dict[str, str] = {}
    db_code_by_id = {u.pk: c for c, u in db_units.items()}
    for code, u in db_units.items():
        parent_of[code] = db_code_by_id.get(u.parent_id or 0, "")
    for r in table.units:
        parent_of[r.unit_code] = r.parent_code
    for r in table.units:
        seen, cur = {r.unit_code}, parent_of.get(r.unit_code, "")
        while cur:
            if cur in seen:
                errors.append(RowError(U, r.row, "上级单位代码", _("上级单位形成循环。")))
                break
            seen.add(cur)
            cur = parent_of.get(cur, "")
    # 机关代字 unique among active units of the county
    agency: dict[str, str] = {
        u.code: c for c, u in db_units.items() if u.code and u.is_active and c not in file_units
    }
    for r in table.units:
        if r.code:
            other = agency.get(r.code)
            if other is not None and other != r.unit_code:
                errors.append(
                    RowError(
                        U,
                        r.row,
                        "机关代字",
                        _("机关代字“%(code)s”已被单位“%(other)s”使用。") % {"code": r.code, "other": other},
                    )
                )
            else:
                agency[r.code] = r.unit_code

    offices_of = dict(db_offices)
    for code, r in file_units.items():
        offices_of[code] = set(offices_of.get(code, set())) | set(r.offices)
    primary_row: dict[str, StaffRow] = {}
    identity_row: dict[str, StaffRow] = {}
    mobiles: dict[str, str] = {}
    for s in table.staff:
        if not s.username:
            errors.append(RowError(S, s.row, "登录名", _("登录名不能为空。")))
        elif not USERNAME_RE.match(s.username):
            errors.append(
                RowError(S, s.row, "登录名", _("登录名只能包含字母、数字和 _ . @ + -，2 到 150 个字符。"))
            )
        if not s.full_name:
            errors.append(RowError(S, s.row, "姓名", _("姓名不能为空。")))
        elif len(s.full_name) > 64:
            errors.append(RowError(S, s.row, "姓名", _("姓名过长（最多 64 个字符）。")))
        if s.mobile and not MOBILE_RE.match(s.mobile):
            errors.append(
                RowError(
                    S, s.row, "手机", _("手机号码“%(m)s”格式不正确（11 位，以 1 开头）。") % {"m": s.mobile}
                )
            )
        if s.email and not EMAIL_RE.match(s.email):
            errors.append(RowError(S, s.row, "邮箱", _("邮箱格式不正确。")))
        if s.office_phone and not PHONE_RE.match(s.office_phone):
            errors.append(RowError(S, s.row, "办公电话", _("办公电话格式不正确（如 0736-8221234）。")))
        if len(s.title) > 64:
            errors.append(RowError(S, s.row, "职务", _("职务过长（最多 64 个字符）。")))
        if not s.unit_code:
            errors.append(RowError(S, s.row, "单位代码", _("单位代码不能为空。")))
        elif s.unit_code not in known_codes:
            errors.append(RowError(S, s.row, "单位代码", _("单位“%(code)s”不存在。") % {"code": s.unit_code}))
        elif s.office and s.office not in offices_of.get(s.unit_code, set()):
            errors.append(
                RowError(
                    S,
                    s.row,
                    "科室",
                    _("单位“%(code)s”没有科室“%(o)s”。") % {"code": s.unit_code, "o": s.office},
                )
            )
        if not s.username:
            continue
        if s.is_primary:
            if s.username in primary_row:
                errors.append(
                    RowError(
                        S,
                        s.row,
                        "登录名",
                        _("登录名“%(u)s”与第 %(row)d 行重复（每人只能有一个主职）。")
                        % {"u": s.username, "row": primary_row[s.username].row},
                    )
                )
            else:
                primary_row[s.username] = s
        first = identity_row.setdefault(s.username, s)
        if first is not s and (s.full_name != first.full_name or (s.mobile and s.mobile != first.mobile)):
            errors.append(
                RowError(
                    S, s.row, "姓名", _("与第 %(row)d 行同一登录名的姓名或手机不一致。") % {"row": first.row}
                )
            )
        if s.mobile and first is s:
            other = mobiles.setdefault(s.mobile, s.username)
            if other != s.username:
                errors.append(RowError(S, s.row, "手机", _("手机号码与登录名“%(u)s”重复。") % {"u": other}))
    for username, s in identity_row.items():
        if username not in primary_row:
            errors.append(RowError(S, s.row, "是否主职", _("登录名“%(u)s”没有主职。") % {"u": username}))
    if primary_row:
        elsewhere = set(
            Post.objects.filter(user__username__in=list(primary_row), is_primary=True)
            .exclude(county=county)
            .values_list("user__username", flat=True)
        )
        for username in sorted(elsewhere):
            s = primary_row[username]
            errors.append(
                RowError(S, s.row, "登录名", _("登录名“%(u)s”已在其他县任主职。") % {"u": username})
            )
    if identity_row:
        # 三员分立: the administrators' own accounts (name, phone, e-mail) are not the system
        # administrator's to change; an unchanged row (an export re-imported) is fine.
        from tongban.identity.models import User

        admins = User.objects.filter(username__in=list(identity_row)).exclude(admin_role="")
        for user in admins.only("username", "full_name", "mobile", "email"):
            s = identity_row[user.username]
            if (user.full_name, user.mobile, user.email) != (s.full_name, s.mobile, s.email):
                errors.append(
                    RowError(
                        S,
                        s.row,
                        "登录名",
                        _("“%(u)s”是三员账号，其姓名、手机、邮箱不能通过导入修改。") % {"u": user.username},
                    )
                )
    errors.sort(key=lambda e: (0 if e.sheet == U else 1, e.row, e.column))
    return errors


# --- writing the XLSX ----------------------------------------------------------------------------


def table_from_db(county: County) -> OrgTable:
    """The county's organisation in the import format (active units, staff with posts there)."""
    table = OrgTable()
    units = list(
        Unit.objects.filter(county=county, is_active=True).select_related("parent").order_by("sort", "id")
    )
    offices: dict[int, list[str]] = {}
    for unit_id, name in (
        Office.objects.filter(county=county).order_by("unit_id", "sort", "id").values_list("unit_id", "name")
    ):
        offices.setdefault(unit_id, []).append(name)
    for u in units:
        table.units.append(
            UnitRow(
                row=0,
                unit_code=u.unit_code,
                name=u.name,
                short_name=u.short_name,
                code=u.code,
                kind=str(LABEL_BY_KIND[u.kind]),
                parent_code=u.parent.unit_code if u.parent is not None else "",
                phone=u.phone,
                address=u.address,
                sort=u.sort,
                offices=offices.get(u.pk, []),
            )
        )
    posts = (
        Post.objects.filter(county=county, unit__is_active=True, user__is_active=True)
        .select_related("user", "unit", "office")
        .order_by("-is_primary", "unit__sort", "unit_id", "sort", "id")
    )
    for p in posts:
        table.staff.append(
            StaffRow(
                row=0,
                username=p.user.username,
                full_name=p.user.full_name,
                mobile=p.user.mobile,
                email=p.user.email,
                unit_code=p.unit.unit_code,
                office=p.office.name if p.office is not None else "",
                title=p.title,
                office_phone=p.office_phone,
                is_primary=p.is_primary,
                sort=p.sort,
            )
        )
    return table


def _unit_values(r: UnitRow) -> list[Any]:
    return [
        r.unit_code,
        r.name,
        r.short_name,
        r.code,
        r.kind,
        r.parent_code,
        r.phone,
        r.address,
        r.sort,
        OFFICE_SEP.join(r.offices),
    ]


def _staff_values(r: StaffRow) -> list[Any]:
    return [
        r.username,
        r.full_name,
        r.mobile,
        r.email,
        r.unit_code,
        r.office,
        r.title,
        r.office_phone,
        "是" if r.is_primary else "否",
        r.sort,
    ]


def write_xlsx(table: OrgTable) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)

    def cells(ws: Any, values: list[Any]) -> list[Any]:
        out = []
        for v in values:
            if isinstance(v, str) and v.startswith("="):
                # Text, never a formula (spreadsheet formula injection); the value round-trips as is.
                cell = WriteOnlyCell(ws, value=v)
                cell.data_type = "s"
                out.append(cell)
            else:
                out.append(v)
        return out

    ws = wb.create_sheet(UNIT_SHEET)
    ws.append(UNIT_HEADERS)
    for unit_row in table.units:
        ws.append(cells(ws, _unit_values(unit_row)))
    ws = wb.create_sheet(STAFF_SHEET)
    ws.append(STAFF_HEADERS)
    for staff_row in table.staff:
        ws.append(cells(ws, _staff_values(staff_row)))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
