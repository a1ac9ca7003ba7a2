"""Places on the villages app's pages where another app shows its own part (the service network's panels).

The villages app never imports the service network, yet its dashboard shows the network's coverage, its
home page links to the county centres and a village's page lists its service points. Another app
registers a template for a named place when it is ready; the page includes whatever is registered there.
"""

DASHBOARD = "dashboard"
HOME_ACTIONS = "home_actions"
VILLAGE_DETAIL = "village_detail"  # the part sees the page's `village`

PAGE_PARTS: dict[str, list[str]] = {DASHBOARD: [], HOME_ACTIONS: [], VILLAGE_DETAIL: []}


def register_page_part(place: str, template_name: str) -> None:
    """Show `template_name` at `place` (one of the names above) on the villages app's pages."""
    parts = PAGE_PARTS[place]
    if template_name not in parts:
        parts.append(template_name)
