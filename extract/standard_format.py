"""The national annual-report format as one declarative table.

Every figure nianbao extracts is named by a canonical key from
``../shared/standard-format.md`` (the public contract). This module is the only
place those keys, their printed labels, units and the format's arithmetic
identities are written down; ``extract/`` reads it to locate cells and
``archive/`` reads it to describe figures in the database.

Two versions have tables: ``"2021"`` (国办公开办函〔2021〕30号) and ``"2019"``
(国办公开办函〔2019〕60号). Reports older than 2019 (``"pre2019"``) have none.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

VERSIONS = ("2021", "2019")
PRE2019 = "pre2019"

# Section keys in printed order, with the heading as the format prints it and
# the variants real reports use (matched after numbering is stripped).
SECTIONS = (
    ("overview", "总体情况", ("总体情况", "基本情况", "概述")),
    ("active_disclosure", "主动公开政府信息情况", ("主动公开政府信息情况", "主动公开政府信息", "主动公开情况")),
    ("requests", "收到和处理政府信息公开申请情况", ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请", "依申请公开")),
    ("appeals", "政府信息公开行政复议、行政诉讼情况", ("行政复议、行政诉讼情况", "行政复议和行政诉讼情况", "行政复议、提起行政诉讼情况", "行政复议、行政诉讼", "行政复议和行政诉讼", "行政复议、提起行政诉讼")),
    ("problems", "存在的主要问题及改进情况", ("存在的主要问题及改进情况", "存在的主要问题及整改措施", "存在的主要问题及改进措施", "存在的主要问题和改进情况", "主要问题及改进情况", "存在的主要问题")),
    ("other", "其他需要报告的事项", ("其他需要报告的事项", "其他需要报告事项", "其他需报告的事项", "需要说明的其他事项")),
)


@dataclass(frozen=True)
class Column:
    suffix: str  # key suffix, e.g. "issued"
    label: str  # printed column header
    unit: str  # 件, 项, 万元, 元
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    key: str  # key stem, e.g. "active.rules" or "requests.disclosed"
    label: str  # printed row label
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cell:
    """One cell of a standard table: what the archive stores beside a figure."""

    key: str
    table: int  # 2, 3 or 4 (numbered as the sections that hold them)
    section: str  # section key from SECTIONS
    row_label: str
    column_label: str
    unit: str
    group: str = ""  # 条例 item (table 2) or applicant/appeal group


@dataclass(frozen=True)
class Identity:
    """An arithmetic identity of the format: sum(lhs) must equal sum(rhs)."""

    name: str
    rule: str  # one of the rule names in IDENTITY_RULES
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]


IDENTITY_RULES = {
    "balance": "新收 + 上年结转 = 办理结果总计 + 结转下年度 (per applicant column)",
    "results_sum": "办理结果总计 = 各项办理结果之和 (per applicant column)",
    "applicants_sum": "总计 = 六类申请人之和 (per row)",
    "appeals_sum": "总计 = 维持 + 纠正 + 其他 + 尚未审结 (per review/litigation group)",
}

# ---------------------------------------------------------------- table 2
_COUNT = "件"
_DECISIONS = Column("decisions", "本年处理决定数量", _COUNT, ("处理决定数量",))
_ITEMS_2019 = (
    Column("items_last_year", "上一年项目数量", "项"),
    Column("items_change", "本年增/减", "项", ("本年增／减", "本年增减")),
)

# (条例 item, rows, columns) per version, in printed order.
TABLE2 = {
    "2021": (
        ("第二十条第（一）项",
         (Row("active.rules", "规章"),
          Row("active.normative_documents", "行政规范性文件", ("规范性文件",))),
         (Column("issued", "本年制发件数", _COUNT, ("本年新制发件数",)),
          Column("repealed", "本年废止件数", _COUNT),
          Column("in_force", "现行有效件数", _COUNT))),
        ("第二十条第（五）项",
         (Row("active.licensing", "行政许可"),),
         (_DECISIONS,)),
        ("第二十条第（六）项",
         (Row("active.penalties", "行政处罚"), Row("active.coercion", "行政强制")),
         (_DECISIONS,)),
        ("第二十条第（八）项",
         (Row("active.fees", "行政事业性收费"),),
         (Column("amount_10k_yuan", "本年收费金额（单位：万元）", "万元", ("本年收费金额",)),)),
    ),
    "2019": (
        ("第二十条第（一）项",
         (Row("active.rules", "规章"), Row("active.normative_documents", "规范性文件", ("行政规范性文件",))),
         (Column("made", "本年新制作数量", _COUNT),
          Column("published", "本年新公开数量", _COUNT),
          Column("total_public", "对外公开总数量", _COUNT))),
        ("第二十条第（五）项",
         (Row("active.licensing", "行政许可"), Row("active.other_services", "其他对外管理服务事项")),
         _ITEMS_2019 + (_DECISIONS,)),
        ("第二十条第（六）项",
         (Row("active.penalties", "行政处罚"), Row("active.coercion", "行政强制")),
         _ITEMS_2019 + (_DECISIONS,)),
        ("第二十条第（八）项",
         (Row("active.fees", "行政事业性收费"),),
         _ITEMS_2019),
        ("第二十条第（九）项",
         (Row("active.procurement", "政府集中采购"),),
         (Column("projects", "采购项目数量", "项"),
          Column("amount_yuan", "采购总金额", "元"))),
    ),
}

# Header labels that tell the versions apart (branch on these, not on the year).
VERSION_MARKERS = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数"),
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
}

# ---------------------------------------------------------------- table 3
APPLICANT_COLUMNS = (
    Column("natural_person", "自然人", _COUNT),
    Column("commercial", "商业企业", _COUNT),
    Column("research", "科研机构", _COUNT),
    Column("social_welfare", "社会公益组织", _COUNT),
    Column("legal_services", "法律服务机构", _COUNT),
    Column("other_org", "其他", _COUNT),
    Column("total", "总计", _COUNT),
)

_WITHHELD = (
    Row("requests.withheld.state_secret", "1.属于国家秘密"),
    Row("requests.withheld.prohibited_by_law", "2.其他法律行政法规禁止公开", ("其他法律行政止公开",)),
    Row("requests.withheld.security_stability", "3.危及“三安全一稳定”", ("危及三安全一稳定",)),
    Row("requests.withheld.third_party_rights", "4.保护第三方合法权益"),
    Row("requests.withheld.internal_affairs", "5.属于三类内部事务信息", ("三类内容事务信息",)),
    Row("requests.withheld.process_information", "6.属于四类过程性信息"),
    Row("requests.withheld.enforcement_files", "7.属于行政执法案卷"),
    Row("requests.withheld.inquiry_matters", "8.属于行政查询事项"),
)
_UNAVAILABLE = (
    Row("requests.unavailable.not_held", "1.本机关不掌握相关政府信息"),
    Row("requests.unavailable.needs_creation", "2.没有现成信息需要另行制作"),
    Row("requests.unavailable.unclear_after_correction", "3.补正后申请内容仍不明确"),
)
_NOT_PROCESSED = (
    Row("requests.not_processed.petition_complaint", "1.信访举报投诉类申请"),
    Row("requests.not_processed.duplicate", "2.重复申请"),
    Row("requests.not_processed.publications", "3.要求提供公开出版物"),
    Row("requests.not_processed.mass_repeated", "4.无正当理由大量反复申请"),
    Row("requests.not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"),
)
_OTHER_2019 = (Row("requests.other_handling", "（六）其他处理"),)
_OTHER_2021 = (
    Row("requests.other_handling.overdue_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    Row("requests.other_handling.unpaid_fees",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    Row("requests.other_handling.other", "3.其他"),
)
_NEW = Row("requests.new_received", "一、本年新收政府信息公开申请数量")
_CARRIED_OVER = Row("requests.carried_over", "二、上年结转政府信息公开申请数量")
_HANDLED_TOTAL = Row("requests.handled_total", "（七）总计")
_CARRIED_FORWARD = Row("requests.carried_forward", "四、结转下年度继续办理")


def _result_rows(other):
    return (
        (Row("requests.disclosed", "（一）予以公开"),
         Row("requests.partially_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
             ("（二）部分公开",)))
        + _WITHHELD + _UNAVAILABLE + _NOT_PROCESSED + other
    )


# Result rows (三、本年度办理结果 (一)…(六)) per version, in printed order.
RESULT_ROWS = {"2021": _result_rows(_OTHER_2021), "2019": _result_rows(_OTHER_2019)}

# All table-3 rows per version, in printed order.
TABLE3_ROWS = {
    v: (_NEW, _CARRIED_OVER) + RESULT_ROWS[v] + (_HANDLED_TOTAL, _CARRIED_FORWARD) for v in VERSIONS
}

# Sub-headings that group result rows; printed but hold no numbers of their own
# (except （六）其他处理 in the 2019 format, which is a row).
RESULT_GROUPS = {
    "requests.withheld": "（三）不予公开",
    "requests.unavailable": "（四）无法提供",
    "requests.not_processed": "（五）不予处理",
    "requests.other_handling": "（六）其他处理",
}

# ---------------------------------------------------------------- table 4
APPEAL_GROUPS = (
    ("appeals.review", "行政复议"),
    ("appeals.litigation_direct", "行政诉讼·未经复议直接起诉"),
    ("appeals.litigation_after_review", "行政诉讼·复议后起诉"),
)
APPEAL_OUTCOMES = (
    Column("upheld", "结果维持", _COUNT),
    Column("corrected", "结果纠正", _COUNT),
    Column("other", "其他结果", _COUNT),
    Column("pending", "尚未审结", _COUNT),
    Column("total", "总计", _COUNT),
)


# ---------------------------------------------------------------- derived
@lru_cache(maxsize=None)  # immutable results, asked for by every document
def cells(version: str) -> tuple[Cell, ...]:
    """Every cell of the standard tables of ``version``, in printed order."""
    out = []
    for item, rows, columns in TABLE2[version]:
        for row in rows:
            for col in columns:
                out.append(Cell(f"{row.key}.{col.suffix}", 2, "active_disclosure",
                                row.label, col.label, col.unit, item))
    for row in TABLE3_ROWS[version]:
        for col in APPLICANT_COLUMNS:
            group = "法人或其他组织" if col.suffix not in ("natural_person", "total") else ""
            out.append(Cell(f"{row.key}.{col.suffix}", 3, "requests", row.label, col.label, col.unit, group))
    for stem, label in APPEAL_GROUPS:
        for col in APPEAL_OUTCOMES:
            out.append(Cell(f"{stem}.{col.suffix}", 4, "appeals", label, col.label, col.unit, label))
    return tuple(out)


@lru_cache(maxsize=None)  # immutable results, asked for by every document
def keys(version: str) -> tuple[str, ...]:
    """Canonical keys of ``version`` in printed order; empty for pre-2019 reports."""
    if version not in VERSIONS:
        return ()
    return tuple(c.key for c in cells(version))


def carried_pairs() -> tuple[tuple[str, str], ...]:
    """(上年结转 key, 结转下年度 key) of each column of table 3, alike in both formats: a body's
    上年结转 of year N is its 结转下年度 of year N−1 (the archive's checks across years)."""
    return tuple((f"{_CARRIED_OVER.key}.{c.suffix}", f"{_CARRIED_FORWARD.key}.{c.suffix}") for c in APPLICANT_COLUMNS)


@lru_cache(maxsize=None)  # immutable results, asked for by every document
def identities(version: str) -> tuple[Identity, ...]:
    """The format's arithmetic identities (checks 1–4 of standard-format.md)."""
    if version not in VERSIONS:
        return ()
    out = []
    results = RESULT_ROWS[version]
    for col in APPLICANT_COLUMNS:
        c = col.suffix
        out.append(Identity(
            f"balance.{c}", "balance",
            (f"{_NEW.key}.{c}", f"{_CARRIED_OVER.key}.{c}"),
            (f"{_HANDLED_TOTAL.key}.{c}", f"{_CARRIED_FORWARD.key}.{c}")))
        out.append(Identity(
            f"results_sum.{c}", "results_sum",
            (f"{_HANDLED_TOTAL.key}.{c}",),
            tuple(f"{r.key}.{c}" for r in results)))
    parts = tuple(c.suffix for c in APPLICANT_COLUMNS if c.suffix != "total")
    for row in TABLE3_ROWS[version]:
        out.append(Identity(
            f"applicants_sum.{row.key.removeprefix('requests.')}", "applicants_sum",
            (f"{row.key}.total",), tuple(f"{row.key}.{p}" for p in parts)))
    for stem, _ in APPEAL_GROUPS:
        out.append(Identity(
            f"appeals_sum.{stem.removeprefix('appeals.')}", "appeals_sum",
            (f"{stem}.total",),
            tuple(f"{stem}.{o.suffix}" for o in APPEAL_OUTCOMES if o.suffix != "total")))
    return tuple(out)
