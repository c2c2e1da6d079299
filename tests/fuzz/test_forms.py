"""Every HTML form and every query string a user can reach, posted with generated values:
other scripts' digits, control characters, very long, empty and repeated values, odd
numbers. No answer is a 5xx (the test client raises the error of a 500), and a 4xx
writes nothing.

The forms are found, not listed: each role follows the links from every page the app's
routes serve (tests/fuzz/pages.py) and reads the <form> elements and query strings it
meets. A POST route that no role reaches through a page must be named in NOT_ON_A_PAGE
with the reason, so a new form is fuzzed without anyone editing this file.

FUZZ_EXAMPLES (default 6) sets the generated examples per form and role; before them,
each field is sent alone with a hostile value (tests/fuzz/values.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from channelfront.accounts.invitations import Invitee, invite_with_link
from channelfront.accounts.models import Company, User, UserKind
from channelfront.extensions import db, limiter
from channelfront.tenancy.models import Tenant
from tests.conftest import HostClient
from tests.fuzz.approvals_world import waiting_orders
from tests.fuzz.pages import Form, Site, crawl, forms_on
from tests.fuzz.report import FUZZED
from tests.fuzz.values import field_values, hostile
from tests.fuzz.writes import WriteLog, write_log
from tests.orders.conftest import storefront
from tests.orders.test_cart_pages import add
from tests.orders.test_checkout_pages import place, placed_order
from tests.partners.factories import pending_application
from tests.payments.conftest import DECLINED_CARD, save_card
from tests.statements.pages_support import (
    QUARTERLY,
    RESELLER_QUARTERLY,
    close,
    current_quarter,
    line,
    program,
    quarter,
)
from tests.walls.theme_world import console_theme

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# Pages each role opens at most (breadth first from every page it can open by address).
PAGES = 160
# Pages opened first by every signed-in role: archived customers (the unarchive form) and
# the Partners deal queue (the decision form), deep in a breadth-first crawl otherwise.
SIGNED_IN = ["/customers?archived=1", "/partners/deals"]
NORTHWIND = "northwind.localhost"
ROLES = {
    "anonymous": (NORTHWIND, None),
    "buyer": (NORTHWIND, "buyer@bluebird.example"),
    "approver": (NORTHWIND, "approver@bluebird.example"),
    "company admin": (NORTHWIND, "admin@bluebird.example"),
    "distributor finance": (NORTHWIND, "finance@northwind.example"),
    "partner manager": (NORTHWIND, "partners@northwind.example"),
    "distributor admin": (NORTHWIND, "admin@northwind.example"),
    "vendor admin": ("admin.localhost", "admin@nimbus.example"),
}
# POST routes no page offers as a form, and why.
NOT_ON_A_PAGE = {
    "api.create_order": "JSON API, fuzzed from its OpenAPI document by schemathesis",
    "stripe_webhooks.receive": "Stripe's signed events, no form; tests/payments/test_webhooks",
    "accounts.reset_password": "reached from the link in the reset mail; "
    "tests/accounts/test_password_reset.py",
    "accounts.login_two_factor": "the second sign-in step, after a right password of a user "
    "with two-factor sign-in; tests/accounts/test_two_factor.py",
    "accounts.disable_two_factor": "offered once two-factor sign-in is on, which no demo user "
    "has; tests/accounts/test_two_factor.py",
    "accounts.regenerate_recovery_codes": "offered once two-factor sign-in is on, which no "
    "demo user has; tests/accounts/test_two_factor.py",
    "api.create_user": "JSON API, fuzzed from its OpenAPI document by schemathesis",
    "quotes.leave_checkout": "offered at checkout only while the buyer orders a quote (kept "
    "in the session), and it takes no field; tests/quotes/test_quote_ordering.py",
    **dict.fromkeys(
        ("api.create_approval_rule", "api.decide_approval", "api.withdraw_order"),
        "JSON API, fuzzed from its OpenAPI document by schemathesis "
        "(tests/fuzz/test_approvals_api.py)",
    ),
    **dict.fromkeys(
        (
            "api.create_quote",
            "api.send_quote",
            "api.request_special_price",
            "api.decide_special_price",
        ),
        "JSON API, fuzzed from its OpenAPI document by schemathesis "
        "(tests/fuzz/test_quotes_api.py)",
    ),
    **dict.fromkeys(
        (
            "api.create_customer",
            "api.merge_customer",
            "api.archive_customer",
            "api.unarchive_customer",
            "api.import_customers",
            "api.create_deal",
            "api.decide_deal",
            "api.create_webhook",
            "api.rotate_webhook_secret",
        ),
        "JSON API, fuzzed from its OpenAPI document by schemathesis "
        "(tests/api/test_schemathesis.py)",
    ),
}
# Rows a request may write whatever its answer: the session's last use.
BOOKKEEPING = {"user_session"}
# Fields whose page value is kept: a fuzzed CSRF token only ever meets the CSRF check.
KEPT = {"csrf_token"}
# A field the form does not have, now and then.
EXTRA = st.dictionaries(st.sampled_from(["x", "id", "next"]), st.text(max_size=5), max_size=1)


@dataclass
class Tally:
    requests: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    forms: set[str] = field(default_factory=set)

    def count(self, status: int) -> None:
        self.requests += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1


@pytest.fixture
def world(app: Flask, ctx, client_for, localstripe, inbox) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Rows behind every kind of form, made through the pages where possible; yields the
    paths only a link in an e-mail reaches (the renewal page)."""
    saved = {k: app.config.get(k) for k in ("RENEWAL_PAY_RATE_LIMIT", "QUOTE_PAY_RATE_LIMIT")}
    app.config.update(dict.fromkeys(saved, "100000 per minute"))
    buyer = client_for(NORTHWIND)
    buyer.login("buyer@bluebird.example")
    placed_order(buyer)  # on account: licenses, a subscription, an open invoice
    for shop in storefront(app, NORTHWIND, "buyer@bluebird.example"):
        good, declined = save_card(shop), save_card(shop, DECLINED_CARD)
    for card in (good, declined):  # one paid card order (refunds), one unpaid (pay, cancel)
        add(buyer, "INS-PERP")
        response, _data = place(buyer, payment_method="card", card_payment_method=card["id"])
        assert response.status_code == 303
    token = buyer.csrf_token("/orders/templates/new")
    buyer.post("/orders/templates", data={"csrf_token": token, "name": "Fuzz template"})
    buyer.post("/account/tokens/", data={"csrf_token": buyer.csrf_token("/account/tokens/")})
    waiting_orders(app)  # the approver's and the vendor console's decision forms
    _quotes(app, buyer)  # a draft (edit, send, withdraw) and an accepted quote (order it)
    _special_prices(app)  # an offer to accept or withdraw; requests for staff to decide
    _customers_deals_webhooks(app, buyer)  # issue 14's edit, import, deal and webhook forms
    add(buyer, "SHD-STD-1Y", "2")  # a cart: update, remove and checkout forms
    page = buyer.get("/subscriptions").get_data(as_text=True)
    links = re.findall(r'class="renewal-url" type="url" readonly value="http://[^/]+([^"]+)"', page)
    links.append(_customer_quote_link(app))
    _statements()
    _draft_tenant()  # the onboarding wizard's step forms
    console_theme("fuzz-theme")  # the theme editor's save and publish forms
    pending_application("northwind")  # the partner manager's approve and decline forms
    links.append(_people(app))
    db.session.commit()
    yield links
    for key, value in saved.items():
        app.config[key] = value
    limiter.reset()


