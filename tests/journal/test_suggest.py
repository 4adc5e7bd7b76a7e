"""Journal rows drafted from lap-button presses and #numb notes (runlog.journal.suggest)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import runlog
from runlog import cli
from runlog.journal.suggest import DRAFT_COLUMNS, END_MARGIN_S, START_MARGIN_S, parse_note, suggest_episodes


@pytest.mark.parametrize("text, expected", [
    # numbers before the trigger are the run's own (10k); after it, the onset
    ("Easy 10k #numb L toes 35min sev 4",
     {"onset_min": 35.0, "onset_km": math.nan, "side": "left", "location": "toes", "severity": 4.0}),
    ("numb right forefoot at 6,5 km 3/10",
     {"onset_min": math.nan, "onset_km": 6.5, "side": "right", "location": "forefoot", "severity": 3.0}),
    # 3 mi = 4.828 km; 'left foot' is the side, not the whole foot
    ("left foot numb after 3 mi",
     {"onset_min": math.nan, "onset_km": 4.83, "side": "left", "location": None, "severity": math.nan}),
    ("Long run - numb toes both feet @ 52'",
     {"onset_min": 52.0, "onset_km": math.nan, "side": "both", "location": "toes", "severity": math.nan}),
    ("R heel tingling 20 min severity: 6",
     {"onset_min": 20.0, "onset_km": math.nan, "side": "right", "location": "heel", "severity": 6.0}),
    ("Taubheit links 40 min",
     {"onset_min": 40.0, "onset_km": math.nan, "side": "left", "location": None, "severity": math.nan}),
    ("pied gauche engourdi, instep",
     {"onset_min": math.nan, "onset_km": math.nan, "side": "left", "location": "top_of_foot",
      "severity": math.nan}),
])
def test_parse_note_reads_the_grammar(text, expected):
    got = parse_note(text)
    assert got is not None and got["evidence"] == text
    for k, v in expected.items():
        if isinstance(v, float) and math.isnan(v):
            assert math.isnan(got[k]), (k, got[k])
        else:
            assert got[k] == v, (k, got[k])


@pytest.mark.parametrize("text", ["no numbness today", "not numb at all, good run", "Tempo 6x1k", "",
                                  None, float("nan"), "without numb feet for once", "kein taub"])
def test_parse_note_ignores_runs_without_a_report(text):
    assert parse_note(text) is None


def _history(laps_per_run: dict, *, names=None, sports=None):
    """A History-like object: runs of 60 min from 2024-05-0N 07:00 UTC (local 09:00); laps given as
    (end minute, distance km, trigger) per run."""
    ids = list(laps_per_run)
    start = pd.to_datetime([f"2024-05-{i + 1:02d} 07:00" for i in range(len(ids))], utc=True)
    runs = pd.DataFrame({"start_time": start, "start_local": start.tz_convert("Europe/Berlin").tz_localize(None),
                         "elapsed_s": 3600.0, "sport": sports or ["running"] * len(ids),
                         "name": names or [None] * len(ids), "description": [None] * len(ids)},
                        index=pd.Index(ids, name="run_id"))
    rows = []
    for rid, st in zip(ids, start):
        t0 = st
        for n, (end_min, km, trig) in enumerate(laps_per_run[rid], start=1):
            end = st + pd.Timedelta(minutes=end_min)
            rows.append({"run_id": rid, "lap": n, "start_time": t0, "end_time": end, "distance_m": km * 1000.0,
                         "trigger": trig})
            t0 = end
    return SimpleNamespace(runs=runs, laps=pd.DataFrame(rows))


def test_a_press_during_the_run_is_proposed_and_the_stop_press_is_not():
    h = _history({
        "a": [(35.0, 6.0, "manual"), (60.0, 4.0, "manual")],          # press at 35 min; the last is the stop
        "b": [(20.0, 3.0, "distance"), (40.0, 3.0, "distance"), (60.0, 3.0, "session_end")],   # auto laps only
        "c": [(1.0, 0.2, "manual"), (60.0, 10.0, "session_end")],     # a start-up press in the first 2 min
    })
    d = suggest_episodes(h)
    assert list(d.columns) == DRAFT_COLUMNS
    assert d["run"].tolist() == ["a"]
    row = d.iloc[0]
    # onset = lap end - run start = 35 min; distance = cumulative lap distance = 6 km
    assert row["onset_min"] == 35.0 and row["onset_km"] == 6.0 and row["source"] == "lap"
    assert row["date"] == "2024-05-01" and row["time"] == "09:00"      # the run's local start (Berlin, CEST)
    assert row["evidence"] == "lap 1 pressed 35:00 (min:s) into the run"
    assert START_MARGIN_S == 120.0 and END_MARGIN_S == 60.0


def test_structured_laps_are_not_proposed_and_the_note_says_so():
    intervals = [(10.0 + 4 * k, 1.0, "manual") for k in range(8)] + [(60.0, 2.0, "session_end")]
    h = _history({"iv": intervals, "one": [(42.5, 7.0, "manual"), (60.0, 3.0, "session_end")]})
    d = suggest_episodes(h)
    assert d["run"].tolist() == ["one"] and d["onset_min"].iloc[0] == 42.5
    sk = d.attrs["skipped"]
    assert sk["run"].tolist() == ["iv"] and sk["reason"].iloc[0].startswith("8 manual laps: structured laps")


def test_lap_and_note_on_one_run_make_one_row_with_the_lap_onset():
    h = _history({"a": [(35.0, 6.0, "manual")], "b": [], "c": []},
                 names=["Hilly #numb R toes 30min sev 5", "Recovery, numb L heel @ 12 min", "no numbness today"])
    d = suggest_episodes(h)
    assert d["run"].tolist() == ["a", "b"]
    a, b = d.iloc[0], d.iloc[1]
    assert a["source"] == "lap+text" and a["onset_min"] == 35.0       # the press, not the typed 30 min
    assert (a["side"], a["location"], a["severity"]) == ("right", "toes", 5.0)
    assert a["evidence"] == "lap 1 pressed 35:00 (min:s) into the run; note: Hilly #numb R toes 30min sev 5"
    assert b["source"] == "text" and b["onset_min"] == 12.0 and b["side"] == "left" and b["location"] == "heel"
    assert suggest_episodes(h, text=False)["run"].tolist() == ["a"]
    assert suggest_episodes(h, lap_button=False)["run"].tolist() == ["a", "b"]
    assert suggest_episodes(h, lap_button=False)["source"].tolist() == ["text", "text"]


def test_other_sports_are_left_out_unless_asked():
    h = _history({"ride": [(35.0, 15.0, "manual")]}, sports=["cycling"])
    assert suggest_episodes(h).empty
    assert suggest_episodes(h, sport=None)["run"].tolist() == ["ride"]


@pytest.mark.shared
def test_real_lap_files(shared_dir):
    """The 99- and 88-lap pool swims are structured (even with every sport allowed); a Garmin run with one
    press at 57:28 is proposed."""
    files = [shared_dir / "fit" / f for f in ("fitparse__event_timestamp.fit", "fitdecode__garmin-fr935-cr.fit",
                                              "sportslib__6782987395.fit")]
    h = runlog.read_history(files, cache=False, workers=1, progress=False)
    d = suggest_episodes(h, sport=None)
    assert d["run"].tolist() == ["20190615T0942Z"]
    assert d["onset_min"].iloc[0] == 57.5 and d["onset_km"].iloc[0] == pytest.approx(8.83, abs=0.005)
    sk = d.attrs["skipped"].set_index("run")["reason"]
    assert set(sk.index) == {"20170613T1342Z", "20180324T1102Z"}
    assert all("structured laps" in r for r in sk)


@pytest.mark.shared
def test_cli_draft_round_trips_through_read_episodes(shared_dir, tmp_path, capsys):
    src = shared_dir / "fit" / "sportslib__6782987395.fit"
    out = tmp_path / "draft.csv"
    assert cli.main(["journal", "draft", str(src), "--out", str(out), "--no-cache"]) == 0
    said = capsys.readouterr().out
    assert "Proposed 1 episode(s) from 1 activities: 1 from lap presses" in said
    h = runlog.read_history(src, cache=False, progress=False)
    ep = runlog.read_episodes(out, history=h)
    assert ep["run_id"].tolist() == ["20190615T0942Z"] and ep["onset_min"].tolist() == [57.5]
    # a second draft never overwrites the first (it may hold the runner's edits)
    before = out.read_bytes()
    assert cli.main(["journal", "draft", str(src), "--out", str(out), "--no-cache"]) != 0
    assert "exists already" in capsys.readouterr().err and out.read_bytes() == before
    assert np.isfinite(ep["onset_min"]).all()


def test_a_note_in_the_gpx_name_is_proposed(data_dir, tmp_path):
    """The runner typed '#numb L toes 35min sev 4' as the activity's name: the GPX <trk><name> carries it
    to History.runs['name'] and the draft proposes it."""
    src = (data_dir / "gpx" / "heartandsole__testdata.gpx").read_text(encoding="utf-8")
    assert "<trk>" in src
    (tmp_path / "run.gpx").write_text(src.replace("<trk>", "<trk><name>Easy #numb L toes 35min sev 4</name>", 1),
                                      encoding="utf-8")
    h = runlog.read_history(tmp_path / "run.gpx", cache=False, progress=False)
    assert h.runs["name"].tolist() == ["Easy #numb L toes 35min sev 4"]
    d = suggest_episodes(h)
    assert d["source"].tolist() == ["text"]
    assert (d["onset_min"].iloc[0], d["side"].iloc[0], d["location"].iloc[0], d["severity"].iloc[0]) == \
        (35.0, "left", "toes", 4.0)


def test_tcx_notes_are_the_description(data_dir):
    h = runlog.read_history(data_dir / "tcx", cache=False, progress=False)
    assert "Aerobics" in h.runs["description"].dropna().tolist()


def _with_workout_name(fit_bytes: bytes, name: str) -> bytes:
    """The FIT file with a ``workout`` message (wkt_name = *name*) appended to its data, sizes and CRCs redone."""
    import struct

    from fitparse.records import Crc

    head_size = fit_bytes[0]
    (size,) = struct.unpack_from("<I", fit_bytes, 4)
    text = name.encode() + b"\0"
    # definition of local type 15: workout (26), one string field wkt_name (8); then its data message
    body = fit_bytes[head_size:head_size + size] + bytes([0x4F, 0, 0]) + struct.pack("<HB", 26, 1) + \
        bytes([8, len(text), 0x07]) + b"\x0F" + text
    head = bytearray(fit_bytes[:head_size])
    head[4:8] = struct.pack("<I", len(body))
    if head_size >= 14:
        head[12:14] = struct.pack("<H", Crc.calculate(bytes(head[:12])))
    out = bytes(head) + body
    return out + struct.pack("<H", Crc.calculate(out))


def test_a_note_in_the_fit_workout_name_is_proposed(data_dir, tmp_path):
    """A FIT file holds no activity title, but the workout the runner followed has a name: it is the
    run's name, and a note in it is proposed."""
    src = (data_dir / "fit" / "heartandsole__testdata.fit").read_bytes()
    (tmp_path / "run.fit").write_bytes(_with_workout_name(src, "Tempo #numb R heel 12min"))
    h = runlog.read_history(tmp_path / "run.fit", cache=False, progress=False)
    assert h.runs["name"].tolist() == ["Tempo #numb R heel 12min"]
    d = suggest_episodes(h)
    assert d["source"].tolist() == ["text"]
    assert (d["onset_min"].iloc[0], d["side"].iloc[0], d["location"].iloc[0]) == (12.0, "right", "heel")


