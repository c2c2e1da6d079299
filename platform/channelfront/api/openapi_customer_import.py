"""The customer list import of the OpenAPI document: ``POST /customers/import``."""

from __future__ import annotations

from apispec import APISpec

from channelfront.api.openapi_parts import COMMON, NO_HOST, error
from channelfront.customers import csv_import

EXAMPLE_CSV = (
    "company_name,contact_name,email,country,vat_id,crm_account_id\r\n"
    "Acme Corp,Ada Acme,ada@acme.example,US,,CRM-0001\r\n"
    "Globex GmbH,Gerd Globex,gerd@globex.example,DE,DE123456789,CRM-0002\r\n"
)

IMPORT = f"""\
Adds and updates the company's end customers from a CSV list, all or nothing.

The first row names the columns, in any order: `company_name`, `contact_name`, `email`
and `country` (two letters) are required; `vat_id` and `crm_account_id` are optional
(an empty cell clears the value; a column left out keeps it). UTF-8 with or without a
byte order mark; cells separated by `,` or by the `;` German Excel writes. At most
{csv_import.MAX_BYTES // 2**20} MB and {csv_import.MAX_ROWS} rows; empty lines are skipped.

Each row is matched to an existing customer by `crm_account_id`, then `vat_id`, then
`email` (case-insensitive): a match is updated (or left unchanged), anything else is
added. A cell that starts with `=`, `+`, `-` or `@` (a spreadsheet formula) is refused,
and so is a row matching the same customer or repeating the key of an earlier row.

Any error writes nothing: `422` lists each one with its `row` (the header is row 1; 0
for the whole file), `field` (the column, or `file`) and `message`, at most
{csv_import.MAX_ERRORS}. Otherwise `200` with the counts."""

COUNTS = {
    "new": {"type": "integer", "minimum": 0},
    "updated": {"type": "integer", "minimum": 0},
    "unchanged": {"type": "integer", "minimum": 0},
    "invalid": {"type": "integer", "minimum": 0},
}
IMPORTED = {
    "type": "object",
    "required": ["status", "import_id", "total_rows", *COUNTS],
    "properties": {
        "status": {"type": "string", "enum": ["done"]},
        "import_id": {"type": "integer"},
        "total_rows": {"type": "integer", "minimum": 0},
        **COUNTS,
    },
}
ROW_ERRORS = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message", "errors"],
            "properties": {
                "status": {"type": "integer"},
                "message": {"type": "string"},
                "errors": {
                    "type": "array",
                    "maxItems": csv_import.MAX_ERRORS,
                    "items": {
                        "type": "object",
                        "required": ["row", "field", "message"],
                        "properties": {
                            "row": {"type": "integer", "minimum": 0},
                            "field": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                },
                "counts": {"type": "object", "properties": COUNTS},
            },
        }
    },
}


def add_customer_import_paths(spec: APISpec) -> None:
    spec.path(
        path="/customers/import",
        operations={
            "post": {
                "operationId": "importCustomers",
                "summary": "Add and update end customers from a CSV list, all or nothing",
                "description": IMPORT,
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "text/csv": {
                            "schema": {"type": "string", "maxLength": csv_import.MAX_BYTES},
                            "example": EXAMPLE_CSV,
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "Imported: the customers added, updated and unchanged",
                        "content": {"application/json": {"schema": IMPORTED}},
                    },
                    "400": error("A query parameter was given (none exist); or a bad Host"),
                    "403": error(
                        "The token's user is not a reseller enrolled here; or has a role that "
                        "may only read (viewer)"
                    ),
                    "404": NO_HOST,
                    "413": error("The body is larger than 5 MB"),
                    "415": error("The body is not text/csv"),
                    "422": {
                        "description": "The list has errors, each with its row and field; "
                        "nothing was written",
                        "content": {"application/json": {"schema": ROW_ERRORS}},
                    },
                    **{k: v for k, v in COMMON.items() if k != "403"},
                },
            }
        },
    )
