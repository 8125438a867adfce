"""The demo county 青山县, generated deterministically (fixed random seed) as a SeedPlan.

Four leading bodies, 120 county-level units, 10 townships, 2,018 staff (demo accounts included)
with realistic names, posts, phone numbers, concurrent posts and the county leaders' 分管."""

from __future__ import annotations

import random

from tongban.identity.services import name_pinyin
from tongban.orgs.services import SeedPlan
from tongban.orgs.tabular import LABEL_BY_KIND, OrgTable, StaffRow, UnitRow

COUNTY_NAME = "青山县"
COUNTY_CODE = "361199"  # fictional (36xxxx is 江西; 99 is not a real county)
AREA = "0797"
DEMO_PASSWORD = "Tongban@2026"  # noqa: S105 - the published demo password (README), demo accounts only
SEED = 20260101
TOTAL_STAFF = 2018

BODIES = [
    # key, name, short, 机关代字
    ("xw", "中共青山县委员会", "县委", "县委"),
    ("rd", "青山县人大常委会", "县人大", "人大"),
    ("zf", "青山县人民政府", "县政府", "政"),
    ("zx", "政协青山县委员会", "县政协", "政协"),
]

# (name, short name, 机关代字, kind, parent body key)
UNITS: list[tuple[str, str, str, str, str]] = [
    ("中共青山县委办公室", "县委办", "县委办", "party_dept", "xw"),
    ("中共青山县委组织部", "组织部", "组", "party_dept", "xw"),
    ("中共青山县委宣传部", "宣传部", "宣", "party_dept", "xw"),
    ("中共青山县委统一战线工作部", "统战部", "统", "party_dept", "xw"),
    ("中共青山县委政法委员会", "政法委", "政法", "party_dept", "xw"),
    ("青山县纪委监委", "纪委监委", "纪", "party_dept", "xw"),
    ("中共青山县委机构编制委员会办公室", "编办", "编", "party_dept", "xw"),
    ("中共青山县委政策研究室", "政研室", "政研", "party_dept", "xw"),
    ("中共青山县委网络安全和信息化委员会办公室", "网信办", "网信", "party_dept", "xw"),
    ("中共青山县委巡察工作领导小组办公室", "巡察办", "巡", "party_dept", "xw"),
    ("中共青山县委老干部局", "老干部局", "老干", "party_dept", "xw"),
    ("中共青山县直属机关工作委员会", "机关工委", "工委", "party_dept", "xw"),
    ("中共青山县委党校", "党校", "校", "party_dept", "xw"),
    ("中共青山县委机要保密局", "机要局", "机要", "party_dept", "xw"),
    ("中共青山县委社会工作部", "社工部", "社工", "party_dept", "xw"),
    ("青山县人大常委会办公室", "人大办", "人大办", "congress_cppcc_org", "rd"),
    ("青山县人大常委会法制工作委员会", "人大法工委", "人大法", "congress_cppcc_org", "rd"),
    ("青山县人大常委会财政经济工作委员会", "人大财经委", "人大财", "congress_cppcc_org", "rd"),
    ("青山县人大常委会教科文卫工作委员会", "人大教科文卫委", "人大教", "congress_cppcc_org", "rd"),
    ("政协青山县委员会办公室", "政协办", "政协办", "congress_cppcc_org", "zx"),
    ("政协青山县委员会提案委员会", "政协提案委", "政协提", "congress_cppcc_org", "zx"),
    ("政协青山县委员会文史和学习委员会", "政协文史委", "政协文", "congress_cppcc_org", "zx"),
    ("青山县人民政府办公室", "政府办", "政办", "gov_dept", "zf"),
    ("青山县发展和改革局", "发改局", "发改", "gov_dept", "zf"),
    ("青山县教育体育局", "教体局", "教", "gov_dept", "zf"),
    ("青山县科技和工业信息化局", "科工信局", "科工", "gov_dept", "zf"),
    ("青山县公安局", "公安局", "公", "gov_dept", "zf"),
    ("青山县民政局", "民政局", "民", "gov_dept", "zf"),
    ("青山县司法局", "司法局", "司", "gov_dept", "zf"),
    ("青山县财政局", "财政局", "财", "gov_dept", "zf"),
    ("青山县人力资源和社会保障局", "人社局", "人社", "gov_dept", "zf"),
    ("青山县自然资源局", "自然资源局", "自然资", "gov_dept", "zf"),
    ("青山县住房和城乡建设局", "住建局", "建", "gov_dept", "zf"),
    ("青山县交通运输局", "交通运输局", "交", "gov_dept", "zf"),
    ("青山县水利局", "水利局", "水", "gov_dept", "zf"),
    ("青山县农业农村局", "农业农村局", "农", "gov_dept", "zf"),
    ("青山县商务局", "商务局", "商", "gov_dept", "zf"),
    ("青山县文化广电新闻出版旅游局", "文旅局", "文旅", "gov_dept", "zf"),
    ("青山县卫生健康委员会", "卫健委", "卫健", "gov_dept", "zf"),
    ("青山县退役军人事务局", "退役军人局", "退役", "gov_dept", "zf"),
    ("青山县应急管理局", "应急管理局", "应急", "gov_dept", "zf"),
    ("青山县审计局", "审计局", "审", "gov_dept", "zf"),
    ("青山县市场监督管理局", "市场监管局", "市监", "gov_dept", "zf"),
    ("青山县统计局", "统计局", "统计", "gov_dept", "zf"),
    ("青山县医疗保障局", "医保局", "医保", "gov_dept", "zf"),
    ("青山县林业局", "林业局", "林", "gov_dept", "zf"),
    ("青山县行政审批局", "行政审批局", "审批", "gov_dept", "zf"),
    ("青山县信访局", "信访局", "信访", "gov_dept", "zf"),
    ("青山县城市管理局", "城管局", "城管", "gov_dept", "zf"),
    ("青山县乡村振兴局", "乡村振兴局", "乡振", "gov_dept", "zf"),
    ("青山县数据局", "数据局", "数据", "gov_dept", "zf"),
    ("青山县国有资产事务中心", "国资中心", "国资", "gov_dept", "zf"),
    ("青山县机关事务管理局", "机关事务局", "机事", "gov_dept", "zf"),
    ("青山县粮食和物资储备局", "粮储局", "粮", "gov_dept", "zf"),
    ("青山县人民法院", "县法院", "法", "vertical_agency", ""),
    ("青山县人民检察院", "县检察院", "检", "vertical_agency", ""),
    ("国家税务总局青山县税务局", "税务局", "税", "vertical_agency", ""),
    ("青山县气象局", "气象局", "气", "vertical_agency", ""),
    ("国网青山县供电公司", "供电公司", "电", "vertical_agency", ""),
    ("青山生态环境分局", "生态环境分局", "环", "vertical_agency", ""),
    ("青山县烟草专卖局", "烟草局", "烟", "vertical_agency", ""),
    ("青山县消防救援大队", "消防大队", "消", "vertical_agency", ""),
    ("国家统计局青山调查队", "调查队", "调", "vertical_agency", ""),
    ("青山县住房公积金管理部", "公积金管理部", "积", "vertical_agency", ""),
    ("青山县邮政分公司", "邮政分公司", "邮", "vertical_agency", ""),
    ("青山县政务服务中心", "政务服务中心", "政务", "public_institution", "zf"),
    ("青山县信息化中心", "信息化中心", "信息", "public_institution", "zf"),
    ("青山县人民医院", "县医院", "医", "public_institution", "zf"),
    ("青山县中医院", "中医院", "中医", "public_institution", "zf"),
    ("青山县妇幼保健院", "妇幼保健院", "妇保", "public_institution", "zf"),
    ("青山县疾病预防控制中心", "疾控中心", "疾控", "public_institution", "zf"),
    ("青山县融媒体中心", "融媒体中心", "融媒", "public_institution", "xw"),
    ("青山县广播电视台", "广播电视台", "广电", "public_institution", "zf"),
    ("青山县档案馆", "档案馆", "档", "public_institution", "xw"),
    ("青山县第一中学", "一中", "一中", "public_institution", "zf"),
    ("青山县第二中学", "二中", "二中", "public_institution", "zf"),
    ("青山县职业中等专业学校", "职业中专", "职专", "public_institution", "zf"),
    ("青山县实验小学", "实验小学", "实小", "public_institution", "zf"),
    ("青山县图书馆", "图书馆", "图", "public_institution", "zf"),
    ("青山县文化馆", "文化馆", "文馆", "public_institution", "zf"),
    ("青山县博物馆", "博物馆", "博", "public_institution", "zf"),
    ("青山县公共资源交易中心", "公共资源交易中心", "交易", "public_institution", "zf"),
    ("青山县不动产登记中心", "不动产登记中心", "不动产", "public_institution", "zf"),
    ("青山县社会保险事业管理局", "社保局", "社保", "public_institution", "zf"),
    ("青山县就业服务中心", "就业服务中心", "就业", "public_institution", "zf"),
    ("青山县农业技术推广中心", "农技中心", "农技", "public_institution", "zf"),
    ("青山县畜牧兽医服务中心", "畜牧中心", "畜牧", "public_institution", "zf"),
    ("青山县水文站", "水文站", "水文", "public_institution", "zf"),
    ("青山县林业科学研究所", "林科所", "林科", "public_institution", "zf"),
    ("青山县党史研究室", "党史研究室", "党史", "public_institution", "xw"),
    ("青山县地方志办公室", "地方志办", "志", "public_institution", "zf"),
    ("青山县住房保障服务中心", "住房保障中心", "住保", "public_institution", "zf"),
    ("青山县环境卫生管理所", "环卫所", "环卫", "public_institution", "zf"),
    ("青山县社会福利院", "福利院", "福", "public_institution", "zf"),
    ("青山县救助管理站", "救助站", "救", "public_institution", "zf"),
    ("青山县殡葬管理所", "殡葬所", "殡", "public_institution", "zf"),
    ("青山县城市建设投资中心", "城投中心", "城投", "public_institution", "zf"),
    ("青山县园林绿化所", "园林所", "园", "public_institution", "zf"),
    ("青山县自来水公司", "自来水公司", "水司", "public_institution", "zf"),
    ("青山县青山湖风景区管理处", "风景区管理处", "景", "public_institution", "zf"),
    ("青山县国有林场", "国有林场", "林场", "public_institution", "zf"),
    ("青山县检验检测中心", "检验检测中心", "检测", "public_institution", "zf"),
    ("青山县农村经营服务站", "农经站", "农经", "public_institution", "zf"),
    ("青山县科学技术协会", "科协", "科协", "people_org", "xw"),
    ("青山县总工会", "总工会", "工", "people_org", "xw"),
    ("共青团青山县委员会", "团县委", "团", "people_org", "xw"),
    ("青山县妇女联合会", "妇联", "妇", "people_org", "xw"),
    ("青山县工商业联合会", "工商联", "工商", "people_org", "xw"),
    ("青山县残疾人联合会", "残联", "残", "people_org", "zf"),
    ("青山县文学艺术界联合会", "文联", "文联", "people_org", "xw"),
    ("青山县红十字会", "红十字会", "红", "people_org", "zf"),
    ("青山县归国华侨联合会", "侨联", "侨", "people_org", "xw"),
    ("青山县计划生育协会", "计生协", "计协", "people_org", "zf"),
    ("青山县老区建设促进会", "老促会", "老促", "people_org", "xw"),
    ("青山县关心下一代工作委员会", "关工委", "关工", "people_org", "xw"),
    ("青山县慈善总会", "慈善总会", "慈", "people_org", "zf"),
    ("青山县个体劳动者协会", "个协", "个协", "people_org", "zf"),
    ("青山县城关中心卫生院", "城关卫生院", "城卫", "public_institution", "zf"),
    ("青山县第三中学", "三中", "三中", "public_institution", "zf"),
    ("青山县招商服务中心", "招商中心", "招商", "public_institution", "zf"),
]

