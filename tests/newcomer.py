"""The journals of issue 24's newcomer, written from the real runs of the shared corpus: 25 numbness
episodes on 20 of its runs (five runs with a left and a later right episode), local dates and start
times as ``runlog import --list`` shows them, onsets inside each run, cells as a runner types them.
Built at test time from ../shared (some of its files are AGPL: nothing of them is copied here)."""

from __future__ import annotations

#: run id -> (onset as a share of the run's duration, side, location, severity); two entries: two episodes.
EPISODES_25 = {
    "20121226T2129Z": [(0.6, "left", "forefoot", 3)],
    "20130206T1211Z": [(0.5, "left", "toes", 4)],
    "20150815T1445Z": [(0.55, "left", "forefoot", 4), (0.8, "right", "forefoot", 2)],
    "20150829T1114Z-2": [(0.4, "left", "toes", 5)],
    "20160912T1119Z": [(0.7, "left", "whole_foot", 3)],
    "20170117T1706Z": [(0.5, "left", "forefoot", 4), (0.75, "right", "toes", 3)],
    "20170527T0813Z": [(0.6, "right", "heel", 2)],
    "20171008T1454Z": [(0.45, "left", "forefoot", 5)],
    "20180527T0923Z": [(0.5, "left", "toes", 3)],
    "20190129T1025Z": [(0.35, "left", "forefoot", 6), (0.6, "right", "forefoot", 4)],
    "20190615T0942Z": [(0.6, "left", "forefoot", 5)],
    "20190914T1522Z": [(0.5, "left", "toes", 3)],
    "20190918T1402Z": [(0.55, "right", "toes", 2)],
    "20190925T1415Z": [(0.5, "left", "forefoot", 4)],
    "20200304T1614Z": [(0.65, "left", "forefoot", 3)],
    "20200314T1352Z": [(0.45, "left", "toes", 5), (0.7, "right", "toes", 3)],
    "20201202T0908Z": [(0.6, "left", "forefoot", 4)],
    "20201210T0627Z": [(0.5, "both", "whole_foot", 6)],
    "20201225T2040Z": [(0.4, "left", "forefoot", 3), (0.65, "right", "forefoot", 2)],
    "20210110T0854Z": [(0.55, "left", "toes", 5)],
}


def journal_25(history) -> str:
    """The 25-episode journal (CSV text) for *history* (the shared corpus read by runlog), with a
    'tracking started' row on the first day of 2012-12."""
    lst = history.listing().set_index("run_id")
    lines = ["date,time,onset_min,side,location,severity,notes", "2012-12-01,,,,,,tracking started"]
    for rid, eps in EPISODES_25.items():
        r = lst.loc[rid]
        for share, side, loc, sev in eps:
            lines.append(f"{r['date']:%Y-%m-%d},{r['start']},{round(share * r['duration_min'])}min,{side},"
                         f"{loc},{sev}/10,")
    assert sum(len(e) for e in EPISODES_25.values()) == 25
    return "\n".join(lines) + "\n"
