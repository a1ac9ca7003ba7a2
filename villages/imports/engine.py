"""The import engine: validate every row like a form would, then write whole batches at once.

The engine streams the sheet in batches; per batch it loads the existing records and referenced objects in
one query each, validates each row with the model's own field validators and `clean()` (no query per row),
checks the uploader's jurisdiction through `villages.selectors.jurisdiction`, and sorts the rows into new,
updated, unchanged and invalid. A dry run stops there. Applying writes each batch with
`villages.imports.bulk_writes` inside one transaction that is rolled back if any row anywhere in the file is
invalid.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import translation
from django.utils.translation import gettext_lazy

from villages.imports import FILE_COLUMN, ImportKind, Problem, RowError, RowInvalid
from villages.imports.bulk_writes import HISTORY_CHANGED, HISTORY_CREATED, insert_rows, record_history, update_rows
from villages.imports.spreadsheets import Sheet
from villages.selectors.jurisdiction import may_edit_registry

BATCH_SIZE = 2000
MEMO_LIMIT = 10_000
_NOT_SEEN = object()
_NO_MEMO: dict = {}

NEW, UPDATED, UNCHANGED, INVALID = "created", "updated", "unchanged", "invalid"
PREVIEW_SIZE = 50

REQUIRED = gettext_lazy("This column is required.")
OUTSIDE_JURISDICTION = gettext_lazy("%(code)s is outside your jurisdiction; you may not change it.")
SAME_RECORD = gettext_lazy("Same record as row %(row)s of this file.")


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)


@dataclass
class PreparedRow:
    """A valid row: the model values it sets, the existing record's pk if any, and its outcome."""

    row_number: int
    key: tuple
    values: dict
    pk: object = None
    outcome: str = NEW
    extra: dict = field(default_factory=dict)
    raw: dict | None = None



# Field-level cleaning with the model's own validators -------------------------------------------------------


def _problems_of(field_name: str, error: ValidationError) -> list[Problem]:
    """Each message of a validation error as a problem of the field, its lazy text and values kept apart."""
    if hasattr(error, "error_dict"):
        return [problem for name, errors in error.error_dict.items()
                for problem in _problems_of(FILE_COLUMN if name == "__all__" else name, ValidationError(errors))]
    return [Problem(field_name, single.message, single.params or None) for single in error.error_list]


def clean_value(model, field_name: str, raw: str, memo: dict | None = None):
    """The Python value of one cell, checked by the model field's to_python, choices, blank rule and validators.

    `memo` (one per import, {model: {field: {cell text: value}}}) remembers the values of cells that passed,
    so that the 100,000th "服装" in a column is not checked again: a field's cleaning depends on the cell text
    only (no instance is passed, so no validator can look at other columns or the database). Failures are
    never remembered, so every invalid cell is checked, and reported in the language of the request.
    """
    model_field = model._meta.get_field(field_name)
    if raw == "":
        if not model_field.blank:
            raise RowInvalid((field_name, REQUIRED))
        return None if model_field.null else ""
    passed = None
    if memo is not None:
        passed = memo.setdefault(model, {}).setdefault(field_name, {})
        if raw in passed:
            return passed[raw]
    try:
        value = model_field.clean(raw, None)
    except ValidationError as error:
        raise RowInvalid(*_problems_of(field_name, error)) from None
    if passed is not None:
        if len(passed) >= MEMO_LIMIT:
            passed.clear()
        passed[raw] = value
    return value


def clean_values(model, raw: dict, field_names: Iterable[str], memo: dict | None = None,
                 problems: list | None = None) -> dict:
    """Clean every given cell of the row, collecting all problems rather than stopping at the first.

    With a `problems` list, the problems are added to it and the cells that passed are returned, so that a
    kind can go on checking what does not depend on the failed cells; without, they are raised together.
    """
    values, found = {}, []
    passed_of = memo.get(model, _NO_MEMO) if memo is not None else _NO_MEMO
    for field_name in field_names:
        cell = raw.get(field_name)
        if cell is None:
            continue
        # The common case of a long file, inlined: this text already passed this field's checks.
        value = passed_of.get(field_name, _NO_MEMO).get(cell, _NOT_SEEN)
        if value is not _NOT_SEEN:
            values[field_name] = value
            continue
        try:
            values[field_name] = clean_value(model, field_name, cell, memo)
        except RowInvalid as invalid:
            found.extend(invalid.problems)
    if problems is not None:
        problems.extend(found)
    elif found:
        raise RowInvalid(*found)
    return values


_TEMPLATES: dict[type, tuple[dict, tuple, frozenset]] = {}


def _template_of(model) -> tuple[dict, tuple, frozenset]:
    """What `model()` puts in a new instance's __dict__, its fields with callable defaults, and its attnames."""
    template = _TEMPLATES.get(model)
    if template is None:
        blank = model()
        state = {name: value for name, value in blank.__dict__.items() if name != "_state"}
        fresh = tuple(field for field in model._meta.concrete_fields if field.has_default() and callable(field.default))
        attnames = frozenset(field.attname for field in model._meta.concrete_fields)
        template = _TEMPLATES[model] = (state, fresh, attnames)
    return template