TOWNSHIPS = [
    ("城关镇", "城关"),
    ("青石镇", "青石"),
    ("柳溪镇", "柳溪"),
    ("白云乡", "白云"),
    ("石门镇", "石门"),
    ("龙潭乡", "龙潭"),
    ("高坪镇", "高坪"),
    ("梅岭乡", "梅岭"),
    ("桃源镇", "桃源"),
    ("双河乡", "双河"),
]

BODY_OFFICES = {
    "xw": ["办公室", "督查室", "信息科"],
    "rd": ["办公室", "研究室"],
    "zf": ["办公室", "秘书科", "督查室"],
    "zx": ["办公室", "研究室"],
}
SPECIFIC_OFFICES = {
    "政府办": ["秘书股", "综合股", "督查股", "信息股", "行政股"],
    "财政局": ["预算股", "国库股", "综合股", "行政政法股", "农业股"],
    "教体局": ["人事股", "基础教育股", "计划财务股", "体育股"],
    "公安局": ["指挥中心", "治安大队", "刑侦大队", "交警大队", "户政股"],
    "纪委监委": ["党风政风监督室", "第一监督检查室", "第二监督检查室", "案件审理室", "信访室"],
    "组织部": ["干部股", "组织股", "人才股", "干部监督股"],
    "政务服务中心": ["窗口服务股", "电子监察股", "综合股"],
    "县医院": ["医务科", "护理部", "财务科", "信息科"],
}
GENERIC_OFFICES = [
    "综合股",
    "业务股",
    "政策法规股",
    "计划财务股",
    "人事股",
    "执法监督股",
    "规划股",
    "安全股",
    "项目股",
]
TOWNSHIP_OFFICES = [
    "党政综合办公室",
    "经济发展办公室",
    "社会事务办公室",
    "综治中心",
    "便民服务中心",
    "财政所",
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞志斌宇浩凯俊峰晨阳欣怡雪梅丹琳"
    "海燕婷婷慧颖佳琪嘉欣梓涵子轩博文思远晓东春生秋实德胜永福庆元少华小龙新民振兴金凤月娥荣华翠兰学军红梅"
    "立新卫东海波云龙建华国强志刚文杰丽华秀英春燕淑珍玉珍宏伟晓燕利民"
)
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "182",
    "183",
    "186",
    "187",
    "188",
    "189",
    "199",
]

