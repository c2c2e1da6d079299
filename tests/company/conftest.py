"""Company admins signed in on their storefronts."""

from __future__ import annotations

import pytest

from tests.api.conftest import token_for  # noqa: F401
from tests.conftest import HostClient


@pytest.fixture
def bluebird_admin(northwind: HostClient) -> HostClient:
    """admin@bluebird.example (company_admin) signed in on Northwind."""
    response = northwind.login("admin@bluebird.example")
    assert response.status_code == 302, response.get_data(as_text=True)
    return northwind
