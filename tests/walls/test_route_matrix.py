"""Every route that names an object, as every kind of caller, against foreign objects.

The routes come from ``app.url_map``: any rule with a converter argument (an id, number,
SKU, token or file name) must be in MATRIX, with the answer each caller gets, or in
PUBLIC with the reason it needs no wall. A new route in neither fails
``test_every_route_that_names_an_object_is_in_the_matrix``, so a later feature is covered
without anyone having to remember it.

Each cell is one request: GET for read routes, POST with a valid CSRF token (and no other
field) for write routes. A refusal must write nothing: every INSERT, UPDATE or DELETE the
request sends is recorded, and each cell runs inside a savepoint rolled back after it, so
no cell sees another's writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import pytest
from flask import Flask
from sqlalchemy import event, select

from channelfront.accounts.models import Company
from channelfront.approvals.models import ApprovalRule, ApprovalStep
from channelfront.extensions import db
from channelfront.orders.models import Order
from channelfront.tenancy.models import Tenant
from tests.conftest import HostClient
from tests.partners.factories import pending_application
from tests.walls.world import ADMIN, AH, NW, OBJECTS, SK, World, build, tokens_for

LOGIN = "login"  # 302 to the sign-in page
# Rows a request may write whatever it answers: the sign-in session's own bookkeeping.
BOOKKEEPING = frozenset({"user_session"})

# role: (home host, e-mail). Anonymous asks the host the route lives on.
ROLES: dict[str, tuple[str, str | None]] = {
    "anonymous": (NW, None),
    "buyer": (NW, "buyer@bluebird.example"),
    "approver": (NW, "approver@bluebird.example"),
    "company_admin": (NW, "admin@bluebird.example"),
    "viewer": (NW, "viewer@bluebird.example"),
    "other_company": (NW, "buyer@otter.example"),
    "other_tenant": (SK, "buyer@kirin.example"),
    "distributor_finance": (NW, "finance@northwind.example"),
    "vendor_admin": (ADMIN, "admin@nimbus.example"),
}
# The control column: whoever owns the object asks too, so a cell cannot pass because a
# URL names nothing at all.
OWNERS: dict[str, tuple[str, str]] = {
    "other_company": (NW, "buyer@victim.example"),
    "other_tenant": (AH, "buyer@bluebird.example"),
}
CALLERS = (*ROLES, "owner")

# Rules with a converter argument that need no wall, and why.
PUBLIC = {
    "theming.theme_static": "a theme's static files (CSS, logo): the same for every caller",
    "accounts.accept_invitation": "the token is the credential; a token made for another "
    "site or purpose is not found (tests/accounts/test_invitations.py)",
    "accounts.reset_password": "the token is the credential; a token made for another site "
    "or purpose is not found (tests/accounts/test_password_reset.py)",
    "apply.verify": "the token is the credential; a token of another storefront is not "
    "found there (tests/partners/test_applications.py)",
    "theming.stored_logo": "a stored theme's logo by the SHA-256 of its bytes: public like "
    "a theme's static files, on every host; a hash names the bytes, it cannot be guessed "
    "(tests/walls/test_theme_walls.py)",
}


@dataclass(frozen=True)
class Route:
    """Which world value fills each URL argument, and the answer per caller (``default``
    unless the role is named in ``roles``, or the role and object kind in ``cells``)."""

    args: dict[str, str]
    default: int | str = 404
    roles: dict[str, int | str] = field(default_factory=dict)
    cells: dict[tuple[str, str], int | str] = field(default_factory=dict)
    # Callers for whom acting on the object is the route's job: their writes are expected.
    writers: frozenset[str] = frozenset()
    # Query string parameters the page needs, filled from the world like ``args``.
    query: dict[str, str] = field(default_factory=dict)

    def expected(self, role: str, kind: str) -> int | str:
        return self.cells.get((role, kind), self.roles.get(role, self.default))

    def with_vendor(self, answer: int | str) -> Route:
        return replace(self, roles={**self.roles, "vendor_admin": answer})


def shop(
    args: dict[str, str],
    cells: dict[tuple[str, str], int | str] | None = None,
    writers: tuple[str, ...] = (),
    **roles: int | str,
) -> Route:
    """A storefront page behind sign-in: 404 for a foreign object unless named."""
    return Route(args, 404, {"anonymous": LOGIN, **roles}, cells or {}, frozenset(writers))


def console(
    args: dict[str, str],
    vendor: int | str | tuple[int | str, int | str],
    writers: tuple[str, ...] = (),
    query: dict[str, str] | None = None,
) -> Route:
    """A vendor console page: not there on storefront hosts (404), sign-in first on the
    console; the vendor admin's answer for (another company's, another tenant's) object."""
    company, tenant = vendor if isinstance(vendor, tuple) else (vendor, vendor)
    return Route(
        args,
        404,
        {"anonymous": LOGIN},
        {("vendor_admin", "other_company"): company, ("vendor_admin", "other_tenant"): tenant},
        frozenset(writers),
        query or {},
    )


