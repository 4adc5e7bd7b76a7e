"""The GPX fast path (runlog.io._gpxfast) reads exactly what the gpxpy path reads.

Every real GPX file, a catalogue of edited ones (damage, odd times, odd
values, namespace repair) and hypothesis-mutated files are decoded twice,
``gpx.decode(..., use_fast_path=True)`` and ``use_fast_path=False`` (gpxpy
for everything, the reader before the fast path), and must give identical
frames and info, or the same exception (type and message), with the same
warnings.  Where the fast path declines a document, it is listed and the
reason given.  No timing is asserted (bench/bench_io.py prints the speed).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runlog.io import _gpxfast, gpx
from runlog.io._xml import reject_dtd, xml_text

from decode_compare import damaged, decode_differences, decode_outcome
from fuzzing import fuzz_settings

ROOT = Path(__file__).resolve().parents[2]


def _differences(data: bytes, name: str) -> list[str]:
    """What differs between the fast and the gpxpy path ([] when nothing)."""
    return decode_differences(name, decode_outcome(gpx.decode, data, name, use_fast_path=True),
                              decode_outcome(gpx.decode, data, name, use_fast_path=False), laps=False)


def _fast_taken(data: bytes, name: str) -> bool:
    text = xml_text(data, name)
    reject_dtd(text, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _gpxfast.read_points(text, name, gpx.EXTENSION_COLUMNS) is not None


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.gpx"))


def test_bundled_files_read_the_same(data_dir):
    files = _files(data_dir / "gpx")
    assert len(files) == 6
    problems = [d for p in files for d in _differences(p.read_bytes(), p.name)]
    assert problems == []
    assert [p.name for p in files if not _fast_taken(p.read_bytes(), p.name)] == []


def test_shared_corpus_reads_the_same(shared_dir):
    """All 24 corpus GPX files, including the broken and odd ones, and all take the fast path.

    Among them: an undeclared 'gpxdata:' prefix (repaired, same warning), route-only and
    waypoint-only files (same NotAnActivityError), a 1901 broken clock, partial and
    missing times, GPX 1.0 with <speed>, 8-track files, an empty segment, a single
    timed point (same FileFormatError each).
    """
    files = _files(shared_dir / "gpx")
    assert len(files) == 24
    problems = [d for p in files for d in _differences(p.read_bytes(), p.name)]
    assert problems == []
    assert [p.name for p in files if not _fast_taken(p.read_bytes(), p.name)] == []


# --------------------------------------------------------------------------
# Edited documents: damage, odd values and odd times
# --------------------------------------------------------------------------

def _sub(pattern, repl, count=0):
    return lambda t: re.sub(pattern, repl, t, count=count, flags=re.S)


_HS = "heartandsole__testdata.gpx"
#: name -> (file, edit, does the fast path read it?)
EDITS = {
    "unchanged": (_HS, lambda t: t, True),
    "bom_and_whitespace": (_HS, lambda t: "\n \ufeff" + t, True),
    "unbound_prefix": (_HS, lambda t: t.replace(
        'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"', ""), True),
    "unbound_prefix_unrepairable": (_HS, lambda t: t.replace(
        'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"', "").replace(
        "<trkseg>", "<trkseg><q:x></r:x>", 1), False),
    "truncated": (_HS, lambda t: t[: len(t) // 2], False),
    "truncated_in_a_time": (_HS, lambda t: t[: t.index("<time>2021-04-16T13:40") + 15], False),
    "one_line": (_HS, lambda t: re.sub(r">\s+<", "><", t), True),
    "default_ns_twice": (_HS, _sub("<ns3:TrackPointExtension>",
                                   '<TrackPointExtension xmlns="urn:x"><hr>1</hr></TrackPointExtension>'
                                   "<ns3:TrackPointExtension>"), True),
    "prefixed_gpx_namespace": (_HS, lambda t: t.replace(
        'xmlns="http://www.topografix.com/GPX/1/1"', 'xmlns:g="http://www.topografix.com/GPX/1/1"'), True),
    "gpx10_with_extensions": (_HS, lambda t: t.replace('version="1.1"', 'version="1.0"'), True),
    "no_version": (_HS, lambda t: t.replace('version="1.1"', ""), True),
    "gpx10_speed": (_HS, _sub(r"<ele>", "<speed>2.5</speed><ele>"), True),
    "bad_ele": (_HS, _sub(r"<ele>1626</ele>", "<ele>high</ele>", 1), False),
    "blank_ele": (_HS, _sub(r"<ele>1626</ele>", "<ele> </ele>", 1), False),
    "empty_ele": (_HS, _sub(r"<ele>1626</ele>", "<ele></ele>"), True),
    "two_ele": (_HS, _sub(r"<ele>(\d+)</ele>", r"<ele/><ele>\1</ele>"), True),
    "ele_with_spaces_and_underscores": (_HS, _sub(r"<ele>1626</ele>", "<ele>\n 1_626.5 </ele>"), True),
    "bad_lat": (_HS, _sub(r'lat="40', 'lat="x40', 1), False),
    "missing_lon": (_HS, _sub(r' lon="[^"]*"', "", 1), False),
    "lat_nan_and_off_globe": (_HS, lambda t: re.sub(r'lat="[^"]*"', 'lat="nan"', re.sub(
        r'lon="[^"]*"', 'lon="500"', t, count=3), count=2), True),
    "valid_hdop_sat_fix": (_HS, _sub(r"</ele>", "</ele><sat>7</sat><hdop>1.2</hdop><fix>3d</fix>"), True),
    "bad_hdop": (_HS, _sub(r"</ele>", "</ele><hdop>bad</hdop>", 1), False),
    "bad_fix": (_HS, _sub(r"</ele>", "</ele><fix>4d</fix>", 1), False),
    "bad_sat": (_HS, _sub(r"</ele>", "</ele><sat>7.5</sat>", 1), False),
    "bad_waypoint": (_HS, lambda t: t.replace("<trk>", '<wpt lat="x" lon="1"/><trk>'), False),
    "bad_metadata_time_is_ignored": (_HS, _sub(r"<time>2021-04-16T13:37:53.000Z</time>",
                                               "<time>soon</time>", 1), True),
    "extension_junk": (_HS, _sub(r"<ns3:hr>(\d+)</ns3:hr>", r"<ns3:hr>\1 bpm</ns3:hr>", 5), True),
    "extension_all_junk": (_HS, _sub(r"<ns3:hr>(\d+)</ns3:hr>", r"<ns3:hr>x</ns3:hr>"), True),
    "extension_twice": (_HS, _sub(r"<ns3:hr>(\d+)</ns3:hr>", r"<ns3:hr>\1</ns3:hr><heartrate>9</heartrate>"),
                        True),
    "extension_comment_and_power": (_HS, _sub(r"<extensions>", "<extensions><!-- c --><power>250</power>"),
                                    True),
    "time_offsets": (_HS, _sub(r"<time>2021-04-16T13:([0-9:.]+)Z</time>", r"<time>2021-04-16T15:\1+02:00</time>"),
                     True),
    "time_offsets_compact": (_HS, _sub(r"<time>2021-04-16T13:([0-9:.]+)Z</time>",
                                       r"<time>2021-04-16T08:\1-0500</time>"), True),
    "time_offsets_hours_only": (_HS, _sub(r"<time>2021-04-16T13:([0-9:.]+)Z</time>",
                                          r"<time>2021-04-16 14:\1+01</time>"), True),
    "time_unicode_minus": (_HS, _sub(r"<time>2021-04-16T13:([0-9:.]+)Z</time>",
                                     "<time>2021-04-16T08:\\1\u221205:00</time>"), True),
    "time_naive": (_HS, lambda t: t.replace(".000Z</time>", "</time>"), True),
    "time_mixed_fractions": (_HS, lambda t: re.sub(
        r"\.000Z</time>", lambda m: [".5Z</time>", "Z</time>", ".1234567890123Z</time>", ".999999Z</time>"][
            len(m.string[: m.start()]) % 4], t), True),
    "time_16_fraction_digits": (_HS, _sub(r"\.000Z</time>", ".1234567890123456Z</time>", 7), True),
    "time_short_fields": (_HS, _sub(r"<time>2021-04-16T13:", "<time>2021-4-16T13:", 9), True),
    "time_spaces_and_newline": (_HS, lambda t: t.replace("<time>2021-04-16T13:38:", "<time> 2021-04-16T13:38:")
                                .replace(".000Z</time>", ".000Z\n</time>"), True),
    "time_impossible_dates": (_HS, lambda t: t.replace("2021-04-16T13:38:1", "2021-02-30T13:38:1").replace(
        "2021-04-16T13:38:2", "2021-04-16T24:38:2").replace("2021-04-16T13:38:3", "2021-13-16T13:38:3"), True),
    "time_very_long": (_HS, lambda t: t.replace("<time>2021-04-16T13:38:19.000Z",
                                                "<time>2021-04-16T13:38:19." + "0" * 200_000 + "Z"), True),
    "time_leap_day": (_HS, lambda t: t.replace("2021-04-16", "2024-02-29"), True),
    "time_offset_24h": (_HS, _sub(r"<time>2021-04-16T13:38:([0-9:.]+)Z</time>",
                                  r"<time>2021-04-16T13:38:\1+24:00</time>"), True),
    "time_year_1_and_9999": (_HS, lambda t: t.replace("<time>2021-04-16T13:38:1", "<time>0001-01-01T00:38:1")
                             .replace(".000Z</time>", ".000+01:00</time>", 3)
                             .replace("<time>2021-04-16T13:39:1", "<time>9999-12-31T23:39:1"), True),
    "time_1901_clock": (_HS, lambda t: t.replace("<time>2021-04-16T", "<time>1901-12-13T"), True),
    "time_all_equal": (_HS, _sub(r"<time>[^<]*</time>", "<time>2021-04-16T13:37:53Z</time>"), True),
    "time_some_missing": (_HS, lambda t: re.sub(r"<time>2021-04-16T13:3[89][^<]*</time>", "", t), True),
    "time_empty_elements": (_HS, lambda t: re.sub(r"<time>2021-04-16T13:3[89][^<]*</time>", "<time/>", t), True),
    "time_all_missing": (_HS, lambda t: re.sub(r"<time>[^<]*</time>", "", t), True),
    "tracks_swapped_segments_split": (_HS, lambda t: t.replace(
        "</trkpt>", "</trkpt></trkseg></trk><trk><type>cycling</type><trkseg>", 20), True),
    "points_outside_segments": (_HS, lambda t: t.replace("<trk>", "<trk><trkpt lat='1' lon='2'/>").replace(
        "<trkseg>", "<trkseg><extensions/>", 1), True),
    "route_points_as_well": (_HS, lambda t: t.replace(
        "<trk>", '<rte><rtept lat="1" lon="2"><time>2020-01-01T00:00:00Z</time></rtept></rte><trk>'), True),
    "empty_segment": (_HS, _sub(r"<trkseg>.*</trkseg>", "<trkseg></trkseg>"), True),
    "waypoints_only": (_HS, _sub(r"<trk>.*</trk>", '<wpt lat="40.0" lon="-105.2"><name>car</name></wpt>'), True),
    "not_gpx_root_inside": (_HS, lambda t: t.replace("<trk>", "<trk><trk>").replace("</trk>", "</trk></trk>"),
                            True),
    "strava_cycling_type": ("runpandas__strava_export.gpx", lambda t: t.replace("<type>9</type>", "<type>1</type>"),
                            True),
    "cycling_unknown_sport": ("sweatpy__activity_5039744860.gpx", lambda t: t.replace("<type>cycling</type>", ""),
                              True),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_edited_documents_read_the_same(data_dir, name):
    src, edit, fast = EDITS[name]
    data = edit((data_dir / "gpx" / src).read_text(encoding="utf-8")).encode("utf-8")
    assert _differences(data, f"{name}.gpx") == []
    assert _fast_taken(data, f"{name}.gpx") is fast


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_other_encodings_read_the_same(data_dir, encoding):
    text = (data_dir / "gpx" / _HS).read_text(encoding="utf-8").replace("Boulder Running", "Läufer")
    data = text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"').encode(encoding)
    assert _differences(data, "enc.gpx") == []
    assert _fast_taken(data, "enc.gpx")


# --------------------------------------------------------------------------
# Times: the vectorised parser against gpxpy's parse_time, string by string
# --------------------------------------------------------------------------

def _gpxpy_time_s(text: str) -> tuple[float, bool]:
    """One ``<time>`` text through gpxpy's own time parser (the reference; test code may use its internals)."""
    import datetime as dt

    from gpxpy.gpxfield import TIME_TYPE

    t = TIME_TYPE.from_string(text)
    if t is None:
        return np.nan, True
    try:
        return (t if t.tzinfo else t.replace(tzinfo=dt.UTC)).timestamp(), False
    except (OverflowError, ValueError, OSError):
        return np.nan, False


