"""The villages app's models, re-exported so that callers import from `villages.models`."""

from .approval import ProvinceApprovalPolicy
from .base import TimeStampedModel, VersionedModel
from .certificates import Certificate
from .certification import Assessment, CriteriaSet, TaobaoTown, VillageCluster
from .conversions import TownshipConversion, TownshipKind, VillageConversion
from .data_version import PublishedDataVersion
from .divisions import Division
from .evidence import ReportAttachment, ReportComment
from .feed import DATA_FEEDS, FeedBatch, FeedToken, PlatformShopYear, PlatformVillageYear
from .imports import ImportJob
from .inbox import Notification, NotificationKind
from .jurisdiction import ADMINISTRATORS, COUNTY_OFFICIALS, REVIEWERS, JurisdictionAssignment
from .notifications import OutboundMail
from .reports import AnnualReport, ReportingWindow, ReviewEvent, TownshipReport
from .season import ReportingReminder, ReportingTrack
from .shops import OnlineShop, ShopYear
from .township_points import TownshipPoint
from .villages import Village
from .workers import WorkerHeartbeat

__all__ = [
    "ADMINISTRATORS",
    "DATA_FEEDS",
    "COUNTY_OFFICIALS",
    "REVIEWERS",
    "AnnualReport",
    "Assessment",
    "Certificate",
    "CriteriaSet",
    "Division",
    "FeedBatch",
    "FeedToken",
    "ImportJob",
    "JurisdictionAssignment",
    "Notification",
    "NotificationKind",
    "OnlineShop",
    "OutboundMail",
    "PlatformShopYear",
    "ProvinceApprovalPolicy",
    "PlatformVillageYear",
    "PublishedDataVersion",
    "ReportAttachment",
    "ReportComment",
    "ReportingReminder",
    "ReportingTrack",
    "ReportingWindow",
    "ReviewEvent",
    "ShopYear",
    "TaobaoTown",
    "TimeStampedModel",
    "TownshipConversion",
    "TownshipKind",
    "TownshipPoint",
    "TownshipReport",
    "VersionedModel",
    "Village",
    "VillageCluster",
    "VillageConversion",
    "WorkerHeartbeat",
]
