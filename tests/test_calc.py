"""The deterministic calculator: Decimal only, calculations written out in Chinese number format."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.answer.calc import CalcError, Program, Step, execute, fmt_money, fmt_percent, fmt_wan
from ingest.model import Fact, Locator


def fact(value: str, unit: str = "元", name: str = "x") -> Fact:
    return Fact(value=Decimal(value), unit=unit, label=("表", name), locator=Locator(table="表十"),
                doc_id="d", text=value)


def run(op: str, *values: str, unit: str = "元"):
    facts = [fact(v, unit) for v in values]
    return execute(Program(facts, [Step(op, tuple(f"f{i}" for i in range(len(facts))))]))


def test_formatting():
    assert fmt_money(Decimal("1045000")) == "1,045,000.00"
    assert fmt_money(Decimal("-1020000")) == "−1,020,000.00"
    assert fmt_money(Decimal("0.005")) == "0.01"  # half up, not banker's
    assert fmt_wan(Decimal("1000000")) == "100.00"
    assert fmt_percent(Decimal("-49.39467312348668")) == "−49.4"
    assert fmt_percent(Decimal("0.05")) == "0.1"


def test_lookup_is_the_fact_value():
    r = run("lookup", "1000000.00")
    assert r.value == Decimal("1000000.00") and r.unit == "元" and r.calculation == ""


def test_subtract_writes_the_calculation():
    r = run("subtract", "2065000.00", "1045000.00")
    assert r.value == Decimal("1020000.00")
    assert r.calculation == "2,065,000.00 − 1,045,000.00 = 1,020,000.00"


def test_percent_change_full_precision_and_one_decimal_in_text():
    r = run("percent_change", "2065000.00", "1045000.00")
    assert r.unit == "%"
    assert r.value.quantize(Decimal("0.0001")) == Decimal("-49.3947")
    assert len(r.value.as_tuple().digits) >= 20  # full precision kept in the result
    assert r.calculation.endswith("= −49.4%")
    assert all(type(s.value) is Decimal for s in r.steps)


def test_share_sum_max_min():
    share = run("share", "2134018.90", "2375070.89")
    assert share.value.quantize(Decimal("0.0001")) == Decimal("89.8507") and share.unit == "%"
    total = run("sum", "165084.00", "133272.00", "279757.00")
    assert total.value == Decimal("578113.00")
    assert total.calculation == "165,084.00 + 133,272.00 + 279,757.00 = 578,113.00"
    biggest = run("max", "5", "9", "7")
    assert biggest.value == 9 and biggest.choice == 1
    smallest = run("min", "5", "9", "7")
    assert smallest.value == 5 and smallest.choice == 0


def test_steps_chain():
    facts = [fact("1045000.00"), fact("2065000.00")]
    prog = Program(facts, [Step("subtract", ("f1", "f0")), Step("percent_change", ("f1", "f0"))])
    r = execute(prog)
    assert [s.value.quantize(Decimal("0.01")) for s in r.steps] == [Decimal("1020000.00"), Decimal("-49.39")]
    assert "2,065,000.00 − 1,045,000.00 = 1,020,000.00" in r.calculation


@pytest.mark.parametrize("op,values,units", [
    ("divide", ("1", "0"), ("元", "元")),
    ("add", ("1", "2"), ("元", "%")),
    ("lookup", ("1", "2"), ("元", "元")),
    ("frobnicate", ("1",), ("元",)),
])
def test_bad_programs_raise_calc_error_with_chinese_message(op, values, units):
    facts = [fact(v, u) for v, u in zip(values, units)]
    with pytest.raises(CalcError) as info:
        execute(Program(facts, [Step(op, tuple(f"f{i}" for i in range(len(facts))))]))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)


def test_bad_reference_and_float_refused():
    with pytest.raises(CalcError):
        execute(Program([fact("1")], [Step("lookup", ("f3",))]))
    with pytest.raises(CalcError):
        execute(Program([fact("1")], [Step("lookup", ("s0",))]))
    bad = fact("1")
    bad.value = 1.5  # a float must never get through
    with pytest.raises(CalcError):
        execute(Program([bad], [Step("lookup", ("f0",))]))
