"""Stored themes in the console: create, save versions, preview, publish, roll back,
and what storefronts show meanwhile."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.tenancy.models import Tenant
from channelfront.theming.models import StoreTheme, ThemeVersion
from tests.theming.conftest import BASE_FORM


def versions_of(theme: StoreTheme) -> list[int]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(ThemeVersion.number)
            .where(ThemeVersion.theme_id == theme.id)
            .order_by(ThemeVersion.number)
        )
    )


def page_of(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def test_a_new_theme_is_listed_with_an_unpublished_version_1(console, make_theme):
    theme = make_theme("spring", parent="harbor", name="Spring sale")
    assert theme.parent == "harbor"
    assert theme.published_number is None
    assert versions_of(theme) == [1]
    [tokens] = db.session.scalars(
        select(ThemeVersion.tokens).where(ThemeVersion.theme_id == theme.id)
    )
    assert tokens["colors"]["primary"] == "#0b4f6c"  # Harbor's own
    listed = page_of(console.get("/admin/themes"))
    row = re.search(r'<tr data-theme="spring">.*?</tr>', listed, re.S)
    assert row
    assert "Spring sale" in row.group(0)
    assert "Harbor" in row.group(0)
    assert "not published" in row.group(0)
    assert 'href="/admin/themes"' in page_of(console.get("/admin/"))  # the console's nav


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("harbor", "harbor is the name of a theme pack."),
        ("base", "base is the name of a theme pack."),
        ("Spring", "Use 2 to 40 lowercase letters, digits and dashes."),
        ("s", "Use 2 to 40 lowercase letters, digits and dashes."),
        ("spring sale", "Use 2 to 40 lowercase letters, digits and dashes."),
        ("spring", "A theme with the slug spring exists already."),
    ],
)
def test_a_slug_that_is_a_pack_taken_or_malformed_is_refused(make_theme, post_form, slug, message):
    make_theme("spring")
    response = post_form("/admin/themes/new", {"name": "Other", "slug": slug, "parent": "base"})
    assert response.status_code == 400
    assert message in page_of(response)
    assert db.session.scalar(select(func.count(StoreTheme.id))) == 1


def test_a_low_contrast_accent_is_refused_naming_the_pair_and_ratio(make_theme, save):
    theme = make_theme()
    response = save(theme, accent="#d3d3d3", text="#666666")
    assert response.status_code == 400
    page = page_of(response)
    # Beside the accent field, not only in the summary.
    assert re.search(
        r'<p class="field-error" data-field="accent">white text on accent #d3d3d3: 1\.50:1, '
        r"needs 4\.5:1</p>",
        page,
    )
    assert versions_of(theme) == [1]
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "theme.version_saved")
        )
        == 0
    )


def test_a_good_save_makes_version_2_and_publishes_nothing(make_theme, save):
    theme = make_theme()
    response = save(theme, primary="#7a2e8e", radius="12", font="lora", header="underline")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/themes/{theme.id}?version=2")
    assert versions_of(theme) == [1, 2]
    version = db.session.scalar(select(ThemeVersion).where(ThemeVersion.number == 2))
    assert version.tokens["colors"]["primary"] == "#7a2e8e"
    assert version.tokens["radius"] == 12
    assert version.created_by_id is not None
    assert db.session.get(StoreTheme, theme.id).published_number is None


def test_saving_from_an_old_version_still_makes_the_next_number(make_theme, save):
    theme = make_theme()
    assert save(theme, primary="#7a2e8e").status_code == 302
    assert save(theme, version=1, primary="#1d4ed8").status_code == 302
    assert versions_of(theme) == [1, 2, 3]


def test_the_editor_lists_versions_with_who_saved_them_and_the_published_one(
    console, make_theme, save, publish
):
    theme = make_theme()
    save(theme, primary="#7a2e8e")
    publish(theme, 1)
    page = page_of(console.get(f"/admin/themes/{theme.id}"))
    assert re.search(r'<tr data-version="1" data-published>.*?Nico Nimbus.*?Published', page, re.S)
    row2 = re.search(r'<tr data-version="2">.*?</tr>', page, re.S).group(0)
    assert "Nico Nimbus" in row2
    assert f"/admin/themes/{theme.id}/versions/2/publish" in row2
    # The form starts from the latest version.
    assert 'value="#7a2e8e"' in page


def test_preview_shows_the_draft_while_the_storefront_keeps_the_published_look(
    console, make_theme, save, publish, use_theme, northwind
):
    theme = make_theme()
    publish(theme, 1)
    use_theme("northwind", "spring")
    save(theme, primary="#7a2e8e")
    preview = console.get(f"/admin/themes/{theme.id}/versions/2/preview/home")
    assert preview.status_code == 200
    assert "--primary: #7a2e8e" in page_of(preview)
    assert "Northwind" in page_of(preview)  # the first tenant using the theme
    storefront = page_of(northwind.get("/"))
    assert "--primary: #334155" in storefront
    assert "#7a2e8e" not in storefront


def test_publishing_changes_every_storefront_using_the_theme_at_once(
    console, make_theme, save, publish, use_theme, northwind, alpenhandel
):
    theme = make_theme()
    publish(theme, 1)
    use_theme("northwind", "spring")
    use_theme("alpenhandel", "spring")
    save(theme, primary="#7a2e8e", font="inter")
    assert publish(theme, 2).status_code == 302
    for client in (northwind, alpenhandel):
        page = page_of(client.get("/"))
        assert "--primary: #7a2e8e" in page
        assert 'href="/theme/base/fonts/inter/fonts.css"' in page
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "theme.published")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert event.before == {"published_number": 1, "tenants": None}
    assert event.after == {"published_number": 2, "tenants": ["alpenhandel", "northwind"]}
    assert event.actor_label == "admin@nimbus.example"


def test_publishing_an_earlier_version_rolls_back(
    console, make_theme, save, publish, use_theme, northwind
):
    theme = make_theme()
    save(theme, primary="#7a2e8e")
    publish(theme, 2)
    use_theme("northwind", "spring")
    assert "--primary: #7a2e8e" in page_of(northwind.get("/"))
    editor = page_of(console.get(f"/admin/themes/{theme.id}"))
    assert "Publish (roll back to it)" in editor
    assert publish(theme, 1).status_code == 302
    page = page_of(northwind.get("/"))
    assert "--primary: #334155" in page
    assert "#7a2e8e" not in page
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "theme.rolled_back")
        )
        == 1
    )


def test_an_unpublished_theme_is_never_shown_to_a_storefront(
    make_theme, save, use_theme, northwind
):
    theme = make_theme()
    save(theme, primary="#7a2e8e")
    use_theme("northwind", "spring")  # as if chosen before it was ever published
    page = page_of(northwind.get("/"))
    assert "#7a2e8e" not in page
    assert 'data-theme="base"' in page


def test_the_theme_banner_and_featured_products_show_on_the_storefront_home(
    make_theme, save, publish, use_theme, alpenhandel
):
    theme = make_theme()
    response = save(
        theme,
        banner_en="Spring offers for partners",
        banner_de="Frühlingsangebote für Partner",
        featured="SHD-ENT-1Y, SHD-STD-1Y",
    )
    assert response.status_code == 302, page_of(response)
    publish(theme, 2)
    use_theme("alpenhandel", "spring")
    page = page_of(alpenhandel.get("/"))  # Alpenhandel speaks German by default
    assert 'lang="de"' in page
    assert '<p class="banner">Frühlingsangebote für Partner</p>' in page
    assert "Spring offers" not in page
    featured = re.search(r'<section class="featured-products">.*?</section>', page, re.S).group(0)
    skus = re.findall(r'href="/catalog/([A-Z0-9-]+)"', featured)
    assert skus == ["SHD-ENT-1Y", "SHD-STD-1Y"]


def test_an_unknown_featured_sku_is_refused_beside_the_field(make_theme, save):
    theme = make_theme()
    response = save(theme, featured="SHD-ENT-1Y, NOPE-1")
    assert response.status_code == 400
    assert "No product with SKU NOPE-1" in page_of(response)
    assert versions_of(theme) == [1]


@pytest.mark.parametrize("page", ["home", "catalog", "cart", "mail"])
def test_every_preview_page_renders_the_version_and_may_be_framed_by_the_console(
    console, make_theme, save, page
):
    theme = make_theme("spring", parent="harbor")
    save(theme, primary="#7a2e8e", accent="#005a8c")
    response = console.get(f"/admin/themes/{theme.id}/versions/2/preview/{page}")
    assert response.status_code == 200
    body = page_of(response)
    assert "#7a2e8e" in body
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert "form-action 'none'" in policy
    if page == "catalog":
        assert body.count('class="product-card"') >= 1
        assert "List" in body
    if page == "cart":
        assert 'class="cart-line"' in body
    if page == "mail":
        # No tenant uses the theme yet: the vendor's first tenant names the mail.
        first = db.session.scalar(select(Tenant.name).order_by(Tenant.id).limit(1))
        assert '<p class="brand"' in body
        assert first in body


def test_preview_in_another_language(console, make_theme, save):
    theme = make_theme()
    save(theme, banner_en="Spring offers", banner_ja="春のキャンペーン")
    body = page_of(console.get(f"/admin/themes/{theme.id}/versions/2/preview/home?lang=ja"))
    assert 'lang="ja"' in body
    assert "春のキャンペーン" in body


def test_the_editor_frames_its_preview_and_other_pages_still_refuse_framing(console, make_theme):
    theme = make_theme()
    editor = console.get(f"/admin/themes/{theme.id}")
    assert editor.status_code == 200
    assert "frame-src 'self'" in editor.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in editor.headers["Content-Security-Policy"]
    assert editor.headers["X-Frame-Options"] == "DENY"
    assert f'src="/admin/themes/{theme.id}/versions/1/preview/home"' in page_of(editor)
    listing = console.get("/admin/themes")
    assert "frame-src 'self'" not in listing.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/themes/{id}/versions/9/preview/home",
        "/admin/themes/{id}/versions/1/preview/checkout",
        "/admin/themes/999999",
        "/admin/themes/{id}?version=7",
    ],
)
def test_unknown_versions_pages_and_themes_are_404(console, make_theme, path):
    theme = make_theme()
    assert console.get(path.format(id=theme.id)).status_code == 404


def test_publishing_an_unknown_version_is_404_and_writes_nothing(make_theme, publish):
    theme = make_theme()
    assert publish(theme, 5).status_code == 404
    db.session.expire_all()
    assert db.session.get(StoreTheme, theme.id).published_number is None


def test_the_list_costs_the_same_queries_for_one_theme_or_many(
    app, console, make_theme, use_theme, count_statements
):
    make_theme("one")
    with count_statements() as one:
        assert console.get("/admin/themes").status_code == 200
    for slug in ("two", "three", "four"):
        make_theme(slug)
    use_theme("northwind", "two")
    use_theme("sakura", "three")
    with count_statements() as many:
        page = page_of(console.get("/admin/themes"))
    assert "Northwind" in page
    assert len(many) == len(one)


def test_storefront_users_never_reach_the_theme_console(bluebird_buyer, client_for, make_theme):
    theme = make_theme()
    paths = ["/admin/themes", "/admin/themes/new", f"/admin/themes/{theme.id}"]
    for path in paths:
        assert bluebird_buyer.get(path).status_code == 404
    distributor = client_for("northwind.localhost")
    assert distributor.login("admin@northwind.example").status_code == 302
    for path in [*paths, f"/admin/themes/{theme.id}/versions/1/preview/home"]:
        assert distributor.get(path).status_code == 404
    # On the console's host they cannot even sign in.
    console_host = client_for("admin.localhost")
    assert console_host.login("admin@northwind.example").status_code == 403
    assert console_host.get("/admin/themes").status_code == 302


def test_vendor_operations_staff_look_but_do_not_change(vendor_ops, make_theme):
    theme = make_theme()
    assert vendor_ops.get("/admin/themes").status_code == 200
    editor = vendor_ops.get(f"/admin/themes/{theme.id}")
    assert editor.status_code == 200
    assert "Only vendor administrators can change themes." in page_of(editor)
    assert vendor_ops.get(f"/admin/themes/{theme.id}/versions/1/preview/cart").status_code == 200
    token = vendor_ops.csrf_token("/admin/themes")
    answers = [
        vendor_ops.post(f"/admin/themes/{theme.id}", data={**BASE_FORM, "csrf_token": token}),
        vendor_ops.post(f"/admin/themes/{theme.id}/versions/1/publish", data={"csrf_token": token}),
        vendor_ops.post(
            "/admin/themes/new",
            data={"name": "X", "slug": "xx", "parent": "base", "csrf_token": token},
        ),
    ]
    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert versions_of(theme) == [1]
    assert db.session.scalar(select(func.count(StoreTheme.id))) == 1
