"""Reading untrusted spreadsheets and writing safe ones.

Reading goes through python-calamine (Rust; .xlsx, .xls, .xlsb, .ods), which evaluates
nothing and is about ten times faster than openpyxl; .csv is decoded here. Before a file
is handed to a parser it is checked: size, what its bytes really are (not what its name
says), macros, and for the zip-based formats the entry count, the declared uncompressed
size and every XML part's prolog (a DTD is how XML entity bombs start). Every refusal is
a `SpreadsheetError` whose message is a Chinese sentence for the user.

Writing: openpyxl's write-only mode for .xlsx and the csv module for .csv (UTF-8 with a
BOM, which Excel and WPS open correctly), with every text cell that a spreadsheet would
take for a formula neutralised.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import python_calamine
from django.conf import settings
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

ZIP_FORMATS = {"xlsx", "xlsb", "ods"}
READABLE_SUFFIXES = {".xlsx", ".xls", ".xlsb", ".ods", ".csv"}
MACRO_SUFFIXES = {".xlsm", ".xltm", ".xlam", ".xla", ".ots"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
HEADER_SEARCH_ROWS = 30
_PROLOG_BYTES = 4096
_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_SPACES_RE = re.compile(r"\s+")
# Characters that make Excel, WPS or LibreOffice read a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(Exception):
    """The file was refused; the message says why, in Chinese."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_uncompressed_bytes: int
    max_entries: int
    max_ratio: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.UPLOAD_MAX_BYTES,
            max_uncompressed_bytes=getattr(settings, "SPREADSHEET_MAX_UNCOMPRESSED_BYTES", 512 * 1024 * 1024),
            max_entries=getattr(settings, "SPREADSHEET_MAX_ZIP_ENTRIES", 1000),
            max_ratio=getattr(settings, "SPREADSHEET_MAX_COMPRESSION_RATIO", 200),
        )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


# ---- text normalisation -------------------------------------------------------------------


_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code - 0xFEE0).isalnum()}
_HALF_WIDTH.update({ord(char): ord(char) - 0xFEE0 for char in "－．／＿＠＃＋％＆＊"})
_HALF_WIDTH[0x3000] = ord(" ")


def to_half_width(text: str) -> str:
    """Full-width letters, digits and code symbols (Ａ１－．) and the ideographic space to half width.

    Only those: Chinese punctuation such as （） or ， in a business name is part of the name.
    """
    return text if text.isascii() else text.translate(_HALF_WIDTH)


def normalise_header(text: Any) -> str:
    """A header cell as compared with known column names: NFKC, no spaces, no marks."""
    value = unicodedata.normalize("NFKC", cell_text(text))
    value = _SPACES_RE.sub("", value)
    return value.strip("*※★:：").replace("(", "（").replace(")", "）")


