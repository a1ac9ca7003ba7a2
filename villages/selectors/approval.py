"""How many approval levels a report's province has (`ProvinceApprovalPolicy`), as a query or as a condition.

The workflow puts `two_levels_q` into its one conditional UPDATE, and the review queue into its filter, so a
province with a single level costs no query of its own.
"""

from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat, Substr

from villages import codes
from villages.models import ProvinceApprovalPolicy

TWO = ProvinceApprovalPolicy.Levels.TWO


def two_levels_q(code: str) -> Q:
    """A condition true when the province of `code` has two approval levels (no OuterRef: any row, any table)."""
    return Q(Exists(ProvinceApprovalPolicy.objects.filter(province_id=codes.VillageCode(code).province, levels=TWO)))


def two_levels_row_q(code_path: str) -> Q:
    """A condition on each row: the province of the code reached through `code_path` has two levels."""
    province = Concat(Substr(OuterRef(code_path), 1, 2), Value("0000"))
    return Q(Exists(ProvinceApprovalPolicy.objects.filter(province_id=province, levels=TWO)))


def approval_levels(code: str) -> int:
    """1 or 2: the levels a report of `code` passes before approval (one query; no policy is one level)."""
    levels = (
        ProvinceApprovalPolicy.objects.filter(province_id=codes.VillageCode(code).province)
        .values_list("levels", flat=True)
        .first()
    )
    return levels or ProvinceApprovalPolicy.Levels.ONE
