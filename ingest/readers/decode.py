"""Text decoding: the encoding is detected, never assumed.

UTF-8 (with or without BOM), UTF-16 (with BOM, or detected by its NUL pattern), GB18030/GBK
and Big5. Where both Chinese legacy encodings decode, the one that yields more common
Chinese characters wins. Binary data behind a text name is refused.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from ingest.errors import BinaryFileError, EmptyFileError, EncodingError

# Common characters of budget texts, in simplified and traditional forms: a decoding that
# hits many of them is the right one.
_COMMON = set(
    "的一是在了和有年月日元万为中以上下支出收入预算决算部门单位财政拨款经费项目基本公共服务"
    "其他合计本级政府工作人员保障事业社会管理费用办公会议"
    "預決門單財撥經費項務會議辦費與為這個們報總計"
)


def decode_text(data: bytes, name: str) -> str:
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise EmptyFileError(f"文件“{name}”是空的，没有可导入的内容。", f"{name}: empty file")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", name)
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _strict(data, "utf-16", name)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict(data, utf16, name)
    if _looks_binary(data):
        raise BinaryFileError(
            f"文件“{name}”不是文本文件（含有二进制数据），无法按文本导入。",
            f"{name}: binary content (NUL/control bytes) behind a text name",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_common_ratio(text), encoding, text))
    if not candidates:
        raise EncodingError(
            f"无法识别文件“{name}”的文字编码（不是 UTF-8、UTF-16、GB18030 或 Big5）。",
            f"{name}: undecodable as utf-8, utf-16, gb18030, big5",
        )
    candidates.sort(key=lambda c: c[0], reverse=True)
    return candidates[0][2]


# Mirror sites annotate characters with pinyin in brackets: 預(yù)算, 部門(mén). The annotation
# splits words apart, so it is removed.
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[\u0101-\u01dc\u00e0-\u00fc])[a-z\u0101-\u01dc\u00e0-\u00fc]{1,7}\)")


def clean_text(text: str) -> str:
    return _PINYIN.sub("", text)


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"文件“{name}”的文字编码有误，无法解码。", f"{name}: invalid {encoding}: {exc}"
        ) from exc


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM has NUL bytes (ASCII digits, tabs); it decodes to printable text."""
    sample = data[:4000]
    if b"\x00" not in sample:
        return None
    sample = sample[: len(sample) // 2 * 2]
    best, best_score = None, 0.0
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = sum(1 for ch in text if _printable(ch)) / max(1, len(text))
        if score > best_score:
            best, best_score = encoding, score
    return best if best_score >= 0.97 else None


def _printable(ch: str) -> bool:
    if ch in "\t\n\r":
        return True
    return unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cn", "Cs") and (
        ch < "\u0250" or "\u2000" <= ch <= "\u2bff" or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")


def _looks_binary(data: bytes) -> bool:
    sample = data[:8000]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return control / len(sample) > 0.02


def _common_ratio(text: str) -> float:
    cjk = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return 0.0
    return sum(1 for ch in cjk if ch in _COMMON) / len(cjk)