def cell_text(value: Any) -> str:
    """A cell as the text a person sees: whole numbers without ".0", dates in ISO form."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value.strip()
    if kind is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if kind is bool:
        return "是" if value else "否"
    if kind is int:
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


# ---- checks before parsing ----------------------------------------------------------------


def sniff_format(path: Path, original_name: str, limits: Limits | None = None) -> str:
    """What the file really is ("xlsx", "xls", "xlsb", "ods" or "csv"), or a refusal.

    Runs every check that can be made without parsing: size, suffix, magic bytes, macros,
    zip structure and XML prologs.
    """
    limits = limits or Limits.from_settings()
    suffix = Path(original_name).suffix.lower()
    if suffix in MACRO_SUFFIXES:
        raise SpreadsheetError(
            "文件含有宏（.xlsm 等启用宏的格式），为安全起见不予接收。请另存为 .xlsx 后上传。"
        )
    if suffix not in READABLE_SUFFIXES:
        shown = suffix or "（无扩展名）"
        raise SpreadsheetError(f"不支持的文件类型 {shown}。请上传 .xlsx、.xls、.ods 或 .csv 文件。")
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise SpreadsheetError(
            f"文件过大：{_megabytes(size)}，上限为 {_megabytes(limits.max_bytes)}。请拆分后分批导入。"
        )
    if size == 0:
        raise SpreadsheetError("文件是空的（0 字节）。")
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        return _check_zip(path, suffix, limits)
    if head == OLE2_MAGIC:
        if suffix != ".xls":
            raise SpreadsheetError(
                f"文件内容是旧版 Excel（.xls）格式，与扩展名 {suffix} 不符，请核对后重新上传。"
            )
        _check_ole2_macros(path)
        return "xls"
    if suffix == ".csv":
        return "csv"
    if head.startswith(b"PK"):
        raise SpreadsheetError("文件已损坏：不是完整的压缩包，请重新导出后上传。")
    raise SpreadsheetError(f"文件不是有效的电子表格：内容与扩展名 {suffix} 不符，可能已损坏或并非表格文件。")


def _check_ole2_macros(path: Path) -> None:
    # The VBA storage's directory entry name, as OLE2 stores it (UTF-16LE).
    marker = "_VBA_PROJECT".encode("utf-16-le")
    with open(path, "rb") as handle:
        if marker in handle.read():
            raise SpreadsheetError("文件含有宏，为安全起见不予接收。请删除宏或另存为 .xlsx 后上传。")


def _check_zip(path: Path, suffix: str, limits: Limits) -> str:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError("文件已损坏：不是完整的压缩包，请重新导出后上传。") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise SpreadsheetError(
                f"文件结构异常：压缩包内有 {len(entries)} 个部件（上限 {limits.max_entries}），疑似压缩炸弹，已拒绝。"
            )
        total = sum(entry.file_size for entry in entries)
        if total > limits.max_uncompressed_bytes:
            raise SpreadsheetError(
                f"文件解压后达 {_megabytes(total)}（上限 {_megabytes(limits.max_uncompressed_bytes)}），疑似压缩炸弹，已拒绝。"
            )
        for entry in entries:
            if entry.file_size > 1024 * 1024 and entry.file_size > limits.max_ratio * max(
                entry.compress_size, 1
            ):
                raise SpreadsheetError("文件压缩比异常，疑似压缩炸弹，已拒绝。")
        names = {entry.filename for entry in entries}
        lowered = {name.lower() for name in names}
        if any(name.endswith("vbaproject.bin") for name in lowered) or any(
            name.startswith(("basic/", "scripts/")) for name in lowered
        ):
            raise SpreadsheetError("文件含有宏，为安全起见不予接收。请删除宏或另存为 .xlsx 后上传。")
        if "[Content_Types].xml" in names:
            types = _read_prolog(archive, "[Content_Types].xml", whole=True)
            if b"macroEnabled" in types:
                raise SpreadsheetError("文件含有宏，为安全起见不予接收。请删除宏或另存为 .xlsx 后上传。")
            kind = "xlsb" if "xl/workbook.bin" in names else "xlsx"
            if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
                raise SpreadsheetError("文件不是有效的电子表格：压缩包中没有工作簿。")
        elif "mimetype" in names and "content.xml" in names:
            if b"spreadsheet" not in _read_prolog(archive, "mimetype", whole=True):
                raise SpreadsheetError("文件不是电子表格（是其他类型的 OpenDocument 文档）。")
            kind = "ods"
        else:
            raise SpreadsheetError("文件不是有效的电子表格：压缩包中没有工作簿。")
        for name in names:
            if name.lower().endswith((".xml", ".rels")) and _DTD_RE.search(_read_prolog(archive, name)):
                raise SpreadsheetError(
                    "文件包含不安全的 XML 定义（DTD 或实体声明），已拒绝。请用 Excel、WPS 重新保存后上传。"
                )
    if f".{kind}" != suffix:
        raise SpreadsheetError(f"文件内容是 .{kind} 格式，与扩展名 {suffix} 不符，请核对后重新上传。")
    return kind


def _read_prolog(archive: zipfile.ZipFile, name: str, whole: bool = False) -> bytes:
    """The first bytes of a part (a DTD must come before the root element)."""
    try:
        with archive.open(name) as part:
            return part.read(256 * 1024 if whole else _PROLOG_BYTES)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise SpreadsheetError("文件已损坏：压缩包中的部件无法读取，请重新导出后上传。") from None


# ---- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderSpec:
    """The columns an import knows: key → accepted header names (first is the canonical one)."""

    names: dict[str, Sequence[str]]
    required: Sequence[str] = ()

    def lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for key, names in self.names.items():
            for name in names:
                table[normalise_header(name)] = key
        return table


@dataclass
class Sheet:
    """A sheet with its header row found: iterate `rows()` for (row number, values by column key)."""

    name: str
    header_row: int  # 1-based, as the spreadsheet shows it
    columns: dict[str, int]  # column key → 0-based index
    unknown_headers: list[str]
    _rows: Iterator[tuple[int, list[Any]]] = field(repr=False)
    last_row: int | None = None  # the sheet's last row number, where the format says (for progress)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(1-based row number, raw cells) for every non-empty row below the header."""
        for block in self.blocks():
            yield from block

    def blocks(self, size: int = 2000) -> Iterator[list[tuple[int, list[Any]]]]:
        """`rows()` in lists of up to `size` rows read (fewer once empty rows are left out)."""
        while read := list(itertools.islice(self._rows, size)):
            # An empty row holds only "" (calamine) or None. `any` (in C) settles nearly every
            # row at its first cell; a row of zeros or FALSE needs the counts.
            yield [
                (number, cells)
                for number, cells in read
                if any(cells) or cells.count("") + cells.count(None) < len(cells)
            ]


