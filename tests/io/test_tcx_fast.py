"""The TCX fast path (runlog.io._tcxfast) reads exactly what the reference walk reads.

Every real TCX file, a catalogue of edited ones (missing, empty, repeated and
bad values, odd times, other namespaces and prefixes, extensions with and
without the TPX namespace, a MultiSportSession, a missing root, damage) and
hypothesis-mutated files are decoded twice, ``tcx.decode(...,
use_fast_path=True)`` and ``use_fast_path=False`` (``parse_xml`` and the
per-trackpoint walk ``tcx._rows``, the reader before the fast path), and must
give identical records, laps and info, or the same exception (type and
message), with the same warnings.  Where the fast parse declines a document
(``parse_xml`` parses it), the catalogue says so.  No timing is asserted
(bench/bench_gpx_fast.py prints the speed).
"""

from __future__ import annotations

import gc
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runlog.errors import FileFormatError, UntimedPointsWarning
from runlog.io import _tcxfast, _xml, tcx

from decode_compare import damaged, decode_differences, decode_outcome
from fuzzing import fuzz_settings

ROOT = Path(__file__).resolve().parents[2]


def _differences(data: bytes, name: str) -> list[str]:
    """What differs between the fast and the reference path ([] when nothing)."""
    return decode_differences(name, decode_outcome(tcx.decode, data, name, use_fast_path=True),
                              decode_outcome(tcx.decode, data, name, use_fast_path=False), laps=True)


def _fast_parse_taken(data: bytes, name: str) -> bool:
    """Does the fast parse read the document itself (else parse_xml does)?"""
    try:
        text = _xml.xml_text(data, name)
    except FileFormatError:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _tcxfast.parse_tree(text, name) is not None


def _no_reference_path(monkeypatch) -> None:
    """Make the reference parse and walk fail loudly: a decode that succeeds took the fast path."""
    def refuse(*args, **kwargs):
        raise AssertionError("the reference path was used")

    monkeypatch.setattr(tcx, "parse_xml", refuse)
    monkeypatch.setattr(tcx, "_rows", refuse)


def _real_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.tcx"))


def test_bundled_files_read_the_same(data_dir):
    files = _real_files(data_dir / "tcx")
    assert len(files) == 5
    assert [d for p in files for d in _differences(p.read_bytes(), p.name)] == []


def test_shared_corpus_reads_the_same(shared_dir):
    """All 10 corpus TCX files (read from ../shared, never copied: some are AGPL)."""
    files = _real_files(shared_dir / "tcx")
    assert len(files) == 10
    assert [d for p in files for d in _differences(p.read_bytes(), p.name)] == []


def test_real_files_take_the_fast_path(data_dir, shared_dir, monkeypatch):
    """With parse_xml and the reference walk disabled, every real file still decodes, to the same.

    runpandas__malformed.tcx (no root element, an undeclared 'xsi:' prefix) included: the
    fast parse declares the prefix itself, with parse_xml's warning.
    """
    files = _real_files(data_dir / "tcx") + _real_files(shared_dir / "tcx")
    expected = {p: decode_outcome(tcx.decode, p.read_bytes(), p.name, use_fast_path=False) for p in files}
    with monkeypatch.context() as m:
        _no_reference_path(m)
        fast = {p: decode_outcome(tcx.decode, p.read_bytes(), p.name) for p in files}
    assert [d for p in files for d in decode_differences(p.name, fast[p], expected[p], laps=True)] == []
    assert all(isinstance(outcome[0], list) for outcome in fast.values())


# --------------------------------------------------------------------------
# Edited documents
# --------------------------------------------------------------------------

def _sub(pattern, repl, count=0):
    return lambda t: re.sub(pattern, repl, t, count=count, flags=re.S)


