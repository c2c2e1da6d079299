"""A Celery worker of the app whose fulfilment pauses before each line.

``python tests/integration/slow_worker.py SECONDS worker --pool=solo ...`` runs the
same worker as ``celery -A wsgi:celery worker ...``, except that every order line
waits SECONDS before its license is issued: long enough for the worker test to kill
the worker half-way through an order. Test-only: the app itself has no such hook.
"""

from __future__ import annotations

import sys
import time
from datetime import date

from channelfront.fulfillment import services
from channelfront.orders.models import Order, OrderLine

_issue_line = services._issue_line


def main() -> None:
    delay = float(sys.argv[1])

    def slow_issue_line(order: Order, line: OrderLine, today: date) -> bool:
        time.sleep(delay)
        return _issue_line(order, line, today)

    services._issue_line = slow_issue_line

    from wsgi import celery

    celery.worker_main(sys.argv[2:])


if __name__ == "__main__":
    main()
