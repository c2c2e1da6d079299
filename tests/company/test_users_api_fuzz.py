"""Schemathesis over the company users operations, with a company admin's token (the
whole document's run in tests/api/test_schemathesis.py uses a buyer's, which may only
read them): invites, role changes and (de)activations must match the document."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from tests.api.test_schemathesis import FUZZ, HOST
from tests.api.test_schemathesis import schema as whole_document

pytestmark = pytest.mark.slow

# A valid body can still name an address that has an account, a user of no company of
# the caller's, or the last admin: the document answers those with 404 and 422.
OPERATIONS = ("listUsers", "inviteUser", "updateUser")
ACCEPTED = ["2xx", "401", "403", "404", "422"]
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
)
# The document as the whole run fetched it, from the app on its own demo database.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", whole_document.app, config=CONFIG, headers={"Host": HOST}
).include(operation_id=list(OPERATIONS))


@pytest.fixture
def admin_bearer(token_for) -> str:  # type: ignore[no-untyped-def]
    return f"Bearer {token_for('admin@bluebird.example', 'northwind')}"


@schema.parametrize()
@FUZZ
def test_user_operations_conform_for_a_company_admin(case, app, admin_bearer):  # type: ignore[no-untyped-def]
    case.call_and_validate(
        app=app, base_url=f"http://{HOST}/api/v1", headers={"Authorization": admin_bearer}
    )
