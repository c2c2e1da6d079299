"""The console form for a storefront's mail addresses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional


class TenantMailForm(FlaskForm):
    mail_sender = StringField(
        _l("Sender address"),
        description=_l("Mail is sent from this address; empty: the deployment's address."),
        validators=[Optional(), Length(max=254)],
    )
    support_email = StringField(
        _l("Support address"),
        description=_l("Replies go to this address; empty: the deployment's address, if any."),
        validators=[Optional(), Length(max=254)],
    )
