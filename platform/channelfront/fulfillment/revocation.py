"""A refunded order's license keys stop counting as sold.

The key stays on the order (it was issued, and the reseller may have passed it on), but
it is marked revoked: the order page and ``flask licenses verify`` say so.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.orders.models import Order
from channelfront.orders.signals import order_refunded


@order_refunded.connect
def revoke(order: Order, **_extra: object) -> None:
    """Revoke every license of a refunded order, once (no commit)."""
    db.session.execute(
        update(License)
        .where(License.order_id == order.id, License.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
        .execution_options(synchronize_session="fetch")
    )


def find(key: str) -> License | None:
    """The issued license with this key (any spelling verify_key accepts), if any."""
    return db.session.scalar(select(License).where(License.key == key.strip().upper()))
