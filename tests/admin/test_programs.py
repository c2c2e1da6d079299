"""Partner programs per tenant: listing rules, adding and removing rules, adding programs."""

import pytest
from sqlalchemy import select

from channelfront.catalog.models import Category, Product, ProductGroup
from channelfront.pricing.models import Program, ProgramRule
from channelfront.tenancy.models import Tenant

PAGE = "/admin/programs"


def program_id(rows, tenant_slug, program_slug):
    return rows(
        select(Program.id).where(
            Program.tenant_id == Tenant.id, Tenant.slug == tenant_slug, Program.slug == program_slug
        )
    )[0][0]


def rules_of(rows, program):
    return sorted(
        rows(
            select(
                ProgramRule.tenant_id,
                ProgramRule.category_id,
                ProgramRule.group_id,
                ProgramRule.product_id,
                ProgramRule.discount_bps,
            ).where(ProgramRule.program_id == program)
        ),
        key=repr,
    )


def one(rows, column, where):
    return rows(select(column).where(where))[0][0]


def test_programs_are_listed_per_tenant_with_their_rules(console, text_of):
    text = text_of(console.get(PAGE))
    northwind = text.split("Northwind Distribution Gold (gold)")[1].split("Add a program")[0]
    assert "Category: Security 30% Remove" in northwind
    assert "Category: Analytics 22.5% Remove" in northwind
    assert "Group: Enterprise editions 32% Remove" in northwind
    assert "SKU: INS-PERP 35% Remove" in northwind
    assert "Silver (silver) Applies to Discount Category: Security 20%" in northwind


def test_add_a_sku_rule_authorizes_the_product_for_enrolled_resellers(
    submit, rows, bluebird_buyer, text_of
):
    assert bluebird_buyer.get("/catalog/CDE-STD-1Y").status_code == 404
    gold = program_id(rows, "northwind", "gold")
    response = submit(
        PAGE, f"/admin/programs/{gold}/rules", {"sku": "cde-std-1y", "discount": "12.5"}
    )
    assert response.status_code == 302
    northwind = one(rows, Tenant.id, Tenant.slug == "northwind")
    product = one(rows, Product.id, Product.sku == "CDE-STD-1Y")
    assert (northwind, None, None, product, 1250) in rules_of(rows, gold)
    detail = bluebird_buyer.get("/catalog/CDE-STD-1Y")
    assert detail.status_code == 200
    assert "$183.75" in text_of(detail)  # $210.00 list less 12.5 %


def test_add_category_and_group_rules(submit, rows):
    silver = program_id(rows, "alpenhandel", "silver")
    alpenhandel = one(rows, Tenant.id, Tenant.slug == "alpenhandel")
    devtools = one(rows, Category.id, Category.slug == "devtools")
    cloud = one(rows, ProductGroup.id, ProductGroup.slug == "cloud")
    action = f"/admin/programs/{silver}/rules"
    assert (
        submit(PAGE, action, {"target": f"category:{devtools}", "discount": "0"}).status_code == 302
    )
    assert submit(PAGE, action, {"target": f"group:{cloud}", "discount": "100"}).status_code == 302
    rules = rules_of(rows, silver)
    assert (alpenhandel, devtools, None, None, 0) in rules
    assert (alpenhandel, None, cloud, None, 10000) in rules