def link(args: dict[str, str], answer: int) -> Route:
    """A public renewal link: whoever holds a link of this storefront may use it; a link of
    another storefront is not found there."""
    here = ("anonymous", *BLUEBIRD, "other_company", "distributor_finance")
    cells = {(role, "other_company"): answer for role in here}
    return Route(args, 404, {"owner": answer}, cells)


def catalog(signed_out: int | str, staff: int | str, vendor: int | str) -> Route:
    """A product by SKU: Gold on Northwind (Bluebird) sells INS-STD-1Y, Silver (Otter) does
    not; CDE-STD-1Y is not sold on Northwind at all; Sakura (Kirin) sells both."""
    cells = {(role, "other_company"): 200 for role in (*BLUEBIRD, "owner")}
    roles = {"anonymous": signed_out, "other_tenant": 200}
    return Route({"sku": "sku"}, 404, {**roles, "distributor_finance": staff}, cells).with_vendor(
        vendor
    )


BLUEBIRD = ("buyer", "approver", "company_admin", "viewer")
#: Whoever may hold a storefront's public link: anyone on its host, and the owner.
LINK_HOLDERS = frozenset({"anonymous", *BLUEBIRD, "other_company", "distributor_finance", "owner"})
QUOTE_LINK = {"token": "quote_token"}
ORDER = {"number": "number"}
INVOICE = {"number": "invoice"}
TEMPLATE = {"template_id": "template_id"}
SUBSCRIPTION = {"subscription_id": "subscription_id"}
# Viewers read but do not act; distributor staff have no company to act for.
READ_ONLY = {"viewer": 403, "distributor_finance": 403}
TENANT_PROGRAM = {"tenant_id": "tenant_id", "program_id": "incentive_program_id"}
STEP = {"step_id": "step_id"}
QUOTE = {"number": "quote_number"}
QUOTE_LINE = {"number": "quote_number", "line_id": "quote_line_id"}
QUOTE_SPECIAL = {"number": "quote_number", "request_id": "special_price_id"}
SPECIAL = {"request_id": "special_price_id"}
# A storefront's special price requests are its distributor staff's; others of the
# Partners area are refused first, another storefront's request is not found.
PARTNER_SPECIAL = Route(
    SPECIAL, 403, {"anonymous": LOGIN, "vendor_admin": 404, "distributor_finance": 404}
)
FINANCE_HERE = ("distributor_finance", "other_company")
CONSOLE_SPECIAL = {"request_id": "console_special_price_id"}
WIZARD = {"tenant_id": "draft_tenant_id"}
WIZARD_STEP = {"tenant_id": "draft_tenant_id", "step": "step"}
PARTNER_PRICE = {"tenant_id": "tenant_id", "price_id": "partner_price_id"}
THEME = {"theme_id": "theme_id"}
THEME_VERSION = {"theme_id": "theme_id", "number": "theme_version"}
THEME_PREVIEW = {**THEME_VERSION, "page": "preview_page"}

# Partner applications are reviewed by the storefront's partner managers and distributor
# admins only (who cross the tenant wall in tests/partners/test_applications.py).
APPLICATION = Route(
    {"application_id": "application_id"}, 403, {"anonymous": LOGIN, "vendor_admin": 404}
)

# A company's users are managed by its company admins; anyone else is refused first.
COMPANY_USER = Route(
    {"user_id": "company_user_id"},
    403,
    {"anonymous": LOGIN, "vendor_admin": 404, "company_admin": 404},
)
COMPANY_USER_ACTIONS = ("change_role", "deactivate", "reactivate", "resend", "revoke")

STAFF_PAGE = Route({"user_id": "company_user_id"}, 403, {"anonymous": LOGIN, "vendor_admin": 404})
STAFF_ACTIONS = ("role", "deactivate", "reactivate", "resend", "revoke")
COMPANY_RULE = {"rule_id": "company_rule_id"}
TENANT_RULE = {"rule_id": "tenant_rule_id"}

CUSTOMER = {"customer_id": "customer_id"}
CUSTOMER_IMPORT = {"import_id": "import_id"}
DEAL = {"number": "deal_number"}
NO_TOKEN = {"anonymous": 401, "vendor_admin": 401}


def api_route(
    args: dict[str, str],
    cells: dict[tuple[str, str], int | str] | None = None,
    writers: tuple[str, ...] = (),
    **roles: int | str,
) -> Route:
    """An API route for a reseller's objects: a bearer token first (401), staff tokens
    are refused (403), and another company's or storefront's object is not found."""
    everyone = {**NO_TOKEN, "distributor_finance": 403, **roles}
    return Route(args, 404, everyone, cells or {}, frozenset(writers))


