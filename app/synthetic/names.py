"""Invented names: regions, issuers, subordinate units, people. None is a real body.

Place names are two characters drawn from pools of characters that real Chinese place names
seldom pair (岚, 汀, 棠, 筠 …); issuers are a region plus a kind of body (a bureau, a
sub-district office, a school, a hospital). The parts never contain 省/市/区/县 inside a name,
so the ingest's region rule (…市…区) reads them as real documents would be read.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_FIRST = "岚汀棠筠蘅芷琅珩翎霁澄檀槿萱沅澈瑶琮璟泠"
_SECOND = "屿岑汀湄澜溪峤皋渚浦坪塬垣洲滨麓陂岙墩埭"


@dataclass(frozen=True)
class Body:
    """A kind of issuer: its name pattern, its function subject and whether it is a 单位."""

    kind: str  # bureau | subdistrict | school | hospital
    name: str  # the name without region, e.g. 农业农村局
    short: str  # what people call it, e.g. 农业农村局
    duty: str  # a clause for the duties paragraph
    function: str  # the 款 code of its core spending (see subjects.CORE)


BUREAUS = [
    Body("bureau", "农业农村局", "农业农村局", "负责全区农业农村发展规划、农产品质量安全和农村改革", "21301"),
    Body("bureau", "文化和旅游局", "文旅局", "负责全区文化事业、旅游产业和文物保护工作", "20701"),
    Body("bureau", "生态环境局", "生态环境局", "负责全区生态环境监督管理和污染防治", "21101"),
    Body("bureau", "司法局", "司法局", "负责全区法治宣传、人民调解和社区矫正工作", "20406"),
    Body("bureau", "财政局", "财政局", "负责全区财政收支管理、预算编制和国库集中支付", "20106"),
    Body("bureau", "审计局", "审计局", "负责全区审计监督和经济责任审计工作", "20108"),
    Body("bureau", "民政局", "民政局", "负责全区社会救助、养老服务和社区治理工作", "20802"),
    Body("bureau", "水利局", "水利局", "负责全区水资源管理、河湖保护和水利工程建设", "21303"),
    Body("bureau", "交通运输局", "交通局", "负责全区公路、水路运输管理和交通基础设施养护", "21401"),
    Body("bureau", "城市管理局", "城管局", "负责全区市容环境、城市管理综合执法工作", "21201"),
    Body("bureau", "卫生健康委员会", "卫健委", "负责全区公共卫生、医疗服务和健康促进工作", "21001"),
    Body("bureau", "教育委员会", "教委", "负责全区各级各类教育的统筹规划和管理", "20501"),
]
SUBDISTRICT = Body("subdistrict", "{place}街道办事处", "{place}街道", "负责辖区社区建设、公共服务和社会治理", "20103")
SCHOOLS = [
    Body("school", "第{n}中学", "{n}中", "实施初中和高中学历教育，促进学生全面发展", "20502"),
    Body("school", "{place}小学", "{place}小学", "实施小学义务教育，开展素质教育", "20502"),
]
HOSPITALS = [
    Body("hospital", "人民医院", "人民医院", "承担辖区医疗救治、公共卫生和急诊急救任务", "21002"),
    Body("hospital", "中医院", "中医院", "提供中医医疗、预防保健和中医药传承服务", "21002"),
]
_NUMERALS = "一二三四五六七八九"

# Subordinate units a department may have; one is named in the document, another never is.
SUBORDINATES = ["综合服务中心", "信息中心", "事务中心", "执法大队", "技术推广站", "发展研究中心",
                "培训中心", "监测站", "宣传教育中心", "档案室", "后勤服务中心", "招待所"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "明华建国丽娟志强秀英海燕文涛晓东静怡子涵雨萱"


def place(rng: random.Random) -> str:
    return rng.choice(_FIRST) + rng.choice(_SECOND)


def region(rng: random.Random) -> tuple[str, str]:
    """(city, district), e.g. (岚屿市, 筠汀区); the two never share a name."""
    city = place(rng)
    district = place(rng)
    while district == city:
        district = place(rng)
    return city + "市", district + "区"


@dataclass(frozen=True)
class Issuer:
    full: str  # 岚屿市筠汀区农业农村局
    region: str  # 岚屿市筠汀区
    district_name: str  # 筠汀区农业农村局: the name without the city
    short: str  # 农业农村局 / 琅澜街道 / 三中
    body: Body
    scope: str  # 部门 | 单位


def issuer(rng: random.Random, kind: str | None = None) -> Issuer:
    city, district = region(rng)
    kind = kind or rng.choices(["bureau", "subdistrict", "school", "hospital"], [6, 2, 1, 1])[0]
    if kind == "bureau":
        body = rng.choice(BUREAUS)
        name, short = body.name, body.short
    elif kind == "subdistrict":
        body = SUBDISTRICT
        p = place(rng)
        name, short = body.name.format(place=p), body.short.format(place=p)
    elif kind == "school":
        body = rng.choice(SCHOOLS)
        n, p = rng.choice(_NUMERALS), place(rng)
        name, short = body.name.format(n=n, place=p), body.short.format(n=n, place=p)
    else:
        body = rng.choice(HOSPITALS)
        name, short = body.name, body.short
    scope = "单位" if kind in ("school", "hospital") else "部门"
    return Issuer(full=city + district + name, region=city + district, district_name=district + name,
                  short=short, body=body, scope=scope)


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def phone(rng: random.Random) -> str:
    return f"0{rng.randint(100, 999)}-{rng.randint(6000000, 8999999)}"