# County leaders: (login, name-less title, body key, 分管 short names)
LEADERS: list[tuple[str, str, list[str]]] = [
    ("县委书记", "xw", []),
    ("县委副书记、县长", "zf", ["政府办", "财政局", "审计局"]),
    ("县委副书记", "xw", ["组织部", "政法委"]),
    ("县人大常委会主任", "rd", ["人大办"]),
    ("县政协主席", "zx", ["政协办"]),
    ("县委常委、纪委书记、监委主任", "xw", ["纪委监委", "巡察办"]),
    ("县委常委、常务副县长", "zf", ["发改局", "国资中心", "统计局", "税务局", "数据局", "信息化中心"]),
    ("副县长", "zf", ["教体局", "卫健委", "医保局", "文旅局", "县医院"]),
    ("副县长", "zf", ["公安局", "司法局", "信访局", "应急管理局"]),
    ("副县长", "zf", ["农业农村局", "水利局", "林业局", "乡村振兴局"]),
    ("副县长", "zf", ["住建局", "自然资源局", "交通运输局", "城管局", "生态环境分局"]),
    ("副县长", "zf", ["商务局", "市场监管局", "行政审批局", "政务服务中心", "科工信局"]),
    ("县人大常委会副主任", "rd", ["人大法工委"]),
    ("县人大常委会副主任", "rd", ["人大财经委"]),
    ("县政协副主席", "zx", ["政协提案委"]),
    ("县政协副主席", "zx", ["政协文史委"]),
]

