"""``flask tenants sync`` upserts the manifests, safely twice, and refuses bad ones whole."""

import shutil

from sqlalchemy import func, select

from channelfront.extensions import db
from channelfront.pricing.models import Program, ProgramRule
from channelfront.tenancy.models import Tenant, TenantHost


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Tenant, TenantHost, Program, ProgramRule)
    )


def test_sync_twice_changes_nothing(app, ctx):
    before = _counts()
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["tenants", "sync"])
        assert result.exit_code == 0, result.output
    assert _counts() == before
    assert "northwind.localhost" in result.output


def test_a_bad_manifest_is_named_and_nothing_is_written(app, ctx, tmp_path):
    tenants_dir = tmp_path / "tenants"
    shutil.copytree(app.config["TENANTS_DIR"], tenants_dir)
    (tenants_dir / "zeta").mkdir()
    (tenants_dir / "zeta" / "tenant.toml").write_text(
        'slug = "zeta"\nname = "Zeta"\ntheme = "harbor"\ndefault_locale = "en"\n'
        'locales = ["en", "xx"]\ncurrency = "USD"\nhosts = ["zeta.localhost"]\n'
    )
    before = _counts()
    app.config["TENANTS_DIR"] = str(tenants_dir)
    try:
        result = app.test_cli_runner().invoke(args=["tenants", "sync"])
    finally:
        app.config["TENANTS_DIR"] = str(app.root_path.rsplit("/platform", 1)[0] + "/tenants")
    assert result.exit_code != 0
    assert "zeta" in result.output
    assert "locales" in result.output
    assert _counts() == before
