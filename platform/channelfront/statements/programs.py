"""Incentive programs of a tenant: created as a draft, edited, published as versions.

A program's `document` is the live version (the contract's program document); edits
wait in `draft` until published. Only published programs earn anything.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.statements.models import IncentiveProgram
from channelfront.statements.schemas import ProgramInvalid, validate_program
from channelfront.tenancy.models import Tenant
from incentives import parse
from incentives.model import Program

log = logging.getLogger(__name__)
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
AUDIENCES = ("distributor", "reseller")
MAX_NAME = 120


def _document(tenant: Tenant, code: str, document: object, live: bool) -> dict[str, Any]:
    # The program's code is its id in the engine: entries and statements name it.
    if isinstance(document, dict):
        document = {**document, "id": code}
    return validate_program(document, tenant.currency, live)


def _record(
    action: str,
    program: IncentiveProgram,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor: User | None = None,
) -> None:
    record(
        action,
        program,
        label=f"{program.code}: {program.name}",
        before=before,
        after=after,
        tenant_id=program.tenant_id,
        actor=actor,
    )


def create(
    tenant: Tenant, code: str, name: str, audience: str, document: object
) -> IncentiveProgram:
    """A new, unpublished program whose draft is `document` (no commit); ProgramInvalid."""
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    name = (name or "").strip()
    if not CODE.match(code):
        errors["code"] = [_("Use 1 to 40 lower-case letters, digits or hyphens.")]
    elif db.session.scalar(
        select(IncentiveProgram.id).where(
            IncentiveProgram.tenant_id == tenant.id, IncentiveProgram.code == code
        )
    ):
        errors["code"] = [_("Another program of this storefront has this code.")]
    if not name or len(name) > MAX_NAME:
        errors["name"] = [_("Enter a name of at most %(max)d characters.", max=MAX_NAME)]
    if audience not in AUDIENCES:
        errors["audience"] = [_("Choose distributor or reseller.")]
    try:
        draft = _document(tenant, code or "program", document, live=False)
    except ProgramInvalid as error:
        errors.update(
            {k if k == "document" else f"document.{k}": v for k, v in error.errors.items()}
        )
    if errors:
        raise ProgramInvalid(errors)
    program = IncentiveProgram(
        tenant_id=tenant.id,
        code=code,
        name=name,
        audience=audience,
        document={},
        draft=draft,
        version=0,
        published_at=None,
    )
    db.session.add(program)
    db.session.flush()
    _record("incentive_program.created", program, None, {"draft": draft})
    return program


def save_draft(program: IncentiveProgram, document: object) -> IncentiveProgram:
    """Keep `document` as the program's unpublished edit (no commit); ProgramInvalid."""
    tenant = db.session.get(Tenant, program.tenant_id)
    assert tenant is not None
    before = program.draft
    program.draft = _document(tenant, program.code, document, live=False)
    _record("incentive_program.draft_saved", program, {"draft": before}, {"draft": program.draft})
    return program


def publish(program: IncentiveProgram, actor: User | None) -> IncentiveProgram:
    """Make the draft the live document, as the next version (no commit); ProgramInvalid.

    Events from now on post under the new rules; entries already written stay as they are.
    """
    if program.draft is None:
        raise ProgramInvalid({"document": [_("There are no changes to publish.")]})
    tenant = db.session.get(Tenant, program.tenant_id)
    assert tenant is not None
    before = {"version": program.version, "document": program.document}
    program.document = _document(tenant, program.code, program.draft, live=True)
    program.draft = None
    program.version = (program.version or 0) + 1
    program.published_at = datetime.now(UTC)
    after = {"version": program.version, "document": program.document}
    _record("incentive_program.published", program, before, after, actor)
    log.info(
        "incentive program %s of %s published as version %s by %s",
        program.code,
        tenant.slug,
        program.version,
        actor.email if actor is not None else "the system",
    )
    return program


def published(tenant_id: int) -> list[IncentiveProgram]:
    """The tenant's published programs, oldest first."""
    return list(
        db.session.scalars(
            select(IncentiveProgram)
            .where(IncentiveProgram.tenant_id == tenant_id, IncentiveProgram.version > 0)
            .order_by(IncentiveProgram.id)
        )
    )


def engine_program(program: IncentiveProgram) -> Program:
    """The engine's view of the live document (parsed once per distinct document)."""
    return _parsed(json.dumps(program.document, sort_keys=True))


@lru_cache(maxsize=256)
def _parsed(document: str) -> Program:
    return parse.program(json.loads(document))
