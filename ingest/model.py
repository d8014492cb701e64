"""The parsed disclosure: what ingest produces and every later stage reads.

A `Disclosure` is one document: metadata, a section tree of headings and paragraphs,
the tables it publishes, the catalogue (目录) it announces, and the figures stated in
its narrative. Every number is a `Decimal`; amounts are held in 元 whatever unit the
document printed, and the printed text and unit are kept beside them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

# Table kinds.
GRID = "grid"  # rows × columns of figures
FORM = "form"  # key–value form such as a 绩效目标表, with an optional indicator grid


@dataclass(frozen=True)
class Locator:
    """Where a figure or passage sits in its document."""

    page: int | None = None
    table: str | None = None  # Table.key
    row: int | None = None  # Row.index
    column: str | None = None  # Column.label
    section: str | None = None  # Section.path label
    file: str | None = None  # the part's file, for a disclosure published as several files

    def describe(self) -> str:
        parts = [self.file] if self.file else []
        if self.page is not None:
            parts.append(f"第{self.page}页")
        for part in (self.table, self.section, self.column):
            if part:
                parts.append(part)
        if self.row is not None:
            parts.append(f"第{self.row + 1}行")
        return " · ".join(parts)


@dataclass
class Column:
    index: int
    path: tuple[str, ...]  # flattened header path, e.g. ("2024年预算数", "小计")
    unit: str = ""  # 元 for amounts, % for rates, "" for text columns
    measures: tuple[str, ...] = ()  # canonical: 合计 / 基本支出 / 项目支出 / 上年 / 本年 / 预算数 / 决算数 …

    @property
    def label(self) -> str:
        return " › ".join(self.path)


@dataclass
class Cell:
    column: int
    text: str  # as printed
    value: Decimal | None = None  # normalised (元 for amounts)
    unit: str = ""


@dataclass
class Row:
    index: int
    name: str  # 科目名称 or row label
    code: str | None = None  # subject code, digits only (201 / 20103 / 2010301)
    parent: int | None = None  # Row.index of the parent code row
    is_total: bool = False  # 合计 / 总计 rows
    cells: list[Cell] = field(default_factory=list)
    page: int | None = None

    def cell(self, column: int) -> Cell | None:
        for cell in self.cells:
            if cell.column == column:
                return cell
        return None

    @property
    def level(self) -> int | None:
        """类 = 1, 款 = 2, 项 = 3 (function codes 3/5/7 digits; economic 3/5)."""
        if not self.code:
            return None
        return {3: 1, 5: 2, 7: 3}.get(len(self.code))


@dataclass
class FormField:
    """One key–value pair of a form table (专项资金名称, 当年预算 …)."""

    key: str
    text: str
    value: Decimal | None = None
    unit: str = ""


@dataclass
class Table:
    key: str  # unique in the document: "表五", "表一·收入", "T3"
    title: str
    number: str | None = None  # as the document numbers it: 表十, 1, 表1-1
    ordinal: int | None = None  # 10 for 表十
    part: str | None = None  # 收入 / 支出 for split side-by-side tables
    kind: str = GRID
    unit: str = "元"  # the unit the document printed (元 / 万元 / 亿元)
    columns: list[Column] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    fields: list[FormField] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # 部门全称 / 编制单位 lines
    warnings: list[str] = field(default_factory=list)  # what the parser repaired or could not read
    page_start: int | None = None
    page_end: int | None = None
    standard: str | None = None  # the prescribed table it is (ingest/standard_tables.yaml), None if unclassified
    file: str | None = None  # the file it was printed in (a disclosure may be several files)

    @property
    def is_empty(self) -> bool:
        has_cells = any(c.value is not None for r in self.rows for c in r.cells)
        has_fields = any(f.text for f in self.fields)
        return not has_cells and not has_fields

    def column(self, index: int) -> Column | None:
        for column in self.columns:
            if column.index == index:
                return column
        return None


@dataclass
class Paragraph:
    text: str
    page: int | None = None
    file: str | None = None  # the file it was printed in (a disclosure may be several files)


@dataclass
class Section:
    heading: str  # the heading text without its number
    number: str  # 一、 / （一） / 1. / （1） as printed, "" for the preamble
    level: int  # 1 = 一、 … 4 = （1）
    paragraphs: list[Paragraph] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    page: int | None = None

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class CatalogueEntry:
    number: str | None
    title: str
    ordinal: int | None = None


@dataclass
class Fact:
    """One figure: a table cell or a number stated in the narrative."""

    value: Decimal
    unit: str  # 元 for money, % for rates, 个/辆/人… for counts
    label: tuple[str, ...]  # (table title, row name, column path …) or (section, subject, measure)
    locator: Locator
    doc_id: str
    text: str  # as printed, e.g. "1,000,000.00" or "100万元"
    source_unit: str = ""  # the unit printed with it (万元 …)
    origin: str = "table"  # table | narrative | form
    subject_code: str | None = None
    year: int | None = None
    measure: str | None = None  # narrative: 预算数 / 增减额 / 增减率 / 占比 / 个数 …
    sentence: str | None = None  # narrative: the sentence it comes from

    @property
    def label_text(self) -> str:
        return " › ".join(p for p in self.label if p)


@dataclass
class Disclosure:
    doc_id: str
    content_hash: str
    source: str  # file name as given
    format: str  # txt / html / pages-json / pdf / xlsx
    title: str
    issuer: str | None
    region: str | None
    year: int | None
    kind: str | None  # 预算 / 决算
    scope: str | None  # 部门 / 单位
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    catalogue: list[CatalogueEntry] = field(default_factory=list)
    narrative_facts: list[Fact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # the files it was read from (narrative part, tables part …)
    parts: list[dict[str, Any]] = field(default_factory=list)  # for a split document: each file's hash and metadata

    def table(self, key: str) -> Table | None:
        for table in self.tables:
            if table.key == key:
                return table
        return None

    def tables_numbered(self, number: str) -> list[Table]:
        return [t for t in self.tables if t.number == number or t.key == number]

    def facts(self) -> list[Fact]:
        """Every figure: table cells, form fields and narrative figures."""
        from ingest.facts import table_facts  # local: facts.py builds on this module

        out: list[Fact] = []
        for table in self.tables:
            out.extend(table_facts(self.doc_id, table, self.year))
        out.extend(self.narrative_facts)
        return out

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj


def disclosure_from_dict(data: dict[str, Any]) -> Disclosure:
    """Inverse of Disclosure.to_dict (used by the fact store)."""

    def dec(v):
        return Decimal(v) if v is not None else None

    def section(d) -> Section:
        return Section(
            heading=d["heading"], number=d["number"], level=d["level"], page=d.get("page"),
            paragraphs=[Paragraph(**p) for p in d["paragraphs"]],
            children=[section(c) for c in d["children"]],
        )

    def table(d) -> Table:
        return Table(
            key=d["key"], title=d["title"], number=d["number"], ordinal=d["ordinal"],
            part=d["part"], kind=d["kind"], unit=d["unit"],
            columns=[Column(index=c["index"], path=tuple(c["path"]), unit=c["unit"],
                            measures=tuple(c.get("measures", ()))) for c in d["columns"]],
            rows=[
                Row(index=r["index"], name=r["name"], code=r["code"], parent=r["parent"],
                    is_total=r["is_total"], page=r["page"],
                    cells=[Cell(column=c["column"], text=c["text"], value=dec(c["value"]), unit=c["unit"])
                           for c in r["cells"]])
                for r in d["rows"]
            ],
            fields=[FormField(key=f["key"], text=f["text"], value=dec(f["value"]), unit=f["unit"])
                    for f in d["fields"]],
            notes=list(d["notes"]), meta=dict(d["meta"]), warnings=list(d.get("warnings", [])),
            page_start=d["page_start"], page_end=d["page_end"], standard=d.get("standard"), file=d.get("file"),
        )

    def fact(d) -> Fact:
        return Fact(
            value=Decimal(d["value"]), unit=d["unit"], label=tuple(d["label"]),
            locator=Locator(**d["locator"]), doc_id=d["doc_id"], text=d["text"],
            source_unit=d["source_unit"], origin=d["origin"], subject_code=d["subject_code"],
            year=d["year"], measure=d["measure"], sentence=d["sentence"],
        )

    return Disclosure(
        doc_id=data["doc_id"], content_hash=data["content_hash"], source=data["source"],
        format=data["format"], title=data["title"], issuer=data["issuer"], region=data["region"],
        year=data["year"], kind=data["kind"], scope=data["scope"],
        sections=[section(s) for s in data["sections"]],
        tables=[table(t) for t in data["tables"]],
        catalogue=[CatalogueEntry(**c) for c in data["catalogue"]],
        narrative_facts=[fact(f) for f in data["narrative_facts"]],
        warnings=list(data["warnings"]), files=list(data.get("files") or [data["source"]]),
        parts=list(data.get("parts") or []),
    )
