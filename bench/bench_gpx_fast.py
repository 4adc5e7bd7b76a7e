"""Benchmark: GPX track points through gpxpy, runlog's old gpxpy path and the fast path (and TCX parsers).

Per file, measured side by side in one run (the paths take turns within each
repeat, so a load change on a shared machine hits all of them alike; best of
``--repeat``):

* ``gpxpy``: ``gpxpy.parse`` of the decoded text alone (no runlog work; for a
  file with undeclared namespace prefixes, of the repaired text, which gpxpy
  alone cannot read);
* ``old``: ``runlog.io.gpx.decode(..., use_fast_path=False)``, everything
  through gpxpy (the reader before issue 12);
* ``fast``: ``runlog.io.gpx.decode`` (:mod:`runlog.io._gpxfast`: the standard
  library's C ElementTree parse, points straight to arrays, gpxpy for the
  metadata);
* ``XML``: :func:`xml.etree.ElementTree.XML` of the document alone, the floor
  of any ElementTree-based reader.

Figures are microseconds per track point; the ratios ``gpxpy/fast`` and
``old/fast`` are the speed-ups (target: gpxpy/fast >= 2.5).  Files: the
largest real GPX files of ``../shared/data/real/gpx`` (else ``tests/data/gpx``).
A second table times :func:`runlog.io.tcx.decode` per trackpoint, the paths
again taking turns:

* ``defused``: the reference path with defusedxml's pure-Python parser (the
  reader before the C parser);
* ``ref``: ``tcx.decode(..., use_fast_path=False)``, the C parser refusing
  DOCTYPEs (:func:`runlog.io._xml.parse_xml`) and the per-trackpoint walk;
* ``fast``: ``tcx.decode`` (:mod:`runlog.io._tcxfast`: the C tree builder,
  one lean pass collecting texts per column, one conversion per column);
* ``XML``: :func:`xml.etree.ElementTree.XML` of the document alone (for a
  file with undeclared prefixes, of the repaired text), the floor of any
  ElementTree-based reader;

with the ratios ``ref/fast`` (the fast path's speed-up; target >= 2) and
``fast/XML`` (how far above the parse floor it is).  Files: the largest of
``../shared/data/real/tcx`` (else ``tests/data/tcx``).
lxml is reported but not needed: gpxpy uses it when installed (then ``gpxpy``
and ``old`` change); the track points never go through it.  ``--lxml`` (lxml
installed) times lxml with the settings that make it safe on hostile XML
(no entities resolved, no network, no DTD, no huge trees) against
``ET.XML``, alone and as the fast path's parser, and shows what it does with
a 300,000-deep tree, a billion-laughs DTD, an XXE entity and a 20 MiB text
node.  Measured twice on 2 cores at load ~20 (2026-12, 4 largest files): the
parse alone 2.0x and 8.6x faster, the whole fast path 1.35x and 0.91x (slower
on two of the four files: lxml builds a Python proxy for each element the loop
touches); every attack refused or left unexpanded.  Not adopted: the gain is
in the parse, not in the reader, and a second parser would need its own
agreement tests with gpxpy.
Nothing is asserted.

Run:  .venv/bin/python bench/bench_gpx_fast.py [--files 5] [--repeat 7] [--tcx-only] [--lxml]
"""

from __future__ import annotations

import argparse
import importlib.util
import time
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import gpxpy

from runlog.io import _gpxfast, _xml, gpx, tcx
from runlog.io._xml import declare_missing_prefixes, reject_dtd, xml_text

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "real" / "gpx"
DATA = SHARED if SHARED.is_dir() else ROOT / "tests" / "data" / "gpx"


def n_points(text: str) -> int:
    """Track points of a document (trk/trkseg/trkpt, as both readers select them)."""
    root = ET.XML(_gpxfast._DEFAULT_NS.sub("", text, count=1))
    return sum(1 for trk in root if trk.tag == "trk" for seg in trk if seg.tag == "trkseg"
               for p in seg if p.tag == "trkpt")


def candidates(limit: int) -> list[tuple[Path, bytes, str, bool]]:
    """The *limit* largest files that decode (path, bytes, text gpxpy can parse, repaired?)."""
    out = []
    for path in sorted(DATA.glob("*.gpx"), key=lambda p: -p.stat().st_size):
        data = path.read_bytes()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                gpx.decode(data, path.name)
            except Exception:  # refused files are not benchmarked
                continue
        text = xml_text(data, path.name)
        reject_dtd(text, path.name)
        repaired = False
        try:
            gpxpy.parse(text)
        except Exception:  # undeclared prefixes: time gpxpy on the repaired text
            text, repaired = declare_missing_prefixes(text)[0], True
        out.append((path, data, text, repaired))
        if len(out) == limit:
            break
    return out


