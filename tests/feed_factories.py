"""factory_boy factories for the platform data feed: tokens, batches and the platform's figures."""

import datetime
import hashlib

import factory

from villages.models import FeedBatch, FeedToken, PlatformShopYear, PlatformVillageYear

from .factories import UserFactory, VillageFactory


class FeedTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedToken

    user = factory.SubFactory(UserFactory)
    label = factory.Sequence(lambda n: f"platform team {n}")
    key_digest = factory.Sequence(lambda n: hashlib.sha256(f"secret-{n}".encode()).hexdigest())
    key_prefix = factory.LazyAttribute(lambda token: token.key_digest[:8])
    expires_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=365))


class FeedBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedBatch

    token = factory.SubFactory(FeedTokenFactory)
    posted_by = factory.LazyAttribute(lambda batch: batch.token.user)
    kind = FeedBatch.Kind.SHOP_YEARS
    year = 2023
    status = FeedBatch.Status.APPLIED


class PlatformShopYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformShopYear

    platform = "taobao"
    platform_shop_id = factory.Sequence(lambda n: f"feed-{n:06d}")
    village = factory.SubFactory(VillageFactory)
    year = 2023
    shop_name = factory.Sequence(lambda n: f"平台店铺 {n}")
    sales = 150_000
    orders_last_3_months = 30
    days_open = 365
    batch = factory.SubFactory(FeedBatchFactory, year=factory.SelfAttribute("..year"))


class PlatformVillageYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformVillageYear

    village = factory.SubFactory(VillageFactory)
    year = 2023
    platform = "taobao"
    sales = 12_000_000
    active_shops = 120
    batch = factory.SubFactory(
        FeedBatchFactory, kind=FeedBatch.Kind.VILLAGE_YEARS, year=factory.SelfAttribute("..year")
    )
