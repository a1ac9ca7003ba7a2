"""What the villages pages show of the service network (through their page parts): points, coverage."""

from django import template

from rural_services.selectors import may_see_partner_details, service_coverage, service_points_visible_to

register = template.Library()


@register.inclusion_tag("rural_services/includes/village_points.html", takes_context=True)
def village_service_points(context, village):
    user = context["request"].user
    points = list(
        service_points_visible_to(user).filter(village=village).prefetch_related("services").order_by("code")
    )
    return {
        "points": points,
        "show_partner": bool(points) and may_see_partner_details(user, points[0]),
    }


@register.inclusion_tag("rural_services/includes/coverage.html", takes_context=True)
def network_coverage(context):
    """The network's coverage, inside the area of the page's public filters when it has any."""
    filters = context.get("filters")
    prefix = filters.prefix if filters else ""
    return {"coverage": service_coverage(prefix), "area_filtered": bool(prefix)}
