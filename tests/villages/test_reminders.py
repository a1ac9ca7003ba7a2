"""Reminders before a reporting window closes: the right official, the right villages, once."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from tests.completeness_data import YEAR, build_season
from villages.models import OutboundMail, ReportingReminder, ReportingWindow
from villages.reminders import reminders_send

THREE_DAYS_BEFORE = datetime.date(2024, 10, 28)


@pytest.fixture
def season(tree):
    return build_season(tree)


def test_a_window_closing_in_three_days_reminds_each_official_of_their_villages_once(
        season, django_capture_on_commit_callbacks, settings):
    settings.REMINDER_DAYS_BEFORE_CLOSE = 3
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=THREE_DAYS_BEFORE) == 3  # official_c, with no address, in the inbox only
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"a@example.gov.cn", "b@example.gov.cn"}
    county_a = by_recipient["a@example.gov.cn"].body
    for listed in ("一村 (410102100201)", "八村 (410102100208)", "五村 (410102100205)"):
        assert listed in county_a
    # Submitted and approved reports are not owed; nor are villages nobody expects, nor other counties'.
    for absent in ("二村", "三村", "四村", "六村", "九村", "十一村"):
        assert absent not in county_a
    assert "2024-10-31" in by_recipient["a@example.gov.cn"].subject
    county_b = by_recipient["b@example.gov.cn"].body
    assert "九村 (410103100209): draft" in county_b and "十村 (410103100210): returned" in county_b
    reminder = ReportingReminder.objects.get(recipient=season.users["official_a"])
    assert reminder.village_codes == ["410102100201", "410102100208", "410102100205"]
    assert reminder.mail.status == OutboundMail.Status.SENT

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=THREE_DAYS_BEFORE) == 0
        assert reminders_send(today=THREE_DAYS_BEFORE + datetime.timedelta(days=1)) == 0
    assert len(mail.outbox) == 2
    assert OutboundMail.objects.count() == 2


@pytest.mark.parametrize("today", [datetime.date(2024, 10, 27), datetime.date(2024, 11, 1)])
def test_no_reminder_before_the_period_or_after_the_window_closed(season, settings, today):
    settings.REMINDER_DAYS_BEFORE_CLOSE = 3
    assert reminders_send(today=today) == 0
    assert not ReportingReminder.objects.exists()


def test_a_window_moved_later_is_a_new_deadline_with_one_new_reminder(season, settings):
    settings.REMINDER_DAYS_BEFORE_CLOSE = 3
    assert reminders_send(today=THREE_DAYS_BEFORE) == 3
    ReportingWindow.objects.filter(year=YEAR).update(closes_on=datetime.date(2024, 11, 3))
    assert reminders_send(today=datetime.date(2024, 11, 1)) == 3
    assert reminders_send(today=datetime.date(2024, 11, 2)) == 0
    assert ReportingReminder.objects.filter(recipient=season.users["official_a"]).count() == 2


def test_officials_without_an_address_get_no_mail_and_those_without_owed_reports_nothing(season, settings):
    settings.REMINDER_DAYS_BEFORE_CLOSE = 3
    reminders_send(today=THREE_DAYS_BEFORE)
    recipients = set(ReportingReminder.objects.values_list("recipient__username", flat=True))
    assert recipients == {"official_a", "official_b", "official_c"}  # Cao County owes nothing
    # official_c has no e-mail: the reminder is in their inbox (tests/villages/test_inbox.py), not in the mail.
    assert ReportingReminder.objects.get(recipient__username="official_c").mail is None
    assert OutboundMail.objects.count() == 2


def test_the_command_sends_them_and_refuses_a_bad_date(season, settings):
    settings.REMINDER_DAYS_BEFORE_CLOSE = 3
    out = io.StringIO()
    call_command("send_reminders", "--today", "2024-10-29", stdout=out)
    assert "Sent 3 reminder(s)." in out.getvalue()
    call_command("send_reminders", "--today", "2024-10-29", stdout=out)
    assert "Sent 0 reminder(s)." in out.getvalue()
    with pytest.raises(CommandError):
        call_command("send_reminders", "--today", "tomorrow")
