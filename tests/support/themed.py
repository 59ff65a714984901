"""Themes set up by hand through the engine's own corrections: lines embedded with the lexical method,
then grouped as a test says (the first line of a group splits off into a new theme, the others are
moved into it), so a test knows each theme's members without running the clustering."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.themes.corrections import NEW_THEME, move
from bot.themes.embeddings import LexicalEmbedder
from bot.themes.placement import embed_new
from storage.db import Database
from storage.models import Pain, ThemeKind


def group_pains(db: Database, team_id: str, groups: list[list[str]]) -> list[int]:
    """Put the workspace's pains with these texts into one theme per group; the themes' ids."""
    now = datetime.now(UTC)
    themes: list[int] = []
    with db.transaction() as session:
        embed_new(session=session, team_id=team_id, kind=ThemeKind.PAIN, embedder=LexicalEmbedder())
        session.flush()
        for texts in groups:
            theme_id: int | str = NEW_THEME
            for text in texts:
                for line_id in list(
                    session.scalars(
                        select(Pain.id).where(Pain.team_id == team_id, Pain.text == text).order_by(Pain.id)
                    )
                ):
                    theme = move(
                        session=session,
                        team_id=team_id,
                        kind=ThemeKind.PAIN,
                        line_id=line_id,
                        to=theme_id,
                        by="UTEST",
                        now=now,
                    )
                    assert theme is not None
                    theme_id = theme.id
            assert isinstance(theme_id, int), f"no pain says any of {texts}"
            themes.append(theme_id)
    return themes
