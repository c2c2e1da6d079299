"""Forms of the webhook pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from channelfront.webhooks.address import MAX_URL_LENGTH
from channelfront.webhooks.events import EVENT_TYPES


class ActionForm(FlaskForm):
    """A button (delete, rotate, enable, test, redeliver): only the CSRF token."""


class EndpointForm(FlaskForm):
    url = StringField(
        _l("URL"),
        validators=[DataRequired(_l("Enter the URL.")), Length(max=MAX_URL_LENGTH)],
    )
    description = StringField(_l("Description"), validators=[Length(max=200)])
    all_events = BooleanField(_l("All events"))
    events = SelectMultipleField(
        _l("Events"),
        choices=[SelectChoice(e, e) for e in EVENT_TYPES],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )

    def chosen_events(self) -> list[str]:
        return list(EVENT_TYPES) if self.all_events.data else list(self.events.data or [])
