"""Reading a feed batch: JSON lines or CSV, each row checked and turned into the values its table stores.

A batch is read as a stream, never as one list: `read_records` yields (row number, {column: value}) from
the body, and `FeedRowChecker` turns each record into a tuple of the table's values, or a RowError in the
same shape as the imports' errors (row, column, message in the reader's language, the offending value).
The village codes a batch names are looked up a chunk at a time (one query per chunk, remembered across
chunks), so checking a million rows costs a few hundred queries, not one per row.
"""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from villages import stored_messages
from villages.imports import FILE_COLUMN, RowError
from villages.imports.spreadsheets import CHUNK_BYTES, SpreadsheetError, _Readable, detect_encoding
from villages.models import FeedBatch, Village
from villages.models.shops import Platform
from villages.validators import FIRST_YEAR, LAST_YEAR_BOUND

NDJSON, CSV = "ndjson", "csv"
MEDIA_TYPES = {"application/x-ndjson": NDJSON, "text/csv": CSV}
MAX_BIGINT = 2**63 - 1
MAX_INT = 2**31 - 1
LOOKUP_CODES = 500

REQUIRED = _("This column is required.")
WHOLE_NUMBER = _("Enter a whole number from %(low)s to %(high)s.")
UNKNOWN_PLATFORM = _("Unknown platform %(value)s; use one of %(platforms)s.")
VILLAGE_CODE = _("A village code has exactly 12 digits.")
UNKNOWN_VILLAGE = _("No village with the code %(value)s is in the registry.")
TOO_LONG = _("At most %(limit)s characters.")
YEAR_DIFFERS = _("The row's year %(value)s differs from the batch's year %(year)s.")
SAME_KEY = _("Same record as row %(row)s of this batch.")
NOT_JSON = _("This line is not a JSON object: %(error)s")
TEXT_EXPECTED = _("Enter text here.")


class FeedFileError(SpreadsheetError):
    """The body as a whole cannot be read (its encoding, its header); no row was looked at."""


@dataclass(frozen=True)
class FeedField:
    """A column of a feed: its name in the body, and how its text or JSON value becomes the stored value."""

    name: str
    kind: str  # "text", "platform", "village", "year", "int"
    required: bool = True
    high: int = MAX_INT
    max_length: int = 0


@dataclass(frozen=True)
class FeedKind:
    """What one feed endpoint fills: its table's columns in order and the natural key among them."""

    name: str
    fields: tuple[FeedField, ...]
    key: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)


SHOP_YEARS = FeedKind(
    FeedBatch.Kind.SHOP_YEARS,
    (
        FeedField("platform", "platform"),
        FeedField("platform_shop_id", "text", max_length=64),
        FeedField("year", "year"),
        FeedField("village_code", "village"),
        FeedField("shop_name", "text", required=False, max_length=200),
        FeedField("sales", "int", high=MAX_BIGINT),
        FeedField("orders_last_3_months", "int"),
        FeedField("days_open", "int", high=366),
    ),
    key=("platform", "platform_shop_id", "year"),
)
VILLAGE_YEARS = FeedKind(
    FeedBatch.Kind.VILLAGE_YEARS,
    (
        FeedField("village_code", "village"),
        FeedField("year", "year"),
        FeedField("platform", "platform"),
        FeedField("sales", "int", high=MAX_BIGINT),
        FeedField("active_shops", "int"),
    ),
    key=("village_code", "year", "platform"),
)
FEED_KINDS = {kind.name: kind for kind in (SHOP_YEARS, VILLAGE_YEARS)}


def read_records(binary, *, file_format: str, kind: FeedKind) -> Iterator[tuple[int, dict | RowError]]:
    """(row number, record) for each non-empty row of the body; a line that is no JSON object gives a RowError."""
    if file_format == CSV:
        return _csv_records(binary, kind)
    return _json_records(binary)


