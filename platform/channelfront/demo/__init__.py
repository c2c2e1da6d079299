"""Demo data: the Nimbus catalog, three distributors, resellers and their users."""

from pathlib import Path

# The demo distributors' manifests and logos, kept apart from the operator's TENANTS_DIR:
# `flask demo load` syncs them, `flask tenants sync` never does.
DEMO_TENANTS_DIR = Path(__file__).resolve().parent / "tenants"
