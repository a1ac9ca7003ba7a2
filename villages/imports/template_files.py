"""Import templates: the header row, an example row, and (XLSX) a notes sheet explaining every column.

A template is written in the language asked for, whatever the request's: its headers, its sheet names and
its notes. The notes say for each column whether it is required, what it holds (type, unit, allowed values,
limits) and an example, read from the model field the column fills, so they cannot drift from the checks the
import makes. The data sheet comes first and is named for what it holds: the import reads the first sheet.
"""

import csv
import io

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from villages.headers import CHINESE, ENGLISH
from villages.imports import ImportKind

MAX_SHEET_TITLE = 31
SHEET_TITLE_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")


def _language(language: str) -> str:
    return CHINESE if (language or "").startswith("zh") else ENGLISH


def sheet_title(text) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return str(text).translate(SHEET_TITLE_FORBIDDEN)[:MAX_SHEET_TITLE] or "Data"


def _limits(model_field) -> str:
    low = high = None
    for validator in model_field.validators:
        if isinstance(validator, MinValueValidator):
            low = validator.limit_value if low is None else max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            high = validator.limit_value if high is None else min(high, validator.limit_value)
    positive = (models.PositiveIntegerField, models.PositiveSmallIntegerField, models.PositiveBigIntegerField)
    if isinstance(model_field, positive) and (low is None or low < 0):
        low = 0
    # The database's own range (billions) says nothing a clerk needs; only the registry's limits are shown.
    if low is not None and low < -10**6:
        low = None
    if high is not None and high > 10**6:
        high = None
    if low is not None and high is not None:
        return _("from %(low)s to %(high)s") % {"low": low, "high": high}
    if low is not None:
        return _("%(low)s or more") % {"low": low}
    return _("at most %(high)s") % {"high": high} if high is not None else ""


def column_type(model, field_name: str) -> str:
    """What a column holds, in the active language: its type, allowed values and limits, from the model field."""
    try:
        model_field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return ""
    if model_field.is_relation:
        return ""
    if model_field.choices:
        allowed = "; ".join(str(label) if str(label).startswith(str(value)) else f"{value} = {label}"
                            for value, label in model_field.choices)
        return _("one of: %(values)s (the code or the words)") % {"values": allowed}
    if isinstance(model_field, models.DateField):
        return _("date, written YYYY-MM-DD")
    if isinstance(model_field, models.DecimalField):
        described = _("decimal number, up to %(places)s decimal places") % {"places": model_field.decimal_places}
    elif isinstance(model_field, models.IntegerField):
        described = _("whole number, no separators")
    elif isinstance(model_field, models.CharField):
        return _("text, at most %(length)s characters") % {"length": model_field.max_length}
    else:
        return ""
    limits = _limits(model_field)
    return f"{described}; {limits}" if limits else described


def _model_note(model, field_name: str) -> str:
    try:
        return str(model._meta.get_field(field_name).help_text or "")
    except FieldDoesNotExist:
        return ""


def column_notes(kind: ImportKind, language: str) -> list[list[str]]:
    """The notes sheet's rows: a header, then for each column its header, required, holds, unit, example, note."""
    with translation.override(_language(language)):
        rows = [[pgettext("template notes", "Column"), pgettext("template notes", "Required"),
                 pgettext("template notes", "What it holds"), pgettext("template notes", "Unit"),
                 pgettext("template notes", "Example"), pgettext("template notes", "Notes")]]
        for column in kind.columns:
            note = " ".join(part for part in (str(column.note or ""), _model_note(kind.model, column.field)) if part)
            rows.append([
                column.header.in_language(language),
                _("yes") if column.required else _("no"),
                column_type(kind.model, column.field),
                str(column.unit or ""),
                column.example,
                note,
            ])
        rows.append([])
        rows.append([_("Replace the example row (row 2) of the first sheet with your own rows before uploading. "
                       "Only the first sheet is imported; headers may be in Chinese or English.")])
    return rows


def template_csv(kind: ImportKind, language: str) -> bytes:
    """A CSV template: the header row and an example row (UTF-8 with BOM, so that Excel shows Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(column.header.in_language(language) for column in kind.columns)
    writer.writerow(column.example for column in kind.columns)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(kind: ImportKind, language: str) -> bytes:
    """An XLSX template: a data sheet named for the kind (header and example row), then the notes sheet."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    with translation.override(_language(language)):
        data = workbook.create_sheet(sheet_title(kind.label))
        notes = workbook.create_sheet(sheet_title(pgettext("template notes", "Notes")))
    data.append([column.header.in_language(language) for column in kind.columns])
    data.append([column.example for column in kind.columns])
    for row in column_notes(kind, language):
        notes.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
