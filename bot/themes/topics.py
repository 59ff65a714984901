"""Topics: the areas above themes, as a product manager files them ("Sign-in and SSO", "Onboarding").

After every upkeep pass the topics of a workspace (one kind at a time) are remade from its live themes:
the themes' centroids are grouped by average linkage at the method's `topic_at`, and the new groups are
matched to the topics they continue by the themes they share, so a topic keeps its id and a name a
person gave it. A theme a person put in a topic (`topic_placed_by`) stays there whatever the grouping
says. Topics are remade from the themes alone, so a workspace's topics are the same whether its themes
came one line at a time or from a full regroup.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import delete, func, select, union_all
from sqlalchemy.orm import Session

from bot.errors import BotError
from bot.themes.embeddings import Embedder, from_bytes
from bot.themes.grouping import GroupingPolicy, normalize
from bot.themes.labels import Background
from bot.themes.linkage import average_linkage
from bot.themes.store import LINE_MODELS, THEME_NAME_MAX, live_conditions
from bot.themes.topic_labels import topic_label
from storage.db import Database
from storage.models import CustomerRequest, Pain, Theme, ThemeKind, Topic

# Lines of each theme read to label its topic: enough for the words its pains share.
LABEL_LINES_PER_THEME = 20
# Themes whose first lines one query reads (SQLite allows 500 parts to a UNION).
THEMES_PER_QUERY = 50


class TopicNotFound(BotError):
    def __init__(self) -> None:
        super().__init__("That topic is gone: the themes were regrouped. Open /interview themes again.")


class SameTopic(BotError):
    def __init__(self) -> None:
        super().__init__("Pick another topic: a topic cannot be merged into itself.")


@dataclass
class TopicsResult:
    topics: int = 0
    new_topics: int = 0
    labelled: int = 0


def topic_groups(centroids: np.ndarray, policy: GroupingPolicy) -> np.ndarray:
    """One group per theme: average linkage of the themes' unit centroids (each theme one vote, whatever
    its size: a topic is about its pains, not its loudest one), cut at `policy.topic_at`."""
    if len(centroids) == 0:
        return np.zeros(0, dtype=np.int64)
    units = normalize(centroids)
    roots = average_linkage(units, np.ones(len(units)), 1.0 - policy.topic_at)
    return np.unique(roots, return_inverse=True)[1]


def arrange_topics(
    *, session: Session, team_id: str, kind: ThemeKind, method: str, policy: GroupingPolicy, now: datetime
) -> TopicsResult:
    """Remake a workspace's topics of one kind from its live themes embedded by `method`; keep what
    people did; label the topics whose themes changed (unless a person named them)."""
    themes = list(
        session.scalars(
            select(Theme)
            .where(
                *live_conditions(team_id, kind), Theme.centroid.is_not(None), Theme.embedded_with == method
            )
            .order_by(Theme.id)
        )
    )
    old = {
        t.id: t for t in session.scalars(select(Topic).where(Topic.team_id == team_id, Topic.kind == kind))
    }
    placed = {t.id for t in themes if t.topic_placed_by is not None and t.topic_id in old}
    free = [t for t in themes if t.id not in placed]
    before = {t.id: t.topic_id for t in themes}
    groups = topic_groups(
        np.vstack([from_bytes(t.centroid) for t in free]) if free else np.zeros((0, 1)), policy
    )
    # The largest overlaps first, topics people named first among equals: the one a group continues.
    overlaps = sorted(
        (-count, old[topic_id].named_by is None, int(group), topic_id)
        for group, topic_ids in _by_group(free, groups).items()
        for topic_id, count in Counter(t for t in topic_ids if t in old).items()
    )
    matched: dict[int, Topic] = {}
    # One group per topic; a topic holding a theme a person placed may still be continued by a group.
    taken: set[int] = set()
    for _, _, group, topic_id in overlaps:
        if group not in matched and topic_id not in taken:
            matched[group] = old[topic_id]
            taken.add(topic_id)
    result = TopicsResult()
    for theme, group in zip(free, groups.tolist(), strict=True):
        if group not in matched:
            topic = Topic(team_id=team_id, kind=kind, name=theme.name, created_at=now, updated_at=now)
            session.add(topic)
            session.flush()
            matched[group] = topic
            result.new_topics += 1
        theme.topic_id = matched[group].id
        theme.topic_placed_by = None
    kept = {t.topic_id for t in themes}
    gone = [topic_id for topic_id in old if topic_id not in kept]
    if gone:
        session.execute(delete(Topic).where(Topic.id.in_(gone)))
    moved = [theme for theme in themes if before[theme.id] != theme.topic_id]
    changed = {before[t.id] for t in moved} | {t.topic_id for t in moved}
    live = {t.id: t for t in [*old.values(), *matched.values()] if t.id in kept}
    # Labelled again: topics whose themes changed, and a topic of one theme whose theme was named anew
    # since (relabelled as it grew, or renamed by a person): it goes by its theme's name.
    sizes = Counter(t.topic_id for t in themes)
    alone = {t.topic_id: t.name for t in themes if sizes[t.topic_id] == 1}
    fresh = [
        topic
        for topic in live.values()
        if topic.named_by is None and (topic.id in changed or alone.get(topic.id, topic.name) != topic.name)
    ]
    result.labelled = _label(session, team_id, kind, fresh, list(live.values()), themes, now)
    result.topics = len(live)
    _count_accounts(session, team_id, kind, live, themes)
    return result


def _count_accounts(
    session: Session, team_id: str, kind: ThemeKind, topics: dict[int, Topic], themes: Sequence[Theme]
) -> None:
    """Each topic's distinct accounts, kept for the digest and the Home tab to read, counted again only for
    the topics whose themes changed (which themes, their sizes or their accounts) since the last count."""
    members: dict[int, list[str]] = defaultdict(list)
    for theme in themes:
        if theme.topic_id is not None:
            members[theme.topic_id].append(f"{theme.id}:{theme.size}:{theme.accounts}")
    basis = {t: hashlib.sha1(",".join(sorted(m)).encode()).hexdigest() for t, m in members.items()}
    stale = [topic_id for topic_id, topic in topics.items() if topic.counted_from != basis.get(topic_id)]
    if not stale:
        return
    line = LINE_MODELS[kind]
    counted: dict[int, int] = {}
    for start in range(0, len(stale), 500):  # IN lists well within both databases' limits
        counted.update(
            session.execute(
                # A line carries its account: the (theme, account) index answers without the lines.
                select(Theme.topic_id, func.count(func.distinct(line.account_id)))
                .join(line, line.theme_id == Theme.id)
                .where(*live_conditions(team_id, kind), Theme.topic_id.in_(stale[start : start + 500]))
                .group_by(Theme.topic_id)
            ).all()
        )
    for topic_id in stale:
        topic = topics[topic_id]
        topic.accounts, topic.counted_from = counted.get(topic_id, 0), basis.get(topic_id)


def _by_group(free: Sequence[Theme], groups: np.ndarray) -> dict[int, list[int | None]]:
    out: dict[int, list[int | None]] = defaultdict(list)
    for theme, group in zip(free, groups.tolist(), strict=True):
        out[group].append(theme.topic_id)
    return out


def first_lines(
    session: Session, line: type[Pain] | type[CustomerRequest], theme_ids: Sequence[int]
) -> dict[int, list[str]]:
    """The first LABEL_LINES_PER_THEME lines of each theme, by id. One small query per theme, sent
    THEMES_PER_QUERY at a time: each finds its lines through the index on theme_id and reads only those
    rows, where numbering every line of the workspace would read them all (embeddings included)."""
    ids = sorted(set(theme_ids))
    found: dict[int, tuple[int, str]] = {}
    for start in range(0, len(ids), THEMES_PER_QUERY):
        chunk = ids[start : start + THEMES_PER_QUERY]
        # Always as many parts (the last theme repeated): one statement to compile, kept for every pass.
        chunk += chunk[-1:] * (THEMES_PER_QUERY - len(chunk))
        firsts = [
            select(line.id, line.theme_id, line.text)
            .where(line.theme_id == theme_id)
            .order_by(line.id)
            .limit(LABEL_LINES_PER_THEME)
            .subquery()
            .select()
            for theme_id in chunk
        ]
        found.update((i, (t, text)) for i, t, text in session.execute(union_all(*firsts)))
    texts: dict[int, list[str]] = defaultdict(list)
    for _, (theme_id, text) in sorted(found.items()):
        texts[theme_id].append(text)
    return texts


def _label(
    session: Session,
    team_id: str,
    kind: ThemeKind,
    fresh: Sequence[Topic],
    every: Sequence[Topic],
    themes: Sequence[Theme],
    now: datetime,
) -> int:
    """Label the `fresh` topics from their themes' lines, against the workspace's (the words every topic
    says name none), never with another topic's label."""
    if not fresh:
        return 0
    texts = first_lines(session, LINE_MODELS[kind], [t.id for t in themes])
    background = Background.of(text for lines in texts.values() for text in lines)
    members: dict[int, list[Theme]] = defaultdict(list)
    for theme in themes:
        members[theme.topic_id].append(theme)
    taken = [t.name for t in every if t not in fresh]
    for topic in sorted(fresh, key=lambda t: t.id):
        pains = members[topic.id]
        label = topic_label(
            [texts[t.id] for t in pains],
            pain_labels=[t.name for t in pains],
            background=background,
            taken=taken,
        )
        # A topic of one theme is that theme; one whose lines share no word takes its largest theme's name.
        if len(pains) == 1 or not label:
            label = max(pains, key=lambda t: (t.size, -t.id)).name
        topic.name, topic.updated_at = label[:THEME_NAME_MAX], now
        taken.append(topic.name)
    return len(fresh)


