"""Version numbers: two saves never share one, even when another save wins the race."""

from __future__ import annotations

from sqlalchemy import event, insert, select

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.theming.editor import LogoChange, save_version
from channelfront.theming.models import ThemeVersion
from tests.theming.conftest import BASE_FORM


def test_a_save_that_loses_the_race_for_a_number_takes_the_next_one(app, make_theme):
    theme = make_theme()
    admin = db.session.scalar(select(User).where(User.email == "admin@nimbus.example"))
    base = db.session.scalar(select(ThemeVersion).where(ThemeVersion.theme_id == theme.id))
    raced: list[int] = []

    def other_save(state):  # type: ignore[no-untyped-def]
        # Right after this save read the highest number (1), another save stores 2.
        if raced or not state.is_select or "max(" not in str(state.statement).lower():
            return None
        highest = state.invoke_statement().freeze()
        state.session.execute(insert(ThemeVersion).values(theme_id=theme.id, number=2, tokens={}))
        raced.append(2)
        return highest()

    event.listen(db.session, "do_orm_execute", other_save)
    try:
        version = save_version(
            theme,
            admin,
            {**BASE_FORM, "primary": "#7a2e8e"},
            LogoChange(),
            base,
            app.config["THEMES_DIR"],
            SHIPPED_LOCALES,
        )
    finally:
        event.remove(db.session, "do_orm_execute", other_save)
    assert raced == [2]
    assert version.number == 3
    db.session.commit()
    rows = db.session.execute(
        select(ThemeVersion.number, ThemeVersion.tokens)
        .where(ThemeVersion.theme_id == theme.id)
        .order_by(ThemeVersion.number)
    ).all()
    assert [number for number, _tokens in rows] == [1, 2, 3]
    assert rows[2].tokens["colors"]["primary"] == "#7a2e8e"
