"""The stored criteria versions in plain words, and what changed from one version to the next and why.

Every sentence is generated from the fields of `CriteriaSet` rows (no ORM here: the rows are passed in),
so the page cannot drift from the rules the registry scores with: change a threshold in the admin and the
page says the new one. The "why" of a change belongs to the kind of change (a new route for towns, a
committee type leaving the rules), not to a year written by hand.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from villages import codes, scoring
from villages.models import CriteriaSet, Village
from villages.money import grouped_number


@dataclass(frozen=True)
class CriteriaInWords:
    criteria: CriteriaSet
    years: str
    village_rules: list[str]
    town_rules: list[str]
    cluster_rules: list[str]
    changes: list[tuple[str, str]]  # (what changed, why)


def _yuan(amount) -> str:
    return _("RMB %(amount)s") % {"amount": grouped_number(amount)}


def _years(criteria: CriteriaSet) -> str:
    if criteria.last_year is None:
        return _("From %(first)s on") % {"first": criteria.first_year}
    if criteria.last_year == criteria.first_year:
        return _("In %(first)s") % {"first": criteria.first_year}
    return _("From %(first)s to %(last)s") % {"first": criteria.first_year, "last": criteria.last_year}


def _types(type_codes) -> str:
    labels = dict(Village.CommitteeType.choices)
    return _(", ").join(str(labels.get(code, code)) for code in type_codes)


def _share(criteria: CriteriaSet) -> str:
    return grouped_number(criteria.village_min_household_share * 100, decimal_pos=0)


def _village_rules(criteria: CriteriaSet) -> list[str]:
    rules = [
        _("Only these village-level units can be Taobao villages: %(types)s.")
        % {"types": _types(criteria.eligible_committee_types)},
        _("Annual e-commerce sales reach at least %(sales)s.") % {"sales": _yuan(criteria.village_min_sales)},
        _("At least %(shops)s active online shops, or active shops in at least %(share)s %% of the households.")
        % {"shops": grouped_number(criteria.village_min_active_shops), "share": _share(criteria)},
    ]
    if codes.NEIGHBOURHOOD_COMMITTEE not in criteria.eligible_committee_types:
        if criteria.neighbourhood_committee_rule == scoring.NEIGHBOURHOOD_COMMITTEES_KEEP_CERTIFIED:
            rules.append(
                _(
                    "A neighbourhood committee that was a Taobao village in an earlier year keeps its eligibility; "
                    "no new neighbourhood committees are admitted."
                )
            )
        else:
            rules.append(_("Neighbourhood committees are excluded, also those certified in earlier years."))
    return rules


def _scale_route(criteria: CriteriaSet) -> str:
    return _(
        "Or, whatever its Taobao villages, it has e-commerce sales over %(sales)s and more than %(shops)s active shops."
    ) % {"sales": _yuan(criteria.town_min_sales), "shops": grouped_number(criteria.town_min_active_shops)}


def _town_rules(criteria: CriteriaSet) -> list[str]:
    rules = [
        _("A township is a Taobao town when it has at least %(count)s Taobao villages.")
        % {"count": criteria.town_min_taobao_villages}
    ]
    if criteria.town_scale_route:
        rules.append(_scale_route(criteria))
    if criteria.subdistricts_can_be_towns:
        rules.append(_("Towns, townships and subdistricts can all be Taobao towns."))
    else:
        rules.append(_("Subdistricts cannot be Taobao towns; only towns and townships can."))
    return rules


def _cluster_rules(criteria: CriteriaSet) -> list[str]:
    return [
        _("A cluster is at least %(count)s contiguous Taobao villages.") % {"count": criteria.cluster_min_villages},
        _("A large cluster has at least %(count)s, a super-large one more than %(over)s.")
        % {"count": criteria.cluster_large_min_villages, "over": criteria.cluster_super_large_over_villages},
    ]


def _changes(before: CriteriaSet, after: CriteriaSet) -> list[tuple[str, str]]:
    """What `after` changed against `before`, each with the reason that kind of change has."""
    changes = []
    if after.town_scale_route and not before.town_scale_route:
        changes.append(
            (
                _("Towns can also qualify by their scale alone: %(rule)s") % {"rule": _scale_route(after)},
                _(
                    "Townships with a large e-commerce economy spread over many villages, none of them large enough, "
                    "were not counted before."
                ),
            )
        )
    elif before.town_scale_route and not after.town_scale_route:
        changes.append((_("Towns can no longer qualify by their scale alone."), _("The route was withdrawn.")))
    removed = [code for code in before.eligible_committee_types if code not in after.eligible_committee_types]
    added = [code for code in after.eligible_committee_types if code not in before.eligible_committee_types]
    if removed:
        changes.append(
            (
                _("These units no longer count as Taobao villages: %(types)s.") % {"types": _types(removed)},
                _("A Taobao village is a rural measure: neighbourhood committees are urban units, so they leave it."),
            )
        )
    if added:
        changes.append(
            (
                _("These units now count as Taobao villages: %(types)s.") % {"types": _types(added)},
                _("The stored criteria admit them from this version on."),
            )
        )
    if before.subdistricts_can_be_towns and not after.subdistricts_can_be_towns:
        changes.append(
            (
                _("Subdistricts can no longer be Taobao towns."),
                _("Subdistricts are urban units; a Taobao town is a rural township (judged by its type in the year)."),
            )
        )
    elif after.subdistricts_can_be_towns and not before.subdistricts_can_be_towns:
        changes.append((_("Subdistricts can be Taobao towns again."), _("The stored criteria admit them.")))
    thresholds = (
        ("village_min_sales", _("Minimum village sales"), _yuan),
        ("village_min_active_shops", _("Minimum active shops of a village"), grouped_number),
        ("town_min_taobao_villages", _("Taobao villages a town needs"), grouped_number),
        ("cluster_min_villages", _("Taobao villages a cluster needs"), grouped_number),
    )
    for field, label, shown in thresholds:
        old, new = getattr(before, field), getattr(after, field)
        if old != new:
            changes.append(
                (
                    _("%(what)s: %(old)s, now %(new)s.") % {"what": label, "old": shown(old), "new": shown(new)},
                    _("A new threshold of the stored criteria."),
                )
            )
    return changes


def criteria_in_words(versions) -> list[CriteriaInWords]:
    """Each version (in the order of their first year) in words, with its changes against the one before."""
    ordered = sorted(versions, key=lambda criteria: criteria.first_year)
    described = []
    for index, criteria in enumerate(ordered):
        described.append(
            CriteriaInWords(
                criteria=criteria,
                years=_years(criteria),
                village_rules=_village_rules(criteria),
                town_rules=_town_rules(criteria),
                cluster_rules=_cluster_rules(criteria),
                changes=_changes(ordered[index - 1], criteria) if index else [],
            )
        )
    return described