def _people(app: Flask) -> str:
    """An invited and a deactivated member of each team (resend, revoke and reactivate
    forms); answers the path of the first one's invitation link."""
    teams = [
        (UserKind.RESELLER, "buyer", NORTHWIND, {"company_id": _company_id("Bluebird IT")}),
        (UserKind.DISTRIBUTOR, "partner_manager", NORTHWIND, {"tenant_id": _tenant_id()}),
        (UserKind.VENDOR, "vendor_ops", "admin.localhost", {}),
    ]
    paths = []
    for kind, role, host, where in teams:
        with app.test_request_context(base_url=f"http://{host}"):
            site = _tenant_id() if host == NORTHWIND else None
            invitee = Invitee(f"invited-{kind}@fuzz.example", "", kind, role, site, **where)
            paths.append(invite_with_link(invitee, None)[1].split("/", 3)[3])
        gone = User(email=f"gone-{kind}@fuzz.example", name="Gone", password_hash="", active=False)
        db.session.add(gone)
        gone.kind, gone.role = kind.value, role
        gone.company_id, gone.tenant_id = where.get("company_id"), where.get("tenant_id")
    return "/" + paths[0]


def _quotes(app: Flask, buyer: HostClient) -> None:
    """Two quotes made with the quote form; the second accepted by its end customer."""
    from channelfront.quotes import services
    from channelfront.quotes.models import QuoteStatus

    form = {
        "csrf_token": buyer.csrf_token("/quotes/new"),
        "end_customer_choice": "new",
        "new_customer.company_name": "Fuzz Customer",
        "new_customer.contact_name": "Fay Fuzz",
        "new_customer.email": "fay@fuzz.example",
        "new_customer.country": "US",
        "lines[0].sku": "SHD-STD-1Y",
        "lines[0].quantity": "1",
    }
    made = [buyer.post("/quotes/new", data=form) for _ in range(2)]
    assert all(response.status_code == 303 for response in made)
    number = made[1].headers["Location"].rsplit("/", 1)[1]
    for shop in storefront(app, NORTHWIND, "buyer@bluebird.example"):
        quote = services.find(shop.buyer.company_id, number)
        assert services.move(quote, (QuoteStatus.DRAFT.value,), QuoteStatus.SENT)
        assert services.move(quote, (QuoteStatus.SENT.value,), QuoteStatus.ACCEPTED)


