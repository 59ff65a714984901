"""`interview-bot`: run the bot or migrate the database. Bad settings end in one line, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from bot.cli.accounts import add_verbs as add_account_verbs
from bot.cli.demo import add_verb as add_demo_verb
from bot.cli.envfile import env_file_applied
from bot.cli.exchange import add_verbs as add_exchange_verbs
from bot.cli.startup import add_team_option, open_workspace, say
from bot.cli.startup import load_embedder as _load_embedder
from bot.cli.startup import open_database as _open_database
from bot.cli.studies import add_verbs as add_study_verbs
from bot.config import (
    ConfigError,
    load_config,
    load_database_url,
    load_log_format,
    load_themes_method,
    load_themes_model,
)
from bot.errors import StartupError
from bot.logs import configure_logging

log = logging.getLogger("bot")

EXIT_CONFIG = 2


def _configure_logging(*, terminal: bool) -> None:
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    # Every line bounded: nothing a client sends can fill the log or forge a line in it.
    configure_logging(level=getattr(logging, level, logging.INFO), fmt=load_log_format(), terminal=terminal)


def cmd_migrate(_args: argparse.Namespace) -> int:
    from storage.migrate import current_revision

    db = _open_database(load_database_url())
    say("database is at revision %s", current_revision(db))
    return 0


def cmd_teams(_args: argparse.Namespace) -> int:
    """The workspaces in the database, one a line, with what each holds."""
    from bot.cli.startup import database_shown, sqlite_file
    from bot.cli.workspaces import Workspace, list_workspaces
    from bot.text import counted

    url = load_database_url()
    path = sqlite_file(url)
    known: list[Workspace] = []
    if path is not None and not path.exists():  # nothing to list: not a reason to create the file
        say("database: %s does not exist yet", database_shown(url))
    else:
        db = _open_database(url)
        with db.read() as session:
            known = list_workspaces(session=session)
        db.dispose()
    if not known:
        print(
            "No workspaces yet: import a sheet (interview-bot import --team T0123ABCD FILE.csv), or connect "
            "Slack (interview-bot run) and log an interview."
        )
    width = max((len(w.team_id) for w in known), default=0)
    for w in known:
        last = f", last on {w.last_held_on.isoformat()}" if w.last_held_on else ""
        print(
            f"{w.team_id:<{width}}  {counted(w.interviews, 'interview')}, {counted(w.accounts, 'account')}"
            f"{last}"
        )
    return 0


def cmd_themes_rebuild(args: argparse.Namespace) -> int:
    """Re-group a workspace from scratch (pains, then requests), keeping what people corrected."""
    from datetime import UTC, datetime

    from tqdm import tqdm

    from bot.replica import replica_name
    from bot.text import counted
    from bot.themes.regroup import rebuild
    from bot.themes.relabel import relabel
    from bot.themes.topics import keep_topics
    from bot.themes.upkeep.job import prepare_rebuild
    from bot.themes.upkeep.lease import claim_upkeep, release_upkeep
    from storage.models import ThemeKind

    team_id = args.team
    db = open_workspace(load_database_url(), team_id)
    embedder = _load_embedder(load_themes_method(), load_themes_model(), threads=os.cpu_count() or 1)
    replica = replica_name()
    for kind in ThemeKind:
        now = datetime.now(UTC)
        if not db.run(
            lambda s, k=kind, now=now: claim_upkeep(
                session=s, team_id=team_id, kind=k, replica=replica, now=now
            )
        ):
            raise StartupError(
                f"the {kind.value} themes of {team_id} are being regrouped by a running bot right now; "
                "try again in a few minutes."
            )
        bars: dict[str, tqdm] = {}

        def progress(
            stage: str, done: int, total: int, kind: ThemeKind = kind, bars: dict[str, tqdm] = bars
        ) -> None:
            bar = bars.get(stage)
            if bar is None:
                unit = "line" if stage == "embedding" else "step"
                bar = bars[stage] = tqdm(
                    total=total, desc=f"{kind.value}s: {stage}", unit=unit, file=sys.stderr
                )
            bar.update(done - bar.n)

        try:
            prepared, regrouping = prepare_rebuild(
                db,
                embedder,
                team_id=team_id,
                kind=kind,
                on_batch=lambda done, total, p=progress: p("embedding", done, total),
                progress=progress,
            )
            result = db.run(
                lambda s, k=kind, now=now, e=prepared, r=regrouping: rebuild(
                    session=s, team_id=team_id, kind=k, embedder=e, now=now, regrouping=r
                )
            )
            result.labelled = relabel(db, embedder, team_id=team_id, kind=kind)
            result.topics = keep_topics(db, embedder, team_id=team_id, kind=kind, now=now)
        finally:
            for bar in bars.values():
                bar.close()
            db.run(lambda s, k=kind: release_upkeep(session=s, team_id=team_id, kind=k, replica=replica))
        print(
            f"{kind.value}s of {team_id}: {counted(result.topics, 'topic')}, "
            f"{counted(result.themes, 'theme')} ({result.new_themes} new), "
            f"{counted(result.pooled, 'line')} in no theme, {result.embedded} embedded with {embedder.name}, "
            f"{result.labelled} labelled"
        )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from bot.app import dry_slack, serve

    config = load_config(dry_slack=args.dry_slack)
    with dry_slack(config) if args.dry_slack else nullcontext(config) as config:
        serve(
            config=config,
            db=_open_database(config.database_url),
            embedder=_load_embedder(config.themes_method, config.themes_model),
        )
    return 0


def cmd_themes_list(args: argparse.Namespace) -> int:
    """A workspace's topics with their themes under them, pains then requests: what /interview themes
    shows, in a terminal."""
    from bot.text import counted
    from bot.themes.store import list_themes
    from bot.themes.topics import list_topics
    from storage.models import ThemeKind

    def counts(lines: int, accounts: int) -> str:
        return f"{counted(lines, 'line')} from {counted(accounts, 'account')}"

    db = open_workspace(load_database_url(), args.team)
    with db.read() as session:
        for kind in ThemeKind:
            listed = list_themes(session=session, team_id=args.team, kind=kind, limit=10_000)
            themes = {t.id: t for t in listed}
            topics = list_topics(session=session, team_id=args.team, kind=kind)
            total = f"{counted(len(topics), 'topic')}, {counted(len(themes), 'theme')}"
            print(f"{kind.value}s of {args.team}: {total}")
            for topic in topics:
                print(f"  {topic.name} · {counts(topic.lines, topic.accounts)}")
                for theme in (themes.pop(t) for t in topic.themes if t in themes):
                    print(f"    › {theme.name} · {counts(theme.lines, theme.accounts)}")
            for theme in themes.values():  # not in a topic until the next upkeep pass
                print(f"  (no topic yet) {theme.name} · {counts(theme.lines, theme.accounts)}")
    db.dispose()
    return 0


def cmd_digest_preview(args: argparse.Namespace) -> int:
    """The digest of the last --days days as text (and the chart as a PNG with --chart): no Slack."""
    from datetime import UTC, datetime

    from bot.digest.chart import chart_png
    from bot.digest.content import build_digest
    from bot.digest.period import Period
    from bot.digest.terminal import digest_text
    from storage.models import RankBy

    team_id = args.team
    if not 1 <= args.days <= 366:
        raise StartupError("--days takes a whole number of days from 1 to 366.")
    db = open_workspace(load_database_url(), team_id)
    now = datetime.now(UTC)
    period = Period.last_days(now, UTC, days=args.days)
    with db.read() as session:
        digest = build_digest(
            session=session, team_id=team_id, period=period, now=now, rank_by=RankBy(args.rank)
        )
    sys.stdout.write(digest_text(digest))
    if args.chart:
        try:
            Path(args.chart).write_bytes(chart_png(digest))
        except OSError as exc:
            raise StartupError(f"cannot write the chart to {args.chart}: {exc.strerror}.") from None
        print(f"(chart written to {args.chart})", file=sys.stderr)
    db.dispose()
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with its errors in one line (no usage block), as the verbs' own errors are."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_CONFIG, f"{self.prog}: {message}; see {self.prog} --help\n")


def build_parser() -> argparse.ArgumentParser:
    # Every verb's parser is a _Parser too: add_subparsers makes them of its own parser's class.
    parser = _Parser(prog="interview-bot", description="The customer-interview feedback loop, inside Slack.")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    run = verbs.add_parser("run", help="start the bot (Socket Mode or HTTP, from BOT_MODE)")
    run.add_argument(
        "--dry-slack",
        action="store_true",
        help="try it on this machine: HTTP mode, a stand-in for Slack that logs what the bot would send, "
        "a throwaway database",
    )
    run.set_defaults(func=cmd_run)
    verbs.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(
        func=cmd_migrate
    )
    verbs.add_parser("teams", help="the workspaces in the database, with their interviews").set_defaults(
        func=cmd_teams
    )
    themes = verbs.add_parser("themes", help="the theme engine").add_subparsers(
        dest="themes_verb", required=True, metavar="ACTION"
    )
    rebuild = themes.add_parser(
        "rebuild", help="re-group a workspace's pains and requests from scratch, keeping people's corrections"
    )
    add_team_option(rebuild)
    rebuild.set_defaults(func=cmd_themes_rebuild)
    listing = themes.add_parser("list", help="a workspace's topics and the themes under them")
    add_team_option(listing)
    listing.set_defaults(func=cmd_themes_list)
    digest = verbs.add_parser("digest", help="the weekly digest").add_subparsers(
        dest="digest_verb", required=True, metavar="ACTION"
    )
    preview = digest.add_parser("preview", help="print a workspace's digest in the terminal (no Slack)")
    add_team_option(preview)
    preview.add_argument("--days", type=int, default=7, help="the period, in days up to today (default 7)")
    preview.add_argument("--chart", metavar="FILE", help="also write the chart, as a PNG, to FILE")
    preview.add_argument(
        "--rank",
        choices=("accounts", "arr"),
        default="accounts",
        help="rank themes by distinct accounts (default) or by their accounts' ARR summed",
    )
    preview.set_defaults(func=cmd_digest_preview)
    add_exchange_verbs(verbs)
    add_study_verbs(verbs)
    add_account_verbs(verbs)
    add_demo_verb(verbs, cli=main)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with env_file_applied():
            _configure_logging(terminal=args.verb != "run")
            return int(args.func(args))
    except (ConfigError, StartupError) as exc:
        print(f"interview-bot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        # Python flushes stdout once more at exit, and would complain: point it at nothing.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
