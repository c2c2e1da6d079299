"""Schemathesis over the whole OpenAPI document, in-process, as buyer@bluebird.example.

Every operation gets its own test. Each case must not give a 5xx and must match the
document: status documented, body valid against its schema, headers, 405 with Allow
for undeclared methods, 401 without the token, valid input accepted, invalid refused.

``schema.parametrize()`` needs the document while tests are collected, before any
fixture exists. So the document is fetched, exactly as a client would, from an app on
a demo database of its own (built by the migrations, about a second); the cases are
then sent to the session app, inside each test's rolled-back transaction.

POST /orders has a test of its own, which counts what it was answered: it draws the
document's example body with its example Idempotency-Key as well as positive and
negative cases, so valid orders are placed (201) and keys replayed (200), and it checks
that they were, whatever ran before it. Each operation's test first places one order,
NW-000001, the document's example order number, so reads find something too.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter

import pytest
import schemathesis
from flask import Flask
from flask_migrate import upgrade
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from channelfront import create_app
from channelfront.api.openapi_orders import EXAMPLE_ORDER
from channelfront.demo.seed import load_demo
from channelfront.extensions import db

pytestmark = pytest.mark.slow
HOST = "northwind.localhost"
_folder = tempfile.TemporaryDirectory(prefix="cf-openapi-")


def _document_app() -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "openapi-document",
            "PASSWORD_HASH_COST": "cheap",
            "ADMIN_HOST": "admin.localhost",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{_folder.name}/document.db",
        }
    )
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return app


# POST /orders: a body can match the document and still name a SKU this reseller may
# not buy, a term its product does not sell, a customer of another company or more than
# the available credit, or ask for cards where none are taken. The document answers
# those with 422 and 402 (nothing written), so they count as accepted answers there.
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                "include-method": "POST",
                "include-path": "/orders",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "401", "402", "403", "404", "409", "422"]
                    }
                },
            },
            # A customer body can match the document and still break a customer rule
            # (a VAT id of the wrong length once spaces go, an e-mail the service refuses,
            # a duplicate that is not the company's): 422, nothing written.
            {
                "include-path-regex": "^/customers",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "401", "403", "404", "422"]
                    }
                },
            },
            # A webhook URL can match the document and still be refused by the SSRF rules
            # (not https, not resolving, a private address), or be one endpoint too many:
            # 422 naming `url`, nothing written.
            {
                "include-path-regex": "^/webhooks",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "401", "403", "404", "422"]
                    }
                },
            },
        ]
    }
)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", _document_app(), config=CONFIG, headers={"Host": HOST}
)
ORDER_CREATION = schema["/orders"]["POST"]
ORDER_CASES = st.one_of(
    *ORDER_CREATION.get_strategies_from_examples(),
    ORDER_CREATION.as_strategy(schemathesis.GenerationMode.POSITIVE),
    ORDER_CREATION.as_strategy(schemathesis.GenerationMode.NEGATIVE),
)

# POST /customers/import takes a text/csv body. Schemathesis sends the strings it draws
# for it as text, but a random string is refused at its header row; lists shaped like a
# customer list (the document's columns, cells that are right, wrong, formulas or
# repeats) reach the row checks and the write too.
CUSTOMER_IMPORT = schema["/customers/import"]["POST"]
COLUMNS = ("company_name", "contact_name", "email", "country", "vat_id", "crm_account_id")
_CELL = st.one_of(
    st.sampled_from(["Acme Corp", "Ada Acme", "ada@acme.example", "US", "DE", "", "CRM-1"]),
    st.sampled_from(["=1+1", "@SUM(A1)", "-2", "x@y", "ZZ", "a;b", '"quoted, cell"']),
    st.text(max_size=12),
)


@st.composite
def customer_lists(draw: st.DrawFn) -> str:
    columns = draw(st.permutations(COLUMNS))[: draw(st.integers(3, len(COLUMNS)))]
    rows = draw(st.lists(st.lists(_CELL, min_size=len(columns), max_size=len(columns)), max_size=6))
    good = draw(st.lists(st.integers(1, 999), max_size=4, unique=True))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=draw(st.sampled_from([",", ";"])))
    writer.writerow(columns)
    writer.writerows(rows)
    writer.writerows(
        [{"company_name": f"Co {n}", "contact_name": f"Person {n}", "email": f"p{n}@co.example",
          "country": "US", "vat_id": "", "crm_account_id": f"CRM-{n}"}[c] for c in columns]
        for n in good
    )  # fmt: skip
    return draw(st.sampled_from(["", "\ufeff"])) + out.getvalue()


IMPORT_CASES = st.one_of(
    *CUSTOMER_IMPORT.get_strategies_from_examples(),
    CUSTOMER_IMPORT.as_strategy(schemathesis.GenerationMode.POSITIVE),
    CUSTOMER_IMPORT.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    customer_lists().map(lambda text: CUSTOMER_IMPORT.Case(body=text, media_type="text/csv")),
)
# The token fixture is per test, shared by its examples on purpose.
FUZZ = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def bearer(token_for) -> str:  # type: ignore[no-untyped-def]
    """A fresh token per operation's test: the rollback at each test's end removes it."""
    return f"Bearer {token_for('buyer@bluebird.example', 'northwind')}"


@pytest.fixture
def an_order(app, bearer) -> str:  # type: ignore[no-untyped-def]
    """One order placed before each operation's cases, so reads have something to find:
    it is NW-000001, the number the document gives as the example of ``{number}``."""
    response = app.test_client().post(
        "/api/v1/orders",
        base_url=f"http://{HOST}",
        json=EXAMPLE_ORDER,
        headers={"Authorization": bearer, "Idempotency-Key": "schemathesis-first-order"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["number"]


def _call(case, app, bearer: str) -> int:  # type: ignore[no-untyped-def]
    if any(value == [] for value in (case.query or {}).values()):
        # A parameter whose value is an empty list is not sent at all: a "negative" case
        # such as {"customer": 1, "": []} goes out as ?customer=1 and is rightly accepted.
        reject()
    response = case.call_and_validate(
        app=app,
        base_url=f"http://{HOST}/api/v1",
        headers={"Authorization": bearer},
    )
    return response.status_code


@schema.exclude(method="POST", path="/orders").parametrize()
@FUZZ
def test_api_conforms_to_its_document(case, app, bearer, an_order):  # type: ignore[no-untyped-def]
    _call(case, app, bearer)


def test_order_creation_conforms_and_places_orders(app, bearer, an_order):  # type: ignore[no-untyped-def]
    """POST /orders, fuzzed: it places orders (201) and replays keys (200), not only refuses."""
    statuses: Counter[int] = Counter()

    @FUZZ
    @given(case=ORDER_CASES)
    def post(case) -> None:  # type: ignore[no-untyped-def]
        statuses[_call(case, app, bearer)] += 1

    post()
    assert statuses[201] > 0, statuses
    assert statuses[200] > 0, statuses


# The webhook operations as the two roles that may call them: a company administrator
# (the company's endpoints) and a distributor administrator (the storefront's).
# (``include`` would add to the default filter, which lets every operation in.)
WEBHOOKS = schema.exclude(path_regex="^/(?!webhooks)")
WEBHOOK_CREATION = schema["/webhooks"]["POST"]
LOOPBACK_URL = "http://127.0.0.1:9/hooks"  # allowed under tests; nothing is sent on save
ADMINS = ["admin@bluebird.example", "admin@northwind.example"]


def _to_loopback(case):  # type: ignore[no-untyped-def]
    if isinstance(case.body, dict):
        case.body = {**case.body, "url": LOOPBACK_URL}
    return case


WEBHOOK_CASES = st.one_of(
    *WEBHOOK_CREATION.get_strategies_from_examples(),
    WEBHOOK_CREATION.as_strategy(schemathesis.GenerationMode.POSITIVE),
    WEBHOOK_CREATION.as_strategy(schemathesis.GenerationMode.POSITIVE).map(_to_loopback),
    WEBHOOK_CREATION.as_strategy(schemathesis.GenerationMode.NEGATIVE),
)


@pytest.fixture(params=ADMINS)
def admin_bearer(request, token_for) -> str:  # type: ignore[no-untyped-def]
    return f"Bearer {token_for(request.param, 'northwind')}"


@pytest.fixture
def an_endpoint(app, admin_bearer) -> int:  # type: ignore[no-untyped-def]
    """The admin's endpoint with id 1, the document's example ``{endpoint_id}``, so
    rotate, the delivery log and delete find one (until a case deletes it)."""
    from sqlalchemy import update

    from channelfront.webhooks.models import WebhookEndpoint

    response = app.test_client().post(
        "/api/v1/webhooks",
        base_url=f"http://{HOST}",
        json={"url": LOOPBACK_URL, "events": ["order.placed"]},
        headers={"Authorization": admin_bearer},
    )
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        # PostgreSQL's sequence does not roll back with the test: move the row to id 1.
        db.session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == response.get_json()["id"])
            .values(id=1)
        )
        db.session.commit()
    return 1


@WEBHOOKS.parametrize()
@FUZZ
def test_webhook_operations_conform_as_admins(case, app, admin_bearer, an_endpoint):  # type: ignore[no-untyped-def]
    _call(case, app, admin_bearer)


def test_webhook_creation_conforms_and_creates_endpoints(app, admin_bearer):  # type: ignore[no-untyped-def]
    """POST /webhooks, fuzzed as an admin: endpoints are created (201), not only refused."""
    statuses: Counter[int] = Counter()

    @FUZZ
    @given(case=WEBHOOK_CASES)
    def post(case) -> None:  # type: ignore[no-untyped-def]
        statuses[_call(case, app, admin_bearer)] += 1

    post()
    assert statuses[201] > 0, statuses
    assert statuses[422] > 0, statuses


def test_customer_import_conforms_imports_and_refuses(app, bearer, an_order):  # type: ignore[no-untyped-def]
    """POST /customers/import, fuzzed with text/csv bodies: lists are imported (200) and
    refused by row and field (422), never a 5xx, every answer as documented."""
    statuses: Counter[int] = Counter()

    @FUZZ
    @given(case=IMPORT_CASES)
    def post(case) -> None:  # type: ignore[no-untyped-def]
        statuses[_call(case, app, bearer)] += 1

    post()
    assert statuses[200] > 0, statuses
    assert statuses[422] > 0, statuses
