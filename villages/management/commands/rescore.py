"""`manage.py rescore [--year Y]`: recompute assessments, towns and clusters after a criteria change."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from villages.services.certification import assessments_rescore


class Command(BaseCommand):
    help = "Recompute the assessments of one year (or of every year) under their criteria versions."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Only this year (default: every year with reports).")

    def handle(self, *args, year=None, **options):
        try:
            summary = assessments_rescore(years=None if year is None else [year])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        years = ", ".join(str(y) for y in summary.years) or "-"
        self.stdout.write(
            f"Rescored {summary.assessed} assessments for {years}; removed {summary.removed}. "
            f"{summary.changed} changed qualified status ({summary.gained} gained, {summary.lost} lost)."
        )
