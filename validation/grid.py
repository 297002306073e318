"""A tabular export as a grid of text cells, from CSV (any common dialect) or XLSX.

Cells are always strings ("" = blank), so nothing is coerced before the platform reader decides
what a column means. Rows are numbered as a spreadsheet shows them (record 1 = row 1), which is
what error messages cite, even when a cell holds line breaks.

A CSV file is parsed by Python's strict ``csv`` reader, which defines what a grid holds. When the
file's quoting is such that Arrow's multi-threaded CSV parser provably returns the same cells
(see :func:`_quoting`), Arrow parses it instead, into columns, and rows are only made
when a reader asks for them: a 100k-response export is then read in a fraction of the time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]

from instruments.errors import Failure, UnreadableFile
from validation.encoding import decode_text

_DELIMITERS = (",", ";", "\t")


class Grid:
    """A tabular export's cells as text: ``rows`` of cells, row 1 first.

    Built from rows, or from Arrow columns (``columns=``, one string column per grid column),
    in which case ``rows`` is only assembled when asked for; ``row``, ``column`` and ``frame``
    read the columns directly.
    """

    __slots__ = ("_columns", "_rows", "delimiter", "kind", "sheet")

    def __init__(
        self,
        rows: Sequence[tuple[str, ...]] = (),
        delimiter: str = ",",
        kind: str = "csv",  # "csv" or "xlsx"
        sheet: str = "",
        *,
        columns: pa.Table | None = None,
    ) -> None:
        self._rows: tuple[tuple[str, ...], ...] | None = None if columns is not None else tuple(rows)
        self._columns = columns
        self.delimiter = delimiter
        self.kind = kind
        self.sheet = sheet

    def __repr__(self) -> str:
        return f"Grid({self.height} rows x {len(self.header)} columns, {self.kind}, delimiter {self.delimiter!r})"

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        if self._rows is None:
            assert self._columns is not None
            cells = [column.to_pylist() for column in self._columns.columns]
            self._rows = tuple(zip(*cells, strict=True))
        return self._rows

    @property
    def columnar(self) -> bool:
        """Whether the grid holds Arrow columns (parsed by Arrow) rather than rows."""
        return self._columns is not None

    @property
    def height(self) -> int:
        """How many rows the grid has (header rows included)."""
        return self._columns.num_rows if self._columns is not None else len(self.rows)

    def row(self, number: int) -> tuple[str, ...]:
        """The cells of one row, counted from 0."""
        if self._columns is None:
            return self.rows[number]
        return tuple(column[number].as_py() for column in self._columns.columns)

    @property
    def header(self) -> tuple[str, ...]:
        return self.row(0) if self.height else ()

    def column(self, index: int, start: int = 0) -> pd.Series:
        """One column's cells from row ``start`` (counted from 0) down, as Arrow-backed strings."""
        if self._columns is None:
            return pd.Series([row[index] for row in self.rows[start:]], dtype="string[pyarrow]")
        return pd.Series(pd.arrays.ArrowStringArray(_large(self._columns.column(index).slice(start))))

    def frame(self, start: int, keys: Sequence[str]) -> pd.DataFrame:
        """The rows from ``start`` (counted from 0) down as a frame of Arrow-backed strings, keyed ``keys``."""
        if self._columns is None:
            body = [list(row) for row in self.rows[start:]]
            return pd.DataFrame(body, columns=list(keys), dtype="string[pyarrow]")
        arrays = [pd.arrays.ArrowStringArray(_large(c.slice(start))) for c in self._columns.columns]
        frame = pd.DataFrame(dict(enumerate(arrays)), copy=False)
        frame.columns = pd.Index(list(keys), dtype=object)
        return frame


def _large(column: pa.ChunkedArray) -> pa.ChunkedArray:
    # pandas keeps Arrow-backed strings as large_string: the same type as a frame built from rows.
    return column.cast(pa.large_string())


