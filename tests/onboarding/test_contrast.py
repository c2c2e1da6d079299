"""WCAG contrast: known values, and the console's tenant form refusing a failing colour."""

import pytest
from sqlalchemy import select

from channelfront.tenancy.models import Tenant
from channelfront.theming.contrast import contrast_ratio, failing_pairs, relative_luminance


@pytest.mark.parametrize(
    ("fg", "bg", "ratio"),
    [
        ("#ffffff", "#767676", 4.54),
        ("#ffffff", "#F5A623", 2.03),
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),
    ],
)
def test_contrast_ratio_matches_known_pairs(fg, bg, ratio):
    assert contrast_ratio(fg, bg) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(bg, fg) == contrast_ratio(fg, bg)


def test_luminance_of_black_and_white():
    assert relative_luminance("#000000") == 0
    assert relative_luminance("#FFFFFF") == pytest.approx(1)


def test_failing_pairs_name_white_on_accent():
    colors = {"primary": "#334155", "accent": "#f5a623", "text": "#0f172a", "background": "#fff"}
    colors["background"] = "#ffffff"
    assert [p.key for p in failing_pairs(colors)] == ["white-on-accent"]


def _edit(console, tid, **overrides):
    data = {
        "name": "Northwind Distribution",
        "status": "live",
        "hosts": "northwind.localhost",
        "theme": "harbor",
        "locales": ["en"],
        "default_locale": "en",
        "primary_color": "",
        "accent_color": "",
    }
    data.update(overrides)
    page = f"/admin/tenants/{tid}"
    token = console.csrf_token(page)
    return console.post(page, data={**data, "csrf_token": token})


def test_tenant_form_refuses_a_low_contrast_colour_naming_pair_and_ratio(console, rows, text_of):
    tid, before = rows(select(Tenant.id, Tenant.accent_color).where(Tenant.slug == "northwind"))[0]
    response = _edit(console, tid, accent_color="#F5A623")
    assert response.status_code == 400
    assert "white text on accent #F5A623: 2.03:1, needs 4.5:1" in text_of(response)
    assert rows(select(Tenant.accent_color).where(Tenant.id == tid))[0][0] == before


def test_tenant_form_accepts_a_readable_colour(console, rows):
    tid = rows(select(Tenant.id).where(Tenant.slug == "northwind"))[0][0]
    response = _edit(console, tid, primary_color="#0b4f6c", accent_color="#767676")
    assert response.status_code == 302
    assert rows(select(Tenant.accent_color).where(Tenant.id == tid))[0][0] == "#767676"
