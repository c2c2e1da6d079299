"""Translated labels for the demo's program names and rule ids shown to partners.

Program names and rule ids are data (one column, no locale), so the names the demo and
the docs use are shown through translated labels; any other name is shown as typed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PROGRAM_NAMES = {
    "Distributor incentives": _l("Distributor incentives"),
    "Reseller commissions": _l("Reseller commissions"),
}

RULE_IDS = {
    "sales": _l("sales"),
    "renewals": _l("renewals"),
    "commission": _l("commission"),
    "commission-security": _l("commission on security"),
    "commission-support": _l("commission on support"),
    "volume-rebate": _l("volume rebate"),
    "spiff-shield-enterprise": _l("SPIFF Nimbus Shield Enterprise"),
    "mdf": _l("market development funds"),
}


def program_label(name: str) -> str:
    """The program's name in the page's language when it is a known name."""
    found = PROGRAM_NAMES.get(name)
    return str(found) if found is not None else name


def rule_label(rule_id: str | None) -> str:
    """A rule id in the page's language when it is a known id, else the id itself."""
    if not rule_id:
        return ""
    found = RULE_IDS.get(rule_id)
    return str(found) if found is not None else rule_id
