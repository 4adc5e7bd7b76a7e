"""Draft journal rows from what the runner already marked: lap-button presses and activity notes.

The costliest part of runlog for a runner is the journal.  Two habits put the
moment on record without it:

* **press lap when numbness starts**: a manual lap (``History.laps``,
  ``trigger == 'manual'``) that ends during the run: not in its first
  :data:`START_MARGIN_S` seconds nor its last :data:`END_MARGIN_S`;
* **a note in the activity's name or description** (``History.runs['name',
  'description']``: Strava ``activities.csv`` and Garmin Connect export
  metadata, else the file's own GPX ``<name>``/``<desc>``, TCX ``<Notes>``
  or the FIT workout's name) in a small grammar, e.g. ``"Long run #numb L toes 35min sev 4"``:

  - the trigger: ``#numb`` or a word for numb (numb, numbness, tingling;
    German taub, French engourdi, Spanish entumecido/adormecido, Italian
    intorpidito); a negation just before it (no, not, without, kein, sans,
    sin) cancels it;
  - the side: left / right / both, ``L`` / ``R``, links / rechts, gauche /
    droite, izquierdo / derecho;
  - when, written after the trigger: minutes (``35min``, ``35 min``,
    ``35'``) or distance (``6.5km``, ``4 mi``) into the run (before the
    trigger such numbers are the run's own: "Easy 10k #numb 35min");
  - where: a location of the journal (toes, forefoot, ball of foot, arch,
    heel, sole, instep, top of foot, whole foot, calf, shin, thigh, ...);
  - how bad: ``sev 4``, ``severity 4`` or ``4/10``.

Nothing is merged silently: :func:`suggest_episodes` returns journal rows
with a ``source`` ('lap', 'text' or 'lap+text') and the ``evidence`` (the lap
press or the text), which the runner confirms and edits before
:func:`runlog.read_episodes` reads them (``runlog journal draft``).  Runs
whose laps are evidently structured (intervals or manual splits: more than
:data:`MAX_MANUAL_LAPS` presses) are not proposed; they are listed in the
``skipped`` attribute with the reason.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import schema
from ..units import mmss
from .readers import (
    DISTANCE_UNIT_RE,
    KM_PER_MILE,
    LOCATION_ALIASES,
    MINUTES_RE,
    NUMBER_RE,
    OUT_OF_10_RE,
    SEVERITY_WORD_RE,
    SIDE_ALIASES,
)

__all__ = ["suggest_episodes", "parse_note", "DRAFT_COLUMNS", "MAX_MANUAL_LAPS", "END_MARGIN_S", "START_MARGIN_S",
           "AUTO_LAP_TOLERANCE_M", "RUN_LIKE_SPEED_MPS", "RUN_LIKE_CADENCE_SPM"]

#: More manual laps than this in one run: structured laps (intervals, splits), not a numbness press.
MAX_MANUAL_LAPS = 2
#: A manual lap ending this close to the run's end is the stop button, not a press during the run [s].
END_MARGIN_S = 60.0
#: A manual lap ending this soon after the start is a start-up press, not numbness [s].
START_MARGIN_S = 120.0
#: Columns of a drafted journal (the journal's own, then where each row came from).
DRAFT_COLUMNS = ["date", "time", "run", "onset_min", "onset_km", "side", "location", "severity", "notes",
                 "source", "evidence"]

_NUMB_RE = re.compile(
    r"#numb\w*|\b(?:numb(?:ness)?|tingl\w*|taub(?:heit)?|engourdi\w*|entumecid\w*|adormecid\w*|"
    r"intorpidit\w*)\b", re.IGNORECASE)
_NEGATION_RE = re.compile(r"\b(?:no|not|without|zero|kein\w*|ohne|sans|sin|nessun\w*)\s+(?:\w+\s+)?$",
                          re.IGNORECASE)
# the value forms the journal's cells take too (readers.UNIT_CELLS), searched for in free text
_MIN_RE = re.compile(rf"{NUMBER_RE}\s*{MINUTES_RE}", re.IGNORECASE)
_KM_RE = re.compile(rf"{NUMBER_RE}\s*{DISTANCE_UNIT_RE}\b", re.IGNORECASE)
_SEV_RE = re.compile(rf"\b{SEVERITY_WORD_RE}{NUMBER_RE}|\b{NUMBER_RE}{OUT_OF_10_RE}\b", re.IGNORECASE)
# the journal's side spellings (other languages too), but not the bare letters and 'lt' / 'rt',
# which in free text are read only as a capital L / R / B standing alone (_SIDE_LETTER_RE)
_SIDE_WORDS = {k: v for k, v in SIDE_ALIASES.items() if len(k) > 2}
_SIDE_LETTER_RE = re.compile(r"(?<![\w#])([LRB])(?![\w'])")
_LOCATION_WORDS = {**{loc.replace("_", " "): loc for loc in schema.LOCATIONS},
                   **{k.replace("_", " "): v for k, v in LOCATION_ALIASES.items()}}


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _phrase_re(words) -> re.Pattern:
    alts = sorted(words, key=len, reverse=True)   # longest first: 'ball of foot' before 'foot'
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in alts) + r")\b", re.IGNORECASE)


_SIDE_RE = _phrase_re(_SIDE_WORDS)
_LOCATION_RE = _phrase_re(_LOCATION_WORDS)


def parse_note(text) -> dict | None:
    """Read one activity name or description in the note grammar (see the module docstring).

    Parameters
    ----------
    text : str or None
        The text, e.g. ``"Easy 10k #numb L toes 35min sev 4"``.

    Returns
    -------
    dict or None
        None when the text does not report numbness (no trigger, or a negated
        one); else ``onset_min`` [min], ``onset_km`` [km], ``side``,
        ``location``, ``severity`` [0-10] (NaN / None when not given) and
        ``evidence`` (the text, stripped).
    """
    if not isinstance(text, str) or not text.strip():
        return None
    hits = [m for m in _NUMB_RE.finditer(text) if not _NEGATION_RE.search(text[:m.start()])]
    if not hits:
        return None
    out: dict = {"onset_min": np.nan, "onset_km": np.nan, "side": None, "location": None,
                 "severity": np.nan, "evidence": " ".join(text.split())}
    sev = _SEV_RE.search(text)
    rest = text
    if sev:
        v = _number(sev.group(1) or sev.group(2))
        out["severity"] = v if 0 <= v <= 10 else np.nan
        rest = text[:sev.start()] + " " * (sev.end() - sev.start()) + text[sev.end():]   # keep offsets
    after = rest[hits[0].start():]   # onset: after the trigger (before it, numbers are the run's own)
    m = _MIN_RE.search(after)
    if m:
        out["onset_min"] = _number(m.group(1))
    k = _KM_RE.search(after)
    if k:
        v = _number(k.group(1))
        out["onset_km"] = round(v * KM_PER_MILE, 2) if k.group(2).lower().startswith("mi") else v
    s = _SIDE_RE.search(rest)
    if s:
        out["side"] = _SIDE_WORDS[s.group(1).lower()]
        rest = rest[:s.start()] + " " * (s.end() - s.start()) + rest[s.end():]   # 'left foot' is a side only
    else:
        letter = _SIDE_LETTER_RE.search(rest)
        if letter:
            out["side"] = {"L": "left", "R": "right", "B": "both"}[letter.group(1)]
    loc = _LOCATION_RE.search(rest)
    if loc:
        out["location"] = _LOCATION_WORDS[loc.group(1).lower()]
    return out


#: Laps of one length within this [m] of a round length are auto-laps (GPS distance is never a whole
#: kilometre to the centimetre at a press).
AUTO_LAP_TOLERANCE_M = 1.0
#: Round lap lengths of auto-lap settings [m]: multiples of 100 m, and of a quarter mile.
_ROUND_LAP_M = (100.0, 1609.344 / 4)


def _auto_laps(g: pd.DataFrame) -> str | None:
    """Why a run's laps marked 'manual' are auto-laps (a watch's lap every 1 km or 5 min, which
    some exports record as 'manual'), or None.

    Every lap but the last (the remainder the stop button ends) has one round length (a multiple
    of 100 m or of a quarter mile, to :data:`AUTO_LAP_TOLERANCE_M`) or one round duration (whole
    minutes, to 1 s), and there are at least two of them: one lap of a round length may be a
    press, a series of them is a setting."""
    full = len(g) - 1
    if full < 2:
        return None
    dist = pd.to_numeric(g["distance_m"], errors="coerce").to_numpy(dtype=float)[:full]
    if np.isfinite(dist).all() and np.ptp(dist) <= AUTO_LAP_TOLERANCE_M and dist[0] > 0:
        d = float(np.median(dist))
        if any(abs(d - round(d / step) * step) <= AUTO_LAP_TOLERANCE_M for step in _ROUND_LAP_M):
            return f"{full} laps of {d:,.0f} m each"
    if "elapsed_s" in g:
        dur = pd.to_numeric(g["elapsed_s"], errors="coerce").to_numpy(dtype=float)[:full]
        if np.isfinite(dur).all() and np.ptp(dur) <= 1.0 and dur[0] > 0 \
                and abs(dur[0] - 60.0 * round(dur[0] / 60.0)) <= 1.0:
            return f"{full} laps of {mmss(float(np.median(dur)) / 60.0)} (min:s) each"
    return None


def _lap_presses(runs: pd.DataFrame, laps: pd.DataFrame) -> tuple[dict, dict]:
    """run_id -> (onset_min, onset_km, evidence) of the first manual press during the run, and
    run_id -> why a run's presses were not proposed."""
    found: dict = {}
    skipped: dict = {}
    if laps is None or not len(laps) or "trigger" not in laps:
        return found, skipped
    lp = laps.copy()
    lp["manual"] = lp["trigger"].astype("string").str.lower().eq("manual").fillna(False).to_numpy(dtype=bool)
    for rid, g in lp.groupby("run_id", sort=False):
        if rid not in runs.index:
            continue
        start = pd.Timestamp(runs.at[rid, "start_time"])
        end = start + pd.Timedelta(seconds=float(runs.at[rid, "elapsed_s"]))
        g = g.sort_values("lap")
        cum_km = pd.to_numeric(g["distance_m"], errors="coerce").fillna(0.0).cumsum() / 1000.0
        ends = pd.to_datetime(g["end_time"], utc=True)
        during = (g["manual"].to_numpy()
                  & (ends > start + pd.Timedelta(seconds=START_MARGIN_S)).to_numpy(dtype=bool)
                  & (ends < end - pd.Timedelta(seconds=END_MARGIN_S)).to_numpy(dtype=bool))
        n = int(during.sum())
        if n == 0:
            continue
        if n > MAX_MANUAL_LAPS:
            skipped[rid] = (f"{n} manual laps: structured laps (intervals or splits), not a numbness press; "
                            "add the episode by hand if there was one")
            continue
        auto = _auto_laps(g)
        if auto:
            skipped[rid] = (f"{auto}: auto-laps the watch marked 'manual', not presses; add the episode by hand if "
                            "there was one")
            continue
        i = int(np.flatnonzero(during)[0])
        t_min = (ends.iloc[i] - start).total_seconds() / 60.0
        km = float(cum_km.iloc[i]) if pd.notna(g["distance_m"].iloc[i]) else np.nan
        found[rid] = (round(t_min, 1), round(km, 2) if np.isfinite(km) else np.nan,
                      f"lap {int(g['lap'].iloc[i])} pressed {mmss(t_min)} (min:s) into the run"
                      + (f" ({n} presses during the run)" if n > 1 else ""))
    return found, skipped


