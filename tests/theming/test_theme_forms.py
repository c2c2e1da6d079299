"""Bad input on the theme forms: 400 with the field named beside it, nothing written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from channelfront.extensions import db
from channelfront.theming.models import StoreTheme, ThemeVersion
from tests.theming.conftest import BASE_FORM


def error_beside(page: str, field: str) -> str:
    """The error text shown under the field (colour fields carry data-field)."""
    found = re.search(
        rf'<label for="{field}".*?<p class="field-error">(.*?)</p>', page, re.S
    ) or re.search(rf'<p class="field-error" data-field="{field}">(.*?)</p>', page)
    assert found, f"no error beside {field}"
    return found.group(1)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("primary", "red", "Give the colour as #rrggbb"),
        ("accent", "", "Give the colour as #rrggbb"),
        ("surface", "#12345", "Give the colour as #rrggbb"),
        ("text", "#ffffff", "text text on background #ffffff: 1.00:1"),
        ("primary", "#ffff00", "white text on primary #ffff00"),
        ("radius", "25", "from 0 to 24"),
        ("radius", "-1", "from 0 to 24"),
        ("radius", "1.5", "from 0 to 24"),
        ("radius", "", "from 0 to 24"),
        ("radius", "x" * 11, "10"),
        ("header", "wave", "Not a valid choice"),
        ("header", "", "Not a valid choice"),
        ("font", "comic-sans", "Not a valid choice"),
        ("featured", "NOPE-1", "No product with SKU NOPE-1"),
        ("featured", ",".join(f"X{i}" for i in range(300)), "1000"),
        ("banner_de", "Ä" * 201, "At most 200 characters."),
        ("banner_ja", "x" * 401, "400"),
        ("primary", "#0b4f6c\x00", "Give the colour as #rrggbb"),
    ],
)
def test_each_bad_editor_field_is_refused_beside_it(make_theme, save, field, value, message):
    theme = make_theme()
    response = save(theme, **{field: value})
    assert response.status_code == 400
    assert message in error_beside(response.get_data(as_text=True), field)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ThemeVersion.id))) == 1


def test_a_post_with_no_fields_at_all_is_400_not_500(console, make_theme, post_form):
    theme = make_theme()
    response = post_form(f"/admin/themes/{theme.id}", {})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for field in ("primary", "header", "font"):
        assert error_beside(page, field)


def test_a_wrong_field_type_for_the_logo_is_ignored_not_a_crash(make_theme, save):
    theme = make_theme()
    # A plain text value where a file belongs: no file was sent, the logo stays as it is.
    assert save(theme, logo="not a file").status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "slug": "ok", "parent": "base"}, "name", "Enter the theme's name."),
        ({"name": "x" * 121, "slug": "ok", "parent": "base"}, "name", "120"),
        ({"name": "Ok", "slug": "", "parent": "base"}, "slug", "Enter a slug."),
        ({"name": "Ok", "slug": "a" * 41, "parent": "base"}, "slug", "40"),
        ({"name": "Ok", "slug": "-é-", "parent": "base"}, "slug", "lowercase letters"),
        ({"name": "Ok", "slug": "ok", "parent": "nope"}, "parent", "Not a valid choice"),
        ({"name": "Ok", "slug": "ok", "parent": "../base"}, "parent", "Not a valid choice"),
        ({"name": "Ok", "slug": "ok"}, "parent", "Not a valid choice"),
    ],
)
def test_each_bad_new_theme_field_is_refused_beside_it(
    ctx, console, post_form, data, field, message
):
    response = post_form("/admin/themes/new", data)
    assert response.status_code == 400
    assert message in error_beside(response.get_data(as_text=True), field)
    assert db.session.scalar(select(func.count(StoreTheme.id))) == 0


def test_a_post_without_its_security_token_is_refused(console, make_theme):
    theme = make_theme()
    response = console.post(f"/admin/themes/{theme.id}", data=BASE_FORM)
    assert response.status_code == 400
    answer = console.post(f"/admin/themes/{theme.id}/versions/1/publish")
    assert answer.status_code == 400
    db.session.expire_all()
    assert db.session.get(StoreTheme, theme.id).published_number is None
