"""`./scripts/demo` (interview-bot demo): the sample team imported into a database of its own, its digest
printed and its chart written, as a newcomer runs it; what the sample's history shows in that digest, and
the study its calls were logged into."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.cli.demo import DEMO_TEAM, SAMPLE, run_demo, shifted_sample
from bot.cli.main import main
from bot.digest.chart import chart_figure
from bot.digest.content import Digest, build_digest
from bot.digest.period import Period
from bot.digest.ranking import Trend
from bot.studies.sheet import Sheet, build_sheet
from bot.studies.store import find_study, list_studies
from storage.db import Database
from storage.models import Answer

# Each test travels to TODAY itself (the demo takes ten seconds): once, not at each clock start.
pytestmark = pytest.mark.own_clock

# A Sunday in January: the demo's week and the eight before it cross the new year.
TODAY = datetime(2027, 1, 10, 11, 0, tzinfo=UTC)


@pytest.fixture
def demo_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder with no .env, the real sentence model, and the clock on TODAY."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("THEMES_METHOD", "semantic")
    monkeypatch.setenv("THEMES_MODEL", "minilm")
    with time_machine.travel(TODAY, tick=False):
        yield tmp_path


def demo_digest(folder: Path) -> Digest:
    db = Database(f"sqlite:///{folder / 'demo.db'}")
    try:
        with db.read() as session:
            return build_digest(
                session=session, team_id=DEMO_TEAM, period=Period.last_days(TODAY, ZoneInfo("UTC")), now=TODAY
            )
    finally:
        db.dispose()


def test_the_demo_shows_the_samples_history_in_its_digest_and_chart(
    demo_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_demo(workdir=demo_folder, cli=main) == 0
    printed = capsys.readouterr()
    assert (demo_folder / "demo.db").is_file()
    assert (demo_folder / "demo-chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Its own database, never the default one, and the way on.
    assert not (demo_folder / "interview-bot.db").exists()
    assert f"themes list --team {DEMO_TEAM}" in printed.out and "demo-chart.png" in printed.out
    # The sample's last call was yesterday: the week is full.
    digest = demo_digest(demo_folder)
    assert digest.heard.interviews >= 8 and digest.heard.accounts >= 8
    assert "Customer digest, 4 – 10 Jan 2027" in printed.out
    # The history the sample was written to show, as the digest reads it.
    pains = digest.pains.recurring
    rising = [t for t in pains if t.trend is Trend.RISING and t.accounts >= 3]
    assert rising, [(t.name, t.trend, t.accounts, t.history) for t in pains]
    falling = [t for t in pains if t.trend is Trend.FALLING]
    assert falling and max(t.accounts_ever for t in falling) >= 8, "a pain many raised, fading"
    assert any(t.emerging and not any(t.history) for t in digest.emerging), "one nobody raised before"
    assert "rising" in printed.out and "falling" in printed.out and "\nEmerging\n" in printed.out
    # The chart: a bar per top pain, as long as its accounts, and the year where its weeks cross one.
    figure = chart_figure(digest)
    bars_axes = figure.axes[0]
    widths = [round(bar.get_width()) for bar in bars_axes.patches]
    assert widths == [t.accounts for t in digest.chart] and len(widths) == min(5, len(pains))
    ticks = [label.get_text() for label in figure.axes[-1].get_xticklabels()]
    assert any("2026" in tick for tick in ticks) and any("2027" in tick for tick in ticks), ticks
    assert len(set(ticks)) == len(ticks)


def demo_sheet(folder: Path) -> Sheet:
    db = Database(f"sqlite:///{folder / 'demo.db'}")
    try:
        with db.read() as session:
            study = find_study(session=session, team_id=DEMO_TEAM, name="older phones")
            assert study is not None
            (progress,) = list_studies(session=session, team_id=DEMO_TEAM)
            assert (progress.target_interviews, progress.days_left(TODAY.date())) == (20, 21)
            assert progress.owners == ("U0DEMOBEN", "U0DEMOCARA")
            return build_sheet(session=session, team_id=DEMO_TEAM, study_id=study.id)
    finally:
        db.dispose()


def test_the_demo_holds_the_samples_study_with_the_answers_its_calls_gave(
    demo_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_demo(workdir=demo_folder, cli=main) == 0
    assert "study “Older phones” made" in capsys.readouterr().err
    sheet = demo_sheet(demo_folder)
    assert (sheet.name, sheet.interviews, len(sheet.rows)) == ("Older phones", 18, 9)
    slow, update, paper, lighter = sheet.points
    # Every account on older phones says it is slow; whether the update did it, they disagree.
    assert slow.tally() == "supported by 9 of 9 accounts, contradicted by 0, not discussed by 0"
    assert update.tally() == "supported by 3 of 9 accounts, contradicted by 1, not discussed by 5"
    assert update.disagree and not slow.disagree
    assert paper.tally() == "supported by 3 of 9 accounts, contradicted by 0, mixed for 1, not discussed by 5"
    # Two accounts only have spoken to the lighter build: too little to conclude from.
    assert lighter.thin and [p.thin for p in (slow, update, paper)] == [False, False, False]
    # Ridgeback said twice: slow before the update in September, since the release in November; the later
    # answer stands in the sheet, both stay in the point's evidence.
    ridgeback = next(row for row in sheet.rows if row.account == "Ridgeback Freight")
    said = ridgeback.cells[1]
    assert ridgeback.interviews == 3 and said is not None and said.answer is Answer.SUPPORTS
    assert [s.answer for s in update.evidence if s.account == "Ridgeback Freight"] == [
        Answer.SUPPORTS,
        Answer.CONTRADICTS,
    ]


def test_the_demo_again_gives_the_same_digest(demo_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_demo(workdir=demo_folder, cli=main) == 0
    first = capsys.readouterr().out
    assert run_demo(workdir=demo_folder, cli=main) == 0
    second = capsys.readouterr().out
    digest_only = [text.split("\nDone in ")[0] for text in (first, second)]
    assert digest_only[0] == digest_only[1] and "Customer digest" in digest_only[0]


def test_the_sample_moves_so_its_latest_call_is_the_day_asked() -> None:
    def held(text: str) -> list[date]:
        return [date.fromisoformat(row["date"]) for row in csv.DictReader(io.StringIO(text))]

    text = SAMPLE.read_text(encoding="utf-8-sig")
    before, after = held(text), held(shifted_sample(text, latest=date(2027, 1, 9)))
    assert max(after) == date(2027, 1, 9)
    # Every call by the same days, in the same order: the history keeps its shape.
    assert {b - a for a, b in zip(before, after, strict=True)} == {date(2027, 1, 9) - max(before)}