def _special_prices(app: Flask) -> None:
    """A counter offer on Bluebird's draft quote (its accept and withdraw forms), and two
    requests of another Northwind reseller, out of reach of Bluebird's fuzzing: one waiting
    for a partner manager (the Partners decision form), one a partner manager approved
    above the vendor's threshold of its tier (the console's decision form)."""
    from channelfront.quotes import services, special_requests, special_rules
    from channelfront.quotes.models import Quote, QuoteStatus
    from channelfront.quotes.services import QuoteInput, QuoteLineInput
    from tests.quotes.world import customer
    from tests.walls.world import reseller_company, user

    manager = db.session.scalars(
        select(User).where(User.email == "partners@northwind.example")
    ).one()
    for shop in storefront(app, NORTHWIND, "buyer@bluebird.example"):
        draft = db.session.scalars(
            select(Quote)
            .where(Quote.company_id == shop.buyer.company_id)
            .where(Quote.status == QuoteStatus.DRAFT.value)
            .order_by(Quote.id)
        ).first()
        asked = special_requests.request_price(
            draft, draft.lines[0], shop.buyer, discount_percent="10", justification="Fuzz"
        )
        offer = (asked.requested_unit_minor + asked.normal_unit_minor) // 2
        special_requests.decide(
            asked, manager, "counter", unit_price=f"{offer // 100}.{offer % 100:02d}", comment=None
        )
        db.session.commit()
    rival = reseller_company("Fuzz Rival Co", "northwind", "silver")
    user("buyer@rival.example", "buyer", rival.id)
    for shop in storefront(app, NORTHWIND, "buyer@rival.example"):
        program = shop.terms.enrollment.program
        special_rules.save(
            program, manager, special_rules.RuleInput("", "", "1", ""), shop.tenant.currency
        )
        asked = []
        for _ in range(2):
            lines = [QuoteLineInput("SHD-STD-1Y", 2)]
            data = QuoteInput(lines=lines, new_customer=customer("Rival Customer"))
            quote = services.create(shop.tenant, shop.buyer, shop.terms, data)
            db.session.flush()
            asked.append(
                special_requests.request_price(
                    quote, quote.lines[0], shop.buyer, discount_percent="5", justification="Fuzz"
                )
            )
        to_vendor, waiting = asked
        special_requests.decide(to_vendor, manager, "approve", comment=None)
        assert (to_vendor.stage, waiting.stage) == ("vendor", "distributor")
        db.session.commit()