# Deals are decided, and a storefront's webhooks kept, by its partner managers and
# distributor admins (Partners area); everyone here is refused first.
PARTNER_DEAL = Route({"deal_id": "deal_id"}, 403, {"anonymous": LOGIN, "vendor_admin": 404})
HOOK = {"endpoint_id": "endpoint_id"}
HOOK_DELIVERY = {"endpoint_id": "endpoint_id", "delivery_id": "delivery_id"}
TENANT_HOOK = {"endpoint_id": "tenant_endpoint_id"}
TENANT_HOOK_DELIVERY = {"endpoint_id": "tenant_endpoint_id", "delivery_id": "tenant_delivery_id"}
HOOK_ROUTES = (
    ("show", "GET"),
    ("delete", "GET"),
    ("delete", "POST"),
    ("rotate", "POST"),
    ("enable", "POST"),
    ("test", "POST"),
)
COMPANY_HOOK = Route(HOOK, 403, {"anonymous": LOGIN, "vendor_admin": 404, "company_admin": 404})

MATRIX: dict[tuple[str, str], Route] = {
    **{(f"company.{action}", "POST"): COMPANY_USER for action in COMPANY_USER_ACTIONS},
    ("api.update_user", "PATCH"): Route(
        {"user_id": "company_user_id"},
        403,
        {"anonymous": 401, "vendor_admin": 401, "company_admin": 404},
    ),
    ("partners.application", "GET"): APPLICATION,
    ("partners.approve_application", "POST"): APPLICATION,
    ("partners.decline_application", "POST"): APPLICATION,
    # Orders: nothing of another company or storefront exists for anyone.
    ("orders.detail", "GET"): shop(ORDER, owner=200),
    ("orders.status", "GET"): shop(ORDER, owner=200),
    ("orders.update_licenses", "POST"): shop(ORDER, owner=422),
    ("orders.cancel", "POST"): shop(ORDER, owner=422),
    ("orders.withdraw", "POST"): shop(ORDER, owner=422),
    ("api.withdraw_order", "POST"): Route(
        ORDER,
        404,
        {"anonymous": 401, "vendor_admin": 401, "distributor_finance": 403, "owner": 409},
    ),
    ("orders.add_note", "POST"): shop(ORDER, owner=422),
    ("orders.pay", "POST"): shop(ORDER, owner=303),
    ("order_templates.reorder", "POST"): shop(ORDER, writers=("owner",), **READ_ONLY, owner=303),
    ("order_templates.to_cart", "POST"): shop(TEMPLATE, writers=("owner",), **READ_ONLY, owner=303),
    ("order_templates.delete", "POST"): shop(TEMPLATE, writers=("owner",), **READ_ONLY, owner=303),
    ("api.get_order", "GET"): Route(
        ORDER,
        404,
        {"anonymous": 401, "vendor_admin": 401, "distributor_finance": 403, "owner": 200},
    ),
    # Invoices: distributor finance sees and settles every invoice of its own storefront.
    ("invoices.detail", "GET"): shop(
        INVOICE, {("distributor_finance", "other_company"): 200}, owner=200
    ),
    ("invoices.pay", "POST"): shop(
        INVOICE, {("distributor_finance", "other_company"): 403}, owner=422
    ),
    ("invoices.mark_invoice_paid", "POST"): shop(
        INVOICE,
        {("distributor_finance", "other_company"): 303},
        writers=("distributor_finance",),
        owner=403,
    ),
    # Refunds are distributor staff's (an order on account has no card payment to refund).
    ("payments.refund", "POST"): shop(
        ORDER,
        {("distributor_finance", "other_company"): 422},
        **dict.fromkeys((*BLUEBIRD, "other_company", "other_tenant", "owner"), 403),
    ),
    ("payments.remove_card", "POST"): shop(
        {"payment_method_id": "payment_method_id"}, **READ_ONLY, owner=302
    ),
    ("tokens.revoke", "POST"): shop({"token_id": "token_id"}, writers=("owner",), owner=302),
    # Subscriptions and renewal links.
    ("renewals.renew_in_cart", "POST"): shop(
        SUBSCRIPTION, writers=("owner",), **READ_ONLY, owner=303
    ),
    ("renewals.send_link", "POST"): shop(SUBSCRIPTION, writers=("owner",), **READ_ONLY, owner=303),
    ("renewals.renew", "GET"): link({"token": "renewal_token"}, 200),
    ("renewals.pay", "POST"): link({"token": "renewal_token"}, 422),
    ("renewals.renewed", "GET"): link({"token": "renewal_token", "term_index": "term_index"}, 200),
    # The end customer's quote link (viewed already): an empty card form or decline is
    # refused by name (422); accepting is what the link is for.
    ("quote_customer.show", "GET"): link(QUOTE_LINK, 200),
    ("quote_customer.pay", "POST"): link(QUOTE_LINK, 422),
    ("quote_customer.decline", "POST"): link(QUOTE_LINK, 422),
    ("quote_customer.accept", "POST"): replace(link(QUOTE_LINK, 303), writers=LINK_HOLDERS),
    # Catalog by SKU: what the caller's program on this storefront authorizes.
    ("catalog.detail", "GET"): catalog(LOGIN, 403, 404),
    ("api.get_product", "GET"): catalog(401, 403, 401),
    # Statements: resellers see their company's, distributor staff their storefront's.
    ("incentives.reseller_statement", "GET"): shop(
        {"statement_id": "statement_id"}, **READ_ONLY, owner=200
    ),
    ("incentives.reseller_statement_csv", "GET"): shop(
        {"statement_id": "statement_id"}, **READ_ONLY, owner=200
    ),
    ("incentives.distributor_statement", "GET"): Route(
        {"statement_id": "distributor_statement_id"},
        403,
        {"anonymous": LOGIN, "distributor_finance": 404, "vendor_admin": 404},
    ),
    ("incentives.distributor_statement_csv", "GET"): Route(
        {"statement_id": "distributor_statement_id"},
        403,
        {"anonymous": LOGIN, "distributor_finance": 404, "vendor_admin": 404},
    ),
    # The vendor console sees every tenant; an object under another tenant's address is
    # not found. Empty forms answer 400 and write nothing.
    ("admin.company", "GET"): console({"company_id": "company_id"}, 200),
    ("admin.enroll_company", "POST"): console({"company_id": "company_id"}, 400),
    ("admin.edit_enrollment", "POST"): console({"enrollment_id": "enrollment_id"}, 400),
    ("admin.remove_enrollment_view", "POST"): console(
        {"enrollment_id": "enrollment_id"}, 302, writers=("vendor_admin",)
    ),
    ("admin.edit_tenant", "GET"): console({"tenant_id": "tenant_id"}, 200),
    ("admin.edit_tenant", "POST"): console({"tenant_id": "tenant_id"}, 400),
    ("admin.new_program", "POST"): console({"tenant_id": "tenant_id"}, 400),
    ("admin.add_rule_view", "POST"): console({"program_id": "pricing_program_id"}, 400),
    ("admin.remove_rule_view", "POST"): console(
        {"rule_id": "rule_id"}, 302, writers=("vendor_admin",)
    ),
    ("admin.create_incentive_program", "POST"): console({"tenant_id": "tenant_id"}, 400),
    ("admin.incentive_program", "GET"): console(TENANT_PROGRAM, (200, 404)),
    ("admin.save_incentive_draft", "POST"): console(TENANT_PROGRAM, (400, 404)),
    ("admin.publish_incentive_program", "POST"): console(TENANT_PROGRAM, (400, 404)),
    ("admin.close_incentive_period", "POST"): console(TENANT_PROGRAM, (400, 404)),
    ("admin.incentive_open_statement", "GET"): console(
        TENANT_PROGRAM, (302, 404), query={"beneficiary": "beneficiary", "period": "period"}
    ),
    ("admin.incentive_statement", "GET"): console(
        {"tenant_id": "tenant_id", "statement_id": "admin_statement_id"}, (200, 404)
    ),
    # Staff pages: a storefront's staff and enrollments are its distributor admin's (no
    # caller here is one: the walls between admins are in tests/staff); the console's
    # vendor staff page does not find anyone who is not vendor staff.
    **{(f"partners.staff_{action}", "POST"): STAFF_PAGE for action in STAFF_ACTIONS},
    ("partners.edit_enrollment", "POST"): replace(
        STAFF_PAGE, args={"enrollment_id": "enrollment_id"}
    ),
    **{
        (f"admin.users_{action}", "POST"): console({"user_id": "company_user_id"}, 404)
        for action in STAFF_ACTIONS
    },
    ("admin.invite_distributor_admin", "POST"): console({"tenant_id": "tenant_id"}, 400),
    # Approval steps: Victim's names vendor admins, Bluebird's on Alpenhandel its approvers.
    # Northwind's staff see (not decide) its steps; the buyer sees and may not decide.
    ("approvals.step", "GET"): shop(
        STEP, {("distributor_finance", "other_company"): 200}, owner=200
    ),
    ("approvals.decide", "POST"): shop(
        STEP, {("distributor_finance", "other_company"): 403}, owner=403
    ),
    ("api.decide_approval", "POST"): Route(
        STEP,
        404,
        {"anonymous": 401, "vendor_admin": 401, "owner": 403},
        {("distributor_finance", "other_company"): 403},
    ),
    # Quotes API: nothing of another company or storefront exists for a reseller; staff
    # have no quotes; special prices are decided by partner managers and distributor
    # admins only (none calls here; tests/api/test_quotes_api.py crosses their wall).
    ("api.get_quote", "GET"): Route(
        QUOTE,
        404,
        {"anonymous": 401, "vendor_admin": 401, "distributor_finance": 403, "owner": 200},
    ),
    ("api.send_quote", "POST"): Route(
        QUOTE,
        404,
        {"anonymous": 401, "vendor_admin": 401, "distributor_finance": 403, "owner": 200},
        writers=frozenset({"owner"}),
    ),
    ("api.request_special_price", "POST"): Route(
        QUOTE,
        404,
        {"anonymous": 401, "vendor_admin": 401, "distributor_finance": 403, "owner": 400},
    ),
    ("api.decide_special_price", "POST"): Route(
        {"request_id": "special_price_id"}, 403, {"anonymous": 401, "vendor_admin": 401}
    ),
    # Quote pages: nothing of another company or storefront exists for a reseller; viewers
    # read but do not make or change quotes; distributor staff have no quotes. The owner's
    # quote is a draft: an empty form is refused (422), a draft cannot be ordered (422).
    ("quotes.detail", "GET"): shop(QUOTE, distributor_finance=403, owner=200),
    ("quotes.edit", "GET"): shop(QUOTE, **READ_ONLY, owner=200),
    ("quotes.update", "POST"): shop(QUOTE, writers=("owner",), **READ_ONLY, owner=422),
    ("quotes.send", "POST"): shop(QUOTE, writers=("owner",), **READ_ONLY, owner=303),
    ("quotes.withdraw", "POST"): shop(QUOTE, writers=("owner",), **READ_ONLY, owner=303),
    ("quotes.order", "POST"): shop(QUOTE, **READ_ONLY, owner=422),
    # Special prices on a quote: the reseller's buyers, approvers and company admins ask,
    # accept an offer or withdraw; viewers are refused first; anyone but a reseller finds
    # nothing. An empty form or a request with no offer is flashed on the quote (303);
    # the owner's request waits, so withdrawing it is what the route is for.
    ("quote_special.ask", "POST"): shop(QUOTE_LINE, viewer=403, distributor_finance=404, owner=303),
    # The owner's request has no counter offer: accepting is refused and writes nothing.
    ("quote_special.accept", "POST"): shop(
        QUOTE_SPECIAL, viewer=403, distributor_finance=404, owner=303
    ),
    ("quote_special.withdraw", "POST"): shop(
        QUOTE_SPECIAL, writers=("owner",), viewer=403, distributor_finance=404, owner=303
    ),
    # The Partners area's special prices are its distributor staff's: Northwind's finance
    # reads Victim's request but may not decide it (partner managers and distributor admins
    # do; none calls here, tests/quotes crosses their wall), nor change a program's rule.
    ("partner_special.detail", "GET"): replace(PARTNER_SPECIAL, cells={FINANCE_HERE: 200}),
    ("partner_special.decide", "POST"): replace(PARTNER_SPECIAL, cells={FINANCE_HERE: 403}),
    ("partner_special.save_rule", "POST"): Route(
        {"program_id": "pricing_program_id"}, 403, {"anonymous": LOGIN, "vendor_admin": 404}
    ),
    # The console's special prices are those that need the vendor, on any storefront:
    # Victim's waits for the vendor (an empty decision is refused by name), Bluebird's on
    # Alpenhandel for its partner managers only (not found).
    ("admin.special_price", "GET"): console(CONSOLE_SPECIAL, (200, 404)),
    ("admin.decide_special_price", "POST"): console(CONSOLE_SPECIAL, (422, 404)),
    ("admin.approval", "GET"): console(STEP, (200, 404)),
    ("admin.decide_approval", "POST"): console(STEP, (422, 404)),
    # Spending limits and approval rules: a company's are its admins', a storefront's its
    # distributor admins' and partner managers' (none of them calls here).
    ("company.set_limits", "POST"): COMPANY_USER,
    ("api.delete_approval_rule", "DELETE"): Route(
        COMPANY_RULE, 403, {"anonymous": 401, "vendor_admin": 401, "company_admin": 404}
    ),
    **{
        ("company_rules.delete", method): replace(COMPANY_USER, args=COMPANY_RULE)
        for method in ("GET", "POST")
    },
    **{
        ("partner_rules.delete", method): replace(STAFF_PAGE, args=TENANT_RULE)
        for method in ("GET", "POST")
    },
    # Customers: a company's end customers are its reseller users'; viewers read but are
    # refused any change first (403); staff and other companies or storefronts find
    # nothing. The owner's empty edit or merge is refused by name (422).
    ("customers.detail", "GET"): shop(CUSTOMER, owner=200),
    ("customers.update", "POST"): shop(CUSTOMER, viewer=403, owner=422),
    ("customers.merge", "POST"): shop(CUSTOMER, viewer=403, owner=422),
    ("customers.archive", "POST"): shop(CUSTOMER, writers=("owner",), viewer=403, owner=303),
    ("customers.unarchive", "POST"): shop(CUSTOMER, viewer=403, owner=303),
    ("api.get_customer", "GET"): api_route(CUSTOMER, owner=200),
    ("api.update_customer", "PATCH"): api_route(CUSTOMER, viewer=403, owner=400),
    ("api.merge_customer", "POST"): api_route(CUSTOMER, viewer=403, owner=400),
    ("api.archive_customer", "POST"): api_route(
        CUSTOMER, writers=("owner",), viewer=403, owner=200
    ),
    ("api.unarchive_customer", "POST"): api_route(CUSTOMER, viewer=403, owner=200),
    # Customer imports are their company's writers' (a viewer sees none); the owner's
    # import is done, so running it again is refused (409) and writes nothing.
    ("customer_imports.detail", "GET"): shop(CUSTOMER_IMPORT, **READ_ONLY, owner=200),
    ("customer_imports.status", "GET"): shop(CUSTOMER_IMPORT, **READ_ONLY, owner=200),
    ("customer_imports.run", "POST"): shop(CUSTOMER_IMPORT, **READ_ONLY, owner=409),
    # Deals: a reseller's own; the owner's is pending, so withdrawing it is the route's
    # job. Deals are decided by partner managers and distributor admins (none calls here;
    # tests/deals crosses their wall): finance and resellers are refused first.
    ("deals.detail", "GET"): shop(DEAL, distributor_finance=403, owner=200),
    ("deals.withdraw", "POST"): shop(DEAL, writers=("owner",), **READ_ONLY, owner=303),
    ("partner_deals.detail", "GET"): PARTNER_DEAL,
    ("partner_deals.decide", "POST"): PARTNER_DEAL,
    ("api.get_deal", "GET"): api_route({"deal_id": "deal_id"}, owner=200),
    ("api.decide_deal", "POST"): Route(
        {"deal_id": "deal_id"}, 403, {"anonymous": 401, "vendor_admin": 401}
    ),
    # Webhook endpoints: a company's are its company admins' (the owner column is a
    # buyer: refused first), a storefront's its distributor admins'.
    **{(f"company_webhooks.{name}", method): COMPANY_HOOK for name, method in HOOK_ROUTES},
    ("company_webhooks.redeliver", "POST"): replace(COMPANY_HOOK, args=HOOK_DELIVERY),
    **{
        (f"partner_webhooks.{name}", method): replace(PARTNER_DEAL, args=TENANT_HOOK)
        for name, method in HOOK_ROUTES
    },
    ("partner_webhooks.redeliver", "POST"): replace(PARTNER_DEAL, args=TENANT_HOOK_DELIVERY),
    **{
        (endpoint, method): replace(COMPANY_HOOK, roles={**COMPANY_HOOK.roles, **NO_TOKEN})
        for endpoint, method in (
            ("api.delete_webhook", "DELETE"),
            ("api.rotate_webhook_secret", "POST"),
            ("api.webhook_deliveries", "GET"),
        )
    },
    # Read-only API: a company's own, and every one of its storefront for distributor
    # finance (not another storefront's).
    ("api.get_subscription", "GET"): api_route(
        SUBSCRIPTION, {FINANCE_HERE: 200}, distributor_finance=404, owner=200
    ),
    ("api.get_invoice", "GET"): api_route(
        INVOICE, {FINANCE_HERE: 200}, distributor_finance=404, owner=200
    ),
    ("api.get_statement", "GET"): api_route(
        {"statement_id": "statement_id"}, viewer=403, distributor_finance=404, owner=200
    ),
    # The console's program settings and a tenant's end customer rule (vendor admins);
    # an empty form is refused and writes nothing.
    ("admin.edit_program", "GET"): console({"program_id": "pricing_program_id"}, 200),
    ("admin.edit_program", "POST"): console({"program_id": "pricing_program_id"}, 400),
    ("admin.tenant_end_customer", "POST"): console({"tenant_id": "tenant_id"}, 400),
    # A storefront's mail addresses (vendor admins; an empty form keeps the deployment's
    # defaults, which they are already: nothing is written) and a product's texts in
    # every language (the vendor's products, shared by storefronts).
    ("admin.tenant_mail", "POST"): console({"tenant_id": "tenant_id"}, 302),
    ("admin.product_texts", "GET"): console({"product_id": "product_id"}, 200),
    ("admin.product_texts", "POST"): console({"product_id": "product_id"}, 400),
    # The onboarding wizard (vendor admins): a draft tenant's step is shown, and an empty
    # step, price file, derivation or waiver is refused by name; the draft cannot go live
    # with its checklist open. An unknown tenant or step is not found.
    ("admin.onboarding_step", "GET"): console(WIZARD_STEP, (200, 404)),
    ("admin.onboarding_step", "POST"): console(WIZARD_STEP, (400, 404)),
    **{
        (f"admin.onboarding_{name}", "POST"): console(WIZARD, (400, 404))
        for name in ("price_import", "price_derive", "waive", "go_live")
    },
    # A storefront's partner prices: read by vendor staff, an empty form or file refused;
    # removing Northwind's price is the vendor admin's job, Alpenhandel's is not found
    # under Northwind's address.
    ("admin.partner_prices_page", "GET"): console({"tenant_id": "tenant_id"}, 200),
    ("admin.partner_prices_page", "POST"): console({"tenant_id": "tenant_id"}, 400),
    ("admin.partner_prices_import", "POST"): console({"tenant_id": "tenant_id"}, 400),
    ("admin.partner_prices_delete", "POST"): console(
        PARTNER_PRICE, (302, 404), writers=("vendor_admin",)
    ),
    # An incentive program's rule forms: an empty form saves nothing.
    ("admin.incentive_program_rules", "GET"): console(TENANT_PROGRAM, (200, 404)),
    ("admin.save_incentive_rules", "POST"): console(TENANT_PROGRAM, (400, 404)),
    # Stored themes are the console vendor's: its draft version is shown, previewed and
    # published (the vendor admin's job); an empty editor form saves no version. Another
    # vendor's theme, with the same slug and numbers, is not found.
    ("admin.theme_editor", "GET"): console(THEME, (200, 404), query={"version": "theme_version"}),
    ("admin.theme_editor", "POST"): console(THEME, (400, 404)),
    ("admin.theme_preview", "GET"): console(
        THEME_PREVIEW, (200, 404), query={"lang": "preview_lang"}
    ),
    ("admin.publish_theme_version", "POST"): console(
        THEME_VERSION, (302, 404), writers=("vendor_admin",)
    ),
}