def _expected_times(strings):
    t_s, untimed = [], []
    for s in strings:
        if not s:
            t_s.append(np.nan)
            untimed.append(True)
        else:
            v, u = _gpxpy_time_s(s)
            t_s.append(v)
            untimed.append(u)
    return np.array(t_s, dtype="float64"), np.array(untimed)


_two = st.integers(0, 99).map(lambda v: f"{v:02d}")
_time_strings = st.one_of(
    st.builds(
        lambda y, mo, d, sep, h, mi, s, frac, zone: f"{y:04d}-{mo}-{d}{sep}{h}:{mi}:{s}{frac}{zone}",
        st.integers(0, 9999) | st.integers(1890, 2210), st.integers(0, 13).map(lambda v: f"{v:02d}") | _two,
        st.integers(0, 32).map(lambda v: f"{v:02d}"), st.sampled_from(["T", " ", "t", "_"]),
        st.integers(0, 25).map(lambda v: f"{v:02d}"), st.integers(0, 61).map(lambda v: f"{v:02d}"),
        st.integers(0, 61).map(lambda v: f"{v:02d}"),
        st.just("") | st.text("0123456789", min_size=0, max_size=17).map(lambda f: "." + f),
        st.sampled_from(["", "Z", "z", "+00:00", "-05:00", "+0530", "-08", "+2400", "+23:59", "\u221202:00",
                         "+02:", "+1", "Z\n", " "]),
    ),
    st.text(alphabet="0123456789-:T.Z+ \u0663", max_size=30),
    st.none(),
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(_time_strings, min_size=0, max_size=12))
def test_iso_times_match_gpxpy(strings):
    t_s, untimed = _gpxfast.iso_times_s(strings)
    exp_t, exp_untimed = _expected_times(strings)
    np.testing.assert_array_equal(t_s, exp_t)
    np.testing.assert_array_equal(untimed, exp_untimed)