def new_instance(model, values: dict):
    """The unsaved instance `model(**values)` builds, for running `clean()` on, without Model.__init__'s cost.

    Model.__init__ matches every keyword against every field, which dominates a 100,000-row import. When all
    the keys are plain column attributes and no receiver listens to the model's init signals, the same state
    is set directly: the defaults of a blank instance (callable defaults called again), then the values.
    Anything else goes through the constructor.
    """
    state, fresh, attnames = _template_of(model)
    listened = (pre_init.receivers and pre_init.has_listeners(model)) or (
        post_init.receivers and post_init.has_listeners(model))
    if listened or not attnames.issuperset(values):
        return model(**values)
    instance = model.__new__(model)
    instance._state = ModelState()
    instance.__dict__.update(state)
    for model_field in fresh:
        instance.__dict__[model_field.attname] = model_field.get_default()
    instance.__dict__.update(values)
    return instance


def run_model_clean(instance) -> None:
    """The model's cross-field rules (`clean()`), which need no query when related objects are preloaded."""
    try:
        instance.clean()
    except ValidationError as error:
        raise RowInvalid(*_problems_of(FILE_COLUMN, error)) from None


def require_columns(raw: dict, *field_names: str, problems: list | None = None) -> None:
    """Every named cell is filled; the missing ones are raised together, or added to `problems` when given."""
    missing = [Problem(name, REQUIRED) for name in field_names if not raw.get(name)]
    if problems is not None:
        problems.extend(missing)
    elif missing:
        raise RowInvalid(*missing)


class RowProblems:
    """The problems of one row gathered while it is checked step by step; `raise_any()` raises them together.

    `with problems:` around a step that raises RowInvalid keeps its problems and goes on with the next step.
    """

    def __init__(self):
        self.found: list = []

    def __enter__(self):
        return self.found

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None and issubclass(exc_type, RowInvalid):
            self.found.extend(exc.problems)
            return True
        return False

    def raise_any(self) -> None:
        if self.found:
            raise RowInvalid(*self.found)


def _choice_lookup(choices) -> dict[str, str]:
    """Accept a choice by its value or its label in English or Chinese, case-insensitively."""
    lookup = {}
    for value, label in choices:
        lookup[str(value).casefold()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(label).casefold()] = value
    return lookup


def choice_value(raw: dict, field_name: str, choices, *, lookup_cache={}) -> None:  # noqa: B006 (memo)
    """Replace a choice cell given by its label with the stored value, in place."""
    if raw.get(field_name):
        key = id(choices)
        if key not in lookup_cache:
            lookup_cache[key] = _choice_lookup(choices)
        raw[field_name] = lookup_cache[key].get(raw[field_name].casefold(), raw[field_name])



# The engine -------------------------------------------------------------------------------------------------


@dataclass
class ImportContext:
    user: object
    kind: ImportKind
    apply: bool
    history_reason: str = ""
    seen_keys: dict = field(default_factory=dict)
    memo: dict = field(default_factory=dict)


def _batches(rows: Iterable, size: int):
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _prepare_batch(batch, context: ImportContext, counts: ImportCounts) -> list[PreparedRow]:
    kind = context.kind
    resolved = kind.resolve([raw for _row, raw in batch], context)
    prepared: list[PreparedRow] = []
    build, user, seen_keys = kind.build, context.user, context.seen_keys
    counts.rows += len(batch)
    for row_number, raw in batch:
        try:
            key, values, scope_code = build(raw, resolved, context)
            if not may_edit_registry(user, scope_code):
                raise RowInvalid((FILE_COLUMN, OUTSIDE_JURISDICTION, {"code": scope_code}))
            first_row = seen_keys.get(key)
            if first_row is not None:
                raise RowInvalid((FILE_COLUMN, SAME_RECORD, {"row": first_row}))
            seen_keys[key] = row_number
        except RowInvalid as invalid:
            counts.invalid += 1
            problems = _with_jurisdiction(invalid.problems, raw, resolved, context)
            _record_problems(counts, kind, row_number, raw, problems)
            continue
        extra = {name: values.pop(name) for name in kind.extra_fields if name in values} if kind.extra_fields else {}
        prepared.append(PreparedRow(row_number, key, values, extra=extra))
        if len(counts.preview) < PREVIEW_SIZE and not context.apply:
            prepared[-1].raw = raw
    existing = kind.existing([row.key for row in prepared], context)
    valid = []
    for row in prepared:
        current = existing.get(row.key)
        if current is None:
            counts.created += 1
            valid.append(row)
            _add_preview(counts, kind, row, None)
            continue
        pk, current_values, locked = current
        changed = {name: value for name, value in (*row.values.items(), *row.extra.items())
                   if name not in kind.insert_only and current_values.get(name) != value}
        if not changed:
            counts.unchanged += 1
            continue
        if locked:
            counts.invalid += 1
            problem = locked if isinstance(locked, Problem) else Problem(FILE_COLUMN, locked)
            _record_problems(counts, kind, row.row_number, row.raw or {}, (problem,))
            continue
        counts.updated += 1
        row.pk, row.outcome = pk, UPDATED
        valid.append(row)
        _add_preview(counts, kind, row, {name: (current_values.get(name), value) for name, value in changed.items()})
    return valid


