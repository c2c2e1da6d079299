"""Console forms of incentive programs. They check shape; `programs` checks the document."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

MAX_DOCUMENT = 200_000  # characters: a program with hundreds of rules fits easily


class NewProgramForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l(
            "Lower-case letters, digits and hyphens; statements name the program by it."
        ),
        validators=[DataRequired(_l("Enter a code.")), Length(max=40)],
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the program's name.")), Length(max=120)]
    )
    audience = SelectField(_l("Who takes part"))


def new_program_form(submitted: bool = True) -> NewProgramForm:
    form = NewProgramForm() if submitted else NewProgramForm(formdata=None)
    form.audience.choices = [("distributor", _("The distributor")), ("reseller", _("Resellers"))]
    return form


class DocumentForm(FlaskForm):
    document = TextAreaField(
        _l("Program document (JSON)"),
        validators=[
            DataRequired(_l("Enter the program document.")),
            Length(max=MAX_DOCUMENT, message=_l("The document is too long.")),
        ],
    )


class PublishForm(FlaskForm):
    digest = HiddenField()


class CloseForm(FlaskForm):
    # The choices are the periods waiting to be closed; the close itself checks the rest.
    period = SelectField(_l("Period"), validate_choice=False)


MAX_INT_DIGITS = 30


class NotJson(ValueError):
    """The text is not a JSON document; the message says where."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise NotJson(_("The key “%(key)s” appears twice in one object.", key=key[:40]))
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise NotJson(_("%(value)s is not a JSON value.", value=name))


def _whole(text: str) -> int:
    # int() refuses strings of more than 4,300 digits with a ValueError: refuse them first.
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise NotJson(_("A number has more than %(max)d digits.", max=MAX_INT_DIGITS))
    return int(text)


def load_json(raw: str) -> Any:
    """The JSON value in `raw`; NotJson (with line and column) for anything else."""
    try:
        return json.loads(
            raw,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
            parse_int=_whole,
        )
    except json.JSONDecodeError as error:
        raise NotJson(
            _(
                "This is not valid JSON (line %(line)d, column %(column)d).",
                line=error.lineno,
                column=error.colno,
            )
        ) from None
    except RecursionError:
        raise NotJson(_("The document is nested too deeply.")) from None


def pretty(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)