# --- the matrix run ------------------------------------------------------------------------


def _audience(endpoint: str) -> str:
    return endpoint.split(".")[0] if endpoint.split(".")[0] in ("admin", "api") else "shop"


def rules_with_objects(app: Flask) -> set[tuple[str, str]]:
    """(endpoint, method) of every rule that takes a URL converter argument."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.arguments - set(rule.defaults or {}):
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                found.add((rule.endpoint, method))
    return found


def test_every_route_that_names_an_object_is_in_the_matrix(app):
    routes = {key for key in rules_with_objects(app) if key[0] not in PUBLIC}
    missing = sorted(routes - set(MATRIX))
    assert not missing, (
        f"Routes that name an object but are in neither MATRIX nor PUBLIC of {__file__}: "
        f"{missing}. Add each (endpoint, method) to MATRIX with the answer every caller "
        "gets, or the endpoint to PUBLIC with the reason it needs no wall."
    )
    gone = sorted(set(MATRIX) - routes) + sorted(
        set(PUBLIC) - {endpoint for endpoint, _method in rules_with_objects(app)}
    )
    assert not gone, f"MATRIX or PUBLIC names routes that no longer exist: {gone}"


@contextmanager
def writes_recorded(app: Flask) -> Iterator[list[str]]:
    """The tables each INSERT, UPDATE or DELETE sent meanwhile names."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []
    dml = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)

    def record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        match = dml.match(statement)
        if match and match.group(1) not in BOOKKEEPING:
            seen.append(match.group(1))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@dataclass
