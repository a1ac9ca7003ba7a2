"""Divisions for pickers: the children of a division by code prefix, and a name search for townships."""

from django.db.models import Q

from villages import codes
from villages.models import Division
from villages.selectors.jurisdiction import code_prefix_q

CHILD_LEVEL = {
    codes.PROVINCE: codes.COUNTY,
    codes.PREFECTURE: codes.COUNTY,
    codes.COUNTY: codes.TOWNSHIP,
}
SEARCH_LIMIT = 20


def provinces():
    return Division.objects.filter(level=codes.PROVINCE).order_by("code")


def divisions_within(code: str, level: str):
    """Divisions of `level` inside the division `code` (counties of a province skip the prefecture level)."""
    parent = Division.objects.filter(code=code).only("code", "level").first()
    if parent is None or parent.level == codes.TOWNSHIP:
        return Division.objects.none()
    return Division.objects.filter(code_prefix_q("code", parent.code_prefix), level=level).order_by("code")


def townships_matching(text: str, within: str = ""):
    """Townships whose name or code contains `text`, with their county, for the village form's search."""
    text = text.strip()
    if not text:
        return Division.objects.none()
    townships = Division.objects.filter(level=codes.TOWNSHIP).filter(
        Q(name__contains=text) | (code_prefix_q("code", text) if text.isdigit() else Q(pk__in=[]))
    )
    if within.isdigit():
        townships = townships.filter(code_prefix_q("code", within))
    return townships.select_related("parent__parent").order_by("code")[:SEARCH_LIMIT]


def picker_choices(selected: dict) -> dict:
    """Options for the province → county → township selects, given the codes currently chosen."""
    province, county = selected.get("province") or "", selected.get("county") or ""
    return {
        "provinces": list(provinces().values_list("code", "name")),
        "counties": list(divisions_within(province, codes.COUNTY).values_list("code", "name")) if province else [],
        "townships": list(divisions_within(county, codes.TOWNSHIP).values_list("code", "name")) if county else [],
    }
