"""De-duplication: one copy of every activity present in several files.

A FIT file and its GPX export, a Strava and a Garmin copy of one run: the
copies overlap in time.  :func:`deduplicate` keeps the richest copy
(:func:`richness`) and lists the others as skipped; :func:`unique_run_ids`
gives same-minute sessions distinct run ids.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..geo import haversine_m
from ..io import Activity
from ._history import SKIPPED_COLUMNS, rows_frame

__all__ = ["richness", "overlap_fractions", "is_duplicate", "deduplicate", "unique_run_ids", "renamed",
           "FORMAT_RANK", "RICH_CHANNELS", "DUPLICATE_OVERLAP", "SAME_TRACK_MAX_M", "SAME_HR_MAX_BPM", "two_people"]

#: Preference between formats when the same activity is present twice (higher wins).
FORMAT_RANK = {"fit": 3, "tcx": 2, "gpx": 1}
#: Record channels counted by :func:`richness`.
RICH_CHANNELS = ("hr_bpm", "cadence_spm", "temp_c", "power_w")
#: Two activities of different files whose time spans overlap by more than this
#: fraction of the longer span are the same activity.
DUPLICATE_OVERLAP = 0.5
#: Two overlapping recordings whose positions at the same moments are further apart than this
#: (median over the time they share) are two people's runs, not two copies of one [m]: copies of one
#: recording share its positions, two devices on one runner differ by the GPS error (5-30 m).
SAME_TRACK_MAX_M = 200.0
#: ... and, without positions in both, whose heart rates at the same moments differ by more than this
#: (median) [beats/min]: a chest strap and a wrist sensor on one runner agree within a few beats/min.
SAME_HR_MAX_BPM = 20.0
#: Moments compared by :func:`two_people` over the shared time.
_PROBES = 64


def richness(activity: Activity) -> tuple:
    """Sort key saying which copy of a duplicated activity to keep (larger wins).

    Lexicographic: number of :data:`RICH_CHANNELS` (heart rate, cadence,
    temperature, power) with any value, then the format (FIT over TCX over
    GPX, :data:`FORMAT_RANK`), then the number of records, then an intact
    file over a truncated one.

    Parameters
    ----------
    activity : Activity
        One copy of an activity.

    Returns
    -------
    tuple
        ``(channels, format rank, records, intact)``.
    """
    rec = activity.records
    channels = int(np.isfinite(rec[list(RICH_CHANNELS)].to_numpy()).any(axis=0).sum())
    fmt = str(activity.info.get("format"))
    return (channels, FORMAT_RANK.get(fmt, 0), len(rec), not bool(activity.info.get("truncated")))


def _span_ns(activity: Activity) -> tuple[int, int]:
    idx = activity.records.index.asi8
    return int(idx[0]), int(idx[-1])


def overlap_fractions(span_a: tuple[int, int], span_b: tuple[int, int]) -> tuple[float, float]:
    """Overlap of two time spans as fractions of the longer and of the shorter span.

    Parameters
    ----------
    span_a, span_b : (start, end)
        Times in any common unit (runlog uses ns since the epoch).

    Returns
    -------
    (of_longer, of_shorter) : tuple of float in [0, 1]
        ``overlap / max(len_a, len_b)`` and ``overlap / min(len_a, len_b)``
        with ``overlap = max(0, min(end) - max(start))``.  A zero-length span
        (one record) counts as fully overlapped when its instant lies inside
        the other span.
    """
    (s1, e1), (s2, e2) = span_a, span_b
    ov = max(0, min(e1, e2) - max(s1, s2))
    l1, l2 = e1 - s1, e2 - s2
    longer, shorter = max(l1, l2), min(l1, l2)
    if shorter <= 0:
        inst = (s1, l2, s2, e2) if l1 <= l2 else (s2, l1, s1, e1)
        inside = inst[2] <= inst[0] <= inst[3]
        of_shorter = 1.0 if inside else 0.0
        of_longer = of_shorter if longer <= 0 else ov / longer
        return of_longer, of_shorter
    return ov / longer, ov / shorter


def is_duplicate(a: Activity, b: Activity) -> bool:
    """True when *a* and *b* are the same activity recorded in two files.

    Sessions of one file are never duplicates of each other.  Two activities
    of different files are duplicates when their spans overlap by more than
    :data:`DUPLICATE_OVERLAP` of the longer span (e.g. a FIT and a GPX export
    of one run), or when they have the same ``run_id`` (same start minute)
    and overlap by more than that fraction of the shorter one (one is a
    cropped copy of the other), unless their positions or heart rates at the
    same moments show two people (:func:`two_people`: a partner's run in the
    same export, which must not replace the runner's own).  Same-minute
    activities that do not overlap (chained sessions) are not duplicates: they
    get distinct run ids from :func:`unique_run_ids`.

    Parameters
    ----------
    a, b : Activity
        Two activities (``info['source']`` names their file).

    Returns
    -------
    bool
        True for two copies of one activity.
    """
    if a.info.get("source") == b.info.get("source"):
        return False
    of_longer, of_shorter = overlap_fractions(_span_ns(a), _span_ns(b))
    if not (of_longer > DUPLICATE_OVERLAP or (a.run_id == b.run_id and of_shorter > DUPLICATE_OVERLAP)):
        return False
    return not two_people(a, b)


def _at(activity: Activity, column: str, times: np.ndarray) -> np.ndarray | None:
    """*column* of *activity*'s records interpolated at *times* [ns], or None with fewer than 2 values."""
    rec = activity.records
    if column not in rec:
        return None
    v = rec[column].to_numpy(dtype="float64")
    ok = np.isfinite(v)
    if ok.sum() < 2:
        return None
    t = rec.index.asi8[ok]
    order = np.argsort(t, kind="stable")
    return np.interp(times, t[order], v[ok][order])


def two_people(a: Activity, b: Activity) -> bool:
    """True when two recordings that overlap in time were made by two people (a partner's watch).

    Compared at :data:`_PROBES` moments of the time both span: the positions (median distance above
    :data:`SAME_TRACK_MAX_M`: a partner on another route, or on the same one minutes apart), then,
    when both have heart rate, the heart rates (median difference above :data:`SAME_HR_MAX_BPM`: a
    partner running alongside).  Copies of one recording (a FIT and its GPX export, a Strava copy)
    share both, and two devices on one runner agree within their sensors' errors.

    Parameters
    ----------
    a, b : Activity
        Two activities whose spans overlap.

    Returns
    -------
    bool
        True for two people; False when they agree or there is nothing to compare.
    """
    (s1, e1), (s2, e2) = _span_ns(a), _span_ns(b)
    start, end = max(s1, s2), min(e1, e2)
    if end <= start:
        return False
    times = np.linspace(start, end, _PROBES)
    pos = [(_at(x, "lat_deg", times), _at(x, "lon_deg", times)) for x in (a, b)]
    if all(lat is not None and lon is not None for lat, lon in pos):
        (la, oa), (lb, ob) = pos
        if np.median(haversine_m(la, oa, lb, ob)) > SAME_TRACK_MAX_M:
            return True
    hr = [_at(x, "hr_bpm", times) for x in (a, b)]   # side by side, or no positions: the hearts differ
    if hr[0] is not None and hr[1] is not None:
        return bool(np.median(np.abs(hr[0] - hr[1])) > SAME_HR_MAX_BPM)
    return False


def _why_kept(kept: Activity, dropped: Activity) -> str:
    """The first :func:`richness` criterion that decided between two copies, in words."""
    rk, rd = richness(kept), richness(dropped)
    if rk[0] != rd[0]:
        return f"more sensor channels (heart rate, cadence, temperature, power: {rk[0]} vs {rd[0]})"
    if rk[1] != rd[1]:
        return f"preferred format ({kept.info.get('format')} over {dropped.info.get('format')})"
    if rk[2] != rd[2]:
        return f"more records ({rk[2]} vs {rd[2]})"
    if rk[3] != rd[3]:
        return "the other file is truncated"
    return "equally rich; the first by file name"


def _order_key(a: Activity) -> tuple:
    return (str(a.info.get("source")), int(a.info.get("session") or 1))


def deduplicate(activities: list[Activity]) -> tuple[list[Activity], pd.DataFrame]:
    """Keep one copy of every activity present in several files.

    Candidate pairs come from a sweep over the activities sorted by start
    (only overlapping spans are compared); the copies are then taken richest
    first (:func:`richness`, ties by source name) and an activity is dropped
    when it duplicates (:func:`is_duplicate`) one already kept.

    Parameters
    ----------
    activities : list of Activity
        Every activity read, from every file.

    Returns
    -------
    (kept, skipped)
        The kept activities in start order, and one ``skipped`` row per
        dropped copy: ``path``, ``reason``, ``run_id``, ``kept`` (the source
        of the copy kept instead).
    """
    acts = sorted(activities, key=lambda a: (_span_ns(a)[0], *_order_key(a)))
    spans = [_span_ns(a) for a in acts]
    neighbours: list[list[int]] = [[] for _ in acts]
    active: list[int] = []
    for i, (s, _e) in enumerate(spans):
        active = [j for j in active if spans[j][1] >= s]
        for j in active:
            if is_duplicate(acts[i], acts[j]):
                neighbours[i].append(j)
                neighbours[j].append(i)
        active.append(i)
    # Only activities with a duplicate need ranking; the others are kept as they are.
    involved = [i for i in range(len(acts)) if neighbours[i]]
    order = sorted(involved, key=lambda i: (tuple(-x for x in richness(acts[i])), *_order_key(acts[i])))
    rank = {i: r for r, i in enumerate(order)}
    kept: set[int] = {i for i in range(len(acts)) if not neighbours[i]}
    rows = []
    for i in order:
        winners = [j for j in neighbours[i] if j in kept]
        if not winners:
            kept.add(i)
            continue
        w = min(winners, key=rank.__getitem__)
        a, k = acts[i], acts[w]
        rows.append({
            "path": str(a.info.get("source")),
            "reason": f"duplicate of {k.info.get('source')} (same activity; kept that copy: {_why_kept(k, a)})",
            "run_id": a.run_id,
            "kept": str(k.info.get("source")),
        })
    return [acts[i] for i in range(len(acts)) if i in kept], rows_frame(rows, SKIPPED_COLUMNS)


def unique_run_ids(activities: list[Activity]) -> list[Activity]:
    """Give activities that share a ``run_id`` (sessions started in the same minute
    that are not copies of one: chained sessions, or two people's runs started
    together) distinct ids: the first in start order keeps it, the next
    get ``-2``, ``-3``, ...  Returns the activities in start order, new Activity
    objects for the renamed ones (the originals are left alone).

    Parameters
    ----------
    activities : list of Activity
        Activities without duplicates (:func:`deduplicate`).

    Returns
    -------
    list of Activity
        In start order.
    """
    return [new for _old, new in renamed(activities)]


def renamed(activities: list[Activity]) -> list[tuple[Activity, Activity]]:
    """(original, renamed) pairs in start order, as :func:`unique_run_ids` renames them.

    Parameters
    ----------
    activities : list of Activity
        Activities without duplicates (:func:`deduplicate`).

    Returns
    -------
    list of (Activity, Activity)
        One pair per activity; both items are the same object when it keeps its id.
    """
    out: list[tuple[Activity, Activity]] = []
    seen: dict[str, int] = {}
    for a in sorted(activities, key=lambda a: (_span_ns(a)[0], *_order_key(a))):
        rid = a.run_id
        n = seen.get(rid, 0) + 1
        seen[rid] = n
        new = a
        if n > 1:
            info = a.info.copy()
            info["run_id"] = f"{rid}-{n}"
            new = Activity(a.records, a.laps, info)
        out.append((a, new))
    return out