def keep_topics(db: Database, embedder: Embedder, *, team_id: str, kind: ThemeKind, now: datetime) -> int:
    """After an upkeep pass and its labels: the workspace's topics remade from its themes, in one short
    write transaction (a few hundred centroids group in milliseconds). Returns how many topics."""
    return db.run(
        lambda session: arrange_topics(
            session=session, team_id=team_id, kind=kind, method=embedder.name, policy=embedder.policy, now=now
        )
    ).topics


@dataclass(frozen=True)
class TopicSummary:
    id: int
    kind: ThemeKind
    name: str
    named_by: str | None
    themes: tuple[int, ...]  # its themes' ids, the most accounts first
    lines: int
    accounts: int  # distinct: an account that raised two of its pains counts once


def list_topics(*, session: Session, team_id: str, kind: ThemeKind) -> list[TopicSummary]:
    """A workspace's topics of one kind, the ones raised by the most accounts first."""
    line = LINE_MODELS[kind]
    accounts = func.count(func.distinct(line.account_id))
    per_topic = session.execute(
        select(Theme.topic_id, func.count(line.id), accounts)
        .join(line, line.theme_id == Theme.id)
        .where(*live_conditions(team_id, kind), Theme.topic_id.is_not(None))
        .group_by(Theme.topic_id)
    ).all()
    counts = {topic_id: (lines, n) for topic_id, lines, n in per_topic}
    per_theme = session.execute(
        select(Theme.id, Theme.topic_id)
        .where(*live_conditions(team_id, kind), Theme.topic_id.is_not(None))
        .order_by(Theme.accounts.desc(), Theme.size.desc(), Theme.id)
    ).all()
    themes: dict[int, list[int]] = defaultdict(list)
    for theme_id, topic_id in per_theme:
        themes[topic_id].append(theme_id)
    topics = session.scalars(select(Topic).where(Topic.team_id == team_id, Topic.kind == kind)).all()
    out = [
        TopicSummary(
            id=t.id,
            kind=t.kind,
            name=t.name,
            named_by=t.named_by,
            themes=tuple(themes.get(t.id, ())),
            lines=counts.get(t.id, (0, 0))[0],
            accounts=counts.get(t.id, (0, 0))[1],
        )
        for t in topics
        if themes.get(t.id)
    ]
    return sorted(out, key=lambda s: (-s.accounts, -s.lines, s.id))


def get_topic(*, session: Session, team_id: str, topic_id: int) -> Topic:
    topic = session.get(Topic, topic_id)
    if topic is None or topic.team_id != team_id:
        raise TopicNotFound()
    return topic
