"""Certification writes: assess an approved report, withdraw the result, rebuild a year's towns and clusters.

The rules themselves live in `villages.scoring` (pure); this module loads their inputs in a few set-based
queries and writes the results. `report_assess` is called by the review workflow when a report is approved,
`report_assessment_withdraw` when an approved report is reopened.
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, Count, Exists, OuterRef, Q, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from villages import scoring
from villages.models import AnnualReport, Assessment, CriteriaSet, TaobaoTown, VillageCluster
from villages.selectors.certification import criteria_set_among, criteria_set_for_year

StatusChange = Assessment.StatusChange


def report_assess(*, report: AnnualReport) -> Assessment:
    """Score an approved report under the criteria of its year and record it (one per village and year).

    The status change is measured against the village's assessment of the previous year, and the following
    year's status change is corrected if that year is already assessed. The year's Taobao towns and clusters
    are rebuilt. Call it after the report's status is set to approved.
    """
    if report.status != AnnualReport.Status.APPROVED:
        raise ValidationError(_("Only an approved report can be assessed."))
    with transaction.atomic():
        criteria_set = criteria_set_for_year(report.year)
        assessment = report_assessment_record(report=report, criteria_set=criteria_set)
        status_changes_refresh(years=[report.year + 1], village_ids=[report.village_id])
        year_derivatives_refresh(
            year=report.year, criteria_set=criteria_set, township_code=report.village.township_id
        )
    return assessment


def report_assessment_record(*, report: AnnualReport, criteria_set: CriteriaSet) -> Assessment:
    """Score a report under `criteria_set` and record the village's assessment of its year, nothing more.

    The status change is measured against the village's assessment of the previous year. `report_assess`
    follows it with the next year's status change, the towns and the clusters; the rescore benchmark's
    per-village loop calls it alone.
    """
    inputs = scoring.VillageInputs(
        committee_type=report.village.committee_type,
        ecommerce_sales=report.ecommerce_sales,
        active_shops=report.active_shops,
        households=report.households,
    )
    previous_qualified = (
        Assessment.objects.filter(village_id=report.village_id, year=report.year - 1)
        .values_list("qualified", flat=True)
        .first()
    )
    assessment, _created = Assessment.objects.update_or_create(
        village_id=report.village_id,
        year=report.year,
        defaults={"report": report, **_assessment_fields(criteria_set, inputs, previous_qualified)},
    )
    return assessment


def _assessment_fields(criteria_set: CriteriaSet, inputs: scoring.VillageInputs, previous_qualified) -> dict:
    """The fields an assessment stores for `inputs` under `criteria_set`, the previous year's verdict given."""
    result = scoring.assess_village(scoring.VillageCriteria.of(criteria_set), inputs)
    return {
        "criteria_set": criteria_set,
        "inputs": inputs.as_dict(),
        "checks": result.checks_as_dicts(),
        "qualified": result.qualified,
        "score": result.score,
        "status_change": scoring.status_change(previous_qualified=previous_qualified, qualified=result.qualified),
    }


def report_assessment_withdraw(*, report: AnnualReport) -> None:
    """Remove the assessment an approved report gave (the report is reopened) and what followed from it."""
    with transaction.atomic():
        deleted, _by_model = Assessment.objects.filter(report=report).delete()
        if not deleted:
            return
        status_changes_refresh(years=[report.year + 1], village_ids=[report.village_id])
        year_derivatives_refresh(year=report.year, township_code=report.village.township_id)


def status_changes_refresh(*, years, village_ids=None) -> int:
    """Recompute `status_change` of the years' assessments against the year before (one UPDATE a year)."""
    updated = 0
    previous_qualified = Exists(
        Assessment.objects.filter(
            village_id=OuterRef("village_id"), year=OuterRef("year") - 1, qualified=True
        )
    )
    for year in years:
        assessments = Assessment.objects.filter(year=year)
        if village_ids is not None:
            assessments = assessments.filter(village_id__in=village_ids)
        updated += assessments.update(
            status_change=Case(
                When(Q(qualified=True) & previous_qualified, then=Value(StatusChange.RETAINED)),
                When(qualified=True, then=Value(StatusChange.NEW)),
                When(previous_qualified, then=Value(StatusChange.LOST)),
                default=Value(StatusChange.NONE),
            )
        )
    return updated