def test_remove_a_rule_withdraws_the_authorization(console, submit, rows, bluebird_buyer, text_of):
    assert bluebird_buyer.get("/catalog/INS-PERP").status_code == 200
    gold = program_id(rows, "northwind", "gold")
    product = one(rows, Product.id, Product.sku == "INS-PERP")
    rule = one(
        rows, ProgramRule.id, (ProgramRule.program_id == gold) & (ProgramRule.product_id == product)
    )
    analytics = one(rows, Category.id, Category.slug == "analytics")
    category_rule = one(
        rows,
        ProgramRule.id,
        (ProgramRule.program_id == gold) & (ProgramRule.category_id == analytics),
    )
    assert submit(PAGE, f"/admin/rules/{rule}/delete").status_code == 302
    assert submit(PAGE, f"/admin/rules/{category_rule}/delete").status_code == 302
    assert rows(select(ProgramRule.id).where(ProgramRule.id.in_([rule, category_rule]))) == []
    assert "The rule is removed from Gold." in text_of(console.get(PAGE))
    assert bluebird_buyer.get("/catalog/INS-PERP").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"discount": "10"},
            "Category or group: Choose a category or a product group, or enter a SKU",
        ),
        ({"target": "category:{security}", "sku": "CDE-PERP", "discount": "10"}, "exactly one"),
        ({"sku": "NOPE-1", "discount": "10"}, "or SKU: There is no product with SKU NOPE-1."),
        ({"target": "category:999999", "discount": "10"}, "Category or group: Not a valid choice"),
        ({"target": "product:1", "discount": "10"}, "Category or group: Not a valid choice"),
        ({"sku": "CDE-PERP", "discount": ""}, "Discount in percent: Enter a discount"),
        ({"sku": "CDE-PERP", "discount": "abc"}, "Discount in percent: “abc” is not a number"),
        (
            {"sku": "CDE-PERP", "discount": "-1"},
            "Discount in percent: The number cannot be negative.",
        ),
        (
            {"sku": "CDE-PERP", "discount": "100.01"},
            "Discount in percent: A discount is between 0 and 100",
        ),
        (
            {"sku": "CDE-PERP", "discount": "12.345"},
            "Discount in percent: Use at most two decimals.",
        ),
        ({"sku": "CDE-PERP", "discount": "1e1"}, "Discount in percent: “1e1” is not a number"),
        ({"sku": "INS-PERP", "discount": "10"}, "Gold already has a rule for this"),
        ({"target": "category:{security}", "discount": "10"}, "Gold already has a rule for this"),
    ],
)
def test_bad_rule_input_is_refused_and_nothing_is_written(submit, rows, text_of, data, message):
    gold = program_id(rows, "northwind", "gold")
    security = one(rows, Category.id, Category.slug == "security")
    data = {key: value.format(security=security) for key, value in data.items()}
    before = rules_of(rows, gold)
    response = submit(PAGE, f"/admin/programs/{gold}/rules", data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert rules_of(rows, gold) == before


def test_refused_rule_shows_its_error_on_its_own_program_only(submit, rows):
    gold = program_id(rows, "northwind", "gold")
    page = submit(PAGE, f"/admin/programs/{gold}/rules", {"sku": "NOPE-1", "discount": "10"})
    html = page.get_data(as_text=True)
    assert html.count('class="error-summary"') == 1
    program_block = html.split(f'id="program-{gold}"')[1].split("</article>")[0]
    assert "There is no product with SKU NOPE-1." in program_block
    assert 'value="NOPE-1"' in program_block
    assert html.count('value="NOPE-1"') == 1


def test_add_a_program_to_a_tenant(console, submit, rows, text_of):
    sakura = one(rows, Tenant.id, Tenant.slug == "sakura")
    response = submit(
        PAGE, f"/admin/tenants/{sakura}/programs", {"slug": "platinum", "name": "Platinum"}
    )
    assert response.status_code == 302
    assert rows(select(Program.tenant_id, Program.name).where(Program.slug == "platinum")) == [
        (sakura, "Platinum")
    ]
    assert "Program Platinum of Sakura Trading is added." in text_of(console.get(PAGE))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slug": "", "name": "Platinum"}, "Slug: Enter a slug."),
        ({"slug": "Plat Inum", "name": "Platinum"}, "Slug: Use 2 to 40 lowercase letters"),
        (
            {"slug": "standard", "name": "Again"},
            "Slug: Sakura Trading already has a program “standard”.",
        ),
        ({"slug": "platinum", "name": ""}, "Program name: Enter the program's name."),
    ],
)
def test_bad_program_input_is_refused(submit, rows, text_of, data, message):
    sakura = one(rows, Tenant.id, Tenant.slug == "sakura")
    before = rows(select(Program.id, Program.name))
    response = submit(PAGE, f"/admin/tenants/{sakura}/programs", data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert rows(select(Program.id, Program.name)) == before


def test_unknown_program_or_rule_is_404(submit):
    assert (
        submit(
            PAGE, "/admin/programs/999999/rules", {"sku": "CDE-PERP", "discount": "1"}
        ).status_code
        == 404
    )
    assert submit(PAGE, "/admin/rules/999999/delete").status_code == 404
    assert (
        submit(PAGE, "/admin/tenants/999999/programs", {"slug": "x", "name": "y"}).status_code
        == 404
    )