#: An activity of unknown sport moves like a run with an average speed in this range [m/s]
#: (2:34-11:07 min/km; faster is a ride, slower a walk) ...
RUN_LIKE_SPEED_MPS = (1.5, 6.5)
#: ... and, when it has a cadence, one in this range [steps/min] (running 150-200, easy and sprint
#: beyond; a pedalling cadence of 60-100 rpm is below it).
RUN_LIKE_CADENCE_SPM = (130.0, 230.0)


def _moves_like_a_run(runs: pd.DataFrame) -> dict:
    """run_id -> why, for the activities of *runs* whose pace (and cadence, when recorded) are a
    runner's (:data:`RUN_LIKE_SPEED_MPS`, :data:`RUN_LIKE_CADENCE_SPM`)."""
    out: dict[str, str] = {}
    if not len(runs) or "avg_speed_mps" not in runs:
        return out
    speed = pd.to_numeric(runs["avg_speed_mps"], errors="coerce")
    cad = pd.to_numeric(runs["avg_cadence_spm"], errors="coerce") if "avg_cadence_spm" in runs else \
        pd.Series(np.nan, index=runs.index)
    for rid, v, c in zip(runs.index, speed, cad):
        if not (np.isfinite(v) and RUN_LIKE_SPEED_MPS[0] <= v <= RUN_LIKE_SPEED_MPS[1]):
            continue
        pace = f"moves at {mmss(1000.0 / v / 60.0)} min/km"
        if np.isfinite(c):
            if not RUN_LIKE_CADENCE_SPM[0] <= c <= RUN_LIKE_CADENCE_SPM[1]:
                continue
            out[rid] = f"{pace} with a cadence of {c:.0f} steps/min"
        else:
            out[rid] = f"{pace} (no cadence recorded)"
    return out