class Caller:
    client: HostClient
    csrf: str
    token: str | None


def _csrf(client: HostClient) -> str:
    for path in ("/", "/admin/", "/login"):
        try:
            return client.csrf_token(path)
        except AssertionError:
            continue
    raise AssertionError(f"no CSRF token for a client on {client.host}")


def _caller(client_for, host: str, email: str | None, token: str | None) -> Caller:  # type: ignore[no-untyped-def]
    client = client_for(host)
    if email is not None:
        response = client.login(email)
        assert response.status_code == 302, (email, host, response.get_data(as_text=True))
    return Caller(client, _csrf(client), token)


def callers(client_for, world: World) -> dict[str, Caller]:  # type: ignore[no-untyped-def]
    """A signed-in client per caller (anonymous once per audience, the owner per object
    kind), each with its CSRF token and API token."""
    found = {
        role: _caller(client_for, host, email, world.tokens.get(role))
        for role, (host, email) in ROLES.items()
    }
    found["anonymous/admin"] = _caller(client_for, ADMIN, None, None)
    for kind, (host, email) in OWNERS.items():
        found[f"owner/{kind}"] = _caller(client_for, host, email, world.tokens.get(f"owner/{kind}"))
    return found


def _caller_key(role: str, kind: str, audience: str) -> str:
    if role == "owner":
        return f"owner/{kind}"
    if role == "anonymous" and audience == "admin":
        return "anonymous/admin"
    return role