def test_iso_times_real_forms():
    strings = ["2021-04-16T13:37:53.000Z", "2021-04-16T13:37:53Z", "1901-12-13T20:45:52.2Z",
               "2012-10-25T09:19:01.4567899Z", "2021-04-16T15:37:53+02:00", "2021-04-16T13:37:53", None, ""]
    t_s, untimed = _gpxfast.iso_times_s(strings)
    exp_t, exp_untimed = _expected_times(strings)
    np.testing.assert_array_equal(t_s, exp_t)
    np.testing.assert_array_equal(untimed, exp_untimed)
    assert t_s[0] == t_s[1] == t_s[4] == t_s[5] == pd.Timestamp("2021-04-16T13:37:53Z").timestamp()
    assert list(untimed) == [False] * 6 + [True, True]


# --------------------------------------------------------------------------
# Damaged files (hypothesis): both paths agree on every mutation
# --------------------------------------------------------------------------

#: What a mutation may insert into a GPX file: signs, separators and characters of times and numbers.
_GPX_INSERTS = (b"-", b"x", b".", b":", b"<", b" ", b"\xe2\x88\x92", b"Z")

_ORIGINALS = {name: (ROOT / "tests" / "data" / "gpx" / name).read_bytes()
              for name in (_HS, "sweatpy__activity_5039744860.gpx")}


