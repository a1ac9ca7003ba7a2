"""The open data: per year, the certified villages, the Taobao towns and the clusters, with their table schemas.

Only approved data: a qualified assessment exists only for an approved report, and towns and clusters are
derived from those. Columns have stable English names and Frictionless types (they are the package's
contract, whatever the reader's language); each table is one query streamed in chunks.
"""

import decimal
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from villages.exports.formats import CHUNK_ROWS, escape_cell
from villages.models import Assessment, TaobaoTown, VillageCluster


@dataclass(frozen=True)
class OpenField:
    name: str
    path: str
    type: str
    description: str


@dataclass(frozen=True)
class OpenTable:
    name: str
    label: Promise  # on the pages, in the reader's language; the package's own words are English
    title: str
    description: str
    fields: tuple[OpenField, ...]
    primary_key: tuple[str, ...]

    def rows(self, year: int) -> Iterator[list]:
        """The table's rows for the year, as escaped plain cells in field order."""
        queryset = OPEN_TABLE_ROWS[self.name](year)
        for row in queryset.values_list(*[field.path for field in self.fields]).iterator(chunk_size=CHUNK_ROWS):
            yield [_open_cell(value) for value in row]

    def schema(self) -> dict:
        return {
            "fields": [
                {"name": field.name, "type": field.type, "description": field.description} for field in self.fields
            ],
            "primaryKey": list(self.primary_key),
        }


def _open_cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    return escape_cell(value)


VILLAGES = OpenTable(
    "villages",
    _("Certified Taobao villages"),
    "Certified Taobao villages",
    "Every village with an approved report that qualified as a Taobao village in the year.",
    (
        OpenField("village_code", "village__code", "string", "12-digit statistical division code (NBS)"),
        OpenField("village_name", "village__name", "string", "Name of the village-level unit"),
        OpenField("township_code", "village__township_id", "string", "9-digit township code"),
        OpenField("township_name", "village__township__name", "string", "Township name"),
        OpenField("county_code", "village__township__parent_id", "string", "6-digit county code (GB/T 2260)"),
        OpenField("county_name", "village__township__parent__name", "string", "County name"),
        OpenField(
            "committee_type", "village__committee_type", "string", "village_committee, neighbourhood_committee or other"
        ),
        OpenField("year", "year", "integer", "Year of the assessment"),
        OpenField("criteria_version", "criteria_set__name", "string", "Criteria version the village was scored on"),
        OpenField("score", "score", "number", "Readiness score, 0-100"),
        OpenField("status_change", "status_change", "string", "new (first certified) or retained (certified again)"),
        OpenField("latitude", "village__latitude", "number", "Latitude (WGS 84), empty when unknown"),
        OpenField("longitude", "village__longitude", "number", "Longitude (WGS 84), empty when unknown"),
    ),
    ("village_code",),
)
TOWNS = OpenTable(
    "towns",
    _("Taobao towns"),
    "Taobao towns",
    "Townships that qualified as Taobao towns in the year, with the route they qualified by.",
    (
        OpenField("township_code", "township_id", "string", "9-digit township code"),
        OpenField("township_name", "township__name", "string", "Township name"),
        OpenField("county_code", "township__parent_id", "string", "6-digit county code"),
        OpenField("county_name", "township__parent__name", "string", "County name"),
        OpenField("year", "year", "integer", "Year"),
        OpenField("route", "route", "string", "villages (by its Taobao villages) or scale (by sales and active shops)"),
        OpenField("taobao_villages", "taobao_villages", "integer", "Taobao villages in the township"),
        OpenField("ecommerce_sales", "ecommerce_sales", "integer", "Annual e-commerce sales, RMB yuan"),
        OpenField("active_shops", "active_shops", "integer", "Active online shops"),
        OpenField("criteria_version", "criteria_set__name", "string", "Criteria version"),
    ),
    ("township_code",),
)
CLUSTERS = OpenTable(
    "clusters",
    _("Taobao village clusters"),
    "Taobao village clusters",
    "Groups of at least 10 contiguous Taobao villages in the year.",
    (
        OpenField("cluster_id", "pk", "integer", "Identifier of the cluster in this registry"),
        OpenField("year", "year", "integer", "Year"),
        OpenField("size_class", "size_class", "string", "cluster, large or super_large"),
        OpenField("taobao_villages", "village_count", "integer", "Taobao villages in the cluster"),
        OpenField("county_codes", "counties", "string", "Codes of the counties the cluster spans, space-separated"),
    ),
    ("cluster_id",),
)
OPEN_TABLES = {table.name: table for table in (VILLAGES, TOWNS, CLUSTERS)}
OPEN_TABLE_ROWS = {
    "villages": lambda year: Assessment.objects.filter(qualified=True, year=year).order_by("village__code"),
    "towns": lambda year: TaobaoTown.objects.filter(year=year).order_by("township_id"),
    "clusters": lambda year: VillageCluster.objects.filter(year=year).order_by("-village_count", "pk"),
}


def open_data_years() -> list[dict]:
    """The years with certified villages, newest first, each with its count (one query)."""
    counts = Assessment.objects.filter(qualified=True).values_list("year").annotate(count=Count("id")).order_by("-year")
    return [{"year": year, "taobao_villages": count} for year, count in counts]


# Licences the pages can name in the reader's language; any other configured licence is named by its title.
KNOWN_LICENCE_TITLES = {"CC-BY-4.0": _("Creative Commons Attribution 4.0 International")}


def licence_title(licence: dict):
    return KNOWN_LICENCE_TITLES.get(licence["name"], licence["title"])