def _customers_deals_webhooks(app: Flask, buyer: HostClient) -> None:
    """A checked customer list waiting to be imported (its run form), a pending deal of
    Bluebird (withdraw; the partner manager's decision), and a webhook endpoint with a
    delivery of Bluebird's and of Northwind's (their rotate, test, enable, delete and
    redeliver forms)."""
    from io import BytesIO

    from channelfront.customers import services as customers
    from channelfront.customers.models import CustomerImport
    from channelfront.deals import services as deals
    from channelfront.deals.services import DealInput, DealLineInput
    from channelfront.webhooks import services as webhooks
    from channelfront.webhooks.publish import send_test
    from tests.quotes.world import customer

    listing = b"company_name,contact_name,email,country\nFuzz Import Ltd,Ivy,ivy@fuzz.example,DE\n"
    token = buyer.csrf_token("/customers/import")
    upload = buyer.post(
        "/customers/import",
        data={"csrf_token": token, "file": (BytesIO(listing), "fuzz.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 303
    assert db.session.scalars(select(CustomerImport.status)).all() == ["checked"]
    close_on = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    for email in ("buyer@rival.example", "buyer@bluebird.example"):
        # Bluebird's fuzzing withdraws its own: the rival's waits for a partner manager.
        for shop in storefront(app, NORTHWIND, email):
            data = DealInput(
                lines=[DealLineInput("SHD-STD-1Y", 3)],
                new_customer=customer(f"Fuzz Deal Customer of {email}"),
                expected_value="500.00",
                expected_close=close_on,
                external_id="FUZZ-DEAL",
            )
            deals.register(shop.tenant, shop.buyer, shop.terms, data)
            db.session.commit()
    for shop in storefront(app, NORTHWIND, "buyer@bluebird.example"):
        for email, company_id in (
            ("admin@bluebird.example", shop.terms.enrollment.company_id),
            ("admin@northwind.example", None),
        ):
            admin = db.session.scalars(select(User).where(User.email == email)).one()
            owner = webhooks.Owner(shop.tenant.id, company_id)
            entry = webhooks.EndpointInput("http://127.0.0.1:9/fuzz", ["order.placed"])
            for _ in range(2):
                endpoint = webhooks.create(owner, entry, admin)
                send_test(endpoint)
            # One disabled after failing for days: the enable form is offered (not test).
            endpoint.disabled_at = datetime.now(UTC)
            endpoint.disabled_reason = "Fuzz"
        archived = customer("Fuzz Archived Customer")
        found = customers.create(shop.terms.enrollment.company_id, customers.validate(archived))
        found.archived_at = datetime.now(UTC)  # the unarchive form
        db.session.commit()


def _customer_quote_link(app: Flask) -> str:
    """A quote sent to its end customer: the path of the link in the mail (its pay,
    accept and decline forms)."""
    from urllib.parse import urlsplit

    from channelfront.quotes import sending, services
    from channelfront.quotes.services import QuoteInput, QuoteLineInput
    from tests.quotes.world import customer

    for shop in storefront(app, NORTHWIND, "buyer@bluebird.example"):
        data = QuoteInput(lines=[QuoteLineInput("SHD-STD-1Y", 1)], new_customer=customer())
        quote = services.create(shop.tenant, shop.buyer, shop.terms, data)
        db.session.flush()
        url = sending.send(quote, shop.buyer)
        db.session.commit()
        return urlsplit(url).path
    raise AssertionError("no storefront")


def _company_id(name: str) -> int:
    return db.session.scalars(select(Company.id).where(Company.name == name)).one()


def _tenant_id() -> int:
    return db.session.scalars(select(Tenant.id).where(Tenant.slug == "northwind")).one()


def _statements() -> None:
    """Incentive programs with closed and open statements for both audiences, and a draft."""
    from channelfront.accounts.models import Company
    from channelfront.statements import programs
    from tests.statements.pages_support import tenant

    company = db.session.scalar(db.select(Company).where(Company.name == "Bluebird IT"))
    me = f"company-{company.id}"
    resellers = program("northwind", "fz-res", RESELLER_QUARTERLY, audience="reseller")
    distributors = program("northwind", "fz-dist", QUARTERLY)
    for row, who, rule in ((resellers, me, "sell"), (distributors, "northwind", "com")):
        line(row, who, quarter(2025, 1), 40_00, rule=rule)
        close(row, who, quarter(2025, 1), 40_00)
        line(row, who, current_quarter(), 8_00, rule=rule)
    programs.create(tenant("northwind"), "fz-draft", "Fuzz draft", "distributor", QUARTERLY)


def _draft_tenant() -> None:
    """A tenant in the console's onboarding wizard, with hosts so later steps can save."""
    from channelfront.admin.tenant_services import console_vendor
    from channelfront.onboarding import steps

    draft = steps.start(console_vendor(), "Fuzz Draft", "fuzz-draft")
    steps.reach(draft, "checklist")


def _wizard_pages() -> list[str]:
    """Every step of the draft tenant: the crawl opens only a few pages of one route."""
    from channelfront.onboarding import steps

    draft = db.session.scalars(select(Tenant.id).where(Tenant.slug == "fuzz-draft")).one()
    return [f"/admin/onboarding/{draft}/{step}" for step in steps.STEPS]


def _theme_pages() -> list[str]:
    """The stored theme's editor at its draft (with a logo: the remove box, and a publish
    form) and at its published version 1 (no logo), and a preview of the draft in German
    (its ``lang`` query string)."""
    from channelfront.theming.models import StoreTheme

    theme = db.session.scalars(select(StoreTheme.id).where(StoreTheme.slug == "fuzz-theme")).one()
    editor = f"/admin/themes/{theme}"
    return [editor, f"{editor}?version=1", f"{editor}/versions/2/preview/home?lang=de"]


def _extra_pages(email: str | None, links: list[str]) -> list[str]:
    if email is None:
        return links
    if email == "admin@nimbus.example":
        return [*SIGNED_IN, *_wizard_pages(), *_theme_pages()]
    return SIGNED_IN


def _signed_in(client_for, host: str, email: str | None) -> HostClient:  # type: ignore[no-untyped-def]
    client = client_for(host)
    if email is not None:
        assert client.login(email).status_code == 302, email
    if email == "admin@nimbus.example":
        _simulate_draft(client)
    return client


def _simulate_draft(admin: HostClient) -> None:
    """The console offers to publish a draft once this admin simulated it: do that."""
    from channelfront.statements.models import IncentiveProgram

    draft = db.session.scalar(
        db.select(IncentiveProgram).where(IncentiveProgram.code == "fz-draft")
    )
    url = f"http://{admin.host}/admin/incentives/{draft.tenant_id}/programs/{draft.id}"
    [form] = [
        f for f in forms_on(url, admin.get(url).get_data(as_text=True)) if "/draft" in f.action
    ]
    response = admin.post(form.action, data={**form.fields, "action": ["simulate"]})
    assert response.status_code == 200


def _order(site: Site) -> list[Form]:
    """Forms that end the session come last, so the others are posted signed in."""
    forms = [*site.queries.values(), *site.forms.values()]
    return sorted(forms, key=lambda f: f.action.endswith(("/logout", "/login")))


def _send(client: HostClient, form: Form, data: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    if form.method == "GET":
        return client.get(form.action, query_string=data, buffered=True)
    return client.post(form.action, data=data, buffered=True)


def _check(client: HostClient, form: Form, data: dict[str, list[str]], log: WriteLog, tally: Tally):  # type: ignore[no-untyped-def]
    before = len(log.kept())
    status = _send(client, form, data).status_code
    tally.count(status)
    assert status < 500, (form.method, form.action, data, status)
    if 400 <= status < 500:
        written = set(log.kept()[before:]) - BOOKKEEPING
        assert not written, (form.method, form.action, data, status, written)


def _fuzz(client: HostClient, form: Form, log: WriteLog, tally: Tally) -> None:
    """Each field alone with a hostile value, then generated values in every field."""
    page = {
        name: values or form.choices.get(name, [""])[:1] for name, values in form.fields.items()
    }
    for name in sorted(set(form.fields) - KEPT):
        _check(client, form, {**page, name: [hostile(form.fields[name])]}, log, tally)
    strategies = {
        name: (
            st.just(form.fields[name])
            if name in KEPT
            else field_values(form.fields[name], form.choices.get(name, []))
        )
        for name in sorted(form.fields)
    }

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.fixed_dictionaries(strategies), EXTRA)
    def post(data: dict[str, list[str]], extra: dict[str, str]) -> None:
        _check(client, form, {**data, **{k: [v] for k, v in extra.items()}}, log, tally)

    post()


def test_no_form_or_query_string_answers_5xx_or_writes_on_4xx(app, world, client_for, request):
    tally = Tally()
    reached: set[str] = set()
    with write_log(db.engine) as log:
        for role, (host, email) in ROLES.items():
            client = _signed_in(client_for, host, email)
            site = crawl(app, client, extra=_extra_pages(email, world), limit=PAGES)
            for key in site.forms:
                reached.add(key[1])
            for form in _order(site):
                if email is not None and form.action.endswith("/login"):
                    continue  # the sign-in form is the anonymous role's
                tally.forms.add(f"{role}: {form.method} {form.action}")
                _fuzz(client, form, log, tally)
    posts = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and rule.endpoint not in NOT_ON_A_PAGE
    }
    missing = sorted(posts - reached)
    assert not missing, f"POST routes no page offers: fuzz them or say why not: {missing}"
    request.config.stash[FUZZED] = (
        f"fuzzed {len(tally.forms)} forms and query strings of {len(ROLES)} roles with "
        f"{tally.requests} requests; answers {dict(sorted(tally.by_status.items()))}"
    )
    assert tally.requests >= len(tally.forms) * EXAMPLES // 2