@fuzz_settings(60)
@given(data=st.data())
def test_fuzz_both_paths_agree(data):
    raw = _ORIGINALS[data.draw(st.sampled_from(sorted(_ORIGINALS)))]
    blob = data.draw(damaged(raw, inserts=_GPX_INSERTS, digit_weight=3))
    assert _differences(blob, "fuzz.gpx") == []


# --------------------------------------------------------------------------
# Independence from lxml
# --------------------------------------------------------------------------

def test_fast_path_parser_is_the_standard_library():
    assert _gpxfast.XMLParser is ET.XMLParser
    assert type(ET.XML("<a/>")) is ET.Element  # the C element type, whatever else is installed


def test_fast_path_reads_points_without_lxml(data_dir, tmp_path):
    """With every lxml import made to fail, the fast path still reads the bundled files, the same records.

    The track points always go through the standard library's C parser; gpxpy
    reads the point-free rest of the document (``gpxpy.parse``) with lxml when
    it is installed, else with the same parser.  Run in a fresh interpreter.
    """
    script = textwrap.dedent(f"""
        import sys, warnings
        import importlib.abc

        class Block(importlib.abc.MetaPathFinder):
            hits = []
            def find_spec(self, name, path=None, target=None):
                if name == "lxml" or name.startswith("lxml."):
                    Block.hits.append(name)
                    raise ImportError("blocked by the test: " + name)
                return None

        sys.meta_path.insert(0, Block())
        from pathlib import Path
        from runlog.io import gpx, _gpxfast
        from runlog.io._xml import xml_text
        n = 0
        for p in sorted(Path({str(data_dir / "gpx")!r}).glob("*.gpx")):
            data = p.read_bytes()
            assert _gpxfast.read_points(xml_text(data, p.name), p.name, gpx.EXTENSION_COLUMNS) is not None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    n += len(gpx.decode(data, p.name)[0].records)
                except Exception as exc:
                    assert type(exc).__name__ in ("FileFormatError", "NotAnActivityError"), exc
        assert "lxml" not in sys.modules
        print(n)
        """)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) == 46 + 1696 + 96 + 513