DEMO_ACCOUNTS = [
    # role label, login, admin_role, unit short name, office, title, business role
    ("系统管理员", "sysadmin", "system", "信息化中心", "", "系统管理员", ""),
    ("安全管理员", "secadmin", "security", "信息化中心", "", "安全管理员", ""),
    ("审计管理员", "auditadmin", "audit", "信息化中心", "", "审计管理员", ""),
    ("文书", "clerk", "", "政府办", "秘书股", "文书", "clerk"),
    ("办公室主任", "officehead", "", "政府办", "", "办公室主任", "office_head"),
    ("单位领导", "unitleader", "", "财政局", "", "局长", "unit_leader"),
    ("财政局文书", "czclerk", "", "财政局", "", "文书", "clerk"),
    ("县领导", "countyleader", "", "县政府", "", "副县长", "county_leader"),
    ("监察员", "supervisor", "", "纪委监委", "第一监督检查室", "监察员", "supervisor"),
    ("审批人员", "handler", "", "市场监管局", "", "科员", "case_handler"),
    ("审批单位负责人", "scjleader", "", "市场监管局", "", "局长", "unit_leader"),
    ("窗口人员", "window", "", "政务服务中心", "窗口服务股", "窗口人员", "window_clerk"),
    ("事项管理员", "catalogue", "", "行政审批局", "", "科员", "catalogue_admin"),
    ("部门事项管理员", "scjcatalogue", "", "市场监管局", "", "科员", "catalogue_admin"),
    ("网站管理员", "portaladmin", "", "政府办", "", "科员", "portal_admin"),
    ("网站编辑", "editor", "", "市场监管局", "", "科员", "portal_editor"),
    ("网站审核", "reviewer", "", "市场监管局", "", "副局长", "portal_reviewer"),
    ("信箱办理员", "mailbox", "", "政府办", "", "科员", "mailbox_office"),
    ("信件承办人", "letters", "", "市场监管局", "", "科员", "letter_handler"),
    ("依申请公开办理员", "disclosure", "", "政府办", "", "科员", "disclosure_officer"),
    ("依申请公开办理员（市场监管局）", "scjdisclosure", "", "市场监管局", "", "科员", "disclosure_officer"),
    ("访谈征集管理员", "host", "", "政府办", "", "科员", "interview_host"),
    ("会务管理员", "huiwu", "", "政府办", "", "科长", "meeting_organiser"),
    ("领导秘书（县长）", "mishu", "", "政府办", "", "秘书", ""),
    ("领导日程管理员", "richeng", "", "政府办", "", "科员", "schedule_clerk"),
    ("会场终端（县政府第一会议室）", "hall1", "", "政府办", "", "会场终端", "venue_terminal"),
    ("会场终端（城关镇视频会议室）", "chengguan", "", "城关镇", "", "会场终端", "venue_terminal"),
    ("乡镇文书（城关镇）", "cgclerk", "", "城关镇", "", "文书", "clerk"),
    ("考核管理员（信息化办）", "kaohe", "", "信息化中心", "", "科员", "assessment_admin"),
    ("网络管理员", "wangguan", "", "信息化中心", "", "网络管理员", "network_admin"),
    ("资源管理员（统计局）", "ziyuan", "", "统计局", "", "科员", "resource_admin"),
]


