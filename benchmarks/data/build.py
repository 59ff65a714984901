"""Build pain_lines.csv from lines_data.py, validate it, print the counts.

Usage: python3 build.py          (writes pain_lines.csv, prints stats)
"""

import csv
import os
import random
import re
import statistics
import sys
from collections import Counter, defaultdict
from itertools import combinations

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from lines_data import LOUD_ACCOUNT, LOUD_PAIN, ONE_OFFS, PAINS  # noqa: E402

CSV_PATH = os.path.join(HERE, "pain_lines.csv")
COLUMNS = ["text", "pain", "area", "account", "kind", "looks_like"]

# Small, deliberately plain stop-word list (function words + a few fillers
# that carry no topic). Used for the "pair sharing no content word" count.
_STOP_WORDS = """
    a an the and or but if so of to in on at by for from with without w w/o o is are was were be
    been being am do does did done doing have has had having i me my we our us you your he she it
    its they them their theirs this that these those there here what which who whom whose when where
    why how not no nor dont don't doesnt doesn't didnt didn't cant can't can cannot wont won't isn't
    isnt aren't arent wasn't shouldn't couldnt couldn't will would should could may might must shall
    just only also too very really still again even ever than then as up down out off over into
    about after before between all any some every each both few more most other same such own one
    lol pls please tbh rn re e g eg vs via per get gets got getting make makes made keep keeps s t d
    ll m ve
"""
STOP = set(_STOP_WORDS.split())

TOKEN_RE = re.compile(r"[a-z0-9]+")


def content_words(text):
    toks = TOKEN_RE.findall(text.lower())
    return {t for t in toks if t not in STOP}


def norm(text):
    return " ".join(TOKEN_RE.findall(text.lower()))


def stem4(w):
    return w[:4] if len(w) >= 4 else w


def build_rows():
    rows = []
    for pain, (area, entries) in PAINS.items():
        for e in entries:
            if len(e) == 2:
                text, acct = e
                kind, looks = "regular", ""
            else:
                text, acct, kind, looks = e
            rows.append(dict(text=text, pain=pain, area=area, account=acct, kind=kind, looks_like=looks))
    for pain, area, text, acct in ONE_OFFS:
        rows.append(dict(text=text, pain=pain, area=area, account=acct, kind="one_off", looks_like=""))
    return rows


