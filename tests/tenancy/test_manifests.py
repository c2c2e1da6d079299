"""``flask tenants sync`` upserts the manifests, safely twice, and refuses bad ones whole."""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from channelfront.demo import DEMO_TENANTS_DIR
from channelfront.extensions import db
from channelfront.pricing.models import Program, ProgramRule
from channelfront.tenancy.models import Tenant, TenantHost


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Tenant, TenantHost, Program, ProgramRule)
    )


@pytest.fixture
def tenants_dir(app) -> Iterator[Callable[[Path], None]]:  # type: ignore[no-untyped-def]
    """``tenants_dir(path)`` points TENANTS_DIR there for the test."""
    original = app.config["TENANTS_DIR"]

    def point(path: Path) -> None:
        app.config["TENANTS_DIR"] = str(path)

    yield point
    app.config["TENANTS_DIR"] = original


def test_sync_twice_changes_nothing(app, ctx, tenants_dir):
    tenants_dir(DEMO_TENANTS_DIR)  # the manifests the demo was loaded from
    before = _counts()
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["tenants", "sync"])
        assert result.exit_code == 0, result.output
    assert _counts() == before
    assert "northwind.localhost" in result.output


def test_a_bad_manifest_is_named_and_nothing_is_written(app, ctx, tmp_path, tenants_dir):
    folder = tmp_path / "tenants"
    shutil.copytree(DEMO_TENANTS_DIR, folder)
    (folder / "zeta").mkdir()
    (folder / "zeta" / "tenant.toml").write_text(
        'slug = "zeta"\nname = "Zeta"\ntheme = "harbor"\ndefault_locale = "en"\n'
        'locales = ["en", "xx"]\ncurrency = "USD"\nhosts = ["zeta.localhost"]\n'
    )
    before = _counts()
    tenants_dir(folder)
    result = app.test_cli_runner().invoke(args=["tenants", "sync"])
    assert result.exit_code != 0
    assert "zeta" in result.output
    assert "locales" in result.output
    assert _counts() == before


def test_the_demo_tenants_are_not_in_the_operators_folder(app):
    manifests = sorted(p.parent.name for p in DEMO_TENANTS_DIR.glob("*/tenant.toml"))
    assert manifests == ["alpenhandel", "northwind", "sakura"]
    shipped = [p.parent.name for p in Path(app.config["TENANTS_DIR"]).glob("*/tenant.toml")]
    assert shipped == ["example"]