def _path(app: Flask, endpoint: str, spec: Route, values: dict[str, object]) -> str:
    with app.test_request_context():
        from flask import url_for

        names = {**spec.args, **spec.query}
        return url_for(endpoint, **{name: values[key] for name, key in names.items()})


def answer_of(response) -> int | str:  # type: ignore[no-untyped-def]
    if response.status_code in (301, 302, 303) and response.headers.get("Location", "").startswith(
        ("/login", "http://localhost/login")
    ):
        return LOGIN
    return response.status_code


def refused(answer: int | str) -> bool:
    return answer == LOGIN or (isinstance(answer, int) and answer >= 400)


def ask(caller: Caller, method: str, path: str, audience: str):  # type: ignore[no-untyped-def]
    headers = {}
    if audience == "api" and caller.token:
        headers["Authorization"] = f"Bearer {caller.token}"
    # Buffered: a streamed CSV is read while its request is still open.
    if method == "GET":
        return caller.client.get(path, headers=headers, buffered=True)
    data = {"csrf_token": caller.csrf}
    return caller.client.open(path, method=method, data=data, headers=headers, buffered=True)


def run_matrix(app: Flask, world: World, clients: dict[str, Caller]) -> list[str]:
    """Every cell, each inside a savepoint rolled back after it; the list of what differed."""
    with app.app_context():
        connection = db.session.get_bind()
    problems = []
    for (endpoint, method), spec in sorted(MATRIX.items()):
        audience = _audience(endpoint)
        for kind in OBJECTS:
            path = _path(app, endpoint, spec, world.values[kind])
            for role in CALLERS:
                caller = clients[_caller_key(role, kind, audience)]
                expected = spec.expected(role, kind)
                savepoint = connection.begin_nested()
                try:
                    with writes_recorded(app) as written:
                        got = answer_of(ask(caller, method, path, audience))
                finally:
                    savepoint.rollback()
                cell = f"{endpoint} {method} {path} as {role} ({kind})"
                if got != expected:
                    problems.append(f"{cell}: answered {got}, expected {expected}")
                elif written and (role not in spec.writers or refused(got)):
                    problems.append(f"{cell}: answered {got} but wrote {sorted(set(written))}")
    return problems