def _every(k: int, pattern: str, repl: str):
    """Replace every *k*-th match of *pattern* (the first included) by *repl*."""
    def edit(t: str) -> str:
        seen = iter(range(10**9))
        return re.sub(pattern, lambda m: m.expand(repl) if next(seen) % k == 0 else m.group(0), t, flags=re.S)
    return edit


_HS = "heartandsole__testdata.tcx"        # Running, TPX with the ns3 prefix: Speed, RunCadence
_SW = "sweatpy__activity_5039744860.tcx"  # Biking, Cadence, TPX Speed and Watts
_TPX_NS = 'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"'
_TCD_NS = 'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'


def _prefixed(t: str) -> str:
    """Every TrainingCenterDatabase element under the prefix 'tc:' instead of the default namespace."""
    t = t.replace(_TCD_NS, _TCD_NS.replace("xmlns=", "xmlns:tc="))
    return re.sub(r"<(/?)([A-Z][A-Za-z]*)([\s>/])", r"<\1tc:\2\3", t)


def _multisport(t: str) -> str:
    act = re.search(r"<Activity .*?</Activity>", t, flags=re.S).group(0)
    later = act.replace("2021-04-16T13:", "2021-04-16T14:").replace('Sport="Running"', 'Sport="Biking"')
    return re.sub(r"<Activities>.*</Activities>",
                  f"<Activities><MultiSportSession><Id>x</Id><FirstSport>{act}</FirstSport>"
                  f"<NextSport>{later}</NextSport></MultiSportSession></Activities>", t, flags=re.S)