def year_derivatives_refresh(
    *, year: int, criteria_set: CriteriaSet | None = None, township_code: str | None = None
) -> None:
    """Rebuild the Taobao towns (all, or one township's) and the clusters of a year from its assessments."""
    if criteria_set is None:
        criteria_set = criteria_set_for_year(year)
    taobao_towns_refresh(year=year, criteria_set=criteria_set, township_code=township_code)
    clusters_refresh(year=year, criteria_set=criteria_set)


def _input_sum(key: str):
    return Coalesce(Sum(Cast(KeyTextTransform(key, "inputs"), BigIntegerField())), Value(0))


def taobao_towns_refresh(*, year: int, criteria_set: CriteriaSet, township_code: str | None = None) -> int:
    """Replace the year's Taobao towns: one aggregate over its assessments, the pure town rule, one insert.

    A township's sales and active shops are the sums over its assessed villages (approved reports). With
    `township_code`, only that township is rebuilt: one approval changes nothing elsewhere, and the aggregate
    stays small when the year has hundreds of thousands of assessments.
    """
    assessments = Assessment.objects.filter(year=year)
    if township_code is not None:
        assessments = assessments.filter(village__township_id=township_code)
    townships = (
        assessments
        .values_list("village__township_id")
        .annotate(
            taobao_villages=Count("id", filter=Q(qualified=True)),
            ecommerce_sales=_input_sum("ecommerce_sales"),
            active_shops=_input_sum("active_shops"),
        )
        .order_by()
    )
    totals = {code: TownshipTotals(villages, int(sales), int(shops)) for code, villages, sales, shops in townships}
    return taobao_towns_replace(year=year, criteria_set=criteria_set, totals=totals, township_code=township_code)


class TownshipTotals(NamedTuple):
    """A township's year as the town rule reads it: Taobao villages, and sums over its assessed villages."""

    taobao_villages: int
    ecommerce_sales: int
    active_shops: int


def taobao_towns_replace(
    *, year: int, criteria_set: CriteriaSet, totals: dict[str, TownshipTotals], township_code: str | None = None
) -> int:
    """Replace the year's Taobao towns (or one township's) with those the town rule finds in `totals`."""
    criteria = scoring.TownCriteria.of(criteria_set)
    towns = []
    for code, township in totals.items():
        inputs = scoring.TownInputs(code, *township)
        route = scoring.town_route(criteria, inputs)
        if route is not None:
            towns.append(
                TaobaoTown(
                    township_id=code,
                    year=year,
                    criteria_set=criteria_set,
                    route=route,
                    taobao_villages=inputs.taobao_villages,
                    ecommerce_sales=inputs.ecommerce_sales,
                    active_shops=inputs.active_shops,
                )
            )
    existing_towns = TaobaoTown.objects.filter(year=year)
    if township_code is not None:
        existing_towns = existing_towns.filter(township_id=township_code)
    existing_towns.delete()
    TaobaoTown.objects.bulk_create(towns, batch_size=500)
    return len(towns)


def clusters_refresh(*, year: int, criteria_set: CriteriaSet) -> int:
    """Replace the year's clusters: load its Taobao villages once, link them, insert the groups."""
    criteria = scoring.ClusterCriteria.of(criteria_set)
    rows = (
        Assessment.objects.filter(year=year, qualified=True)
        .order_by()
        .values_list("village_id", "village__township_id", "village__latitude", "village__longitude")
    )
    county_of = {}
    members = []
    for village_id, township_code, latitude, longitude in rows:
        county_of[village_id] = township_code[:6]
        members.append(
            scoring.ClusterMember(
                village_id=village_id,
                township_code=township_code,
                latitude=float(latitude) if latitude is not None else None,
                longitude=float(longitude) if longitude is not None else None,
            )
        )
    groups = [
        (group, size_class)
        for group in scoring.link_villages(members, link_km=settings.CLUSTER_LINK_KM)
        if (size_class := scoring.cluster_size_class(criteria, len(group))) is not None
    ]
    VillageCluster.objects.filter(year=year).delete()
    clusters = VillageCluster.objects.bulk_create(
        [
            VillageCluster(
                year=year,
                size_class=size_class,
                village_count=len(group),
                counties=sorted({county_of[village_id] for village_id in group}),
            )
            for group, size_class in groups
        ]
    )
    # The memberships (one row per Taobao village) go in one COPY or executemany: through-model instances
    # would cost more than the linking itself in a national rebuild.
    membership = VillageCluster.villages.through._meta
    _rows_insert(
        membership.db_table,
        [membership.get_field("villagecluster").column, membership.get_field("village").column],
        [
            (cluster.pk, village_id)
            for cluster, (group, _size_class) in zip(clusters, groups, strict=True)
            for village_id in group
        ],
    )
    return len(clusters)


