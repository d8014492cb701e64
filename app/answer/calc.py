"""The deterministic calculator: a `Program` of operations over facts, executed with Decimal only.

A Program names its inputs (facts, by position in `Program.facts`) and a list of steps; each
step applies one operation to facts (`f0`, `f1` …) or to earlier steps (`s0`, `s1` …). The
calculator returns a `Result`: the value of the last step, its unit, and every step written
out with Chinese-formatted numbers ("3,200,000.00 − 2,750,000.00 = 450,000.00"). No float
ever touches a value: amounts are Decimals in 元 from the fact store, and rates are computed
at the context's full precision (28 significant digits); only the text rounds them (one
decimal for percentages, two for money).

Operations (FinQA-style):
  lookup(a)              the fact's value
  add(a, b) / sum(a, …)  addition
  subtract(a, b)         a − b
  divide(a, b)           a ÷ b
  percent_change(old, new)  (new − old) ÷ old × 100, in %
  share(part, whole)     part ÷ whole × 100, in %
  max(a, …) / min(a, …)  the largest / smallest argument (Result.choice says which)
  compare(a, b)          a − b, like subtract, but its text says which is larger
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from ingest.model import Fact

MINUS = "−"  # U+2212, as printed in the calculation
PERCENT = "%"


class CalcError(ValueError):
    """A program that cannot be executed (bad reference, division by zero, mixed units)."""

    def __init__(self, message: str, detail: str):
        super().__init__(detail)
        self.message = message  # Chinese, for users
        self.detail = detail


@dataclass(frozen=True)
class Step:
    op: str
    args: tuple[str, ...]  # "f0" (a fact) or "s0" (an earlier step)


@dataclass
class Program:
    """Operations over facts; `facts` are the inputs, referenced by position."""

    facts: list[Fact]
    steps: list[Step]

    def describe(self) -> str:
        return "; ".join(f"s{i} = {s.op}({', '.join(s.args)})" for i, s in enumerate(self.steps))


@dataclass
class StepResult:
    value: Decimal
    unit: str
    text: str  # the step written out, "" for a plain lookup
    choice: int | None = None  # max/min: index of the chosen argument


@dataclass
class Result:
    value: Decimal
    unit: str
    steps: list[StepResult] = field(default_factory=list)
    choice: int | None = None  # max/min: which argument (position in the step's args) was chosen

    @property
    def calculation(self) -> str:
        """Every non-trivial step written out, joined by "；"."""
        return "；".join(s.text for s in self.steps if s.text)

    @property
    def computed(self) -> list[Decimal]:
        """Every value this program produced (the verifier traces answer numbers to these)."""
        return [s.value for s in self.steps]


_CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """An amount in 元 to the cent, half up (the form disclosures print)."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def fmt_money(value: Decimal) -> str:
    """2750000 → "2,750,000.00"; negatives with the minus sign "−"."""
    q = money(value)
    text = f"{abs(q):,.2f}"
    return f"{MINUS}{text}" if q < 0 else text


def fmt_wan(value: Decimal) -> str:
    """An amount in 元 shown in 万元 to two decimals: 1000000 → "100.00"."""
    return fmt_money(value / Decimal(10000))


def fmt_percent(value: Decimal, places: int = 1) -> str:
    """49.3947… → "49.4" (one decimal, half up); negatives with "−"."""
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(q):,.{places}f}"
    return f"{MINUS}{text}" if q < 0 else text