def _with_jurisdiction(problems: tuple, raw: dict, resolved, context: ImportContext) -> tuple:
    """The row's problems, plus its jurisdiction problem when another one stopped the check before it."""
    scope_of = context.kind.scope_of
    if scope_of is None or any(problem.message is OUTSIDE_JURISDICTION for problem in problems):
        return problems
    code = scope_of(raw, resolved)
    if code and not may_edit_registry(context.user, code):
        return (*problems, Problem(FILE_COLUMN, OUTSIDE_JURISDICTION, {"code": code}))
    return problems


def _record_problems(counts: ImportCounts, kind: ImportKind, row_number: int, raw: dict, problems) -> None:
    """Every distinct problem of the row, with the cell it is about as the offending value."""
    seen = set()
    for problem in problems:
        text = problem.text()
        if (problem.column, text) in seen:
            continue
        seen.add((problem.column, text))
        value = raw.get(problem.column, "") if problem.column else ""
        if not value and problem.params and "code" in problem.params:
            value = str(problem.params["code"])
        counts.errors.append(RowError(
            row_number, kind.column_label(problem.column) if problem.column else "", text,
            field=problem.column, value=value, stored=problem.frozen()))


def _add_preview(counts: ImportCounts, kind: ImportKind, row: PreparedRow, changes: dict | None) -> None:
    """The first rows a dry run would write: a new row's cells, or an updated row's changed columns (was → becomes).

    Only the sheet's own columns are shown (not the keys they resolve to), each cell as the file gives it.
    """
    if row.raw is None or len(counts.preview) >= PREVIEW_SIZE:
        return
    columns = {column.field for column in kind.columns}
    if changes is None:
        cells = [{"field": name, "new": text} for name, text in row.raw.items() if name in columns and text]
        outcome = NEW
    else:
        cells = [{"field": name, "old": _shown(old), "new": row.raw.get(name, _shown(new))}
                 for name, (old, new) in changes.items() if name in columns]
        outcome = UPDATED
    key = " · ".join(row.raw.get(column.field, "") for column in kind.columns if column.required)
    counts.preview.append({"row": row.row_number, "outcome": outcome, "key": key, "cells": cells})


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ", ".join(str(part) for part in value)
    return str(value)


def _write_batch(rows: list[PreparedRow], context: ImportContext) -> None:
    kind = context.kind
    model = kind.model
    user_id = getattr(context.user, "pk", None)
    new_rows = [row for row in rows if row.outcome == NEW]
    # Rows of a batch can carry different columns only when the sheet does; group by their field sets.
    groups: dict[tuple, list[tuple]] = {}
    for row in new_rows:
        groups.setdefault(tuple(row.values), []).append(tuple(row.values.values()))
    for field_names, group in groups.items():
        insert_rows(model, field_names, group)
    by_key = bool(new_rows and kind.key_field and kind.after_write is None)
    if new_rows and not by_key:
        created = kind.existing([row.key for row in new_rows], context)
        for row in new_rows:
            row.pk = created[row.key][0]
    changed_rows = [row for row in rows if row.outcome == UPDATED]
    for field_names in {tuple(name for name in row.values if name not in kind.insert_only) for row in changed_rows}:
        group = [row for row in changed_rows
                 if tuple(name for name in row.values if name not in kind.insert_only) == field_names]
        update_rows(model, field_names, [(*(row.values[name] for name in field_names), row.pk) for row in group])
    if kind.after_write is not None:
        kind.after_write(rows, context)
    # History last, so that it also holds what `after_write` wrote (a service point's services).
    if by_key:
        record_history(model, [row.key[0] for row in new_rows], key_field=kind.key_field,
                       history_type=HISTORY_CREATED, user_id=user_id, reason=context.history_reason)
    elif new_rows:
        record_history(model, [row.pk for row in new_rows], history_type=HISTORY_CREATED, user_id=user_id,
                       reason=context.history_reason)
    record_history(model, [row.pk for row in changed_rows], history_type=HISTORY_CHANGED, user_id=user_id,
                   reason=context.history_reason)


class _RollBack(Exception):
    """Raised inside the import transaction when any row was invalid, so that nothing is kept."""


def run_import(
    sheet: Sheet,
    *,
    kind: ImportKind,
    user,
    apply: bool,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[ImportCounts], None] | None = None,
    history_reason: str = "",
) -> ImportCounts:
    """Check (and, when `apply`, write) every row of the sheet; all rows or none are written."""
    counts = ImportCounts()
    context = ImportContext(user=user, kind=kind, apply=apply, history_reason=history_reason)

    def process():
        for batch in _batches(sheet.rows, batch_size):
            valid = _prepare_batch(batch, context, counts)
            if apply and not counts.invalid:
                _write_batch(valid, context)
            if on_progress is not None:
                on_progress(counts)

    if not apply:
        process()
        return counts
    try:
        with transaction.atomic():
            process()
            if counts.invalid:
                raise _RollBack
    except _RollBack:
        pass
    return counts
