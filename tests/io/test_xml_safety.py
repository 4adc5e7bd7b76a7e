"""Hostile XML in GPX and TCX files is refused with bounded memory.

Entity bombs ("billion laughs": 10**9 expansions of 'lol'; quadratic blow-up:
a 50 000-character entity referenced 50 000 times, 2.5 GB expanded) and
external entities (XXE reading /etc/passwd) need a DTD; runlog refuses any
DTD before a parser expands anything.  Peak Python memory is measured with
tracemalloc (a parser that expanded either bomb would need gigabytes); no
timing is asserted.
"""

from __future__ import annotations

import gzip
import tracemalloc

import pytest

import runlog
from runlog.io._xml import DTD_MESSAGE

MAX_PEAK_BYTES = 50 * 2**20

_LOL = "\n".join(
    [' <!ENTITY lol "lol">']
    + [f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)])

PAYLOADS = {
    "billion_laughs": (f"<!DOCTYPE {{root}} [\n{_LOL}\n]>", "&lol9;"),
    "quadratic_blowup": (f'<!DOCTYPE {{root}} [<!ENTITY a "{"a" * 50_000}">]>', "&a;" * 50_000),
    "xxe_file": ('<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),
    "xxe_parameter_entity": (
        '<!DOCTYPE {root} [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>', "x"),
    "external_dtd": ('<!DOCTYPE {root} SYSTEM "http://127.0.0.1:9/evil.dtd">', "x"),
}


def _gpx(doctype: str, payload: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + doctype.format(root="gpx") + "\n"
        '<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><trk>'
        f"<name>{payload}</name><trkseg>"
        '<trkpt lat="52.0" lon="4.0"><time>2020-06-01T14:52:40Z</time></trkpt>'
        '<trkpt lat="52.001" lon="4.0"><time>2020-06-01T14:52:50Z</time></trkpt>'
        "</trkseg></trk></gpx>").encode()


def _tcx(doctype: str, payload: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + doctype.format(root="TrainingCenterDatabase") + "\n"
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="Running"><Id>2020-06-01T14:52:40Z</Id><Notes>{payload}</Notes>'
        '<Lap StartTime="2020-06-01T14:52:40Z"><Track>'
        "<Trackpoint><Time>2020-06-01T14:52:40Z</Time></Trackpoint>"
        "<Trackpoint><Time>2020-06-01T14:52:50Z</Time></Trackpoint>"
        "</Track></Lap></Activity></Activities></TrainingCenterDatabase>").encode()


BUILDERS = {"gpx": _gpx, "tcx": _tcx}


def _refused(path) -> runlog.FileFormatError:
    # The bytes are read before measuring: runlog.io.load_bytes reads a file with
    # fh.read(MAX_FILE_BYTES + 1), whose 256 MiB buffer (untouched pages, not resident)
    # tracemalloc would count; the decoding (gunzip, XML checks, parse) is what is measured.
    data = path.read_bytes()
    tracemalloc.start()
    try:
        with pytest.raises(runlog.FileFormatError) as e:
            runlog.read_activities(path, data=data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MAX_PEAK_BYTES, f"peak {peak / 2**20:.1f} MiB"
    return e.value


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
@pytest.mark.parametrize("attack", sorted(PAYLOADS))
def test_dtd_attacks_are_refused(tmp_path, fmt, attack):
    doctype, payload = PAYLOADS[attack]
    p = tmp_path / f"{attack}.{fmt}"
    p.write_bytes(BUILDERS[fmt](doctype, payload))
    err = _refused(p)
    assert "DOCTYPE/ENTITY declaration" in str(err)
    assert err.path == str(p)
    assert "root:" not in str(err)  # nothing of /etc/passwd leaks into the message


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_control_document_without_dtd_reads(tmp_path, fmt):
    """The same documents without the DTD are valid activities (so the refusal is the DTD's)."""
    p = tmp_path / f"ok.{fmt}"
    p.write_bytes(BUILDERS[fmt]("", "plain"))
    act = runlog.read_activity(p)
    assert len(act.records) == 2
    assert act.run_id == "20200601T1452Z"


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_dtd_hidden_behind_comments_pis_bom_and_gzip(tmp_path, fmt):
    doctype, payload = PAYLOADS["billion_laughs"]
    body = BUILDERS[fmt](doctype, payload).decode()
    decl, rest = body.split("\n", 1)
    sneaky = "\ufeff \n" + decl + "\n<!-- a comment <gpx> -->\n<?pi data?>\n" + rest
    p = tmp_path / f"sneaky.{fmt}.gz"
    p.write_bytes(gzip.compress(sneaky.encode("utf-8")))
    assert "DOCTYPE/ENTITY" in str(_refused(p))
    # the same in UTF-16: the prolog is scanned after decoding
    p16 = tmp_path / f"sneaky16.{fmt}"
    p16.write_bytes(sneaky.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    assert "DOCTYPE/ENTITY" in str(_refused(p16))


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_dtd_after_the_root_is_a_syntax_error(tmp_path, fmt):
    """A DOCTYPE inside the document is not in the prolog; the parser rejects it unexpanded."""
    doctype, _ = PAYLOADS["xxe_file"]
    body = BUILDERS[fmt]("", "x").decode()
    root_end = body.index(">", body.index("<", body.index("?>") + 2)) + 1
    p = tmp_path / f"inner.{fmt}"
    p.write_text(body[:root_end] + doctype.format(root="x") + body[root_end:])
    err = _refused(p)
    assert "root:" not in str(err)


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_unbound_prefix_repair_does_not_bypass_the_dtd_check(tmp_path, fmt):
    doctype, payload = PAYLOADS["quadratic_blowup"]
    body = BUILDERS[fmt](doctype, payload).decode().replace("<trk>", "<trk><q:x/>").replace(
        "<Activities>", "<Activities><q:x/>")
    p = tmp_path / f"prefix.{fmt}"
    p.write_text(body)
    assert DTD_MESSAGE in str(_refused(p))


def test_real_file_with_injected_xxe(data_dir, tmp_path):
    """A real Garmin export with an XXE declaration slipped in after its XML declaration."""
    for sub, name in (("gpx", "heartandsole__testdata.gpx"), ("tcx", "heartandsole__testdata.tcx")):
        text = (data_dir / sub / name).read_text()
        decl, rest = text.split("\n", 1)
        p = tmp_path / name
        p.write_text(decl + '\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + rest)
        assert "DOCTYPE/ENTITY" in str(_refused(p))


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
@pytest.mark.parametrize("codec", ["rot13", "base64", "punycode", "idna", "unicode_escape", "hex", "zlib"])
def test_declared_codec_that_is_no_character_encoding_is_refused(tmp_path, fmt, codec):
    """Python knows these codecs, but none of them is a character set: one clear line, not an internal
    LookupError or UnicodeError wrapped as 'could not be decoded'."""
    body = BUILDERS[fmt]("", "plain").decode().replace('encoding="UTF-8"', f'encoding="{codec}"')
    p = tmp_path / f"codec.{fmt}"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(runlog.FileFormatError) as e:
        runlog.read_activities(p)
    msg = str(e.value)
    assert f'declares encoding="{codec}", which is not a character encoding' in msg, msg
    assert "could not be decoded" not in msg and "\n" not in msg


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
@pytest.mark.parametrize("codec", ["latin-1", "windows-1252", "no-such-charset"])
def test_character_encodings_and_unknown_names_still_read(tmp_path, fmt, codec):
    """A real character set is used; an unknown name is read as UTF-8 (the documents are ASCII here)."""
    body = BUILDERS[fmt]("", "plain").decode().replace('encoding="UTF-8"', f'encoding="{codec}"')
    p = tmp_path / f"ok.{fmt}"
    p.write_text(body, encoding="utf-8")
    assert len(runlog.read_activity(p).records) == 2