def test_auto_laps_marked_manual_are_not_presses():
    # issue 24: a TCX with two 1,000.00 m laps marked 'Manual' was drafted as a press at 6:33
    h = _history({
        "km": [(6.55, 1.0, "manual"), (13.1, 1.0, "manual"), (60.0, 7.0, "manual")],     # 1 km auto-laps
        "mile": [(8.0, 1.609344, "manual"), (16.0, 1.609344, "manual"), (60.0, 8.0, "manual")],   # 1 mile
        "five": [(5.0, 0.9, "manual"), (10.0, 1.2, "manual"), (60.0, 8.0, "manual")],    # every 5 min
        "press": [(6.55, 1.013, "manual"), (60.0, 9.0, "manual")],                       # a real press
    })
    h.laps["elapsed_s"] = (h.laps["end_time"] - h.laps["start_time"]).dt.total_seconds()
    d = suggest_episodes(h)
    assert d["run"].tolist() == ["press"]
    reasons = dict(zip(d.attrs["skipped"]["run"], d.attrs["skipped"]["reason"]))
    assert reasons["km"].startswith("2 laps of 1,000 m each: auto-laps the watch marked 'manual'")
    assert reasons["mile"].startswith("2 laps of 1,609 m each: auto-laps")
    assert reasons["five"].startswith("2 laps of 5:00 (min:s) each: auto-laps")


