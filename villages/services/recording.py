"""How every service writes a registry row: validated, versioned, attributed in the history, never overwriting.

An edit is claimed with one conditional UPDATE (`WHERE pk = … AND version = …`, plus any state condition)
that bumps the version. It matches no row when someone saved in between or the record is locked, and then
nothing is written. On PostgreSQL the claim also holds the row lock until the transaction ends, so a second
writer waits and then finds the version moved on. The claimed row is then re-read, changed, validated and
saved through the model, so django-simple-history records who changed what. A workflow step, whose changes
need no validation, is written by the claim itself (`claim_returning`) while the row in hand is the stored one.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, models
from django.db.models import DateTimeField, F, Func, ProtectedError, Q, Value
from django.db.models.sql import UpdateQuery
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ConflictError


def require(allowed: bool, message) -> None:
    """Raise PermissionDenied with `message` unless the caller may act."""
    if not allowed:
        raise PermissionDenied(message)


def refuse_unknown_fields(changes: dict, editable: Iterable[str]) -> None:
    unknown = sorted(set(changes) - set(editable))
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed here.") for name in unknown}
        )


def save_validated(instance: models.Model, *, by, reason: str = "", exclude=None) -> models.Model:
    """Validate the whole row (fields, clean(), unique and check constraints), then save it with its author."""
    instance.full_clean(exclude=exclude)
    instance._history_user = by
    instance._change_reason = reason or None
    try:
        instance.save()
    except IntegrityError as error:
        # A concurrent writer created the same unique key between our validation and our insert.
        raise ValidationError(
            _("This record clashes with one saved at the same moment: %(error)s") % {"error": error}
        ) from error
    return instance


def claim(
    model: type[models.Model], pk, *, conditions: dict, updates: dict | None = None, where: Q | None = None
) -> bool:
    """The conditional UPDATE: bump the version (and apply `updates`) only if the row still meets `conditions`
    (and the condition `where`, for what keyword arguments cannot say)."""
    rows = model._default_manager.filter(pk=pk, **conditions)
    if where is not None:
        rows = rows.filter(where)
    matched = rows.update(
        version=F("version") + 1, **(updates or {})
    )
    return matched == 1


class RowClock(Func):
    """The moment the database writes the row, for a timestamp a claim sets: on PostgreSQL `clock_timestamp()`,
    read when the row is written, after any lock the UPDATE waited for (so a step that waited for an upload
    holding the row is dated after it); elsewhere the moment the statement is sent (SQLite has no row locks)."""

    template = "clock_timestamp()"
    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor == "postgresql":
            return super().as_sql(compiler, connection, **extra)
        return compiler.compile(Value(timezone.now(), output_field=DateTimeField()))


def claim_returning(
    model: type[models.Model], pk, *, conditions: dict, updates: dict, returning: Iterable[str], where: Q | None = None
) -> dict | None:
    """`claim` in one `UPDATE … RETURNING`: the values of the `returning` fields as written (what a `RowClock`
    gave), or None when the row no longer meets `conditions` and nothing was written.

    The row is taken through a locking subquery (`… WHERE id IN (SELECT id … FOR UPDATE)`), so that PostgreSQL
    waits for the row's lock before it computes the new values: a `RowClock` then reads the time after the wait.
    """
    rows = model._default_manager.filter(pk=pk, **conditions)
    if where is not None:
        rows = rows.filter(where)
    locked = model._default_manager.filter(pk=pk).order_by().select_for_update(of=("self",))
    rows = rows.filter(pk__in=locked.values("pk"))
    query = rows.query.chain(UpdateQuery)
    query.add_update_values({"version": F("version") + 1, **updates})
    connection = connections[rows.db]
    sql, params = query.get_compiler(rows.db).as_sql()
    columns = [model._meta.get_field(name).get_col(model._meta.db_table) for name in returning]
    quoted = ", ".join(connection.ops.quote_name(column.target.column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {quoted}", params)
        written = cursor.fetchone()
    if written is None:
        return None
    values = {}
    for name, column, value in zip(returning, columns, written, strict=True):
        for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            value = converter(value, column, connection)
        values[name] = value
    return values


def stale_version_error(model: type[models.Model], pk, version) -> ConflictError:
    current = model._default_manager.filter(pk=pk).values_list("version", flat=True).first()
    if current is None:
        return ConflictError(_("This record no longer exists; nothing was saved."))
    return ConflictError(
        _(
            "Someone saved this record after you opened it (you edited version %(yours)s, the current one is "
            "%(current)s). Reload it and make your change again; nothing was saved."
        )
        % {"yours": version, "current": current},
        current_version=current,
    )


def edit_versioned(
    instance: models.Model,
    *,
    by,
    version,
    changes: dict,
    editable: Iterable[str],
    prepare: Callable[[models.Model], None] | None = None,
    reason: str = "",
    state: dict | None = None,
    locked_message=None,
) -> models.Model:
    """Apply `changes` to the row if it is still at `version`; return the saved, re-read row (version + 1).

    `prepare` runs on the re-read row after the changes are applied and before validation, to derive fields
    or refuse a change that the row's current state forbids. `state` adds conditions the row must meet (for
    instance an editable status); when only those fail, ConflictError carries `locked_message`.
    Call inside `transaction.atomic()`, so that a validation error also undoes the claim.
    """
    refuse_unknown_fields(changes, editable)
    model = type(instance)
    if version is None:
        raise ValidationError({"version": _("Send the version of the record you edited.")})
    if not claim(model, instance.pk, conditions={"version": version, **(state or {})}):
        error = stale_version_error(model, instance.pk, version)
        if state and error.current_version == version:
            raise ConflictError(locked_message)
        raise error
    fresh = model._default_manager.get(pk=instance.pk)
    for name, value in changes.items():
        setattr(fresh, name, value)
    if prepare is not None:
        prepare(fresh)
    return save_validated(fresh, by=by, reason=reason)


def delete_recorded(instance: models.Model, *, by, reason: str = "") -> None:
    """Delete the row with its author in the history; refuse (409) while other records still point at it."""
    instance._history_user = by
    instance._change_reason = reason or None
    try:
        instance.delete()
    except ProtectedError as error:
        blocking = sorted({str(row._meta.verbose_name_plural) for row in error.protected_objects})
        raise ConflictError(
            _("%(record)s cannot be deleted while it still has %(blocking)s; delete or move them first.")
            % {"record": instance, "blocking": ", ".join(blocking)}
        ) from error