def fmt_value(value: Decimal, unit: str) -> str:
    if unit == PERCENT:
        return fmt_percent(value) + PERCENT
    if unit == "元":
        return fmt_money(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def _operand(value: Decimal, unit: str) -> str:
    """A number as it appears inside a calculation (money with cents, others plain)."""
    return fmt_money(value) if unit == "元" else fmt_value(value, unit).rstrip(PERCENT)


def execute(program: Program) -> Result:
    if not program.steps:
        raise CalcError("没有可执行的计算。", "empty program")
    results: list[StepResult] = []
    with localcontext() as ctx:
        ctx.prec = 28
        for i, step in enumerate(program.steps):
            args = [_resolve(a, program, results, i) for a in step.args]
            results.append(_apply(step.op, args))
    last = results[-1]
    return Result(value=last.value, unit=last.unit, steps=results, choice=last.choice)


def _resolve(ref: str, program: Program, done: list[StepResult], at: int) -> tuple[Decimal, str]:
    try:
        kind, n = ref[0], int(ref[1:])
        if kind == "f":
            fact = program.facts[n]
            if not isinstance(fact.value, Decimal):
                raise CalcError("数据格式不正确。", f"fact {n} value is {type(fact.value).__name__}, not Decimal")
            return fact.value, fact.unit
        if kind == "s" and n < at:
            return done[n].value, done[n].unit
    except (ValueError, IndexError):
        pass
    raise CalcError("计算步骤引用了不存在的数据。", f"step {at}: bad reference {ref!r}")


def _same_unit(op: str, args: list[tuple[Decimal, str]]) -> str:
    units = {u for _, u in args}
    if len(units) != 1:
        raise CalcError("不能对单位不同的数字做这种计算。", f"{op}: mixed units {sorted(units)}")
    return units.pop()


def _apply(op: str, args: list[tuple[Decimal, str]]) -> StepResult:
    need = {"lookup": 1, "subtract": 2, "divide": 2, "percent_change": 2, "share": 2, "compare": 2, "add": 2}
    if op in need and len(args) != need[op]:
        raise CalcError("计算步骤的参数个数不对。", f"{op} takes {need[op]} arguments, got {len(args)}")
    if op in ("sum", "max", "min") and not args:
        raise CalcError("计算步骤缺少参数。", f"{op} without arguments")
    if op == "lookup":
        (v, u), = args
        return StepResult(v, u, "")
    if op in ("add", "sum"):
        unit = _same_unit(op, args)
        total = sum((v for v, _ in args), Decimal(0))
        text = " + ".join(_operand(v, unit) for v, _ in args) + f" = {_operand(total, unit)}"
        return StepResult(total, unit, text)
    if op in ("subtract", "compare"):
        unit = _same_unit(op, args)
        (a, _), (b, _) = args
        diff = a - b
        text = f"{_operand(a, unit)} {MINUS} {_operand(b, unit)} = {_operand(diff, unit)}"
        return StepResult(diff, unit, text)
    if op in ("divide", "share", "percent_change"):
        (a, ua), (b, ub) = args
        if op != "divide":
            _same_unit(op, args)
        denominator = a if op == "percent_change" else b
        if denominator == 0:
            raise CalcError("分母为零，无法计算比例或变化率。", f"{op}: zero denominator")
        if op == "divide":
            value = a / b
            unit = "" if ua == ub else f"{ua}/{ub}"
            return StepResult(value, unit, f"{_operand(a, ua)} ÷ {_operand(b, ub)} = {value.normalize():f}")
        if op == "share":
            value = a / b * 100
            return StepResult(value, PERCENT,
                              f"{_operand(a, ua)} ÷ {_operand(b, ub)} × 100% = {fmt_percent(value)}%")
        value = (b - a) / a * 100
        return StepResult(value, PERCENT, f"({_operand(b, ub)} {MINUS} {_operand(a, ua)}) ÷ {_operand(a, ua)}"
                                          f" × 100% = {fmt_percent(value)}%")
    if op in ("max", "min"):
        unit = _same_unit(op, args)
        values = [v for v, _ in args]
        pick = max(values) if op == "max" else min(values)
        index = values.index(pick)
        word = "最大" if op == "max" else "最小"
        text = f"{word}：{_operand(pick, unit)}（{'、'.join(_operand(v, unit) for v in values)}）"
        return StepResult(pick, unit, text, choice=index)
    raise CalcError("不支持的计算。", f"unknown operation {op!r}")