def test_the_real_tcx_with_two_manual_1000_m_laps_is_not_drafted(data_dir):
    # runpandas' run_garmin.tcx: laps of 1,000.00 m, 1,000.00 m and 153.67 m, all 'Manual' (issue 24)
    h = runlog.read_history(data_dir / "tcx" / "runpandas__run_garmin.tcx", cache=False, progress=False)
    assert h.laps["trigger"].tolist() == ["manual"] * 3
    d = suggest_episodes(h)
    assert d.empty
    assert d.attrs["skipped"]["reason"].tolist()[0].startswith("2 laps of 1,000 m each: auto-laps")


def test_unknown_sport_that_moves_like_a_run_is_drafted_and_flagged():
    h = _history({"run": [(35.0, 6.0, "manual"), (60.0, 4.0, "manual")],
                  "ride": [(35.0, 15.0, "manual"), (60.0, 15.0, "manual")],
                  "walk": [(35.0, 2.0, "manual"), (60.0, 1.0, "manual")]},
                 sports=["unknown"] * 3)
    h.runs["avg_speed_mps"] = [10000 / 3600, 30000 / 3600, 3000 / 3600]     # 6:00 /km, 36 km/h, 20:00 /km
    h.runs["avg_cadence_spm"] = [168.0, float("nan"), float("nan")]
    d = suggest_episodes(h)
    assert d["run"].tolist() == ["run"]
    assert d["evidence"].iloc[0] == ("lap 1 pressed 35:00 (min:s) into the run; CHECK: the file names no sport; "
                                     "drafted as a run because it moves at 6:00 min/km with a cadence of 168 "
                                     "steps/min. Delete the row if it was not a run")
    h.runs["avg_cadence_spm"] = [80.0, float("nan"), float("nan")]      # pedalling, not running
    assert suggest_episodes(h).empty


