"""The journal forgives the usual mistakes (issue 24 item 6), on real files from tests/data.

* times written in UTC (or another zone) are detected and named;
* a slashed date that can only be read one way (08/15/2015) is accepted;
* the CSV takes the value forms a '#numb' note takes (4/10, 55min, L foot, 4 mi);
* file names in messages as the files are named (not lower-cased);
* every run id History.runs lists, suffixed ones too, is accepted in the 'run' column.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import runlog
from runlog.errors import JournalError

FILES = ["fit/fitparse__activity-small-fenix2-run.fit",   # 20150815T1445Z, 16:45 local (+02:00), 47 min
         "fit/workoutizer__run_with_coordinates.fit",      # 20201210T0627Z, 07:27 local (+01:00)
         "fit/sweatpy__6471559601_ACTIVITY.fit",          # 3 sessions 20210322T1048Z, -2, -3 (one minute)
         "fit/heartandsole__B47I2852.FIT"]                # 20210408T0028Z, 2021-04-07 18:28 local


@pytest.fixture(scope="module")
def history(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return runlog.read_history([data_dir / f for f in FILES], cache=False, progress=False)


def test_times_written_in_utc_are_named(history):
    journal = pd.DataFrame({"date": ["2015-08-15", "2020-12-10", "2021-04-08"],
                            "time": ["14:45", "06:27", "00:28"], "onset_min": [20, 10, 5]})
    with pytest.raises(JournalError) as exc:
        runlog.read_episodes(journal, history=history)
    first = exc.value.problems[0]
    assert first.startswith("your times look like UTC: 3 of the 3 rows whose date and time match no run match a "
                            "run's start in UTC (line 2: 2015-08-15 14:45 is the UTC start of run 20150815T1445Z, "
                            "which started at 16:45 local time)")
    assert "'runlog import --list' lists them" in first
    assert str(exc.value).splitlines()[1] == f"  - {first}"   # the first thing the runner reads


def test_times_in_another_zone_are_named(history):
    journal = pd.DataFrame({"date": ["2015-08-15", "2020-12-10"], "time": ["19:45", "10:27"]})
    with pytest.raises(JournalError) as exc:
        runlog.read_episodes(journal, history=history)
    assert exc.value.problems[0].startswith(
        "your times look written in another time zone: 2 of the 2 rows whose date and time match no run are 3 h "
        "later than a run's local start")


def test_one_wrong_time_is_not_called_a_time_zone(history):
    journal = pd.DataFrame({"date": ["2015-08-15", "2020-12-10"], "time": ["19:45", "07:30"]})
    with pytest.raises(JournalError) as exc:
        runlog.read_episodes(journal, history=history)
    assert [p[:7] for p in exc.value.problems] == ["line 2:"]


@pytest.mark.parametrize("text, date", [("08/15/2015", "2015-08-15"), ("15/08/2015", "2015-08-15"),
                                        ("12/10/2020 07:27", None), ("10/12/2020", None)])
def test_slashed_dates_read_when_only_one_order_is_a_date(history, text, date):
    if date is None:
        with pytest.raises(JournalError, match=r"is ambiguous \(day/month or month/day\?\)"):
            runlog.read_episodes(pd.DataFrame({"date": [text]}), history=history)
    else:
        ep = runlog.read_episodes(pd.DataFrame({"date": [text]}), history=history)
        assert ep["run_id"].tolist() == ["20150815T1445Z"] and ep["date"].iloc[0] == pd.Timestamp(date)


def test_the_csv_takes_the_value_forms_of_a_note(tmp_path, history):
    path = tmp_path / "journal.csv"
    path.write_text("date,onset_min,onset_km,duration_min,side,location,severity\n"
                    "2015-08-15,35min,2 mi,10 min,L foot,ball of foot,4/10\n"
                    "2020-12-10,12',1.5km,,R leg,toes,sev 3\n"
                    "2021-04-07,0.5 minutes,,,links,,7 / 10\n", encoding="utf-8")
    ep = runlog.read_episodes(path, history=history)
    assert ep["onset_min"].tolist() == [35.0, 12.0, 0.5]
    assert ep["onset_km"].iloc[:2].tolist() == [pytest.approx(2 * 1.609344, abs=1e-3), 1.5]
    assert ep["duration_min"].iloc[0] == 10.0
    assert ep["side"].tolist() == ["left", "right", "left"]
    assert ep["location"].iloc[:2].tolist() == ["forefoot", "toes"]
    assert ep["severity"].tolist() == [4.0, 3.0, 7.0]
    # the same forms as parse_note reads them
    note = runlog.journal.suggest.parse_note("#numb L foot ball of foot 55min 4/10")
    assert (note["side"], note["location"], note["onset_min"], note["severity"]) == ("left", "forefoot", 55.0, 4.0)


def test_a_bad_value_with_a_unit_is_reported_as_written(history):
    with pytest.raises(JournalError) as exc:
        runlog.read_episodes(pd.DataFrame({"date": ["2015-08-15"], "onset_min": ["55 km"], "severity": ["11/10"]}),
                             history=history)
    assert exc.value.problems == ["line 2: onset_min: '55 km' is not a number",
                                  "line 2: severity 11 is outside 0-10 (0 barely, 10 worst); fix the value"]


def test_file_names_in_messages_as_named(history):
    with pytest.raises(JournalError) as exc:
        runlog.read_episodes(pd.DataFrame({"run": ["B47I2852x.FIT"], "date": ["2021-04-07"]}), history=history)
    assert "similar file names: heartandsole__B47I2852.FIT" in exc.value.problems[0]
    with pytest.raises(JournalError) as exc:
        runlog.read_episodes(pd.DataFrame({"date": ["2021-04-07"], "time": ["10:00"]}), history=history)
    assert "(20210408T0028Z, " in exc.value.problems[0] and "heartandsole__B47I2852.FIT)" in exc.value.problems[0]


def test_every_run_id_history_lists_is_accepted(history):
    ids = list(history.runs.index)
    assert "20210322T1048Z-2" in ids and "20210322T1048Z-3" in ids
    ep = runlog.read_episodes(pd.DataFrame({"run": ids}), history=history)
    assert ep["run_id"].tolist() == ids
    # lower case and without a history too
    assert runlog.read_episodes(pd.DataFrame({"run": ["20210322t1048z-2"]}))["run_id"].tolist() == ["20210322T1048Z-2"]
    with pytest.raises(JournalError, match=r"no run with run_id '20210322T1048Z-4'; runs nearest to it: "):
        runlog.read_episodes(pd.DataFrame({"run": ["20210322T1048Z-4"]}), history=history)


@pytest.mark.shared
def test_suffixed_run_id_of_a_real_multisport_fit(shared_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = runlog.read_history([shared_dir / "fit" / "fitparse__activity-large-fenxi2-multisport.fit"],
                                cache=False, progress=False)
    assert "20150829T1114Z-2" in h.runs.index
    ep = runlog.read_episodes(pd.DataFrame({"run": ["20150829T1114Z-2"], "onset_min": [3]}), history=h)
    assert ep["run_id"].tolist() == ["20150829T1114Z-2"]


def test_a_time_at_a_multisport_start_picks_the_run_and_is_not_called_a_zone(history):
    # 20210322T1048Z: run, transition and row sessions start in the same minute (sweatpy's FIT); the
    # newcomer's 25-episode journal met the same at the fenix 2 multisport file (transition + run)
    ep = runlog.read_episodes(pd.DataFrame({"date": ["2021-03-22"], "time": ["11:48"]}), history=history)
    assert ep["run_id"].tolist() == ["20210322T1048Z"]
    # several runs near a time is not a time-zone mistake
    runs = history.runs.copy()
    runs.loc["20210322T1048Z-2", "sport"] = "unknown"   # now no rule picks
    with pytest.raises(JournalError) as exc:
        runlog.read_episodes(pd.DataFrame({"date": ["2021-03-22"], "time": ["11:48"]}), history=runs)
    assert [p[:28] for p in exc.value.problems] == ["line 2: 3 runs at or near 20"]