def per_value(series: pd.Series, function: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``function(series)`` for an element-wise ``function``, computed once per distinct value.

    Survey columns repeat a handful of labels over thousands of rows; the result is the same as
    calling ``function`` on the whole column, at the cost of the distinct values.
    """
    codes, distinct = pd.factorize(series, use_na_sentinel=False)
    results = function(pd.Series(distinct))
    return pd.Series(results.to_numpy()[codes], index=series.index, name=series.name)


def per_value_list(series: pd.Series, function: Callable[[Any], Any]) -> np.ndarray:
    """``[function(v) for v in series]`` as an object array, calling ``function`` once per distinct value."""
    codes, distinct = pd.factorize(series, use_na_sentinel=False)
    results = np.empty(len(distinct), dtype=object)
    results[:] = [function(value) for value in distinct]
    return results[codes]


def is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_grid(data: bytes, name: str) -> Grid:
    """Read a CSV or XLSX export into a grid; refuse ragged or undecodable files."""
    if is_xlsx(data):
        return _read_xlsx(data, name)
    return read_csv_grid(decode_text(data, name), name)


def sniff_delimiter(first_line: str) -> str:
    """The delimiter that splits the header line into the most fields (outside quotes)."""
    counts = {}
    for delimiter in _DELIMITERS:
        fields = next(csv.reader([first_line], delimiter=delimiter), [])
        counts[delimiter] = len(fields)
    return max(_DELIMITERS, key=lambda d: (counts[d], -_DELIMITERS.index(d)))


def read_csv_grid(text: str, name: str, utf8: bytes | None = None) -> Grid:
    """Read CSV text into a grid; ``utf8`` may give the text's UTF-8 bytes, if the caller has them."""
    end = text.find("\n")
    delimiter = sniff_delimiter(text[:end] if end >= 0 else text)
    columns = _arrow_columns(text, delimiter, utf8)
    if columns is not None:
        return Grid(delimiter=delimiter, kind="csv", columns=columns)
    rows = [tuple(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # a trailing blank line (LimeSurvey writes one) is not a response
    if not rows:
        raise UnreadableFile(
            name,
            "the file is empty.",
            "Export the data again and put the new file in the inbox.",
            rule="survey.empty",
        )
    width = len(rows[0])
    # A trailing delimiter (legacy KoboCAT, legacy Qualtrics) adds empty cells at the end of a
    # row: those are trimmed. Any other difference in length is refused.
    rows = [row[:width] if len(row) > width and not any(c.strip() for c in row[width:]) else row for row in rows]
    ragged = [number for number, row in enumerate(rows, start=1) if len(row) != width and any(row)]
    if ragged:
        listed = ", ".join(str(r) for r in ragged[:10]) + (" ..." if len(ragged) > 10 else "")
        raise UnreadableFile(
            f"{name}, row(s) {listed}",
            f"these rows do not have the {width} columns of the header row, so values would land in the wrong columns.",
            "Export the data again from the survey platform without editing it; if you edited it "
            "in Excel, check for extra separators in the rows named.",
            rule="csv.ragged",
            failures=tuple(
                Failure(rule="csv.ragged", problem=f"row has {len(rows[r - 1])} columns, not {width}", row=r)
                for r in ragged
            ),
        )
    rows = [row if row else ("",) * width for row in rows]
    return Grid(tuple(rows), delimiter, "csv")


def _quoting(text: str, delimiter: str) -> tuple[bool, bool]:
    """Whether Python's strict csv reader accepts every quote in ``text``, and whether a quoted
    cell holds a line break.

    The reader refuses a closing quote followed by anything but a delimiter or a line end, and a
    quoted field left open at the end of the file; Arrow reads both without a word. Otherwise
    the two agree: a quote opens a field only at its start, ``""`` inside is one quote, other
    quotes are text. Only runs of quotes are visited, so a file with few quotes is checked at once.
    """
    boundary = {delimiter, "\n"}
    inside = multiline = False
    opened = 0
    start = text.find('"')
    while start >= 0:
        end = start + 1
        while end < len(text) and text[end] == '"':
            end += 1
        length = end - start
        if not inside and start and text[start - 1] not in boundary:
            start = text.find('"', end)
            continue  # quotes inside an unquoted field are text
        if not inside:
            inside, opened = True, start  # the first quote opens the field
            length -= 1
        if length % 2:  # after the doubled quotes, one closes the field
            inside = False
            multiline = multiline or text.find("\n", opened, end) >= 0
            if end < len(text) and text[end] not in boundary:
                return False, multiline
        start = text.find('"', end)
    return not inside, multiline


def _arrow_columns(text: str, delimiter: str, utf8: bytes | None = None) -> pa.Table | None:
    """The grid's columns as parsed by Arrow, or None when Arrow might read a cell differently."""
    if not text or text[0] == "\ufeff" or "\r" in text or "\x00" in text:
        return None  # Arrow skips a byte-order mark and splits lines at CR; leave those to csv
    plain, multiline = _quoting(text, delimiter)
    if not plain:
        return None
    try:
        width = len(next(csv.reader(_lines(text), delimiter=delimiter, strict=True), []))
    except csv.Error:
        return None
    data = text.encode("utf-8") if utf8 is None else utf8
    size = len(data)
    while size and data[size - 1] == 0x0A:
        size -= 1  # line ends after the last row add no rows
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(0, size)),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            # Line breaks inside cells slow Arrow's parser down by a third: only when there are some.
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=multiline, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(width)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None  # rows of different lengths, among others: csv words the refusal
    if table.num_columns != width or any(not pa.types.is_string(field.type) for field in table.schema):
        return None
    limit = csv.field_size_limit()
    if any((pc.max(pc.binary_length(column)).as_py() or 0) > limit for column in table.columns):
        return None  # csv refuses a cell longer than its limit
    while table.num_rows and not any(str(c[table.num_rows - 1].as_py()).strip() for c in table.columns):
        table = table.slice(0, table.num_rows - 1)  # a trailing blank line is not a response
    return table if table.num_rows else None


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their line ends, one at a time."""
    start = 0
    while start < len(text):
        end = text.find("\n", start) + 1 or len(text)
        yield text[start:end]
        start = end


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, name: str) -> Grid:
    import openpyxl  # only here: most inbox files are CSV or transcripts

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise UnreadableFile(
            name,
            "the Excel workbook could not be opened (it may be damaged or password-protected).",
            "Export the responses again as .xlsx (or CSV UTF-8) and put the new file in the inbox.",
            rule="xlsx.unreadable",
        ) from None
    sheet = workbook.worksheets[0]
    rows = [tuple(_cell_text(v) for v in row) for row in sheet.iter_rows(values_only=True)]
    title = sheet.title
    workbook.close()
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise UnreadableFile(
            name, "the first sheet of the workbook is empty.", "Export the data again.", rule="survey.empty"
        )
    width = max(len(r) for r in rows)
    padded = tuple(r + ("",) * (width - len(r)) for r in rows)
    return Grid(padded, "", "xlsx", title)