def side_by_side(fns: dict, repeat: int) -> dict:
    """Best time [s] of each function, the functions taking turns within each repeat."""
    best = dict.fromkeys(fns, float("inf"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn in fns.values():
            fn()  # warm caches and imports
        for _ in range(repeat):
            for name, fn in fns.items():
                t0 = time.perf_counter()
                fn()
                best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--tcx-only", action="store_true", help="only the TCX table")
    ap.add_argument("--lxml", action="store_true", help="only the lxml comparison (lxml must be installed)")
    args = ap.parse_args(argv)
    if args.lxml:
        lxml_bench(args.files, args.repeat)
        return
    if args.tcx_only:
        tcx_bench(args.files, args.repeat)
        return
    lxml = importlib.util.find_spec("lxml") is not None
    print(f"gpxpy {gpxpy.__version__}, lxml {'installed (gpxpy uses it)' if lxml else 'not installed'}; "
          f"data from {DATA}; best of {args.repeat}, paths interleaved")
    print(f"{'file':34s} {'points':>7s} {'gpxpy':>7s} {'old':>7s} {'fast':>7s} {'XML':>7s} "
          f"{'gpxpy/fast':>10s} {'old/fast':>8s}   [us/point]")
    tot = dict.fromkeys(("gpxpy", "old", "fast", "xml"), 0.0)
    tot_n = 0
    for path, data, text, repaired in candidates(args.files):
        n = n_points(text)
        name = path.name
        stripped = _gpxfast._DEFAULT_NS.sub("", text, count=1)
        best = side_by_side({
            "gpxpy": lambda text=text: gpxpy.parse(text),
            "old": lambda data=data, name=name: gpx.decode(data, name, use_fast_path=False),
            "fast": lambda data=data, name=name: gpx.decode(data, name),
            "xml": lambda stripped=stripped: ET.XML(stripped),
        }, args.repeat)
        for k in tot:
            tot[k] += best[k]
        tot_n += n
        us = {k: v / n * 1e6 for k, v in best.items()}
        label = name[:33] + ("*" if repaired else "")
        print(f"{label:34s} {n:7d} {us['gpxpy']:7.1f} {us['old']:7.1f} {us['fast']:7.1f} {us['xml']:7.1f} "
              f"{best['gpxpy'] / best['fast']:10.2f} {best['old'] / best['fast']:8.2f}")
    us = {k: v / tot_n * 1e6 for k, v in tot.items()}
    print(f"{'all files':34s} {tot_n:7d} {us['gpxpy']:7.1f} {us['old']:7.1f} {us['fast']:7.1f} {us['xml']:7.1f} "
          f"{tot['gpxpy'] / tot['fast']:10.2f} {tot['old'] / tot['fast']:8.2f}   (target gpxpy/fast >= 2.5)")
    print("* undeclared namespace prefixes: old and fast include the repair (a second parse), "
          "gpxpy is timed on the repaired text")
    tcx_bench(args.files, args.repeat)


def lxml_bench(limit: int, repeat: int) -> None:
    """lxml, hardened, against ``ET.XML``: the parse alone and as the fast path's parser; then hostile XML."""
    import tracemalloc

    from lxml import etree

    safe = {"resolve_entities": False, "no_network": True, "load_dtd": False, "dtd_validation": False,
            "huge_tree": False}

    def lx(text: str):
        return etree.fromstring(text.encode("utf-8"), etree.XMLParser(**safe))

    print(f"lxml {etree.__version__} with {safe}; best of {repeat}, paths interleaved")
    tot = dict.fromkeys(("ET.XML", "lxml", "fast", "fast+lxml"), 0.0)
    tot_n = 0
    for path, data, _text, repaired in candidates(limit):
        if repaired:
            continue
        stripped = _gpxfast._DEFAULT_NS.sub("", xml_text(data, path.name), count=1)

        def fast_lxml(data=data, name=path.name):
            saved, _gpxfast.ET.XML = _gpxfast.ET.XML, lx
            try:
                return gpx.decode(data, name)
            finally:
                _gpxfast.ET.XML = saved

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            n = len(gpx.decode(data, path.name)[0].records)
            same = fast_lxml()[0].records.equals(gpx.decode(data, path.name)[0].records)
            best = side_by_side({"ET.XML": lambda s=stripped: ET.XML(s), "lxml": lambda s=stripped: lx(s),
                                 "fast": lambda d=data, nm=path.name: gpx.decode(d, nm), "fast+lxml": fast_lxml},
                                repeat)
        for k in tot:
            tot[k] += best[k]
        tot_n += n
        print(f"{path.name[:34]:34s} {n:7d} " + " ".join(f"{k} {v / n * 1e6:7.2f}" for k, v in best.items())
              + f"  same records: {same}")
    if tot_n:
        print(f"{'all files':34s} {tot_n:7d} parse: lxml {tot['ET.XML'] / tot['lxml']:.2f}x faster; fast path: "
              f"{tot['fast'] / tot['fast+lxml']:.2f}x   [us/point]")
    deep = "<gpx>" + "<a>" * 300_000 + "</a>" * 300_000 + "</gpx>"
    ents = "".join(f'<!ENTITY e{k} "{("&e" + str(k - 1) + ";") * 10 if k else "a" * 10}">' for k in range(7))
    hostile = {"300,000 nested elements": deep,
               "billion laughs": f'<?xml version="1.0"?><!DOCTYPE gpx [{ents}]><gpx><name>&e6;</name></gpx>',
               "XXE entity": '<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                             "<gpx><name>&x;</name></gpx>",
               "20 MiB text node": "<gpx><name>" + "x" * (20 * 2**20) + "</name></gpx>"}
    for label, doc in hostile.items():
        tracemalloc.start()
        try:
            name = lx(doc).find("name")
            out = f"parsed, <name> {len(name.text or '') if name is not None else 0} characters"
        except etree.XMLSyntaxError as exc:
            out = f"refused: {str(exc)[:80]}"
        print(f"lxml on {label}: {out}; peak {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MiB")
        tracemalloc.stop()


def _defused_fromstring(text: str):
    from defusedxml.ElementTree import fromstring

    return fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)


def tcx_bench(limit: int, repeat: int) -> None:
    """TCX: ``tcx.decode`` by defusedxml + walk, C parser + walk (ref), the fast path, and the bare parse."""
    folder = DATA.parent / "tcx"
    files = sorted(folder.glob("*.tcx"), key=lambda p: -p.stat().st_size)[:limit]
    print(f"\nTCX ({folder}): tcx.decode with defusedxml + walk, parse_xml + walk (ref), the fast path, "
          "and ET.XML alone")
    print(f"{'file':40s} {'points':>7s} {'defused':>7s} {'ref':>7s} {'fast':>7s} {'XML':>7s} "
          f"{'def/ref':>7s} {'ref/fast':>8s} {'fast/XML':>8s}   [us/trackpoint]")
    keys = ("defused", "ref", "fast", "xml")
    tot = dict.fromkeys(keys, 0.0)
    tot_n = 0
    for path in files:
        data = path.read_bytes()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                n = sum(len(a.records) for a in tcx.decode(data, path.name))
        except Exception:  # refused files are not benchmarked
            continue
        text = xml_text(data, path.name)
        repaired = False
        try:
            ET.XML(text)
        except ET.ParseError:  # undeclared prefixes: time the parse of the repaired text
            text, repaired = declare_missing_prefixes(text)[0], True

        def defused(data=data, name=path.name):
            saved, _xml._fromstring = _xml._fromstring, _defused_fromstring
            try:
                tcx.decode(data, name, use_fast_path=False)
            finally:
                _xml._fromstring = saved

        best = side_by_side({
            "defused": defused,
            "ref": lambda data=data, name=path.name: tcx.decode(data, name, use_fast_path=False),
            "fast": lambda data=data, name=path.name: tcx.decode(data, name),
            "xml": lambda text=text: ET.XML(text),
        }, repeat)
        for k in keys:
            tot[k] += best[k]
        tot_n += n
        us = {k: best[k] / n * 1e6 for k in keys}
        label = path.name[:39] + ("*" if repaired else "")
        print(f"{label:40s} {n:7d} {us['defused']:7.1f} {us['ref']:7.1f} {us['fast']:7.1f} {us['xml']:7.1f} "
              f"{best['defused'] / best['ref']:7.2f} {best['ref'] / best['fast']:8.2f} "
              f"{best['fast'] / best['xml']:8.2f}")
    if tot_n:
        us = {k: tot[k] / tot_n * 1e6 for k in keys}
        print(f"{'all files':40s} {tot_n:7d} {us['defused']:7.1f} {us['ref']:7.1f} {us['fast']:7.1f} "
              f"{us['xml']:7.1f} {tot['defused'] / tot['ref']:7.2f} {tot['ref'] / tot['fast']:8.2f} "
              f"{tot['fast'] / tot['xml']:8.2f}   (target ref/fast >= 2)")
        print("* undeclared namespace prefixes: ref and fast include the repair, XML is timed on the "
              "repaired text")


if __name__ == "__main__":
    main()