def main():
    rows = build_rows()
    # fixed-seed shuffle so file order does not leak the grouping
    random.Random(20240601).shuffle(rows)
    with open(CSV_PATH, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)

    # ---- re-read with the csv module (validity check) ----
    with open(CSV_PATH, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        body = list(reader)
    problems = []
    if header != COLUMNS:
        problems.append(f"bad header {header}")
    for i, r in enumerate(body):
        if len(r) != len(COLUMNS):
            problems.append(f"row {i} has {len(r)} fields")
    rows = [dict(zip(COLUMNS, r, strict=False)) for r in body]

    # ---- basic integrity ----
    seen = {}
    for r in rows:
        n = norm(r["text"])
        if n in seen:
            problems.append(f"duplicate (modulo case/punct): {r['text']!r} ~ {seen[n]!r}")
        seen[n] = r["text"]
        nw = len(r["text"].split())
        if not 3 <= nw <= 25:
            problems.append(f"word count {nw}: {r['text']!r}")
        if r["kind"] not in ("regular", "trap", "one_off"):
            problems.append(f"bad kind {r['kind']}")
        if not re.fullmatch(r"[a-z0-9_]+", r["pain"]) or not re.fullmatch(r"[a-z0-9_]+", r["area"]):
            problems.append(f"ids not snake_case: {r['pain']} {r['area']}")
        if r["kind"] != "trap" and r["looks_like"]:
            problems.append(f"looks_like set on non-trap: {r['text']!r}")

    non_oneoff = [r for r in rows if r["kind"] != "one_off"]
    oneoffs = [r for r in rows if r["kind"] == "one_off"]
    traps = [r for r in rows if r["kind"] == "trap"]

    pain_rows = defaultdict(list)
    for r in non_oneoff:
        pain_rows[r["pain"]].append(r)
    pain_area = {}
    for r in non_oneoff:
        if pain_area.setdefault(r["pain"], r["area"]) != r["area"]:
            problems.append(f"pain {r['pain']} in two areas")
    area_pains = defaultdict(set)
    for p, a in pain_area.items():
        area_pains[a].add(p)
    all_areas = sorted({r["area"] for r in rows})

    # pains
    sizes = {p: len(v) for p, v in pain_rows.items()}
    acc_per_pain = {p: len({r["account"] for r in v}) for p, v in pain_rows.items()}
    for p in pain_rows:
        if not 4 <= sizes[p] <= 10:
            problems.append(f"pain {p} has {sizes[p]} lines")
        if acc_per_pain[p] < 3:
            problems.append(f"pain {p} has {acc_per_pain[p]} accounts")
    for a, ps in area_pains.items():
        if not 2 <= len(ps) <= 5:
            problems.append(f"area {a} has {len(ps)} pains")

    # one-offs
    oneoff_ids = Counter(r["pain"] for r in oneoffs)
    for p, c in oneoff_ids.items():
        if c != 1 or p in pain_rows:
            problems.append(f"one-off id {p} not unique")
        if not p.startswith("oneoff_"):
            problems.append(f"one-off id {p} lacks prefix")

    # traps
    trap_kw_ok = 0
    trap_kw_missing = []
    for r in traps:
        lk = r["looks_like"]
        if lk not in pain_rows:
            problems.append(f"trap looks_like unknown pain {lk}: {r['text']!r}")
            continue
        if lk == r["pain"]:
            problems.append(f"trap looks_like its own pain: {r['text']!r}")
        tw = {stem4(w) for w in content_words(r["text"])}
        lw = set()
        for q in pain_rows[lk]:
            if q["kind"] == "regular":
                lw |= {stem4(w) for w in content_words(q["text"])}
        if tw & lw:
            trap_kw_ok += 1
        else:
            trap_kw_missing.append(r["text"])

    # loud account
    loud_rows = pain_rows[LOUD_PAIN]
    loud_n = sum(r["account"] == LOUD_ACCOUNT for r in loud_rows)
    other_n = len(loud_rows) - loud_n
    if loud_n < 8:
        problems.append(f"loud account only {loud_n} lines")
    if not 1 <= other_n <= 2:
        problems.append(f"loud pain has {other_n} lines from other accounts")

    # disjoint pair per pain
    disjoint = {}
    for p, v in pain_rows.items():
        cws = [content_words(r["text"]) for r in v]
        pair = next(
            (
                (v[i]["text"], v[j]["text"])
                for i, j in combinations(range(len(v)), 2)
                if not (cws[i] & cws[j])
            ),
            None,
        )
        disjoint[p] = pair
        if pair is None:
            problems.append(f"pain {p} has no pair sharing no content word")
    # also: how many pairs overall within a pain share no content word
    tot_pairs = dis_pairs = 0
    for v in pain_rows.values():
        cws = [content_words(r["text"]) for r in v]
        for i, j in combinations(range(len(v)), 2):
            tot_pairs += 1
            dis_pairs += not (cws[i] & cws[j])

    wc = [len(r["text"].split()) for r in rows]
    accounts = Counter(r["account"] for r in rows)
    size_list = sorted(sizes.values())
    accp = sorted(acc_per_pain.values())

    stats = {
        "rows": len(rows),
        "rows_regular": sum(r["kind"] == "regular" for r in rows),
        "rows_trap": len(traps),
        "rows_one_off": len(oneoffs),
        "areas": len(all_areas),
        "areas_with_regular_pains": len(area_pains),
        "pains_regular": len(pain_rows),
        "pains_per_area_min_max": [min(map(len, area_pains.values())), max(map(len, area_pains.values()))],
        "lines_per_pain_min_median_max": [size_list[0], statistics.median(size_list), size_list[-1]],
        "lines_per_pain_histogram": dict(sorted(Counter(size_list).items())),
        "accounts": len(accounts),
        "accounts_per_pain_min_median_max": [accp[0], statistics.median(accp), accp[-1]],
        "loud_account": LOUD_ACCOUNT,
        "loud_pain": LOUD_PAIN,
        "loud_account_lines_on_loud_pain": loud_n,
        "other_account_lines_on_loud_pain": other_n,
        "one_off_ids": len(oneoff_ids),
        "pains_with_disjoint_pair": sum(v is not None for v in disjoint.values()),
        "within_pain_pairs_total": tot_pairs,
        "within_pain_pairs_sharing_no_content_word": dis_pairs,
        "traps_sharing_keyword_with_looks_like_pain(4-char stem)": trap_kw_ok,
        "words_per_line_min_median_max": [min(wc), statistics.median(wc), max(wc)],
        "lines_with_6_to_15_words": sum(6 <= x <= 15 for x in wc),
        "area_pains": {a: sorted(ps) for a, ps in sorted(area_pains.items())},
        "pain_sizes": dict(sorted(sizes.items())),
        "most_active_accounts": accounts.most_common(5),
        "problems": problems,
    }
    for k, v in stats.items():
        if k in ("area_pains", "pain_sizes"):
            continue
        print(f"{k}: {v}")
    print("\nareas -> pains (lines):")
    for a, ps in stats["area_pains"].items():
        print(f"  {a}: " + ", ".join(f"{p} ({sizes[p]})" for p in ps))
    if trap_kw_missing:
        print("\ntraps without a shared keyword stem:", trap_kw_missing)
    print("\nexample disjoint pairs:")
    for p in list(disjoint)[:5]:
        print(f"  {p}: {disjoint[p]}")
    print("\nPROBLEMS:" if problems else "\nno problems", *problems, sep="\n  ")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