def _json_records(binary):
    # A byte that is not UTF-8 becomes U+FFFD, which no platform id or code has: the row is refused, not the body.
    text = io.TextIOWrapper(io.BufferedReader(_Readable(binary), CHUNK_BYTES), encoding="utf-8-sig",
                            errors="replace", newline="\n")
    for row_number, line in enumerate(text, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as error:
            yield row_number, _error(row_number, FILE_COLUMN, NOT_JSON, {"error": str(error)}, line.strip()[:100])
            continue
        if not isinstance(record, dict):
            yield row_number, _error(row_number, FILE_COLUMN, NOT_JSON, {"error": type(record).__name__},
                                     line.strip()[:100])
            continue
        yield row_number, record


def _csv_records(binary, kind: FeedKind):
    encoding = detect_encoding(binary)
    text = io.TextIOWrapper(io.BufferedReader(_Readable(binary), CHUNK_BYTES), encoding=encoding, newline="")
    reader = csv.reader(text)
    try:
        header = [cell.strip().lower() for cell in next(reader, None) or ()]
    except csv.Error as error:
        raise FeedFileError(_("The CSV body is malformed: %(error)s"), params={"error": str(error)},
                            code="malformed") from error
    missing = [field.name for field in kind.fields if field.required and field.name != "year"
               and field.name not in header]
    if missing:
        raise FeedFileError(_("The CSV header lacks the columns %(columns)s."),
                            params={"columns": ", ".join(missing)}, code="header")
    try:
        for row_number, cells in enumerate(reader, start=2):
            if not any(map(str.strip, cells)):
                continue
            yield row_number, dict(zip(header, cells, strict=False))
    except csv.Error as error:
        raise FeedFileError(_("The CSV body is malformed near row %(row)s: %(error)s"),
                            params={"row": reader.line_num, "error": str(error)}, code="malformed") from error


def _error(row_number: int, column: str, message, params: dict | None = None, value="") -> RowError:
    return RowError(
        row=row_number, column=column, field=column, value=str(value)[:200],
        message=str(message % params if params else message), stored=stored_messages.freeze(message, params),
    )


class _Bad(Exception):
    """A value a converter refuses: the problem's text and values."""

    def __init__(self, message, params=None):
        super().__init__(message)
        self.message, self.params = message, params


class FeedRowChecker:
    """Checks records of one kind for one batch; remembers the village codes it looked up and the keys it saw.

    Each field gets its converter once (a closure), so that checking a row is a loop of plain calls: the feed
    checks rows by the million.
    """

    PLATFORMS = frozenset(Platform.values)

    def __init__(self, kind: FeedKind, *, year: int | None):
        self.kind, self.year = kind, year
        self.village_ids: dict[str, int] = {}
        self.seen: dict[tuple, int] = {}
        self.key_at = tuple(kind.names.index(name) for name in kind.key)
        self.plan = [
            (field.name, field.required, "" if field.kind == "text" else None, self._converter(field))
            for field in kind.fields
        ]

    def check_chunk(self, records: list[tuple[int, dict | RowError]]) -> tuple[list[tuple], list[RowError]]:
        """The valid rows (values in the kind's field order, village codes as ids) and the errors of a chunk."""
        self._look_up_villages(records)
        valid = self._check_columns(records)
        if valid is not None:
            return valid, []
        return self._check_rows(records)

    def _check_columns(self, records) -> list[tuple] | None:
        """The chunk's rows if every one is valid, checked a column at a time; None (nothing remembered) if not.

        The common case of a feed is a chunk without a single bad row. This checks it with whole-column
        operations (one `map` or set operation per column instead of a call per value) and accepts only values
        the row-by-row path (`_check_rows`) accepts, converted the same way. Anything it is not sure of — a row
        error, a value of another type, a number with a sign — sends the whole chunk to `_check_rows`, which
        names every problem; so the rows and the errors are the same whichever path ran.
        """
        if not records:
            return []
        numbers = []
        for row_number, record in records:
            if record.__class__ is not dict:
                return None
            numbers.append(row_number)
        columns = []
        for field in self.kind.fields:
            raw = [record.get(field.name) for _row, record in records]
            types = set(map(type, raw))
            if type(None) in types and field.kind == "text" and not field.required:
                # An absent optional text is stored empty, as `_check_rows` stores it.
                raw = ["" if value is None else value for value in raw]
                types.discard(type(None))
                types.add(str)
            if types == {int} and field.kind in ("int", "year"):
                column = raw
            elif types == {str}:
                column = list(map(str.strip, raw))
                if field.kind == "year" and self.year is not None and "" in column:
                    column = [value or str(self.year) for value in column]
            else:
                return None
            if (field.required or field.kind != "text") and "" in column:
                return None
            column = self._column_values(field, column)
            if column is None:
                return None
            columns.append(column)
        keys = list(zip(*(columns[position] for position in self.key_at), strict=True))
        if len(set(keys)) != len(keys) or not self.seen.keys().isdisjoint(keys):
            return None
        self.seen.update(zip(keys, numbers, strict=True))
        return list(zip(*columns, strict=True))

    def _column_values(self, field: FeedField, column: list) -> list | None:
        """A whole column's stored values, or None if any value is one `_converter` might refuse."""
        if field.kind == "text":
            if max(map(len, column), default=0) > field.max_length or "\x00" in "".join(column):
                return None
            return column
        if field.kind == "platform":
            return column if self.PLATFORMS.issuperset(column) else None
        if field.kind == "village":
            ids = list(map(self.village_ids.get, column))
            return None if None in ids else ids
        if column[0].__class__ is str:
            joined = "".join(column)
            if not (joined.isdigit() and joined.isascii()) or max(map(len, column)) > 19:
                return None
            column = list(map(int, column))
        low, high = (FIRST_YEAR, LAST_YEAR_BOUND) if field.kind == "year" else (0, field.high)
        if min(column) < low or max(column) > high:
            return None
        if field.kind == "year" and self.year is not None and set(column) != {self.year}:
            return None
        return column

    def _check_rows(self, records) -> tuple[list[tuple], list[RowError]]:
        """Every row checked on its own: the valid rows and each problem of each row."""
        valid, errors = [], []
        key_at, seen = self.key_at, self.seen
        for row_number, record in records:
            if isinstance(record, RowError):
                errors.append(record)
                continue
            values, problems = self._values(row_number, record)
            if not problems:
                key = tuple(values[position] for position in key_at)
                first = seen.setdefault(key, row_number)
                if first != row_number:
                    problems = [_error(row_number, self.kind.key[-1], SAME_KEY, {"row": first})]
            if problems:
                errors.extend(problems)
            else:
                valid.append(tuple(values))
        return valid, errors

    def _look_up_villages(self, records) -> None:
        codes = {
            str(record.get("village_code", "")).strip() for _row, record in records if isinstance(record, dict)
        } - self.village_ids.keys()
        codes = sorted(code for code in codes if len(code) == 12 and code.isdigit())
        # A few hundred codes a query: SQLite limits the parameters of a statement.
        for start in range(0, len(codes), LOOKUP_CODES):
            self.village_ids.update(
                Village.objects.filter(code__in=codes[start : start + LOOKUP_CODES]).values_list("code", "pk"))

    def _values(self, row_number: int, record: dict) -> tuple[list, list[RowError] | None]:
        values, problems = [], None
        get = record.get
        for name, required, empty, convert in self.plan:
            raw = get(name)
            if raw.__class__ is str:
                raw = raw.strip()
            if raw is None or raw == "":
                if name == "year" and self.year is not None:
                    values.append(self.year)
                    continue
                if required:
                    problems = (problems or []) + [_error(row_number, name, REQUIRED)]
                values.append(empty)
                continue
            try:
                values.append(convert(raw))
            except _Bad as bad:
                problems = (problems or []) + [_error(row_number, name, bad.message, bad.params, value=raw)]
                values.append(None)
        return values, problems

    def _converter(self, field: FeedField):
        if field.kind == "text":
            limit = field.max_length

            def text(value):
                if value.__class__ is not str:
                    raise _Bad(TEXT_EXPECTED)
                if len(value) > limit or "\x00" in value:
                    raise _Bad(TOO_LONG, {"limit": limit})
                return value

            return text
        if field.kind == "platform":
            platforms = self.PLATFORMS

            def platform(value):
                if value.__class__ is not str or value not in platforms:
                    raise _Bad(UNKNOWN_PLATFORM, {"value": value, "platforms": ", ".join(Platform.values)})
                return value

            return platform
        if field.kind == "village":
            village_ids = self.village_ids

            def village(value):
                code = str(value)
                village_id = village_ids.get(code)
                if village_id is not None:
                    return village_id
                if not (len(code) == 12 and code.isdigit()):
                    raise _Bad(VILLAGE_CODE)
                raise _Bad(UNKNOWN_VILLAGE, {"value": code})

            return village
        low, high = (FIRST_YEAR, LAST_YEAR_BOUND) if field.kind == "year" else (0, field.high)
        batch_year = self.year if field.kind == "year" else None

        def number(value):
            if value.__class__ is str and value.isdigit() and value.isascii() and len(value) <= 19:
                whole = int(value)
            else:
                whole = _whole_number(value)
            if whole is None or not low <= whole <= high:
                raise _Bad(WHOLE_NUMBER, {"low": low, "high": high})
            if batch_year is not None and whole != batch_year:
                raise _Bad(YEAR_DIFFERS, {"value": whole, "year": batch_year})
            return whole

        return number


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value)
    if text.isascii() and text.lstrip("-").isdigit() and len(text) <= 20:
        return int(text)
    return None
