"""Deeply nested or oversized XML never kills the interpreter: each file is refused with one line.

gpxpy deep-copies every ``<extensions>`` element it reads, and the C
``Element.__deepcopy__`` recurses without a limit: 300,000 nested elements
(a 2 MB GPX) crashed the process with SIGSEGV, which no ``except`` catches.
Each hostile file is read in its own interpreter (a crash there cannot take
pytest down) through :func:`runlog.read_activities`, the path of
``read_activity``, ``read_history(workers=1)`` and thread executors; the
child must exit normally having caught a :class:`runlog.FileFormatError`
whose message is one line naming the bound.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from runlog.io._xml import MAX_EXTENSION_ELEMENTS, MAX_XML_DEPTH

N = 300_000  # the reported attack: 300,000 nested elements, 2 MB
DEEP = "<a>" * N + "</a>" * N
#: Past the depth bound, small: the other places a library would copy (each read before the fix)
NESTED = "<a>" * (MAX_XML_DEPTH + 40) + "</a>" * (MAX_XML_DEPTH + 40)
WIDE = "<a/>" * (MAX_EXTENSION_ELEMENTS + 1)
PT = '<trkpt lat="52.0" lon="4.0"><time>2020-06-01T14:52:{s:02d}Z</time>{x}</trkpt>'


def _gpx(body: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">' + body + "</gpx>")


def _track(*extras: str) -> str:
    pts = "".join(PT.format(s=10 * k, x=x) for k, x in enumerate(extras or ("", "")))
    return f"<trk><trkseg>{pts}</trkseg></trk>"


HOSTILE = {
    "metadata_extensions": (_gpx(f"<metadata><extensions>{DEEP}</extensions></metadata>" + _track()), "levels deep"),
    "waypoint_extensions": (_gpx(f'<wpt lat="1" lon="2"><extensions>{NESTED}</extensions></wpt>' + _track()),
                            "levels deep"),
    "route_extensions": (_gpx(f'<rte><rtept lat="1" lon="2"><extensions>{NESTED}</extensions></rtept></rte>'
                              + _track()), "levels deep"),
    "track_extensions": (_gpx(f"<trk><extensions>{NESTED}</extensions><trkseg>"
                              + PT.format(s=0, x="") + PT.format(s=10, x="") + "</trkseg></trk>"), "levels deep"),
    "trackpoint_extensions": (_gpx(_track("", f"<extensions>{DEEP}</extensions>")), "<extensions> block"),
    # deeper than the bound but small: the depth is checked, not only the size
    "trackpoint_extensions_nested": (_gpx(_track("", f"<extensions>{NESTED}</extensions>")), "levels deep"),
    "wide_trackpoint_extensions": (_gpx(_track("", f"<extensions>{WIDE}</extensions>")), "<extensions> block"),
    "wide_metadata_extensions": (_gpx(f"<metadata><extensions>{WIDE}</extensions></metadata>" + _track()),
                                 "<extensions> block"),
    # a value gpxpy rejects first (the fast path then hands the whole file to gpxpy): still bounded
    "after_a_bad_value": (_gpx(_track("<hdop>x</hdop>", "", f"<extensions>{NESTED}</extensions>")), "levels deep"),
    "deep_tcx": ('<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
                 'TrainingCenterDatabase/v2"><Activities><Activity Sport="Running"><Id>2020-06-01T14:52:40Z</Id>'
                 f'<Extensions>{DEEP}</Extensions></Activity></Activities></TrainingCenterDatabase>', None),
}

CHILD = textwrap.dedent("""
    import sys, runlog
    try:
        runlog.read_activities(sys.argv[1])
    except runlog.FileFormatError as exc:
        print("REFUSED", exc)
    else:
        print("READ")
""")


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """(exit code, stdout, stderr) of a fresh interpreter reading each hostile file; run side by side."""
    folder = tmp_path_factory.mktemp("hostile")
    procs = {}
    for name, (text, _) in HOSTILE.items():
        path = folder / (name + (".tcx" if name.endswith("tcx") else ".gpx"))
        path.write_text(text, encoding="utf-8")
        procs[name] = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
    return {name: (p.wait(timeout=300), *p.communicate()) for name, p in procs.items()}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_tree_is_refused_not_a_crash(outcomes, name):
    code, out, err = outcomes[name]
    assert code == 0, f"{name}: the interpreter died (exit {code}, a negative code is a signal): {err[-500:]}"
    expected = HOSTILE[name][1]
    if expected is None:  # no library copies TCX trees: read or refused, but never a crash
        assert out.startswith(("READ", "REFUSED")), out
        return
    assert out.startswith("REFUSED"), out
    assert expected in out and out.count("\n") == 1, out


def test_bounds_leave_room_for_real_files():
    """Real files nest 7-8 levels and write under 10 elements per extension block."""
    assert MAX_XML_DEPTH >= 32 and MAX_EXTENSION_ELEMENTS >= 1000