def _open_step(slug: str, number: str, role: str) -> int:
    """An open approval step on the order, naming one role."""
    order = db.session.scalars(
        select(Order)
        .join(Tenant, Tenant.id == Order.tenant_id)
        .where(Tenant.slug == slug, Order.number == number)
    ).one()
    step = ApprovalStep(
        tenant_id=order.tenant_id,
        order_id=order.id,
        position=0,
        source="rule",
        rule_name="Matrix",
        reasons=["Total over 1.00"],
        approvers={"role": role},
        status="open",
    )
    db.session.add(step)
    db.session.flush()
    return step.id


def _approval_rule(slug: str, scope: str, company: str | None = None) -> int:
    """Victim Co's rule on Northwind, Bluebird's on Alpenhandel, or a storefront's own."""
    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
    company_id = db.session.scalar(select(Company.id).where(Company.name == company))
    rule = ApprovalRule(
        tenant_id=tenant.id,
        scope=scope,
        company_id=company_id,
        name="Matrix",
        conditions=[],
        steps=[{"role": "approver"}],
    )
    db.session.add(rule)
    db.session.flush()
    return rule.id


@pytest.fixture
def world(app, ctx, localstripe) -> Iterator[World]:  # type: ignore[no-untyped-def]
    built = build(app)
    for kind, slug in (("other_company", "northwind"), ("other_tenant", "alpenhandel")):
        built.values[kind]["application_id"] = pending_application(slug).id
    for kind, slug, role in (
        ("other_company", "northwind", "vendor_admin"),
        ("other_tenant", "alpenhandel", "approver"),
    ):
        built.values[kind]["step_id"] = _open_step(slug, built.values[kind]["number"], role)
    for kind, slug, company in (
        ("other_company", "northwind", "Victim Co"),
        ("other_tenant", "alpenhandel", "Bluebird IT"),
    ):
        built.values[kind]["company_rule_id"] = _approval_rule(slug, "company", company)
        built.values[kind]["tenant_rule_id"] = _approval_rule(slug, "tenant")
    built.tokens = tokens_for(
        {**ROLES, **{f"owner/{kind}": owner for kind, owner in OWNERS.items()}}
    )
    db.session.commit()
    db.session.close()
    # Every caller pays renewal links from one address here; the limit has its own test.
    limits = ("RENEWAL_PAY_RATE_LIMIT", "QUOTE_PAY_RATE_LIMIT")
    saved = {key: app.config.get(key) for key in limits}
    app.config.update(dict.fromkeys(limits, "10000 per minute"))
    try:
        yield built
    finally:
        app.config.update(saved)


