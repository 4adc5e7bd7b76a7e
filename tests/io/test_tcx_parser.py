"""TCX through the C parser (runlog.io._xml.parse_xml) reads exactly what it read through defusedxml.

``parse_xml`` used :func:`defusedxml.ElementTree.fromstring` (the pure-Python
parser, with ``forbid_dtd``, ``forbid_entities``, ``forbid_external``); it now
uses the standard library's C parser with a tree builder that refuses any
DOCTYPE.  Every real TCX file, edited ones and hypothesis-mutated ones decode
to identical activities (records, laps, info) or the same error and warnings
both ways; a DOCTYPE that reaches the parser is refused there, unexpanded.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from defusedxml import DTDForbidden
from defusedxml.ElementTree import fromstring as defused_fromstring
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from runlog.io import _xml, tcx

from decode_compare import damaged, decode_differences, decode_outcome
from fuzzing import fuzz_settings

ROOT = Path(__file__).resolve().parents[2]


def _defused(text: str):
    return defused_fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)


def _differences(data: bytes, name: str, monkeypatch) -> list[str]:
    """What differs between the C parser and defusedxml's pure-Python one ([] when nothing)."""
    a = decode_outcome(tcx.decode, data, name)
    with monkeypatch.context() as m:
        m.setattr(_xml, "_fromstring", _defused)
        b = decode_outcome(tcx.decode, data, name)
    return decode_differences(name, a, b, laps=True)


def test_bundled_and_shared_files_read_the_same(data_dir, shared_dir, monkeypatch):
    files = sorted((data_dir / "tcx").glob("*.tcx")) + sorted((shared_dir / "tcx").glob("*.tcx"))
    assert len(files) == 5 + 10
    assert [d for p in files for d in _differences(p.read_bytes(), p.name, monkeypatch)] == []


_HS = "heartandsole__testdata.tcx"
EDITS = {
    "truncated": lambda t: t[: len(t) // 2],
    "truncated_in_tag": lambda t: t[: t.index("<Trackpoint>", 5000) + 5],
    "undefined_entity": lambda t: t.replace("<Notes>", "<Notes>&nbsp;", 1) if "<Notes>" in t
    else t.replace("<Lap ", "<Lap x='&nbsp;' ", 1),
    "unbound_prefix": lambda t: t.replace("<Activities>", "<Activities><q:x/>", 1),
    "unbound_prefix_unrepairable": lambda t: t.replace("<Activities>", "<Activities><q:x></r:x>", 1),
    "doctype_after_root": lambda t: t.replace("<Activities>", '<!DOCTYPE x [<!ENTITY a "b">]><Activities>', 1),
    "comments_and_pis": lambda t: t.replace("<Trackpoint>", "<!-- c --><?pi x?><Trackpoint>"),
    "cdata": lambda t: t.replace("<Time>", "<Time><![CDATA[]]>"),
    "char_refs": lambda t: t.replace("<Time>2", "<Time>&#50;"),
    "not_tcx_root": lambda t: t.replace("TrainingCenterDatabase", "Other"),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_edited_files_read_the_same(data_dir, monkeypatch, name):
    text = (data_dir / "tcx" / _HS).read_text(encoding="utf-8")
    data = EDITS[name](text).encode("utf-8")
    assert _differences(data, f"{name}.tcx", monkeypatch) == []


def test_doctype_reaching_the_parser_is_refused_unexpanded():
    """reject_dtd stops prolog DTDs first; the parser's own rule is the second line of defence."""
    lol = "\n".join([' <!ENTITY lol "lol">'] + [
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)])
    doc = f"<!DOCTYPE r [\n{lol}\n]><r>&lol9;</r>"
    tracemalloc.start()
    try:
        with pytest.raises(DTDForbidden):
            _xml._fromstring(doc)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20
    with pytest.raises(DTDForbidden):
        _xml._fromstring('<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>')


#: What a mutation may insert into a TCX file: markup, entities, a DOCTYPE, a NUL, a prefix.
_TCX_INSERTS = (b"&", b"<", b"<!DOCTYPE x>", b"&amp;", b"\x00", b"q:")


_ORIGINAL = (ROOT / "tests" / "data" / "tcx" / _HS).read_bytes()


@fuzz_settings(40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_both_parsers_agree(data, monkeypatch):
    blob = data.draw(damaged(_ORIGINAL, inserts=_TCX_INSERTS, digit_weight=2))
    assert _differences(blob, "fuzz.tcx", monkeypatch) == []