#: name -> (file, edit, does the fast parse read it?)
EDITS = {
    "unchanged": (_HS, lambda t: t, True),
    "one_line": (_HS, _sub(r">\s+<", "><"), True),
    "bom_and_whitespace": (_HS, lambda t: "\n \ufeff" + t, True),
    # missing and empty values
    "no_position_every_3rd": (_HS, _every(3, r"<Position>.*?</Position>", ""), True),
    "no_hr_at_all": (_HS, _sub(r"<HeartRateBpm>.*?</HeartRateBpm>", ""), True),
    "no_time_some": (_HS, _every(3, r"<Time>([^<]*)</Time>", r"<NoTime>\1</NoTime>"), True),
    "empty_values": (_HS, lambda t: t.replace("<AltitudeMeters>1626.0</AltitudeMeters>", "<AltitudeMeters/>")
                     .replace("<Value>71</Value>", "<Value></Value>").replace(
                         "<ns3:Speed>0.0</ns3:Speed>", "<ns3:Speed> </ns3:Speed>"), True),
    "empty_time_elements": (_HS, _every(4, r"<Time>", "<Time/><Time>"), True),
    "blank_time_elements": (_HS, lambda t: re.sub(r"<Time>(2021-04-16T13:38:1[^<]*)</Time>", "<Time> \n</Time>", t),
                            True),
    "empty_trackpoints": (_HS, lambda t: t.replace("<Track>", "<Track><Trackpoint/><Trackpoint></Trackpoint>"), True),
    "all_times_missing": (_HS, _sub(r"<Time>[^<]*</Time>", ""), True),
    "all_times_bad": (_HS, _sub(r"<Time>[^<]*</Time>", "<Time>soon</Time>"), True),
    # bad and odd numbers
    "bad_numbers": (_HS, lambda t: t.replace("<DistanceMeters>0.0</DistanceMeters>",
                                             "<DistanceMeters>x</DistanceMeters>")
                    .replace("<Value>73</Value>", "<Value>73 bpm</Value>").replace(
                        "<LatitudeDegrees>40.038", "<LatitudeDegrees>N40.038", 3), True),
    "all_altitudes_bad": (_HS, _sub(r"<AltitudeMeters>[^<]*</AltitudeMeters>", "<AltitudeMeters>?</AltitudeMeters>"),
                          True),
    "odd_number_forms": (_HS, lambda t: t.replace("<AltitudeMeters>1626.0</AltitudeMeters>",
                                                  "<AltitudeMeters>\n 1_626.5 </AltitudeMeters>", 2)
                         .replace("<ns3:Speed>0.0</ns3:Speed>", "<ns3:Speed>nan</ns3:Speed>")
                         .replace("<ns3:RunCadence>0</ns3:RunCadence>", "<ns3:RunCadence>-inf</ns3:RunCadence>", 1)
                         .replace("<Value>72</Value>", "<Value>\u0667\u0662</Value>")
                         .replace("<DistanceMeters>0.7599999904632568</DistanceMeters>",
                                  "<DistanceMeters>1e999</DistanceMeters>"), True),
    "char_refs_and_cdata": (_HS, lambda t: t.replace("<Time>2", "<Time>&#50;").replace(
        "<AltitudeMeters>1626.0", "<AltitudeMeters><![CDATA[16]]>26.0", 5), True),
    "comments_and_pis": (_HS, lambda t: t.replace("<Trackpoint>", "<!-- c --><?pi x?><Trackpoint>").replace(
        "<AltitudeMeters>16", "<AltitudeMeters>1<!-- c -->6", 3), True),
    # bad and odd times
    "time_offsets": (_HS, _sub(r"<Time>2021-04-16T13:([0-9:.]+)Z</Time>", r"<Time>2021-04-16T15:\1+02:00</Time>"),
                     True),
    "time_naive_and_mixed": (_HS, _every(2, r"\.000Z</Time>", "</Time>"), True),
    "time_bad_some": (_HS, _every(5, r"<Time>2021-04-16", "<Time>2021-13-16"), True),
    "time_out_of_range": (_HS, lambda t: t.replace("<Time>2021-04-16T13:38:1", "<Time>9999-04-16T13:38:1")
                          .replace("<Time>2021-04-16T13:38:2", "<Time>1066-04-16T13:38:2"), True),
    "time_spaces_and_newlines": (_HS, lambda t: t.replace("<Time>2021-04-16T13:38:", "<Time> 2021-04-16T13:38:")
                                 .replace(".000Z</Time>", ".000Z\n</Time>"), True),
    "time_all_equal": (_HS, _sub(r"<Time>[^<]*</Time>", "<Time>2021-04-16T13:37:53Z</Time>"), True),
    "time_1901_clock": (_HS, lambda t: t.replace("<Time>2021-04-16T", "<Time>1901-12-13T"), True),
    # repeated elements: the last one counts (first <Value> of the last <HeartRateBpm>)
    "repeated_fields": (_HS, lambda t: t.replace(
        "<AltitudeMeters>1626.0</AltitudeMeters>",
        "<AltitudeMeters>1.0</AltitudeMeters><AltitudeMeters>1626.0</AltitudeMeters>")
        .replace("</Position>", "</Position><Position><LatitudeDegrees>1.5</LatitudeDegrees></Position>", 4)
        .replace("<Value>73</Value>", "<Value>73</Value><Value>99</Value>")
        .replace("<HeartRateBpm>", "<HeartRateBpm><Value>1</Value></HeartRateBpm><HeartRateBpm>", 3), True),
    "repeated_times": (_HS, _every(6, r"<Time>", "<Time>2021-04-16T13:50:00Z</Time><Time>"),
                       True),
    "hr_without_value": (_HS, _sub(r"<HeartRateBpm>\s*<Value>(\d+)</Value>\s*</HeartRateBpm>",
                                   r"<HeartRateBpm>\1</HeartRateBpm>"), True),
    "hr_other_child_first": (_HS, lambda t: t.replace("<HeartRateBpm>", "<HeartRateBpm><Max>200</Max>"), True),
    "hr_value_last_bad": (_HS, lambda t: t.replace("</HeartRateBpm>", "</HeartRateBpm><HeartRateBpm/>", 5), True),
    "other_track_children": (_HS, lambda t: t.replace("<Track>", "<Track><Lap/><Foo><Time>2021-04-16T13:37:52Z</Time>"
                                                                "<AltitudeMeters>5</AltitudeMeters></Foo>"), True),
    "two_tracks_per_lap": (_HS, lambda t: t.replace("</Trackpoint>\n          <Trackpoint>",
                                                    "</Trackpoint></Track><Track><Trackpoint>", 7), True),
    "nested_fields_ignored": (_HS, lambda t: t.replace("<Position>", "<Position><Time>2000-01-01T00:00:00Z</Time>"
                                                                     "<AltitudeMeters>3</AltitudeMeters>")
                              .replace("<HeartRateBpm>", "<HeartRateBpm><LatitudeDegrees>3</LatitudeDegrees>"), True),
    # namespaces and prefixes
    "no_namespace": (_HS, lambda t: t.replace(_TCD_NS, ""), True),
    "tcx_namespace_prefixed": (_HS, _prefixed, True),
    "other_namespace_fields": (_HS, lambda t: t.replace(
        "<AltitudeMeters>1626.0</AltitudeMeters>", '<o:AltitudeMeters xmlns:o="urn:o">7</o:AltitudeMeters>', 4)
        .replace("<LatitudeDegrees>", '<LatitudeDegrees xmlns="urn:p">', 3)
        .replace("<Value>", '<v:Value xmlns:v="urn:v">', 2).replace("</Value>", "</v:Value>", 2), True),
    "tpx_unprefixed": (_HS, lambda t: t.replace("ns3:", "").replace(_TPX_NS, ""), True),
    "tpx_default_namespace": (_HS, lambda t: t.replace("<ns3:TPX>", '<TPX xmlns="http://www.garmin.com/xmlschemas/'
                                                                    'ActivityExtension/v2">')
                              .replace("</ns3:TPX>", "</TPX>").replace("ns3:", ""), True),
    "extensions_nested_and_bare": (_HS, lambda t: t.replace(
        "<ns3:TPX>", "<ns3:TPX><Speed>9</Speed><deep><deeper><ns3:Watts>250</ns3:Watts></deeper></deep>", 10)
        .replace("<Extensions>", "<Extensions><Speed>1</Speed><Watts>x</Watts>", 5), True),
    "extensions_two": (_HS, lambda t: t.replace(
        "</Extensions>", "</Extensions><Extensions><ns3:TPX><ns3:RunCadence>90</ns3:RunCadence></ns3:TPX></Extensions>",
        6), True),
    "extensions_run_cadence_in_ride": (_SW, lambda t: t.replace("<ns3:Watts>", "<ns3:RunCadence>80</ns3:RunCadence>"
                                                                "<ns3:Watts>", 3), True),
    "cycling_unknown_sport": (_SW, lambda t: t.replace('Sport="Biking"', 'Sport="Other"'), True),
    "cycling_no_speed": (_SW, _sub(r"<ns3:Speed>[^<]*</ns3:Speed>", ""), True),
    "unbound_prefix": (_HS, lambda t: t.replace(_TPX_NS, ""), True),
    "unbound_prefix_unrepairable": (_HS, lambda t: t.replace("<Activities>", "<Activities><q:x></r:x>", 1), False),
    # structure
    "multisport_session": (_HS, _multisport, True),
    "missing_root": (_HS, lambda t: '<?xml version="1.0"?>\n' + re.search(r"<Activities>.*</Activities>", t,
                                                                          flags=re.S).group(0), True),
    "not_tcx_root": (_HS, lambda t: t.replace("TrainingCenterDatabase", "Other"), True),
    "courses_only": (_HS, _sub(r"<Activities>.*</Activities>", "<Courses><Course><Name>x</Name></Course></Courses>"),
                     True),
    "no_trackpoints": (_HS, _sub(r"<Track>.*?</Track>", ""), True),
    "lap_without_track": (_HS, lambda t: t.replace("<Activity Sport=\"Running\">",
                                                   "<Activity Sport=\"Running\"><Lap StartTime=\"x\"/>"), True),
    # damage and DTDs: parse_xml reads or refuses these
    "truncated": (_HS, lambda t: t[: len(t) // 2], False),
    "truncated_in_tag": (_HS, lambda t: t[: t.index("<Trackpoint>", 5000) + 5], False),
    "undefined_entity": (_HS, lambda t: t.replace("<Lap ", "<Lap x='&nbsp;' ", 1), False),
    "doctype": (_HS, lambda t: t.replace("<TrainingCenterDatabase", '<!DOCTYPE x [<!ENTITY a "b">]>'
                                                                    "<TrainingCenterDatabase", 1), False),
    "doctype_after_root": (_HS, lambda t: t.replace("<Activities>", '<!DOCTYPE x [<!ENTITY a "b">]><Activities>', 1),
                           False),
    "doctype_in_a_comment": (_HS, lambda t: t.replace("<Activities>", "<!-- <!DOCTYPE x> --><Activities>", 1), False),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_edited_documents_read_the_same(data_dir, name):
    src, edit, fast = EDITS[name]
    data = edit((data_dir / "tcx" / src).read_text(encoding="utf-8")).encode("utf-8")
    assert _differences(data, f"{name}.tcx") == []
    assert _fast_parse_taken(data, f"{name}.tcx") is fast


def test_edits_change_what_they_claim(data_dir):
    """A few edits checked by hand: they reach the values they are meant to (the comparison alone
    would pass on an edit that changed nothing)."""
    text = (data_dir / "tcx" / _HS).read_text(encoding="utf-8")

    def records(name):
        return tcx.decode(EDITS[name][1](text).encode("utf-8"), name)[0].records

    base = records("unchanged")
    rep = records("repeated_fields")
    assert rep["altitude_m"].iloc[0] == 1626.0 and rep["lat_deg"].iloc[0] == 1.5
    assert rep["hr_bpm"].iloc[0] == 71.0 and rep["hr_bpm"].iloc[1] == 73.0
    assert np.isnan(records("no_hr_at_all")["hr_bpm"]).all()
    assert (records("hr_without_value")["hr_bpm"] == base["hr_bpm"]).all()
    assert np.isnan(records("bad_numbers")["lat_deg"].iloc[:3]).all()
    assert records("other_namespace_fields")["altitude_m"].iloc[0] == 7.0
    pd.testing.assert_frame_equal(records("tcx_namespace_prefixed"), base)
    ext = records("extensions_nested_and_bare")
    assert ext["power_w"].iloc[0] == 250.0  # nested at any depth
    assert ext["speed_mps"].iloc[0] == base["speed_mps"].iloc[0]  # the last <Speed> of the point counts
    with pytest.warns(UntimedPointsWarning, match="17 of 49 trackpoints"):
        assert len(records("no_time_some")) < len(base)


#: Edits of a longer file (147 points), whose few-valued columns are converted through a table.
_RG = "runpandas__run_garmin.tcx"
LONG_EDITS = {
    "unchanged": lambda t: t,
    "bad_and_empty_few_valued": lambda t: _every(7, r"<Value>(\d+)</Value>", r"<Value>\1 bpm</Value>")(
        _every(5, r"<ns3:RunCadence>\d+</ns3:RunCadence>", "<ns3:RunCadence/>")(
            _every(9, r"<AltitudeMeters>", "<AltitudeMeters>?")(t))),
    "odd_number_forms_few_valued": lambda t: _every(4, r"<Value>(\d)(\d+)</Value>", r"<Value> \1_\2\n</Value>")(t),
}


@pytest.mark.parametrize("name", sorted(LONG_EDITS))
def test_longer_edited_documents_read_the_same(data_dir, name):
    data = LONG_EDITS[name]((data_dir / "tcx" / _RG).read_text(encoding="utf-8")).encode("utf-8")
    assert _differences(data, f"{name}.tcx") == []


_NUMBER_TEXTS = st.sampled_from(["1", "2.5", " 3 ", "\n4.0\n", "x", "nan", "-inf", "-0", "1e999", "1_0", "\u0663",
                                 "0x1", "1.5.2", "+7"])


def _reference_float(text: str) -> float:
    """float(text), NaN where float() refuses it: written out here, independent of the readers."""
    try:
        return float(text)
    except ValueError:
        return float("nan")


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(st.lists(_NUMBER_TEXTS, max_size=40) | st.lists(_NUMBER_TEXTS, min_size=129, max_size=400)
       | st.lists(st.floats(allow_nan=False).map(repr), min_size=129, max_size=300))
def test_column_conversion_is_float_of_each_text(texts):
    """Direct and table conversion both give float(text) per text, NaN where float() refuses it."""
    expected = np.array([_reference_float(s) for s in texts], dtype="float64")
    np.testing.assert_array_equal(_tcxfast._floats(texts), expected)


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_other_encodings_read_the_same(data_dir, encoding):
    text = (data_dir / "tcx" / _HS).read_text(encoding="utf-8").replace("<Activities>", "<Activities><!-- Läufer -->")
    data = text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"').encode(encoding)
    assert _differences(data, "enc.tcx") == []
    assert _fast_parse_taken(data, "enc.tcx")


# --------------------------------------------------------------------------
# The parse: DTD rule, C tree builder
# --------------------------------------------------------------------------

def test_doctype_never_reaches_the_fast_parser(monkeypatch):
    """A document mentioning <!DOCTYPE anywhere is parsed (and refused) by parse_xml only."""
    def no_parse(text):
        raise AssertionError("the fast parser saw a DOCTYPE")

    monkeypatch.setattr(_tcxfast.ET, "XML", no_parse)
    bomb = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><TrainingCenterDatabase/>'
    assert _tcxfast.parse_tree(bomb, "b.tcx") is None
    with pytest.raises(FileFormatError, match="DOCTYPE/ENTITY"):
        tcx.decode(bomb.encode(), "b.tcx")
    late = "<TrainingCenterDatabase><Activities/><!DOCTYPE r></TrainingCenterDatabase>"
    assert _tcxfast.parse_tree(late, "l.tcx") is None


def test_fast_parser_is_the_standard_library_c_tree_builder():
    root, repaired = _tcxfast.parse_tree("<TrainingCenterDatabase/>", "x.tcx")
    assert type(root) is ET.Element and repaired is None
    assert _tcxfast.ET is ET


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("doc", ["<TrainingCenterDatabase/>", "<TrainingCenterDatabase><q:x/></TrainingCenterDatabase>",
                                 "<TrainingCenterDatabase>"])
def test_garbage_collector_left_as_found(enabled, doc):
    """The parse pauses the cyclic collector and leaves it as it was, also after a repair or a failure."""
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        _tcxfast.parse_tree(doc, "x.tcx")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


# --------------------------------------------------------------------------
# Damaged files (hypothesis): both paths agree on every mutation
# --------------------------------------------------------------------------

#: What a mutation may insert: markup, entities, a DOCTYPE, a prefix, signs and separators of numbers and times.
_TCX_INSERTS = (b"<", b"&amp;", b"<!DOCTYPE x>", b"q:", b"-", b"x", b".", b":", b" ", b"</Time>", b"<Value>")

_ORIGINALS = {name: (ROOT / "tests" / "data" / "tcx" / name).read_bytes() for name in (_HS, _SW)}


@fuzz_settings(60)
@given(data=st.data())
def test_fuzz_both_paths_agree(data):
    raw = _ORIGINALS[data.draw(st.sampled_from(sorted(_ORIGINALS)))]
    blob = data.draw(damaged(raw, inserts=_TCX_INSERTS, digit_weight=3))
    assert _differences(blob, "fuzz.tcx") == []
