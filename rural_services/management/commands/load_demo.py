"""`manage.py load_demo`: the demo registry (villages, shops, reports, accounts) and its service network.

It lives in rural_services because it loads both apps, and only rural_services may import villages.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from rural_services.demo_data import load_services_demo
from rural_services.models import CountyOperationCenter, ServiceActivity, ServicePoint
from villages.demo_data import DEMO_VILLAGES, load_villages_demo
from villages.feed.demo import load_demo_feed
from villages.models import AnnualReport, OnlineShop, ShopYear, Village


class Command(BaseCommand):
    help = _("Load the demo villages, shops, reports, service points and demo accounts; safe to run again.")

    def handle(self, *args, **options):
        if settings.SETTINGS_MODULE.endswith(".production"):
            raise CommandError(_("The demo data and its accounts are never loaded with production settings."))
        try:
            with transaction.atomic():
                demo = load_villages_demo()
                # The platform's own figures for the demo villages, through the feed as a platform posts them.
                load_demo_feed()
                load_services_demo(villages=demo.villages, admin=demo.users["admin"])
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        codes = [village.code for village in DEMO_VILLAGES]
        self.stdout.write(
            _(
                "Demo data: %(villages)s villages, %(shops)s shops, %(shop_years)s shop-years, %(reports)s reports "
                "(%(new_reports)s new), %(centers)s county centres, %(points)s service points, "
                "%(months)s months of activity."
            )
            % {
                "villages": Village.objects.filter(code__in=codes).count(),
                "shops": OnlineShop.objects.filter(village__code__in=codes).count(),
                "shop_years": ShopYear.objects.filter(shop__village__code__in=codes).count(),
                "reports": AnnualReport.objects.filter(village__code__in=codes).count(),
                "new_reports": len(demo.new_reports),
                "centers": CountyOperationCenter.objects.count(),
                "points": ServicePoint.objects.filter(village__code__in=codes).count(),
                "months": ServiceActivity.objects.filter(point__village__code__in=codes).count(),
            }
        )
