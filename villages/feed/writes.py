"""Writing a checked feed batch set-based: COPY into staging and one upsert (PostgreSQL), bulk writes elsewhere.

Both paths end in the same rows and the same counts. A row whose natural key is new is inserted; one whose
values differ is updated and takes the batch as its last batch; one that is the same is left as it was (its
`updated_at` and `batch` do not move), so posting the same batch twice changes nothing the second time.

On PostgreSQL every chunk of valid rows travels by `COPY` (`villages.imports.bulk_writes.copy_rows`) into a
temporary staging table that lives until the transaction ends, and `finish()` runs ONE
`INSERT … SELECT … ON CONFLICT (natural key) DO UPDATE … WHERE the values differ`, counting inserted and
updated rows from `xmax`. On SQLite each chunk's existing rows are read in one query per few hundred keys and
the differences written with `bulk_create` / `bulk_update`.
"""

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from villages.feed.rows import FeedKind
from villages.imports.bulk_writes import copy_rows
from villages.models import FeedBatch, PlatformShopYear, PlatformVillageYear

# SQLite allows a limited number of parameters per statement; the lookups of existing rows go this many at a time.
LOOKUP_CHUNK = 300


@dataclass
class WriteCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class _Target:
    model: type
    # Columns in the feed kind's field order (the village code arrives as the village's id).
    columns: tuple[str, ...]
    column_types: tuple[str, ...]
    key: tuple[str, ...]
    # The key column that narrows the lookup of existing rows most (SQLite path).
    lookup: str

    @property
    def compared(self) -> tuple[str, ...]:
        return tuple(column for column in self.columns if column not in self.key)


_TARGETS = {
    FeedBatch.Kind.SHOP_YEARS: _Target(
        PlatformShopYear,
        ("platform", "platform_shop_id", "year", "village_id", "shop_name", "sales", "orders_last_3_months",
         "days_open"),
        ("varchar(16)", "varchar(64)", "smallint", "bigint", "varchar(200)", "bigint", "integer", "smallint"),
        ("platform", "platform_shop_id", "year"),
        "platform_shop_id",
    ),
    FeedBatch.Kind.VILLAGE_YEARS: _Target(
        PlatformVillageYear,
        ("village_id", "year", "platform", "sales", "active_shops"),
        ("bigint", "smallint", "varchar(16)", "bigint", "integer"),
        ("village_id", "year", "platform"),
        "village_id",
    ),
}


def feed_writer(kind: FeedKind, batch: FeedBatch):
    """The writer for this database: call `add(rows)` per chunk of valid rows, then `finish()` for the counts."""
    target = _TARGETS[kind.name]
    if connection.vendor == "postgresql":
        return _CopyWriter(target, batch)
    return _BulkWriter(target, batch)


class _CopyWriter:
    def __init__(self, target: _Target, batch: FeedBatch):
        self.target, self.batch = target, batch
        self.staging = f"feed_staging_{target.model._meta.db_table}"
        self.started = False

    def add(self, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            if not self.started:
                definition = ", ".join(
                    f"{quote(column)} {kind}"
                    for column, kind in zip(self.target.columns, self.target.column_types, strict=True)
                )
                cursor.execute(f"CREATE TEMPORARY TABLE {quote(self.staging)} ({definition}) ON COMMIT DROP")
                self.started = True
            copy_rows(cursor, self.staging, self.target.columns, rows)

    def finish(self, total: int) -> WriteCounts:
        if not self.started:
            return WriteCounts(unchanged=total)
        table = quote(self.target.model._meta.db_table)
        columns = ", ".join(quote(column) for column in self.target.columns)
        compared = self.target.compared
        assignments = ", ".join(
            [f"{quote(column)} = EXCLUDED.{quote(column)}" for column in compared]
            + [f"{quote('batch_id')} = EXCLUDED.{quote('batch_id')}",
               f"{quote('updated_at')} = EXCLUDED.{quote('updated_at')}"]
        )
        current = ", ".join(f"t.{quote(column)}" for column in compared)
        incoming = ", ".join(f"EXCLUDED.{quote(column)}" for column in compared)
        now = timezone.now()
        with connection.cursor() as cursor:
            # xmax is 0 on a row version this statement inserted, set on one it updated.
            cursor.execute(
                f"WITH written AS (INSERT INTO {table} AS t ({columns}, batch_id, created_at, updated_at) "
                f"SELECT {columns}, %s, %s, %s FROM {quote(self.staging)} "
                f"ON CONFLICT ({', '.join(quote(column) for column in self.target.key)}) DO UPDATE "
                f"SET {assignments} WHERE ({current}) IS DISTINCT FROM ({incoming}) "
                "RETURNING (t.xmax = 0) AS inserted) "
                "SELECT COUNT(*) FILTER (WHERE inserted), COUNT(*) FILTER (WHERE NOT inserted) FROM written",
                [self.batch.pk, now, now],
            )
            created, updated = cursor.fetchone()
            cursor.execute(f"DROP TABLE {quote(self.staging)}")
        return WriteCounts(created=created, updated=updated, unchanged=total - created - updated)


class _BulkWriter:
    def __init__(self, target: _Target, batch: FeedBatch):
        self.target, self.batch = target, batch
        self.counts = WriteCounts()

    def add(self, rows: list[tuple]) -> None:
        target = self.target
        key_at = [target.columns.index(column) for column in target.key]
        compared = target.compared
        compared_at = [target.columns.index(column) for column in compared]
        for start in range(0, len(rows), LOOKUP_CHUNK):
            chunk = rows[start : start + LOOKUP_CHUNK]
            existing = self._existing(chunk, key_at)
            now = timezone.now()
            to_create, to_update = [], []
            for row in chunk:
                current = existing.get(tuple(row[position] for position in key_at))
                if current is None:
                    to_create.append(target.model(
                        **dict(zip(target.columns, row, strict=True)), batch=self.batch, created_at=now,
                        updated_at=now))
                    continue
                incoming = tuple(row[position] for position in compared_at)
                if tuple(getattr(current, column) for column in compared) == incoming:
                    continue
                for column, value in zip(compared, incoming, strict=True):
                    setattr(current, column, value)
                current.batch, current.updated_at = self.batch, now
                to_update.append(current)
            target.model.objects.bulk_create(to_create)
            target.model.objects.bulk_update(to_update, [*compared, "batch", "updated_at"])
            self.counts.created += len(to_create)
            self.counts.updated += len(to_update)

    def _existing(self, chunk, key_at) -> dict:
        """The stored rows with the chunk's keys: one query on the narrowest key column and the years."""
        target = self.target
        lookup_at = target.columns.index(target.lookup)
        year_at = target.columns.index("year")
        found = target.model.objects.filter(**{
            f"{target.lookup}__in": {row[lookup_at] for row in chunk},
            "year__in": {row[year_at] for row in chunk},
        })
        return {tuple(getattr(record, column) for column in target.key): record for record in found}

    def finish(self, total: int) -> WriteCounts:
        self.counts.unchanged = total - self.counts.created - self.counts.updated
        return self.counts


def quote(name: str) -> str:
    return connection.ops.quote_name(name)
