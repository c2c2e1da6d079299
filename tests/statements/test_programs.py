"""Programs: a draft checked against the contract, published as versions; errors name the field."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale

from channelfront.extensions import db
from channelfront.statements import programs
from channelfront.statements.schemas import ProgramInvalid
from tests.statements.programs_data import DISTRIBUTOR, document, live_program, tenant


def errors_of(doc: object, slug: str = "northwind") -> dict[str, list[str]]:
    with pytest.raises(ProgramInvalid) as caught:
        programs.create(tenant(slug), "p-test", "Test", "distributor", doc)
    return caught.value.errors


def test_a_program_is_a_draft_until_published_then_counts_versions(ctx):
    northwind = tenant("northwind")
    program = programs.create(northwind, "dist-2027", "Dist 2027", "distributor", DISTRIBUTOR)
    assert program.version == 0
    assert program.published_at is None
    assert program not in programs.published(northwind.id)
    assert program.draft["id"] == "dist-2027"  # the code is the program's id

    programs.publish(program, None)
    assert program.version == 1
    assert program.draft is None
    assert program.document["rules"][0]["id"] == "com-security"
    assert program in programs.published(northwind.id)

    changed = document(DISTRIBUTOR, grace_days=10)
    programs.save_draft(program, changed)
    assert program.document["grace_days"] == 5  # the live version is unchanged
    programs.publish(program, None)
    assert (program.version, program.document["grace_days"]) == (2, 10)
    assert programs.engine_program(program).grace_days == 10


def test_wrong_types_and_unknown_keys_are_named_by_their_path(ctx):
    doc = document(DISTRIBUTOR, grace_days="5")
    doc["rules"][0]["rate"] = 0.06
    doc["rules"][1]["rat"] = "0.04"
    doc["rules"][2]["tiers"][1] = {"from": "5000"}
    doc["rules"][3]["kind"] = "cashback"
    errors = errors_of(doc)
    assert errors["document.grace_days"] == ["Write a whole number."]
    assert "Write a number as a string" in errors["document.rules[0].rate"][0]
    assert errors["document.rules[1].rat"] == ["This field is not part of a program document."]
    assert errors["document.rules[2].tiers[1].rate"] == ["This field is required."]
    assert "“cashback” is not one of" in errors["document.rules[3].kind"][0]


def test_a_rule_without_the_fields_of_its_kind_is_refused(ctx):
    doc = document(DISTRIBUTOR)
    del doc["rules"][0]["rate"]
    errors = errors_of(doc)
    assert errors == {"document.rules[0].rate": ["A percent_commission rule needs this field."]}


def test_the_engine_is_the_final_check(ctx):
    doc = document(DISTRIBUTOR, min_payout="10.001")
    errors = errors_of(doc)
    assert list(errors) == ["document.min_payout"]
    assert "more decimals than USD allows" in errors["document.min_payout"][0]
    doc = document(DISTRIBUTOR)
    doc["rules"][2]["tiers"].reverse()
    assert "out of order" in errors_of(doc)["document.rules[2].tiers"][0]


def test_a_program_settles_in_the_storefront_currency(ctx):
    errors = errors_of(document(DISTRIBUTOR, settlement_currency="EUR"))
    assert errors == {
        "document.settlement_currency": ["A program settles in the storefront's currency, USD."]
    }
    # The same document fits alpenhandel, whose currency is EUR.
    programs.create(
        tenant("alpenhandel"),
        "p-eur",
        "EUR",
        "distributor",
        document(DISTRIBUTOR, settlement_currency="EUR"),
    )


def test_statement_date_conversion_is_for_the_simulator_only(ctx):
    program = programs.create(
        tenant("northwind"),
        "p-sd",
        "SD",
        "distributor",
        document(DISTRIBUTOR, fx_rate_date="statement_date"),
    )
    with pytest.raises(ProgramInvalid) as caught:
        programs.publish(program, None)
    assert list(caught.value.errors) == ["fx_rate_date"]
    assert (
        "statement_date can only be tried in the simulator"
        in caught.value.errors["fx_rate_date"][0]
    )
    assert program.version == 0


def test_code_name_and_audience_are_checked_with_the_document(ctx):
    live_program("northwind", "taken", DISTRIBUTOR)
    with pytest.raises(ProgramInvalid) as caught:
        programs.create(tenant("northwind"), "taken", "", "everyone", {"rules": "none"})
    errors = caught.value.errors
    assert set(errors) >= {"code", "name", "audience", "document.rules"}
    assert errors["code"] == ["Another program of this storefront has this code."]
    with pytest.raises(ProgramInvalid) as caught:
        programs.create(tenant("northwind"), "Bad Code", "x", "distributor", [1, 2])
    assert caught.value.errors["document"] == ["A program document is a JSON object."]


def test_nothing_to_publish_without_a_draft(ctx):
    program = live_program("northwind", "once", DISTRIBUTOR)
    with pytest.raises(ProgramInvalid) as caught:
        programs.publish(program, None)
    assert caught.value.errors == {"document": ["There are no changes to publish."]}
    db.session.rollback()


def test_messages_are_in_the_users_language(app: Flask, ctx):
    with app.test_request_context(), force_locale("de"):
        errors = errors_of(document(DISTRIBUTOR, grace_days="5"))
    assert errors["document.grace_days"] != ["Write a whole number."]
