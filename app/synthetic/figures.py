"""The figures of one issuer's disclosures: a fixed structure (which subjects it spends on) and,
for each year and kind (预算/决算), amounts that add up the way the standard tables require.

Amounts are Decimal 元. A disclosure printed in 万元 shows two decimals, so its issuer's amounts
are whole multiples of 100 元 (0.01 万元): what the table prints is then exactly the truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from app.synthetic import subjects
from app.synthetic.names import Issuer

SANGONG = ("因公出国（境）费", "公务用车购置费", "公务用车运行费", "公务接待费")
_SCALE = {"bureau": (3_000_000, 40_000_000), "subdistrict": (20_000_000, 90_000_000),
          "school": (8_000_000, 30_000_000), "hospital": (40_000_000, 200_000_000)}


@dataclass
class Profile:
    """What an issuer spends on, the same every year."""

    issuer: Issuer
    unit: str  # the unit its tables print: 元 | 万元
    scale: int  # a typical year's total in 元
    core: str  # the 款 of its core spending
    running: tuple[str, str]  # (项 code, name) with the basic spending of its core 款
    projects: list[tuple[str, str]]  # 项 with project spending
    social: list[tuple[str, str, str]]  # (项, name, economic 款 it equals)
    personnel: list[str]  # economic 款 codes
    goods: list[str]
    transfers: list[str]
    funds: list[tuple[str, str, str, str]]  # government-fund 项; empty: the fund table is empty
    other_income: tuple[str, str] | None  # (项, name) financed by 事业收入 (事业单位 only)
    sangong: tuple[str, ...]  # which 三公 items it has (others print 0 or blank)
    vehicles: int
    seed: str

    @property
    def quantum(self) -> Decimal:
        return Decimal("100") if self.unit == "万元" else Decimal("0.01")


def make_profile(rng: random.Random, issuer: Issuer, seed: str) -> Profile:
    kind = issuer.body.kind
    core = issuer.body.function
    running_code, running_name, project_pool = subjects.CORE[core]
    projects = rng.sample(project_pool, k=rng.randint(1, len(project_pool)))
    social = [s for s in subjects.SOCIAL]
    if issuer.scope == "单位":
        social[2] = (*subjects.UNIT_MEDICAL, "30110")
    extra_p = [c for c in subjects.PERSONNEL if c not in subjects.PERSONNEL_REQUIRED]
    personnel = list(subjects.PERSONNEL_REQUIRED) + rng.sample(extra_p, k=rng.randint(1, len(extra_p)))
    extra_g = [c for c in subjects.GOODS if c not in subjects.GOODS_REQUIRED]
    goods = list(subjects.GOODS_REQUIRED) + rng.sample(extra_g, k=rng.randint(3, len(extra_g)))
    transfers = rng.sample(list(subjects.TRANSFERS), k=rng.randint(0, 2))
    funds = rng.sample(subjects.FUND_ITEMS, k=rng.randint(1, 2)) if rng.random() < 0.3 else []
    other = None
    if kind in ("school", "hospital"):
        other = next((p for p in project_pool if p[0].endswith("99")), project_pool[-1])
        projects = [p for p in projects if p != other] or [p for p in project_pool if p != other][:1]
    sangong = tuple(s for s in SANGONG if s == "公务接待费" or rng.random() < 0.7)
    lo, hi = _SCALE[kind]
    return Profile(issuer=issuer, unit=rng.choice(["元", "万元", "万元"]), scale=rng.randint(lo, hi), core=core,
                   running=(running_code, running_name), projects=sorted(projects), social=social,
                   personnel=sorted(personnel), goods=sorted(goods), transfers=sorted(transfers), funds=funds,
                   other_income=other, sangong=sangong, vehicles=rng.randint(0, 6), seed=seed)


@dataclass
class Figures:
    """One year's amounts (元) of one kind: 预算 (budgeted) or 决算 (spent)."""

    year: int
    kind: str
    general: dict[str, tuple[Decimal, Decimal]]  # function 项 → (basic, project), 一般公共预算
    fund: dict[str, Decimal]  # function 项 → project spending, 政府性基金预算
    other: dict[str, Decimal]  # function 项 → project spending financed by 事业收入
    econ: dict[str, Decimal]  # economic 款 → basic spending
    sangong: dict[str, Decimal]
    vehicles: int
    procurement: Decimal
    names: dict[str, str] = field(default_factory=dict)  # function 项 code → name

    @property
    def basic(self) -> Decimal:
        return sum((b for b, _ in self.general.values()), Decimal(0))

    @property
    def project(self) -> Decimal:
        return sum((p for _, p in self.general.values()), Decimal(0))

    @property
    def general_total(self) -> Decimal:
        return self.basic + self.project

    @property
    def fund_total(self) -> Decimal:
        return sum(self.fund.values(), Decimal(0))

    @property
    def other_total(self) -> Decimal:
        return sum(self.other.values(), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.general_total + self.fund_total + self.other_total

    def econ_class(self, code3: str) -> Decimal:
        return sum((v for c, v in self.econ.items() if c.startswith(code3)), Decimal(0))

    @property
    def personnel(self) -> Decimal:  # 人员经费 = 工资福利支出 + 对个人和家庭的补助
        return self.econ_class("301") + self.econ_class("303")

    @property
    def public(self) -> Decimal:  # 公用经费 = 商品和服务支出
        return self.econ_class("302")

    @property
    def sangong_total(self) -> Decimal:
        return sum(self.sangong.values(), Decimal(0))


def _amount(rng: random.Random, mean: float, quantum: Decimal, spread: float = 0.35) -> Decimal:
    units = max(1, int(mean * rng.uniform(1 - spread, 1 + spread) / float(quantum)))
    if quantum == Decimal("0.01") and rng.random() < 0.5:
        units = units // 100 * 100 or 100  # 元 tables often print whole yuan
    return Decimal(units) * quantum


def figures(profile: Profile, year: int, kind: str) -> Figures:
    """The amounts of `year`; the same call always gives the same amounts. A 决算 spends each
    budgeted amount give or take (85%–105%), as final accounts do."""
    if kind == "决算":
        return _spent(profile, figures(profile, year, "预算"))
    rng = random.Random(f"{profile.seed}:{year}:{kind}")
    q = profile.quantum
    size = profile.scale * (1.04 ** (year - 2020))
    basic_share = rng.uniform(0.45, 0.8)
    basic_target = size * basic_share
    weights = {c: subjects.PERSONNEL[c][1] for c in profile.personnel}
    weights |= {c: subjects.GOODS[c][1] * 1.3 for c in profile.goods}
    weights |= {c: subjects.TRANSFERS[c][1] for c in profile.transfers}
    total_w = sum(weights.values())
    econ = {c: _amount(rng, basic_target * w / total_w, q) for c, w in sorted(weights.items())}
    social = {code: econ[econ_code] for code, _, econ_code in profile.social}
    running_basic = sum(econ.values(), Decimal(0)) - sum(social.values(), Decimal(0))
    general = {profile.running[0]: (running_basic, Decimal(0))}
    general |= {code: (v, Decimal(0)) for code, v in social.items()}
    project_target = size - basic_target
    for i, (code, _) in enumerate(profile.projects):
        general[code] = (Decimal(0), _amount(rng, project_target / len(profile.projects), q, 0.6))
    if rng.random() < 0.4:  # the running item often carries some project money too
        b, _ = general[profile.running[0]]
        general[profile.running[0]] = (b, _amount(rng, project_target * 0.1, q))
    fund = {code: _amount(rng, size * 0.2, q, 0.6) for _, _, code, _ in profile.funds}
    other = {profile.other_income[0]: _amount(rng, size * 0.8, q)} if profile.other_income else {}
    sangong = {}
    for item in SANGONG:
        if item not in profile.sangong:
            sangong[item] = Decimal(0)
        elif item == "公务接待费" and "30217" in econ:
            sangong[item] = econ["30217"]
        elif item == "公务用车运行费" and "30231" in econ:
            sangong[item] = econ["30231"]
        else:
            mean = {"因公出国（境）费": 60_000, "公务用车购置费": 180_000}.get(item, 30_000)
            sangong[item] = _amount(rng, mean, q, 0.5) if rng.random() < 0.8 or item != "公务用车购置费" else Decimal(0)
    names = {profile.running[0]: profile.running[1]} | dict(profile.projects)
    names |= {code: name for code, name, _ in profile.social}
    names |= {code: name for _, _, code, name in profile.funds}
    if profile.other_income:
        names[profile.other_income[0]] = profile.other_income[1]
    vehicles = profile.vehicles or (1 if sangong["公务用车运行费"] else 0)
    procurement = _amount(rng, size * 0.05, q) if rng.random() < 0.6 else Decimal(0)
    return Figures(year=year, kind=kind, general=general, fund=fund, other=other, econ=econ, sangong=sangong,
                   vehicles=vehicles, procurement=procurement, names=names)


def _spent(profile: Profile, budget: Figures) -> Figures:
    rng = random.Random(f"{profile.seed}:{budget.year}:决算")
    q = profile.quantum

    def spend(v: Decimal) -> Decimal:
        return (v * Decimal(str(round(rng.uniform(0.85, 1.05), 4))) / q).quantize(Decimal(1)) * q if v else v

    econ = {c: spend(v) for c, v in budget.econ.items()}
    social = {code: econ[econ_code] for code, _, econ_code in profile.social}
    running = sum(econ.values(), Decimal(0)) - sum(social.values(), Decimal(0))
    general = {code: (Decimal(0), spend(p)) for code, (_, p) in budget.general.items()}
    general[profile.running[0]] = (running, general[profile.running[0]][1])
    general |= {code: (v, Decimal(0)) for code, v in social.items()}
    sangong = {k: spend(v) for k, v in budget.sangong.items()}
    if "30217" in econ and budget.sangong["公务接待费"]:
        sangong["公务接待费"] = econ["30217"]
    if "30231" in econ and budget.sangong["公务用车运行费"]:
        sangong["公务用车运行费"] = econ["30231"]
    return Figures(year=budget.year, kind="决算", general=general, fund={c: spend(v) for c, v in budget.fund.items()},
                   other={c: spend(v) for c, v in budget.other.items()}, econ=econ, sangong=sangong,
                   vehicles=budget.vehicles, procurement=spend(budget.procurement), names=budget.names)


def subject_name(code: str, names: dict[str, str]) -> str:
    """The printed name of a function or economic subject code."""
    if code in names:
        return names[code]
    for table in (subjects.CLASSES, subjects.GROUPS, subjects.ECON_CLASSES):
        if code in table:
            return table[code]
    for table in (subjects.PERSONNEL, subjects.GOODS, subjects.TRANSFERS):
        if code in table:
            return table[code][0]
    raise KeyError(code)
