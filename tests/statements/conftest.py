"""Fixtures of the statements tests: storefronts, card orders and subscriptions from the
order, payment and renewal tests, so incentives are fed through the real order paths."""

from __future__ import annotations

from tests.admin.conftest import console, count_queries, rows, submit, text_of  # noqa: F401
from tests.orders.conftest import northwind_shop, sakura_shop  # noqa: F401
from tests.payments.conftest import card_order  # noqa: F401
from tests.renewals.conftest import subscribed  # noqa: F401
