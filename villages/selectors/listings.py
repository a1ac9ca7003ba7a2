"""The rows that list and detail pages (web and API) show: visible to the user, with what they display loaded.

Each function adds only `select_related`, `prefetch_related` and annotations on top of the visibility rules
in `visibility.py`, so a page of 1 row and a page of 100 cost the same number of queries. Each list has an
explicit order that ends in a unique column, so the API can page through it by keyset (a cursor), and one
that an index serves: code for divisions and villages, id for shops, newest first (descending id) for
reports and assessments.
"""

from django.db import connections, router

from villages.models import (
    Assessment,
    CriteriaSet,
    Division,
    TaobaoTown,
    TownshipConversion,
    VillageCluster,
    VillageConversion,
)

from .visibility import (
    assessments_visible_to,
    certified_village_q,
    reports_visible_to,
    shops_visible_to,
    township_reports_visible_to,
    villages_visible_to,
)


def divisions_for_listing():
    """The official divisions are public."""
    return Division.objects.order_by("code")


def villages_for_listing(user):
    """Visible villages in code order; `attach_latest_assessments` adds what a page shows of their scoring."""
    return villages_visible_to(user).order_by("code")


def attach_latest_assessments(villages) -> None:
    """Set `latest_assessment` ({"year", "qualified"} of its most recent year, or None) on each village given,
    in one query for all of them.

    After the page is fetched rather than as an annotation, since a subquery in the SELECT is evaluated for
    every row an OFFSET skips; and plain values rather than a prefetch of Assessment rows, which would build a
    model instance per village for two fields. The statement is written here rather than by the ORM: building
    a filter on 50 ids cost more than the database took to answer it (`latest_assessments_statement`).
    """
    villages = [village for village in villages if not hasattr(village, "latest_assessment")]
    if not villages:
        return
    ids = [village.pk for village in villages]
    connection = connections[router.db_for_read(Assessment)]
    latest = {}
    with connection.cursor() as cursor:
        cursor.execute(*latest_assessments_statement(connection, ids))
        for village_id, year, qualified in cursor.fetchall():
            latest.setdefault(village_id, {"year": year, "qualified": bool(qualified)})
    for village in villages:
        village.latest_assessment = latest.get(village.pk)


def latest_assessments_statement(connection, ids: list[int]) -> tuple[str, list]:
    """The assessments of the villages `ids`, each village's newest year first: on PostgreSQL only that one per
    village, by DISTINCT ON, which walks the (village, year) index; elsewhere all of them."""
    quote = connection.ops.quote_name
    fields = Assessment._meta
    table, village, year, qualified = (
        quote(fields.db_table), *(quote(fields.get_field(name).column) for name in ("village", "year", "qualified"))
    )
    order = f"ORDER BY {village}, {year} DESC"
    if connection.vendor == "postgresql":
        # One array parameter, cast to the column's type (psycopg sends a list of small ids as smallint[]).
        array_type = fields.get_field("village").rel_db_type(connection)
        return (
            f"SELECT DISTINCT ON ({village}) {village}, {year}, {qualified} FROM {table} "
            f"WHERE {village} = ANY(%s::{array_type}[]) {order}",
            [ids],
        )
    placeholders = ", ".join(["%s"] * len(ids))
    return f"SELECT {village}, {year}, {qualified} FROM {table} WHERE {village} IN ({placeholders}) {order}", ids


def certified_villages_on_map(user):
    """Certified villages the user may see that have coordinates, for map layers."""
    return (
        villages_visible_to(user)
        .filter(certified_village_q(), latitude__isnull=False, longitude__isnull=False)
        .order_by("code")
    )


# No API list row shows when a row was created or last saved; decoding two timestamps a row cost more than the
# rest of a village's columns.
TIMESTAMPS = ("created_at", "updated_at")


def without_timestamps(rows):
    """`rows` without their timestamps, for reading lists (a row changed through this would load them anew)."""
    return rows.defer(*TIMESTAMPS)


def with_village_code_only(rows):
    """`rows` (of a model with a `village`) without their timestamps, and of their village the code alone: what
    a list row shows of it. For reading lists: a row changed through this would load each other field with a
    query."""
    own = [field.name for field in rows.model._meta.concrete_fields if field.name not in TIMESTAMPS]
    return rows.only(*own, "village__code")


def shops_for_listing(user):
    return shops_visible_to(user).select_related("village").order_by("id")


def reports_for_listing(user):
    return reports_visible_to(user).select_related("village").order_by("-id")


# What an assessment's row shows; its inputs, timestamps and the rest of its village are not read (each row's
# JSON and dates cost more to decode than the page's query).
ASSESSMENT_ROW_FIELDS = (
    "year", "qualified", "score", "checks", "status_change", "input_sources", "village__code", "criteria_set__name",
)


def assessments_for_listing(user):
    return (
        assessments_visible_to(user)
        .select_related("village", "criteria_set")
        .only(*ASSESSMENT_ROW_FIELDS)
        .order_by("-id")
    )


def criteria_sets_for_listing():
    """Criteria versions are public."""
    return CriteriaSet.objects.order_by("first_year", "id")


def taobao_towns_for_listing():
    """Taobao towns are derived from approved data only, so they are public."""
    return TaobaoTown.objects.select_related("township").order_by("-year", "township_id", "id")


def clusters_for_listing():
    """Clusters are derived from approved data only, so they are public."""
    return VillageCluster.objects.order_by("-year", "-village_count", "id")


def village_conversions_for_listing():
    """Every village conversion (administrators only: the view checks), newest first."""
    return VillageConversion.objects.select_related("village", "recorded_by").order_by("-id")


def township_conversions_for_listing():
    """Every township conversion (administrators only: the view checks), newest first."""
    return TownshipConversion.objects.select_related("recorded_by").order_by("-id")


def township_reports_for_listing(user):
    """Visible township reports, newest first."""
    return township_reports_visible_to(user).select_related("township").order_by("-id")
