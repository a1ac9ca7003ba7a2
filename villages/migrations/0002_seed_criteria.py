"""Seed the published history of the Taobao-village criteria (DOMAIN.md)."""

from django.db import migrations

VILLAGE_AND_NEIGHBOURHOOD = ["village_committee", "neighbourhood_committee"]
VILLAGE_ONLY = ["village_committee"]

COMMON = {
    "village_min_sales": 10_000_000,
    "village_min_active_shops": 100,
    "village_min_household_share": "0.1000",
    "town_min_taobao_villages": 3,
    "cluster_min_villages": 10,
    "cluster_large_min_villages": 30,
    "cluster_super_large_over_villages": 100,
}

VERSIONS = [
    {
        "name": "AliResearch 2009–2018",
        "first_year": 2009,
        "last_year": 2018,
        "eligible_committee_types": VILLAGE_AND_NEIGHBOURHOOD,
        "town_scale_route": False,
        "town_min_sales": None,
        "town_min_active_shops": None,
        "subdistricts_can_be_towns": True,
        "source": "AliResearch annual reports; aliresearch.com/en/news/detail/id/20805.html",
    },
    {
        "name": "AliResearch 2019",
        "first_year": 2019,
        "last_year": 2019,
        "eligible_committee_types": VILLAGE_AND_NEIGHBOURHOOD,
        "town_scale_route": True,
        "town_min_sales": 30_000_000,
        "town_min_active_shops": 300,
        "subdistricts_can_be_towns": True,
        "source": "paper.lsnews.com.cn/lsrb/pc/content/201908/19/content_132474.html",
    },
    {
        "name": "AliResearch 2020 onward",
        "first_year": 2020,
        "last_year": None,
        "eligible_committee_types": VILLAGE_ONLY,
        "town_scale_route": True,
        "town_min_sales": 30_000_000,
        "town_min_active_shops": 300,
        "subdistricts_can_be_towns": False,
        "source": "news.fznews.com.cn/dsxw/20200903/5f504a24337a4.shtml; huzhou.gov.cn/art/2020/9/4/art_1229213494_56244317.html",
    },
]


def seed(apps, schema_editor):
    CriteriaSet = apps.get_model("villages", "CriteriaSet")
    for version in VERSIONS:
        CriteriaSet.objects.update_or_create(name=version["name"], defaults={**COMMON, **version})


def unseed(apps, schema_editor):
    CriteriaSet = apps.get_model("villages", "CriteriaSet")
    CriteriaSet.objects.filter(name__in=[v["name"] for v in VERSIONS], assessments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("villages", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
