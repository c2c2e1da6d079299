"""The distributor staff's home page: what waits for them, and where their work is.

Each queue is one count query on the active tenant (the tenant wall scopes the rows),
shown only to the roles that may open the page it links to.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select
from sqlalchemy.sql import Select

from channelfront.accounts.models import User
from channelfront.deals.models import Deal, DealStatus
from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.partners.models import ApplicationStatus, PartnerApplication
from channelfront.quotes.models import SpecialPriceRequest, SpecialStage, SpecialStatus

PARTNER_ROLES = ("distributor_admin", "partner_manager")
FINANCE_ROLES = ("distributor_admin", "distributor_finance")


@dataclass(frozen=True)
class Queue:
    label: LazyString
    endpoint: str
    roles: tuple[str, ...]
    count: Select[tuple[int]]


def _count(model: type, *where: object) -> Select[tuple[int]]:
    return select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]


QUEUES = (
    Queue(
        _l("Partner applications waiting"),
        "partners.applications",
        PARTNER_ROLES,
        _count(PartnerApplication, PartnerApplication.status == ApplicationStatus.PENDING.value),
    ),
    Queue(
        _l("Deal registrations waiting"),
        "partner_deals.queue",
        PARTNER_ROLES,
        _count(Deal, Deal.status == DealStatus.PENDING.value),
    ),
    Queue(
        _l("Special prices waiting"),
        "partner_special.queue",
        PARTNER_ROLES,
        _count(
            SpecialPriceRequest,
            SpecialPriceRequest.status == SpecialStatus.PENDING.value,
            SpecialPriceRequest.stage == SpecialStage.DISTRIBUTOR.value,
        ),
    ),
    Queue(
        _l("Open invoices"),
        "invoices.index",
        FINANCE_ROLES,
        _count(Invoice, Invoice.status == "open"),
    ),
)


@dataclass(frozen=True)
class QueueRow:
    label: str
    url: str
    count: int


def _run(count: Select[tuple[int]]) -> int:
    return int(db.session.scalar(count) or 0)


def staff_queues(user: User, endpoints: set[str]) -> list[QueueRow]:
    """The queues this staff member works on, with how many items wait in each."""
    return [
        QueueRow(str(queue.label), url_for(queue.endpoint), _run(queue.count))
        for queue in QUEUES
        if user.role in queue.roles and queue.endpoint in endpoints
    ]