def suggest_episodes(history, *, lap_button: bool = True, text: bool = True,
                     sport: str | None = "running", since=None) -> pd.DataFrame:
    """Draft journal rows from lap-button presses and activity notes, for the runner to confirm.

    Parameters
    ----------
    history : History
        The imported runs (``runs`` with ``start_time``, ``start_local``,
        ``elapsed_s`` and, from an export's metadata, ``name`` /
        ``description``; ``laps`` with ``trigger``).
    lap_button : bool
        Propose the first manual lap pressed during a run (not the press that
        ends it) as the onset.
    text : bool
        Propose runs whose name or description reports numbness
        (:func:`parse_note`).
    sport : str or None
        Only activities of this sport (as ``History.runs['sport']``; a
        cyclist's lap presses are not numbness); None: every activity.  With
        'running', activities whose file names no sport are taken when they
        move like a run (:data:`RUN_LIKE_SPEED_MPS`, :data:`RUN_LIKE_CADENCE_SPM`),
        and their rows' ``evidence`` says so ('CHECK: the file names no sport ...').
    since : str or Timestamp, optional
        The day the runner started pressing lap when numbness starts: lap
        presses of runs before it are not proposed (notes still are), and the
        draft gets a ``tracking started`` row of that date (the journal's
        period, :func:`runlog.read_episodes`).

    Returns
    -------
    DataFrame
        :data:`DRAFT_COLUMNS`, one row per run, sorted by date: ``date`` and
        ``time`` (the run's local start), ``run`` (run_id), ``onset_min``
        [min] and ``onset_km`` [km] (the lap press when there is one, else the
        note's), ``side``, ``location``, ``severity`` [0-10] from the note,
        ``notes`` (empty, for the runner), ``source`` ('lap', 'text',
        'lap+text') and ``evidence``.  ``attrs['skipped']``: a DataFrame
        (``run``, ``reason``) of runs with presses that were not proposed.
        Write it with ``to_csv``, edit it, then read it with
        :func:`runlog.read_episodes` like any journal.
    """
    runs = history.runs
    run_like: dict = {}
    if sport is not None and "sport" in runs:
        sports = runs["sport"].astype("string").str.lower().fillna("unknown")
        keep = sports.eq(sport.lower()).to_numpy(dtype=bool)
        if sport.lower() == "running":   # files that name no sport but move like a run count, flagged
            run_like = _moves_like_a_run(runs[sports.eq("unknown").to_numpy(dtype=bool)])
            keep |= runs.index.isin(list(run_like))
        runs = runs[keep]
    if since is not None:
        since = pd.Timestamp(since).normalize()
    lap_runs = runs if since is None else runs[pd.to_datetime(runs["start_local"]).to_numpy() >= since.to_datetime64()]
    laps_found, skipped = _lap_presses(lap_runs, history.laps) if lap_button else ({}, {})
    notes_found = {}
    if text:
        for col in ("name", "description"):
            if col not in runs:
                continue
            for rid, value in runs[col].items():
                hit = parse_note(value if pd.notna(value) else None)
                if hit is not None and rid not in notes_found:
                    notes_found[rid] = hit
    rows = []
    for rid in runs.index:
        lap, note = laps_found.get(rid), notes_found.get(rid)
        if lap is None and note is None:
            continue
        local = pd.Timestamp(runs.at[rid, "start_local"])
        row = {"date": local.strftime("%Y-%m-%d"), "time": local.strftime("%H:%M"), "run": str(rid),
               "onset_min": np.nan, "onset_km": np.nan, "side": None, "location": None, "severity": np.nan,
               "notes": "", "source": "lap+text" if lap and note else ("lap" if lap else "text")}
        evidence = []
        if lap is not None:
            row["onset_min"], row["onset_km"] = lap[0], lap[1]
            evidence.append(lap[2])
        if note is not None:
            if lap is None:
                row["onset_min"], row["onset_km"] = note["onset_min"], note["onset_km"]
            row.update({k: note[k] for k in ("side", "location", "severity")})
            evidence.append(f"note: {note['evidence']}")
        if rid in run_like:
            evidence.append(f"CHECK: the file names no sport; drafted as a run because it {run_like[rid]}. Delete "
                            "the row if it was not a run")
        row["evidence"] = "; ".join(evidence)
        rows.append(row)
    if since is not None:   # the journal period starts the day the runner began pressing lap for numbness
        rows.append({"date": since.strftime("%Y-%m-%d"), "time": "", "run": "", "onset_min": np.nan,
                     "onset_km": np.nan, "side": None, "location": None, "severity": np.nan,
                     "notes": "tracking started", "source": "you",
                     "evidence": "the day you started pressing lap when numbness starts"})
    out = pd.DataFrame(rows, columns=DRAFT_COLUMNS)
    out = out.sort_values(["date", "time"], kind="stable").reset_index(drop=True)
    for c in ("onset_min", "onset_km", "severity"):
        out[c] = out[c].astype("float64")
    out.attrs["skipped"] = pd.DataFrame({"run": list(skipped), "reason": list(skipped.values())},
                                        columns=["run", "reason"])
    return out
