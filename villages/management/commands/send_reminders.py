"""`manage.py send_reminders`: remind county officials of the reports still owed before a window closes (daily)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from villages.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Send each county official, once per reporting window, the list of their expected villages that have "
        "not submitted a report, when the window closes within REMINDER_DAYS_BEFORE_CLOSE days. Run it daily; "
        "a second run sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to act as today (YYYY-MM-DD), for catching up after an outage")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(f"--today must be a date as YYYY-MM-DD, not {options['today']!r}.") from error
        sent = reminders_send(today=today)
        self.stdout.write(f"Sent {sent} reminder(s).")
