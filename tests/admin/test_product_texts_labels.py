"""Demo program names and rule ids shown to partners read in the page's language."""

from __future__ import annotations

from flask_babel import force_locale

from channelfront.statements.labels import program_label, rule_label


def test_known_names_are_labels_and_others_stay_as_typed(app):
    with app.test_request_context(), force_locale("en"):
        assert program_label("Reseller commissions") == "Reseller commissions"
        assert rule_label("sales") == "sales"
        assert program_label("Our own program") == "Our own program"
        assert rule_label("custom-rule") == "custom-rule"
        assert rule_label(None) == ""