def _head_title(name: str, kind: str) -> tuple[str, str]:
    if kind == "township":
        return ("镇长" if name.endswith("镇") else "乡长"), "副" + ("镇长" if name.endswith("镇") else "乡长")
    for suffix, head in [
        ("办公室", "主任"),
        ("部", "部长"),
        ("委员会", "主任"),
        ("委", "主任"),
        ("局", "局长"),
        ("分局", "局长"),
        ("院", "院长"),
        ("中心", "主任"),
        ("台", "台长"),
        ("馆", "馆长"),
        ("学", "校长"),
        ("学校", "校长"),
        ("校", "校长"),
        ("公司", "经理"),
        ("大队", "大队长"),
        ("队", "队长"),
        ("站", "站长"),
        ("所", "所长"),
        ("处", "处长"),
        ("场", "场长"),
        ("会", "主席"),
        ("室", "主任"),
    ]:
        if name.endswith(suffix):
            return head, "副" + head
    return "主任", "副主任"


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.logins: set[str] = {a[1] for a in DEMO_ACCOUNTS}
        self.mobiles: set[str] = set()
        self.surname_weights = [max(1, 40 - i // 3) for i in range(len(SURNAMES))]
        words = [GIVEN[i : i + 2] for i in range(0, len(GIVEN) - 1, 2)]
        self.given_single = list(dict.fromkeys(GIVEN))
        self.given_double = list(dict.fromkeys(words))

    def name(self) -> str:
        surname = self.rnd.choices(SURNAMES, weights=self.surname_weights, k=1)[0]
        if self.rnd.random() < 0.25:
            return surname + self.rnd.choice(self.given_single)
        if self.rnd.random() < 0.85:
            return surname + self.rnd.choice(self.given_double)
        return surname + self.rnd.choice(self.given_single) + self.rnd.choice(self.given_single)

    def login(self, name: str) -> str:
        base = name_pinyin(name)[0] or "user"
        login, n = base, 1
        while login in self.logins:
            n += 1
            login = f"{base}{n}"
        self.logins.add(login)
        return login

    def mobile(self) -> str:
        while True:
            m = self.rnd.choice(MOBILE_PREFIXES) + f"{self.rnd.randrange(10**8):08d}"
            if m not in self.mobiles:
                self.mobiles.add(m)
                return m

    def phone(self) -> str:
        return f"{AREA}-{self.rnd.choice('2345678')}{self.rnd.randrange(10**6):06d}"


def build_plan(*, staff: int = TOTAL_STAFF, seed: int = SEED) -> SeedPlan:
    """The demo county with ``staff`` staff in total (demo accounts included)."""
    g = _Gen(seed)
    table = OrgTable()
    code_of: dict[str, str] = {}  # short name / body key -> unit_code
    offices_of: dict[str, list[str]] = {}
    kind_of: dict[str, str] = {}
    name_of: dict[str, str] = {}
    n = 0

    def add_unit(
        key: str, name: str, short: str, code: str, kind: str, parent_key: str, offices: list[str]
    ) -> None:
        nonlocal n
        n += 1
        unit_code = f"{COUNTY_CODE}{n:03d}"
        code_of[key] = unit_code
        offices_of[key], kind_of[key], name_of[key] = offices, kind, name
        table.units.append(
            UnitRow(
                row=n + 1,
                unit_code=unit_code,
                name=name,
                short_name=short,
                code=code,
                kind=str(LABEL_BY_KIND[kind]),
                parent_code=code_of.get(parent_key, "") if parent_key else "",
                phone=g.phone(),
                address=f"青山县城关镇{g.rnd.choice(['人民路', '解放路', '青山大道', '建设路', '滨江路'])}{g.rnd.randrange(1, 300)}号",
                sort=n * 10,
                offices=offices,
            )
        )

    for key, name, short, code in BODIES:
        add_unit(key, name, short, code, "leading_body", "", BODY_OFFICES[key])
    for name, short, code, kind, parent in UNITS:
        if short in SPECIFIC_OFFICES:
            offices = ["办公室", *SPECIFIC_OFFICES[short]]
        else:
            k = g.rnd.randint(1, 5)
            offices = ["办公室", *g.rnd.sample(GENERIC_OFFICES, k)]
        add_unit(short, name, short, code, kind, parent, offices)
    for name, code in TOWNSHIPS:
        offices = TOWNSHIP_OFFICES[: g.rnd.randint(4, 6)]
        add_unit(name, f"青山县{name}", name, code, "township", "", offices)

    rows: list[StaffRow] = []
    sort_in_unit: dict[str, int] = {}

    def add_post(
        login: str, name: str, mobile: str, key: str, office: str, title: str, primary: bool
    ) -> None:
        sort_in_unit[key] = sort_in_unit.get(key, 0) + 10
        rows.append(
            StaffRow(
                row=0,
                username=login,
                full_name=name,
                mobile=mobile,
                unit_code=code_of[key],
                office=office,
                title=title,
                office_phone=g.phone(),
                is_primary=primary,
                sort=sort_in_unit[key],
            )
        )

    # demo accounts
    accounts: dict[str, tuple[str, str]] = {}
    grants: list[tuple[str, str, str]] = []
    duties: list[tuple[str, str, str]] = []
    for _label, login, admin_role, unit_short, office, title, role in DEMO_ACCOUNTS:
        key = {"县政府": "zf"}.get(unit_short, unit_short)
        name = g.name()  # drawn for every account, so that the generated staff stay the same
        if role == "venue_terminal":  # a room's big screen is named after the room, not a person
            name = _label.split("（", 1)[1].rstrip("）") + "终端"
        add_post(login, name, g.mobile(), key, office, title, True)
        accounts[login] = (admin_role, DEMO_PASSWORD)
        if role:
            grants.append((login, code_of[key], role))
    duties += [("countyleader", code_of[s], "") for s in ["民政局", "人社局", "退役军人局", "残联"]]
    # county leaders and their 分管
    for title, body, charge in LEADERS:
        name = g.name()
        login = g.login(name)
        add_post(login, name, g.mobile(), body, "", title, True)
        grants.append((login, code_of[body], "county_leader"))
        duties += [(login, code_of[s], "") for s in charge]
        if title.startswith("县委常委、常务"):
            add_post(login, name, "", "xw", "", "县委常委", False)
    # every unit: a head, deputies, an office head, a clerk; then staff spread by weight
    remaining = staff - len(DEMO_ACCOUNTS) - len(LEADERS)
    keys = [k for k, _n, _s, _c in BODIES] + [u[1] for u in UNITS] + [t[0] for t in TOWNSHIPS]
    people: list[tuple[str, str, str]] = []  # (login, name, unit key) of ordinary staff, for concurrent posts
    for key in keys:
        if remaining <= 0:
            break
        if kind_of[key] == "leading_body":
            continue
        head, deputy = _head_title(name_of[key], kind_of[key])
        main_office = offices_of[key][0] if offices_of[key] else ""
        for title, office in [(head, ""), (deputy, ""), ("办公室主任", main_office), ("文书", main_office)]:
            if remaining <= 0:
                break
            name = g.name()
            login = g.login(name)
            add_post(login, name, g.mobile(), key, office, title, True)
            remaining -= 1
            if title == head:
                grants.append((login, code_of[key], "unit_leader"))
            elif title == "办公室主任":
                grants.append((login, code_of[key], "office_head"))
            elif title == "文书":
                grants.append((login, code_of[key], "clerk"))
    weights = [
        {"township": 6, "gov_dept": 4, "public_institution": 3, "party_dept": 3, "vertical_agency": 3}.get(
            kind_of[k], 2
        )
        for k in keys
    ]
    staff_titles = [
        "科员",
        "科员",
        "科员",
        "科员",
        "副主任科员",
        "主任科员",
        "科长",
        "副科长",
        "一级科员",
        "办事员",
    ]
    while remaining > 0:
        key = g.rnd.choices(keys, weights=weights, k=1)[0]
        offices = offices_of[key]
        office = g.rnd.choice(offices) if offices else ""
        name = g.name()
        login = g.login(name)
        mobile = g.mobile() if g.rnd.random() < 0.97 else ""
        add_post(login, name, mobile, key, office, g.rnd.choice(staff_titles), True)
        people.append((login, name, key))
        remaining -= 1
    # some concurrent posts (兼职): ordinary staff seconded to another unit
    for login, name, key in g.rnd.sample(people, min(len(people) // 40, 60)):
        other = g.rnd.choice([k for k in keys if k != key])
        primary = next(r for r in rows if r.username == login and r.is_primary)
        offices = offices_of[other]
        add_post(
            login, name, primary.mobile, other, g.rnd.choice(offices) if offices else "", "兼职联络员", False
        )
    table.staff = rows
    return SeedPlan(
        county_name=COUNTY_NAME,
        county_code=COUNTY_CODE,
        table=table,
        duties=duties,
        grants=grants,
        accounts=accounts,
    )
