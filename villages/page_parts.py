"""Places on the villages app's pages where another app shows its own part (the service network's panels).

The villages app never imports the service network, yet its dashboard shows the network's coverage and its
home page links to the county centres. Another app registers a template for a named place when it is ready;
the page includes whatever is registered there, in order.
"""

DASHBOARD = "dashboard"
HOME_ACTIONS = "home_actions"

PAGE_PARTS: dict[str, list[str]] = {DASHBOARD: [], HOME_ACTIONS: []}


def register_page_part(place: str, template_name: str) -> None:
    """Show `template_name` at `place` (one of the names above) on the villages app's pages."""
    parts = PAGE_PARTS[place]
    if template_name not in parts:
        parts.append(template_name)