def _rows_insert(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain rows the fastest way the database offers: COPY on PostgreSQL (psycopg 3), else executemany.

    COPY measured several times faster than psycopg's pipelined executemany for 100,000 rows.
    """
    table = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)


RESCORE_BATCH_SIZE = 5000
_RESCORED_FIELDS = ["criteria_set", "report", "inputs", "checks", "qualified", "score", "status_change"]


@dataclass(frozen=True)
class RescoreSummary:
    """What a rescoring run did: assessments written and removed, and how many changed qualified status."""

    years: tuple[int, ...]
    assessed: int
    removed: int
    gained: int
    lost: int

    @property
    def changed(self) -> int:
        return self.gained + self.lost


def assessments_rescore(*, years=None, batch_size: int = RESCORE_BATCH_SIZE) -> RescoreSummary:
    """Recompute the assessments of the given years (all years when None) under their criteria versions.

    Set-based: approved reports are read through one `values_list` cursor, scored in Python by the pure rule,
    staged in batches and written back with one upsert statement a year; the next year's status changes, the
    towns and the clusters follow in a few statements a year. Assessments of reports that are no longer
    approved go. Assessments recorded without a report are rescored from their input snapshot.
    """
    approved = AnnualReport.objects.filter(status=AnnualReport.Status.APPROVED)
    with transaction.atomic():
        if years is None:
            years = set(approved.values_list("year", flat=True).distinct()) | set(
                Assessment.objects.values_list("year", flat=True).distinct()
            )
        years = tuple(sorted(set(years)))
        criteria_sets = list(CriteriaSet.objects.order_by("first_year"))
        criteria_of_year = {year: criteria_set_among(criteria_sets, year) for year in years}

        totals = {"assessed": 0, "removed": 0, "gained": 0, "lost": 0}
        qualified_of_year: dict[int, set] = {}
        townships_of_year: dict[int, dict[str, TownshipTotals]] = {}
        for year in years:
            previous = qualified_of_year.get(year - 1)
            if previous is None:
                previous = _qualified_villages(year - 1)
            qualified_of_year[year], townships_of_year[year] = _rescore_year(
                year=year,
                criteria_set=criteria_of_year[year],
                previous=previous,
                batch_size=batch_size,
                totals=totals,
            )

        status_changes_refresh(years=[year + 1 for year in years if year + 1 not in qualified_of_year])
        for year in years:
            # The townships' totals were summed during the pass: no second aggregate over the year.
            taobao_towns_replace(year=year, criteria_set=criteria_of_year[year], totals=townships_of_year[year])
            clusters_refresh(year=year, criteria_set=criteria_of_year[year])
    return RescoreSummary(years=years, **totals)


def _qualified_villages(year: int) -> set:
    """The ids of the villages qualified in `year` (a village without an assessment counts as not qualified)."""
    return set(
        Assessment.objects.filter(year=year, qualified=True).order_by().values_list("village_id", flat=True)
    )


def _rescore_year(*, year, criteria_set, previous, batch_size, totals) -> tuple[set, dict[str, TownshipTotals]]:
    """Rescore one year in batches; returns its qualified villages and its townships' totals for the town rule.

    One pass over the approved reports (one cursor, `values_list`, no model instances): each village is
    scored by the pure rule, its inputs and checks are written as JSON text, its status change is read off
    the previous year's qualified villages, its township's Taobao villages, sales and active shops are
    summed; rows are staged `batch_size` at a time and upserted together. Adds to the running `totals`.
    """
    criteria = scoring.VillageCriteria.of(criteria_set)
    status_of = {
        (was, now): scoring.status_change(previous_qualified=was, qualified=now)
        for was in (False, True)
        for now in (False, True)
    }
    before = _qualified_villages(year)
    after: set = set()
    reports = (
        AnnualReport.objects.filter(status=AnnualReport.Status.APPROVED, year=year)
        .order_by("id")
        .values_list(
            "id",
            "village_id",
            "village__township_id",
            "village__committee_type",
            "ecommerce_sales",
            "active_shops",
            "households",
        )
        .iterator(chunk_size=batch_size)
    )
    townships: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    upsert = _AssessmentUpsert(year=year, criteria_set_id=criteria_set.pk)
    score, qualified_village = AssessmentRowText(criteria).row, after.add
    while batch := list(islice(reports, batch_size)):
        rows = []
        for report_id, village_id, township_code, committee_type, sales, shops, households in batch:
            qualified, score_value, inputs_json, checks_json = score(committee_type, sales, shops, households)
            township = townships[township_code]
            if qualified:
                qualified_village(village_id)
                township[0] += 1
            township[1] += sales
            township[2] += shops
            rows.append(
                (
                    village_id,
                    report_id,
                    inputs_json,
                    checks_json,
                    qualified,
                    score_value,
                    status_of[village_id in previous, qualified],
                )
            )
        upsert.write(rows)
        totals["assessed"] += len(rows)
    upsert.finish()

    without_report = []
    snapshots = Assessment.objects.filter(year=year, report__isnull=True).values_list(
        "id", "village_id", "village__township_id", "inputs"
    )
    for assessment_id, village_id, township_code, snapshot in snapshots:
        inputs = scoring.VillageInputs.from_dict(snapshot)
        assessment = Assessment(id=assessment_id, **_assessment_fields(criteria_set, inputs, village_id in previous))
        township = townships[township_code]
        if assessment.qualified:
            after.add(village_id)
            township[0] += 1
        township[1] += inputs.ecommerce_sales
        township[2] += inputs.active_shops
        without_report.append(assessment)
    Assessment.objects.bulk_update(without_report, _RESCORED_FIELDS, batch_size=batch_size)
    totals["assessed"] += len(without_report)

    stale = Assessment.objects.filter(year=year, report__isnull=False).exclude(
        report__status=AnnualReport.Status.APPROVED
    )
    totals["removed"] += stale.delete()[0]
    totals["gained"] += len(after - before)
    totals["lost"] += len(before - after)
    return after, {code: TownshipTotals(*township) for code, township in townships.items()}


_json_text = json.JSONEncoder(separators=(",", ":")).encode
_JSON_BOOLEANS = ("false", "true")
_JSON_ROUTES = {scoring.SHOP_ROUTE_COUNT: '"count"', scoring.SHOP_ROUTE_SHARE: '"share"', None: "null"}
_CHECK_JSON = '{"key":"%s","passed":%%s,"actual":%%s,"required":%%s,"gap":%%s'
_SALES_AND_SHOPS_JSON = (
    _CHECK_JSON % scoring.SALES
    + "},"
    + _CHECK_JSON % scoring.SHOPS
    + ',"route":%s,"share_actual":%r,"share_required":%r,"share_gap":%r,"shops_for_share":%s}]'
)
_INPUTS_JSON = '{"committee_type":%s,"ecommerce_sales":%s,"active_shops":%s,"households":%s}'


class AssessmentRowText:
    """The village rule of one criteria version, written the way the rescoring upsert stages a row.

    `row` gives the values and JSON texts of one village's assessment row, filled into fixed templates:
    no check object is built and no JSON encoder runs (a national rescoring calls it for every village).
    The texts are exactly `VillageInputs.as_dict()` and `assess(...).checks_as_dicts()`, compact, because
    both come from the scorer's one `outcome`.
    """

    def __init__(self, criteria: scoring.VillageCriteria):
        self._scorer = scoring.village_scorer(criteria)
        self._min_sales = criteria.min_sales
        self._min_shops = criteria.min_active_shops
        self._share_required = criteria.share_required
        self._committee_types: dict[str, tuple[str, str]] = {}

    def row(self, committee_type: str, sales: int, shops: int, households: int) -> tuple[bool, Decimal, str, str]:
        """(qualified, score, inputs JSON, checks JSON) of one village; the figures are integers, as the
        database gives them."""
        outcome = self._scorer.outcome(committee_type, sales, shops, households)
        committee = self._committee_types.get(committee_type)
        if committee is None:
            committee = self._committee_types[committee_type] = self._committee_json(committee_type)
        location_json, committee_json = committee
        shops_for_share = outcome.shops_for_share
        checks_json = location_json + _SALES_AND_SHOPS_JSON % (
            _JSON_BOOLEANS[outcome.sales_passed],
            sales,
            self._min_sales,
            outcome.sales_gap,
            _JSON_BOOLEANS[outcome.shops_passed],
            shops,
            self._min_shops,
            outcome.shop_gap,
            _JSON_ROUTES[outcome.route],
            outcome.share_actual,
            self._share_required,
            outcome.share_gap,
            "null" if shops_for_share is None else shops_for_share,
        )
        return (
            outcome.qualified,
            outcome.score,
            _INPUTS_JSON % (committee_json, sales, shops, households),
            checks_json,
        )

    def _committee_json(self, committee_type: str) -> tuple[str, str]:
        """The location check (the opening of the checks array) and the committee type, as JSON text."""
        location = self._scorer.location_check(committee_type).as_dict()
        return "[" + _json_text(location) + ",", _json_text(committee_type)


class _AssessmentUpsert:
    """Insert or update the assessments of one year: rows staged in a temporary table, then one upsert.

    Rows go to an unindexed temporary table (COPY on PostgreSQL, `executemany` on SQLite; a batch per call),
    and `finish` moves them
    into the assessments in one `INSERT … SELECT … ON CONFLICT (village, year) DO UPDATE`. The same upsert
    run row by row through `executemany` measured over twice as slow on SQLite (20,000 villages), whether
    rows were inserted or updated. No model instances either: preparing every field through the ORM costs
    more than the scoring itself, and this is the path that rescores every village of the country.
    Supported by SQLite and PostgreSQL.
    """

    STAGING = "rescored_assessment"
    STAGED = (
        ("village_id", "bigint"),
        ("report_id", "bigint"),
        ("inputs", "text"),
        ("checks", "text"),
        ("qualified", "boolean"),
        ("score", "numeric"),
        ("status_change", "varchar(10)"),
    )
    CONSTANT = ("year", "criteria_set_id", "assessed_at", "created_at", "updated_at")
    KEPT_ON_UPDATE = {"village_id", "year", "created_at"}

    def __init__(self, *, year: int, criteria_set_id: int):
        self.staging = connection.ops.quote_name(self.STAGING)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.constants = [year, criteria_set_id, now, now, now]
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.staging} ("
                + ", ".join(f"{column} {kind}" for column, kind in self.STAGED)
                + ")"
            )

    def write(self, rows: list[tuple]) -> None:
        """Stage (village id, report id, inputs JSON, checks JSON, qualified, score, status change) rows."""
        _rows_insert(self.STAGING, [column for column, _kind in self.STAGED], rows)

    def finish(self) -> None:
        """Upsert the staged rows into the assessments and drop the staging table."""
        table = connection.ops.quote_name(Assessment._meta.db_table)
        json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
        staged = [column for column, _kind in self.STAGED]
        selected = [f"{column}{json_cast}" if column in ("inputs", "checks") else column for column in staged]
        columns = staged + list(self.CONSTANT)
        updated = ", ".join(f"{column} = excluded.{column}" for column in columns if column not in self.KEPT_ON_UPDATE)
        with connection.cursor() as cursor:
            # WHERE true: SQLite needs it to tell the upsert clause from a join condition.
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"SELECT {', '.join(selected)}, {', '.join(['%s'] * len(self.CONSTANT))} FROM {self.staging} "
                f"WHERE true ON CONFLICT (village_id, year) DO UPDATE SET {updated}",
                self.constants,
            )
            cursor.execute(f"DROP TABLE {self.staging}")