def open_sheet(path: Path, kind: str, spec: HeaderSpec, *, fill_merged_down: bool = False) -> Sheet:
    """The first sheet with a recognisable header row. Raises SpreadsheetError.

    `fill_merged_down`: a cell merged down over the rows below it (one column, below the
    header: lists merge 抽查类别 over the items of a category) gives its value to each of
    those rows, as a reader sees it. Formats without merge information (.ods, .csv) are
    read as they are."""
    tables = _csv_tables(path) if kind == "csv" else _calamine_tables(path)
    lookup = spec.lookup()
    best_problem = None
    saw_data = False
    for name, start_row, rows, height, merges in tables:
        head: list[tuple[int, list[Any]]] = []
        for offset, cells in enumerate(rows):
            head.append((start_row + offset + 1, cells))
            if len(head) >= HEADER_SEARCH_ROWS:
                break
        if any(any(cell not in ("", None) for cell in cells) for _, cells in head):
            saw_data = True
        found = _find_header(head, lookup, spec)
        if isinstance(found, str):
            best_problem = best_problem or found
            continue
        header_number, columns, unknown = found
        remaining_head = [(number, cells) for number, cells in head if number > header_number]
        following = zip(itertools.count(start_row + len(head) + 1), rows, strict=False)
        last_row = start_row + height if height else None
        data: Iterator[tuple[int, list[Any]]] = itertools.chain(remaining_head, following)
        downward = [merge for merge in merges if merge[0] > header_number]
        if fill_merged_down and downward:
            data = _filled_down(data, downward)
        return Sheet(name, header_number, columns, unknown, data, last_row)
    if not saw_data:
        raise SpreadsheetError("工作表是空的：文件中没有任何数据。")
    raise SpreadsheetError(best_problem or "未找到表头行。")


def _find_header(
    head: list[tuple[int, list[Any]]], lookup: dict[str, str], spec: HeaderSpec
) -> tuple[int, dict[str, int], list[str]] | str:
    best: tuple[int, int, dict[str, int], list[str]] | None = None
    for number, cells in head:
        columns: dict[str, int] = {}
        unknown: list[str] = []
        for index, cell in enumerate(cells):
            label = normalise_header(cell)
            if not label:
                continue
            key = lookup.get(label)
            if key is None:
                unknown.append(cell_text(cell))
            elif key not in columns:
                columns[key] = index
        if columns and (best is None or len(columns) > best[0]):
            best = (len(columns), number, columns, unknown)
    canonical = {key: names[0] for key, names in spec.names.items()}
    if best is None:
        expected = "、".join(canonical[key] for key in spec.required) or "、".join(
            list(canonical.values())[:5]
        )
        return f"未找到表头行：前 {HEADER_SEARCH_ROWS} 行中没有可识别的列名（应包含：{expected}）。"
    _, number, columns, unknown = best
    missing = [canonical[key] for key in spec.required if key not in columns]
    if missing:
        return f"第 {number} 行的表头缺少必填列：{'、'.join(missing)}。"
    return number, columns, unknown


# A cell merged down over rows below it, in one column: (first row, last row, column index),
# rows numbered as the spreadsheet shows them, the column as in the rows read.
Merge = tuple[int, int, int]
Table = tuple[str, int, Iterator[list[Any]], int | None, list[Merge]]


def _filled_down(
    rows: Iterator[tuple[int, list[Any]]], merges: list[Merge]
) -> Iterator[tuple[int, list[Any]]]:
    starting: dict[int, list[tuple[int, int]]] = {}
    for first, last, column in merges:
        starting.setdefault(first, []).append((column, last))
    open_merges: dict[int, tuple[int, Any]] = {}  # column → (last row, value)
    for number, cells in rows:
        for column, (last, value) in list(open_merges.items()):
            if number > last:
                del open_merges[column]
            elif column < len(cells) and cells[column] in ("", None):
                cells[column] = value
        for column, last in starting.get(number, ()):
            if column < len(cells) and cells[column] not in ("", None):
                open_merges[column] = (last, cells[column])
        yield number, cells


