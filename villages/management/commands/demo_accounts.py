"""`manage.py demo_accounts`: list the demo accounts that `load_demo` made, with their role and area."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from villages.demo_data import DEFAULT_DEMO_PASSWORD, DEMO_ACCOUNTS
from villages.models import JurisdictionAssignment
from villages.selectors.jurisdiction import user_role


class Command(BaseCommand):
    help = _("Print the demo accounts (username, role, area) and where their password comes from.")

    def handle(self, *args, **options):
        users = (
            get_user_model()
            .objects.filter(username__in=[account.username for account in DEMO_ACCOUNTS])
            .prefetch_related(
                "groups",
                Prefetch(
                    "jurisdiction_assignments",
                    queryset=JurisdictionAssignment.objects.select_related("division").order_by("division"),
                ),
            )
            .order_by("id")
        )
        if not users:
            self.stdout.write(_("No demo accounts yet: run `manage.py load_demo`."))
            return
        self.stdout.write(_("Demo accounts:"))
        for user in users:
            area = ", ".join(
                f"{assignment.division.name} {assignment.division.code}"
                for assignment in user.jurisdiction_assignments.all()
            )
            self.stdout.write(
                f"  {user.username:<10} {user_role(user):<16} {area or _('everywhere')}"
            )
        self.stdout.write(
            _(
                "Password: the value of DEMO_PASSWORD when the accounts were created (default: %(default)s)."
            )
            % {"default": DEFAULT_DEMO_PASSWORD}
        )
