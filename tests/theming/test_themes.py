"""Each tenant's pages come out in its own theme, colours and logo."""

import pytest
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.tenancy.models import Tenant
from channelfront.theming.packs import available_themes, load_theme


def test_same_page_differs_per_tenant_theme(northwind, alpenhandel, sakura):
    pages = {
        name: client.get("/").get_data(as_text=True)
        for name, client in [("harbor", northwind), ("alpine", alpenhandel), ("sakura", sakura)]
    }
    for theme, page in pages.items():
        assert f'data-theme="{theme}"' in page
        assert f"/theme/{theme}/theme.css" in page
    assert "--primary: #0b4f6c" in pages["harbor"]
    assert "--primary: #1f5f3a" in pages["alpine"]
    assert "--primary: #b03060" in pages["sakura"]


def test_theme_is_part_of_the_template_cache_key(northwind, alpenhandel):
    # Alternate hosts: a cache keyed on the template name alone would serve the first theme.
    for _ in range(2):
        assert "harbor-footer" in northwind.get("/").get_data(as_text=True)
        alpine = alpenhandel.get("/").get_data(as_text=True)
        assert "alpine-footer" in alpine
        assert "harbor-footer" not in alpine


def test_manifest_colour_override_beats_the_theme(ctx, northwind):
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
    tenant.primary_color = "#123456"
    db.session.commit()
    page = northwind.get("/").get_data(as_text=True)
    assert "--primary: #123456" in page
    assert "--accent: #f2a541" in page


def test_tenant_text_is_escaped_not_executed(ctx, northwind):
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
    tenant.name = "<script>alert(1)</script>{{ 7*7 }}"
    db.session.commit()
    page = northwind.get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page
    assert "{{ 7*7 }}" in page
    assert ">49<" not in page


def _fetch(client, path):
    with client.get(path) as response:
        return response.status_code, response.mimetype, response.get_data()


def test_theme_static_files_fall_back_to_base_and_stay_inside(northwind):
    assert _fetch(northwind, "/theme/harbor/theme.css")[2].startswith(b"/* Harbor")
    status, _type, body = _fetch(northwind, "/theme/harbor/base.css")
    assert status == 200
    assert b".site-header" in body
    assert northwind.get("/theme/harbor/../../tenants/northwind/tenant.toml").status_code == 404
    assert northwind.get("/theme/harbor/%2e%2e/theme.toml").status_code == 404
    assert northwind.get("/theme/nope/base.css").status_code == 404


def test_tenant_logo_is_served_on_its_host(northwind, sakura, client_for):
    status, mimetype, body = _fetch(northwind, "/brand/logo")
    assert status == 200
    assert mimetype == "image/svg+xml"
    assert b"Northwind" in body
    assert b"Sakura" in _fetch(sakura, "/brand/logo")[2]
    assert client_for("admin.localhost").get("/brand/logo").status_code == 404


def test_demo_themes_exist_and_are_visibly_different(app):
    names = available_themes(app.config["THEMES_DIR"])
    assert {"base", "harbor", "alpine", "sakura"} <= set(names)
    themes = [load_theme(app.config["THEMES_DIR"], n) for n in ("harbor", "alpine", "sakura")]
    assert len({t.colors["primary"] for t in themes}) == 3
    assert len({t.fonts["heading"] for t in themes}) == 3
    assert all(t.chain[-1] == "base" for t in themes)


def test_a_theme_with_a_bad_colour_is_refused(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "theme.toml").write_text('[colors]\nprimary = "red;}body{"\n')
    with pytest.raises(ValueError, match="colour"):
        load_theme(str(tmp_path), "base")