def test_every_caller_gets_the_listed_answer_for_foreign_objects(app, client_for, world):
    problems = run_matrix(app, world, callers(client_for, world))
    cells = len(MATRIX) * len(CALLERS) * len(OBJECTS)
    assert not problems, f"{len(problems)} of {cells} cells differ:\n" + "\n".join(problems)


# Other vendor staff (operations) read a storefront's partner prices but neither onboard
# tenants nor change partner prices: refused (403) before anything is written.
OPS_ANSWERS: dict[tuple[str, str], int] = {
    ("admin.partner_prices_page", "GET"): 200,
    **{
        (endpoint, method): 403
        for endpoint, method in MATRIX
        if endpoint.startswith(("admin.onboarding_", "admin.partner_prices_"))
        and (endpoint, method) != ("admin.partner_prices_page", "GET")
    },
}


def test_vendor_operations_staff_read_partner_prices_but_do_not_onboard_or_change_them(
    app, client_for, world
):  # type: ignore[no-untyped-def]
    from tests.walls.world import user

    with app.app_context():
        user("ops@nimbus.example", "vendor_ops", kind="vendor")
        db.session.commit()
    ops = _caller(client_for, ADMIN, "ops@nimbus.example", None)
    with app.app_context():
        connection = db.session.get_bind()
    problems = []
    for (endpoint, method), expected in sorted(OPS_ANSWERS.items()):
        path = _path(app, endpoint, MATRIX[(endpoint, method)], world.values["other_company"])
        savepoint = connection.begin_nested()
        try:
            with writes_recorded(app) as written:
                got = answer_of(ask(ops, method, path, "admin"))
        finally:
            savepoint.rollback()
        if got != expected or written:
            problems.append(
                f"{method} {path}: answered {got} (expected {expected}), wrote {written}"
            )
    assert not problems, "\n".join(problems)