def _merges_down(sheet: Any, start_column: int) -> list[Merge]:
    return [
        (first_row + 1, last_row + 1, first_column - start_column)
        for (first_row, first_column), (last_row, last_column) in sheet.merged_cell_ranges or ()
        if last_row > first_row and first_column == last_column and first_column >= start_column
    ]


def _calamine_tables(path: Path) -> Iterator[Table]:
    try:
        workbook = python_calamine.load_workbook(str(path))
        sheets = [meta for meta in workbook.sheets_metadata if str(meta.typ).endswith("WorkSheet")]
        for meta in sheets:
            sheet = workbook.get_sheet_by_name(meta.name)
            start_row, start_column = sheet.start or (0, 0)
            merges = _merges_down(sheet, start_column)
            yield meta.name, start_row, _guarded(sheet.iter_rows()), sheet.height, merges
    except SpreadsheetError:
        raise
    except Exception as error:  # calamine raises its own types and ValueError on broken files
        raise SpreadsheetError(f"文件内容无法读取，可能已损坏或被加密（{type(error).__name__}）。") from None


def _guarded(rows: Iterable[list[Any]]) -> Iterator[list[Any]]:
    try:
        yield from rows
    except Exception as error:
        raise SpreadsheetError(f"文件内容无法读取，可能已损坏（{type(error).__name__}）。") from None


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else GB18030."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
    except UnicodeDecodeError:
        raise SpreadsheetError("无法识别文件编码：请以 UTF-8 或 GBK/GB18030 编码保存 CSV 文件。") from None
    return "gb18030"


def _csv_tables(path: Path) -> Iterator[Table]:
    with open(path, "rb") as handle:
        sample = handle.read(1024 * 1024)
    encoding = detect_encoding(sample)
    if encoding != "utf-16" and b"\x00" in sample:
        raise SpreadsheetError("文件不是有效的 CSV 文本文件（含有二进制内容）。")
    text_sample = sample.decode(encoding, errors="ignore")
    first_lines = "\n".join(text_sample.splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = max(",\t;", key=first_lines.count) if first_lines else ","
    yield "CSV", 0, _csv_rows(path, encoding, delimiter), None, []


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[list[Any]]:
    try:
        with open(path, encoding=encoding, newline="", errors="strict") as handle:
            yield from csv.reader(handle, delimiter=delimiter)
    except UnicodeDecodeError:
        raise SpreadsheetError(
            f"文件编码不一致：按 {encoding.upper()} 读取时遇到无法识别的字符，请统一编码后重新保存。"
        ) from None
    except csv.Error as error:
        raise SpreadsheetError(f"CSV 文件格式错误：{error}") from None


# ---- writing ------------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet will execute: text starting with = + - @ TAB CR gets a '."""
    if type(value) is str and value and value[0] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def _safe_text(value: str) -> str:
    if not value.isprintable():
        # Control characters other than TAB, LF and CR cannot be stored in .xlsx at all.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value and value[0] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def _neutralised_row(row: Sequence[Any]) -> list[Any]:
    return [_safe_text(value) if type(value) is str else value for value in row]


def write_xlsx(
    target: str | Path | IO[bytes],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str = "Sheet1",
    progress: Callable[[int], None] | None = None,
    every: int = 5000,
) -> int:
    """Stream rows into an .xlsx with openpyxl's write-only mode. Returns the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31] or "Sheet1")
    sheet.append(list(headers))
    count = 0
    for row in rows:
        sheet.append(_neutralised_row(row))
        count += 1
        if progress and count % every == 0:
            progress(count)
    workbook.save(target)
    return count


def write_csv(
    target: str | Path | IO[str],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 5000,
) -> int:
    """UTF-8 with a BOM (so that Excel and WPS show the Chinese correctly). Returns the row count."""
    own = isinstance(target, str | Path)
    handle: IO[str] = open(target, "w", encoding="utf-8-sig", newline="") if own else target  # type: ignore[arg-type]  # noqa: SIM115
    try:
        writer = csv.writer(handle)
        writer.writerow(headers)
        count = 0
        for row in rows:
            writer.writerow(_neutralised_row(row))
            count += 1
            if progress and count % every == 0:
                progress(count)
    finally:
        if own:
            handle.close()
    return count


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    write_csv(buffer, headers, rows)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
