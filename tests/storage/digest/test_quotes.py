"""A quote from the same call stands in for a theme's line in the digest only when it is about the theme:
measured against the theme's centre by the model that made it (bot.themes.quotes)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from bot.themes.embeddings import Embedder, LexicalEmbedder
from bot.themes.quotes import QuoteFit
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.work import UpkeepSchedule
from storage.db import Database
from tests.storage.digest.test_digest import digest_of
from tests.support.digest_data import NOW, WEEK_END, log

DAY = WEEK_END - timedelta(days=3)
# One pain, said by three accounts, each call with a quote about it and one about something else.
CALLS = {
    "Acme": (
        "CSV export times out on big reports",
        [
            "Every month end the export just spins and then dies on us",
            "Our drivers have stopped using the app",
        ],
    ),
    "Globex": (
        "exporting to csv fails for large date ranges",
        [
            "Finance asked me three times last month about the invoice",
            "The CSV export never finishes for a year",
        ],
    ),
    "Initech": (
        "the spreadsheet export never completes",
        [
            "We copy the numbers out by hand because the export download fails",
            "Nobody here can log in with Okta",
        ],
    ),
}
ON_TOPIC = {quotes[0] if "export" in quotes[0].lower() else quotes[1] for _, quotes in CALLS.values()}
OFF_TOPIC = {q for _, quotes in CALLS.values() for q in quotes} - ON_TOPIC


@pytest.fixture
def exports(database: Database, semantic: Embedder) -> Database:
    for account, (pain, quotes) in CALLS.items():
        log(database, account, DAY, pains=[pain], quotes=quotes)
    schedule = UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7))
    UpkeepJob(db=database, embedder=semantic, replica="r1", schedule=schedule).tick(now=NOW)
    return database


def _lines_quoted(db: Database) -> list[tuple[str, int]]:
    """As if the previous digest had quoted every line of the theme: only quotes can stand in."""
    (theme,) = digest_of(db).pains.recurring
    assert theme.accounts == 3, "the three export lines make one theme"
    return [("pain", said_id) for said_id in _line_ids(db)]


def _line_ids(db: Database) -> list[int]:
    from sqlalchemy import select

    from storage.models import Pain

    with db.read() as session:
        return list(session.scalars(select(Pain.id)))


def test_only_quotes_about_the_theme_stand_in_for_its_lines(exports: Database, semantic: Embedder) -> None:
    digest = digest_of(exports, already_quoted=_lines_quoted(exports), quote_fit=QuoteFit(semantic))
    (theme,) = digest.pains.recurring
    shown = {said.text for said in theme.words}
    assert shown, "a quote about the theme stands in for its line"
    assert shown <= ON_TOPIC, f"off-topic quote shown under the export theme: {shown & OFF_TOPIC}"
    assert {said.source[0] for said in theme.words} == {"quote"}


def test_without_the_model_no_quote_stands_in(exports: Database) -> None:
    # The digest cannot tell what a quote is about: it shows none rather than risk one off topic.
    digest = digest_of(exports, already_quoted=_lines_quoted(exports))
    (theme,) = digest.pains.recurring
    assert theme.words == ()


class _Renamed:
    """The same model under another name: as a theme's centre made by another method looks."""

    def __init__(self, embedder: Embedder) -> None:
        self.name, self.policy, self.embed = "another-model", embedder.policy, embedder.embed


@pytest.mark.parametrize("other", ["renamed", "lexical"])
def test_a_theme_of_another_method_fits_no_quote(exports: Database, semantic: Embedder, other: str) -> None:
    # Vectors of another space than the theme's centre are never compared; the lexical method has no
    # measured closeness for quotes at all.
    embedder = _Renamed(semantic) if other == "renamed" else LexicalEmbedder()
    digest = digest_of(exports, already_quoted=_lines_quoted(exports), quote_fit=QuoteFit(embedder))
    (theme,) = digest.pains.recurring
    assert theme.words == ()


def test_quote_fit_compares_with_the_centre(semantic: Embedder) -> None:
    from bot.themes.embeddings import to_bytes

    centre = semantic.embed(["CSV export times out", "export to csv fails on big files"]).mean(axis=0)
    fit = QuoteFit(semantic)
    texts = ["The CSV export never finishes for a year", "Finance asked me three times about the invoice"]
    assert fit.about(
        centroid=to_bytes(centre, dtype=np.float32), embedded_with=semantic.name, texts=texts
    ) == [True, False]
    assert fit.about(centroid=None, embedded_with=semantic.name, texts=texts) == [False, False]