def test_since_drops_earlier_presses_and_starts_the_journal_period():
    h = _history({"a": [(35.0, 6.0, "manual"), (60.0, 4.0, "manual")],
                  "b": [(20.0, 3.0, "manual"), (60.0, 7.0, "manual")]},
                 names=["#numb L toes 30min", None])
    d = suggest_episodes(h, since="2024-05-02")
    # run a (May 1) keeps its note but not its press; run b (May 2) its press; the period row first
    assert d["source"].tolist() == ["text", "you", "lap"]
    assert d.loc[1, ["date", "notes"]].tolist() == ["2024-05-02", "tracking started"]
    ep = runlog.read_episodes(d.drop(columns="run"),   # (these test runs' ids are not run ids)
                              history=h.runs.assign(tz="Europe/Berlin", distance_m=10000.0, source="x.fit"))
    assert ep.attrs["tracked"][0] == pd.Timestamp("2024-05-02") and len(ep) == 2


def test_cli_draft_takes_since_and_says_the_next_step_in_one_line(data_dir, tmp_path, capsys, monkeypatch):
    src = tmp_path / "runs"
    src.mkdir()
    (src / "run.fit").write_bytes((data_dir / "fit" / "fitparse__activity-small-fenix2-run.fit").read_bytes())
    out = tmp_path / "draft.csv"
    assert cli.main(["journal", "draft", str(src), "--out", str(out), "--no-cache", "--since", "2015-08-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("; lap presses from 2015-08-01 on, the journal period starting then.")
    assert lines[-1] == (f"Next: check {out} (delete what was not numbness; fill in side, location, severity), "
                         f"then run: runlog report {src} --episodes {out}")
    assert not any(ln.startswith("Tip:") for ln in lines)
    assert "2015-08-01,,,,,,,,tracking started,you," in out.read_text(encoding="utf-8")
    # on a terminal without --since it asks (a bad answer is asked again); Enter skips
    answers = iter(["15/08/2015", "2015-08-02"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert cli._ask_since() == pd.Timestamp("2015-08-02")
    monkeypatch.setattr("builtins.input", lambda prompt: "")
    assert cli._ask_since() is None
    with pytest.raises(SystemExit) as exc:   # a wrong date is a usage error (argparse, status 2)
        cli.main(["journal", "draft", str(src), "--out", str(out), "--since", "2015-13-01"])
    assert exc.value.code == 2 and "'2015-13-01' is not a date" in capsys.readouterr().err
