"""Safe XML helpers shared by the GPX and TCX readers.

Activity files come from anywhere (watch exports, web converters, e-mail
attachments), so the XML readers treat them as untrusted:

* **No DTDs.**  Entity bombs ("billion laughs", quadratic blow-up) and
  external entities (XXE, ``<!ENTITY x SYSTEM "file:///etc/passwd">``) all
  need a ``<!DOCTYPE ...>`` declaration in the document prolog.  No GPX or TCX
  writer emits one, so any DTD is refused before a parser sees the document:
  :func:`reject_dtd` scans only the prolog (the few bytes before the root
  element, O(prolog length)) for gpxpy, which parses with its own
  :mod:`xml.etree.ElementTree` parser, and :func:`parse_xml` parses with
  :mod:`defusedxml` (``forbid_dtd=True``) for the TCX reader.
* **Bytes to text once.**  :func:`xml_text` decodes with the byte-order mark
  or the declared encoding, strips whitespace / BOMs before the XML
  declaration (a real Polar/sports-lib quirk that strict parsers reject) and
  replaces undecodable bytes with U+FFFD (with a warning) instead of losing
  the file.
* **Undeclared namespace prefixes** (``xsi:type`` or ``gpxdata:cadence``
  without their ``xmlns:`` declaration, written by some converters) make the
  document not namespace-well-formed.  :func:`declare_missing_prefixes`
  declares them on the root element so the data can still be read; callers
  do this only after a first parse failed with "unbound prefix", and warn.

The module also holds the rules both XML readers share, so GPX and TCX
files of the same run read alike: sport names (:func:`normalize_sport`),
whether a cadence counts strides (:func:`cadence_is_strides`), which sample
times are usable (:func:`usable_time_mask`) and the assembly of a time-sorted
records frame with one row per timestamp (:func:`sorted_unique`,
:func:`records_frame`).

References
----------
* W3C, *Extensible Markup Language (XML) 1.0*, 5th ed., 2008, sections 2.8
  (prolog and document type declaration) and 4.3.3 (character encoding).
* W3C, *Namespaces in XML 1.0*, 3rd ed., 2009, section 5 ("namespace
  constraint: prefix declared").
* C. Heimes, *defusedxml* documentation (attack catalogue: billion laughs,
  quadratic blow-up, external entity expansion).
"""

from __future__ import annotations

import codecs
import re
import time as _time
import warnings
from xml.etree.ElementTree import Element, ParseError

import numpy as np
import pandas as pd

from .. import schema
from ..errors import FileFormatError, RunlogWarning

__all__ = [
    "XmlRecoveryWarning",
    "xml_text",
    "reject_dtd",
    "parse_xml",
    "declare_missing_prefixes",
    "is_unbound_prefix_error",
    "local_name",
    "DTD_MESSAGE",
    "UntimedPointsWarning",
    "normalize_sport",
    "cadence_is_strides",
    "usable_time_mask",
    "sorted_unique",
    "records_frame",
    "position_speed_mps",
    "seconds_to_ns",
    "MIN_TIMED_FRACTION",
    "GPS_EPOCH",
]

#: Message used whenever a DTD is refused (both readers, both code paths).
DTD_MESSAGE = (
    "contains a DOCTYPE/ENTITY declaration; runlog refuses XML DTDs because they can hide "
    "entity bombs and references to other files on your computer. GPX and TCX files from "
    "watches and apps never have one: export the activity again from the original app")


class XmlRecoveryWarning(RunlogWarning):
    """An XML activity file was damaged but could still be read (bytes replaced, prefixes declared)."""


class UntimedPointsWarning(RunlogWarning):
    """Some track points had no usable time and were dropped."""


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_DECL_ENCODING = re.compile(rb"""^<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._\-]{0,40})["']""")
_WS = b" \t\r\n"


def xml_text(data: bytes, source: str) -> str:
    """Decode an XML activity file to text, ready for a parser.

    Parameters
    ----------
    data : bytes
        The file content.
    source : str
        File name, for messages.

    Returns
    -------
    str
        The document, starting at its first ``<`` (leading whitespace and
        byte-order marks removed).

    Raises
    ------
    FileFormatError
        The content is empty or does not start with ``<`` (not XML).

    Notes
    -----
    Encoding: a byte-order mark wins, then UTF-16 detected from ``<?``
    without a BOM, then the ``encoding=`` of the XML declaration (a
    declaration read as ASCII that claims UTF-16/32 is mislabelled: UTF-8),
    else UTF-8
    (XML 1.0, section 4.3.3 and appendix F).  Bytes that are not valid in
    that encoding are replaced by U+FFFD with an :class:`XmlRecoveryWarning`
    (a flipped bit in a name must not cost the whole run).
    """
    head = data.lstrip(_WS)
    enc = None
    for bom, name in _BOMS:
        if head.startswith(bom):
            head, enc = head[len(bom):], name
            break
    if enc is None:
        if head[:2] == b"<\x00" and head[3:4] == b"\x00":
            enc = "utf-16-le"
        elif head[:2] == b"\x00<" and head[2:3] == b"\x00":
            enc = "utf-16-be"
        else:
            head = head.lstrip(_WS)
            m = _DECL_ENCODING.match(head)
            enc = "utf-8"
            if m:
                try:
                    enc = codecs.lookup(m.group(1).decode("ascii")).name
                except LookupError:
                    enc = "utf-8"
                if enc.startswith(("utf-16", "utf-32")):  # the declaration itself was 8-bit: mislabelled
                    enc = "utf-8"
    try:
        text = head.decode(enc)
    except UnicodeDecodeError as exc:
        text = head.decode(enc, errors="replace")
        warnings.warn(
            f"{source}: {text.count(chr(0xFFFD))} character(s) are not valid {enc} "
            f"(first at byte {exc.start}); they were replaced by '\ufffd' and the rest of the "
            "file was read", XmlRecoveryWarning, stacklevel=3)
    text = text.lstrip(" \t\r\n\ufeff")
    if not text:
        raise FileFormatError("is empty (no XML content)", source)
    if not text.startswith("<"):
        raise FileFormatError(
            f"does not start with an XML tag (found {text[:20]!r}); it is not a GPX/TCX file or is "
            "damaged", source)
    return text


def reject_dtd(text: str, source: str) -> int:
    """Refuse a document whose prolog holds a DOCTYPE (or any other ``<!`` declaration).

    Only the prolog is scanned: the XML declaration, processing
    instructions, comments and whitespace before the root element (XML 1.0
    section 2.8).  A DTD anywhere else is a well-formedness error the parser
    reports itself, before it could declare an entity, so this check is
    complete and costs O(prolog length), not O(file length).

    Parameters
    ----------
    text : str
        Document as returned by :func:`xml_text`.
    source : str
        File name, for the message.

    Returns
    -------
    int
        Index of the root element's ``<`` in *text* (-1 when the prolog is
        unterminated or there is no root element).

    Raises
    ------
    FileFormatError
        With :data:`DTD_MESSAGE` when a ``<!DOCTYPE`` / ``<!ENTITY`` (any
        ``<!`` that is not a comment) precedes the root element.
    """
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        if text.startswith("<?", i):
            j = text.find("?>", i + 2)
            if j < 0:
                return -1  # unterminated PI: the parser reports it
            i = j + 2
        elif text.startswith("<!--", i):
            j = text.find("-->", i + 4)
            if j < 0:
                return -1
            i = j + 3
        elif text.startswith("<!", i):
            raise FileFormatError(DTD_MESSAGE, source)
        else:
            return i  # root element (or garbage the parser reports)
    return -1


_TAG_PREFIX = re.compile(r"</?([A-Za-z_][\w.\-]*):[A-Za-z_]")
_ATTR_PREFIX = re.compile(r"""\s([A-Za-z_][\w.\-]*):[A-Za-z_][\w.\-]*\s*=\s*["']""")
_DECLARED = re.compile(r"""xmlns:([A-Za-z_][\w.\-]*)\s*=""")
_ROOT_START = re.compile(r"<([A-Za-z_][\w.\-:]*)")

#: Namespace URIs of prefixes that converters commonly forget to declare.
KNOWN_PREFIXES = {
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "gpxdata": "http://www.cluetrust.com/XML/GPXDATA/1/0",
    "gpxtpx": "http://www.garmin.com/xmlschemas/TrackPointExtension/v1",
    "gpxx": "http://www.garmin.com/xmlschemas/GpxExtensions/v3",
}


def is_unbound_prefix_error(exc: BaseException) -> bool:
    """True when *exc* (or the exception it wraps) is expat's "unbound prefix" error."""
    for e in (exc, getattr(exc, "original_exception", None), exc.__cause__):
        if e is not None and "unbound prefix" in str(e):
            return True
    return False


def declare_missing_prefixes(text: str) -> tuple[str, list[str]]:
    """Declare on the root element every namespace prefix used but never declared.

    Parameters
    ----------
    text : str
        Document whose parse failed with "unbound prefix".

    Returns
    -------
    (text, prefixes) : str and list of str
        The repaired document (unchanged when nothing was missing) and the
        prefixes that were declared.  Well-known prefixes get their usual URI
        (:data:`KNOWN_PREFIXES`), others ``urn:runlog:undeclared:<prefix>``;
        runlog reads extension values by local name, so the URI only has to
        be unique.
    """
    used = set(_TAG_PREFIX.findall(text)) | set(_ATTR_PREFIX.findall(text))
    missing = sorted(used - set(_DECLARED.findall(text)) - {"xml", "xmlns"})
    if not missing:
        return text, []
    m = _ROOT_START.search(text)  # the root element: '<?' and '<!' do not match
    if m is None:
        return text, []
    decl = "".join(f' xmlns:{p}="{KNOWN_PREFIXES.get(p, "urn:runlog:undeclared:" + p)}"' for p in missing)
    return text[:m.end()] + decl + text[m.end():], missing


def _position(exc: BaseException) -> str:
    pos = getattr(exc, "position", None)
    if pos:
        return f" at line {pos[0]}, column {pos[1]}"
    return ""


def parse_xml(text: str, source: str, *, what: str = "XML") -> Element:
    """Parse untrusted XML text with :mod:`defusedxml` (no DTD, no entities, no external references).

    A document failing with "unbound prefix" is repaired once with
    :func:`declare_missing_prefixes` (with an :class:`XmlRecoveryWarning`).

    Parameters
    ----------
    text : str
        Document from :func:`xml_text`.
    source : str
        File name, for messages.
    what : str
        Format name used in messages ('TCX').

    Returns
    -------
    xml.etree.ElementTree.Element
        The root element.

    Raises
    ------
    FileFormatError
        DTD / entity declarations (:data:`DTD_MESSAGE`) or malformed XML
        (with the parser's line and column); the parser's exception is
        chained.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    reject_dtd(text, source)
    try:
        return fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FileFormatError(DTD_MESSAGE, source) from exc
    except ParseError as exc:
        if not is_unbound_prefix_error(exc):
            raise FileFormatError(
                f"is not well-formed {what}: {exc}. The file is damaged or was cut short; export it "
                "again from the watch or app", source) from exc
        first = exc
    fixed, prefixes = declare_missing_prefixes(text)
    if prefixes:
        try:
            root = fromstring(fixed, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except (DefusedXmlException, ParseError):
            root = None
        if root is not None:
            warnings.warn(
                f"{source}: namespace prefix(es) {', '.join(prefixes)} used without a declaration "
                f"({first}); declared them and read the file", XmlRecoveryWarning, stacklevel=3)
            return root
    raise FileFormatError(
        f"is not well-formed {what}: {first}{_position(first) if 'line' not in str(first) else ''}. "
        "A namespace prefix is used without its xmlns declaration and could not be repaired; "
        "export the file again from the original app", source) from first


def local_name(tag) -> str:
    """Tag without its ``{namespace}`` part (``'{http://...}hr'`` -> ``'hr'``); '' for comments/PIs."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


# --------------------------------------------------------------------------
# Sport names and cadence units, shared by the GPX and TCX readers.
# --------------------------------------------------------------------------

#: FIT profile sport names kept as they are when a file uses one (FIT SDK
#: Profile.xlsx, type ``sport``).
FIT_SPORTS = frozenset({
    "generic", "running", "cycling", "transition", "fitness_equipment", "swimming", "basketball",
    "soccer", "tennis", "american_football", "training", "walking", "cross_country_skiing",
    "alpine_skiing", "snowboarding", "rowing", "mountaineering", "hiking", "multisport", "paddling",
    "flying", "e_biking", "motorcycling", "boating", "driving", "golf", "hang_gliding",
    "horseback_riding", "hunting", "fishing", "inline_skating", "rock_climbing", "sailing",
    "ice_skating", "sky_diving", "snowshoeing", "snowmobiling", "stand_up_paddleboarding",
    "surfing", "wakeboarding", "water_skiing", "kayaking", "rafting", "windsurfing", "kitesurfing",
})

#: Sport names written by apps (Garmin Connect GPX ``<type>``, TCX ``Activity@Sport``,
#: Strava GPX numeric ``<type>`` codes) -> (FIT sport, FIT sub_sport or None).
#: Strava codes: 1 Ride, 4 Hike, 9 Run, 10 Walk, 16 Swim, 17 VirtualRide (the
#: order of Strava's activity-type list; 9 and 1 checked on real exports).
SPORT_ALIASES: dict[str, tuple[str, str | None]] = {
    "run": ("running", None), "running": ("running", None),
    "trail_running": ("running", "trail"), "trail_run": ("running", "trail"), "trailrun": ("running", "trail"),
    "treadmill_running": ("running", "treadmill"), "street_running": ("running", "street"),
    "track_running": ("running", "track"), "indoor_running": ("running", "indoor_running"),
    "virtual_run": ("running", "virtual_activity"), "virtualrun": ("running", "virtual_activity"),
    "biking": ("cycling", None), "bike": ("cycling", None), "ride": ("cycling", None),
    "road_biking": ("cycling", "road"), "road_cycling": ("cycling", "road"),
    "mountain_biking": ("cycling", "mountain"), "indoor_cycling": ("cycling", "indoor_cycling"),
    "gravel_cycling": ("cycling", "gravel_cycling"), "virtual_ride": ("cycling", "virtual_activity"),
    "virtualride": ("cycling", "virtual_activity"), "ebikeride": ("e_biking", None),
    "walk": ("walking", None), "casual_walking": ("walking", "casual_walking"),
    "speed_walking": ("walking", "speed_walking"), "hike": ("hiking", None),
    "swim": ("swimming", None), "lap_swimming": ("swimming", "lap_swimming"),
    "open_water_swimming": ("swimming", "open_water"),
    "1": ("cycling", None), "4": ("hiking", None), "9": ("running", None), "10": ("walking", None),
    "16": ("swimming", None), "17": ("cycling", "virtual_activity"),
    "other": ("unknown", None), "generic": ("unknown", None), "uncategorized": ("unknown", None),
}

#: Sports whose GPX/TCX/FIT cadence counts strides (one per two steps) [1/min].
FOOT_SPORTS = schema.FOOT_SPORTS

_SPORT_SEP = re.compile(r"[\s\-/]+")


def normalize_sport(name) -> tuple[str, str | None]:
    """Map an app's sport name to runlog's (FIT) vocabulary.

    Parameters
    ----------
    name : str or None
        GPX ``<trk><type>`` ('running', 'Running', '9', 'trail_running') or
        TCX ``Activity@Sport`` ('Running', 'Biking', 'Other').

    Returns
    -------
    (sport, sub_sport) : tuple
        ``sport`` is a FIT sport name ('running', 'cycling', ...) or
        'unknown'; ``sub_sport`` a FIT sub-sport or None.  'Other' /
        'generic' carry no information and map to 'unknown'.
    """
    if name is None:
        return "unknown", None
    key = _SPORT_SEP.sub("_", str(name).strip().lower())
    if key in SPORT_ALIASES:
        return SPORT_ALIASES[key]
    if key in FIT_SPORTS:
        return key, None
    for part, sport in (("run", "running"), ("cycl", "cycling"), ("bik", "cycling"), ("ride", "cycling"),
                        ("walk", "walking"), ("hik", "hiking"), ("swim", "swimming")):
        if part in key:
            return sport, None
    return "unknown", None


#: Above this median [1/min] a foot-sport "cadence" already counts steps, not strides
#: (120 strides/min = 240 steps/min, beyond sustained human running cadence).
MAX_STRIDE_CADENCE = 120.0
#: Unknown sport: moving speed above this [m/s] is not running (6.5 m/s = 2:34 min/km).
MAX_FOOT_SPEED_MPS = 6.5
#: Unknown sport: distance per cadence cycle above this [m] is a pedal revolution, not a stride.
MAX_STRIDE_LENGTH_M = 3.5


def cadence_is_strides(sport: str, cadence, speed_mps=None) -> bool:
    """Decide whether a GPX/TCX cadence column counts strides (and must be doubled to steps/min).

    Parameters
    ----------
    sport : str
        Normalised sport (:func:`normalize_sport`).
    cadence : array_like
        Raw cadence values of the file [1/min].
    speed_mps : array_like, optional
        Speed of the same samples [m/s], NaN where unknown.

    Returns
    -------
    bool
        True: the values are strides per minute (double them to get
        ``cadence_spm``, steps per minute).  False: revolutions per minute
        (cycling) or already steps per minute.

    Notes
    -----
    * Foot sports (:data:`FOOT_SPORTS`): strides, as Garmin's
      TrackPointExtension ``cad`` and TCX ``RunCadence`` define them, unless
      the median positive value exceeds :data:`MAX_STRIDE_CADENCE` (the
      writer already stored steps per minute).
    * Known non-foot sports (cycling ...): never doubled (rpm).
    * Unknown sport: strides when the activity moves like a run: median
      moving speed (samples > 0.5 m/s) at most :data:`MAX_FOOT_SPEED_MPS`
      *and* median distance per cadence cycle, speed * 60 / cadence, at most
      :data:`MAX_STRIDE_LENGTH_M` (running strides are ~1.6-3.5 m; bicycle
      gears roll 3.5-9 m per crank revolution).  Without any speed the file
      is taken as a run (runlog's users record runs).  A slow cyclist in a
      very low gear (< 3.5 m per revolution, < 6.5 m/s) would be doubled
      wrongly; give such files a sport.
    """
    cad = np.asarray(cadence, dtype="float64")
    pos = cad[cad > 0]
    if pos.size == 0:
        return sport in FOOT_SPORTS or sport == "unknown"
    med_cad = float(np.median(pos))
    if med_cad > MAX_STRIDE_CADENCE:
        return False
    if sport in FOOT_SPORTS:
        return True
    if sport != "unknown":
        return False
    if speed_mps is None:
        return True
    spd = np.asarray(speed_mps, dtype="float64")
    both = (spd > 0.5) & (cad > 0)
    if not both.any():
        return True
    v = float(np.median(spd[both]))
    stride_m = float(np.median(spd[both] * 60.0 / cad[both]))
    return v <= MAX_FOOT_SPEED_MPS and stride_m <= MAX_STRIDE_LENGTH_M


# --------------------------------------------------------------------------
# Sample times and records frames, shared by the GPX and TCX readers.
# --------------------------------------------------------------------------

#: Smallest share of timed points for which the untimed ones are dropped
#: (instead of refusing the file).
MIN_TIMED_FRACTION = 0.5
#: Start of GPS time (1980-01-06 00:00 UTC): no GPS device records earlier.
GPS_EPOCH = pd.Timestamp("1980-01-06", tz="UTC")
_GPS_EPOCH_S = GPS_EPOCH.value / 1e9
#: Times later than now plus this margin [s] come from a broken clock.
FUTURE_MARGIN_S = 2 * 86400.0


def _fmt(t_s: float) -> str:
    try:
        return pd.Timestamp(t_s, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError):  # pragma: no cover - out of pandas' range
        return f"{t_s:.0f} s after 1970"


def usable_time_mask(t_s, source: str, *, what: str = "track point") -> np.ndarray:
    """Which samples have a usable time; refuse files whose times cannot place a run.

    Parameters
    ----------
    t_s : array_like of float
        Sample times [s since 1970-01-01 UTC], NaN where missing or unreadable.
        At least one must be finite (callers report "no times at all"
        themselves, in their format's words).
    source : str
        File name, for messages.
    what : str
        Name of a sample in messages ('track point', 'trackpoint').

    Returns
    -------
    numpy.ndarray of bool
        True for samples kept.

    Raises
    ------
    FileFormatError
        * every time before :data:`GPS_EPOCH` or more than
          :data:`FUTURE_MARGIN_S` after now (a clock that was never set,
          e.g. 1901-12-13T20:45:52Z, the signed 32-bit epoch minimum);
        * fewer than :data:`MIN_TIMED_FRACTION` of the samples usable (a
          route with a few stray times);
        * all usable times identical, or only one usable sample: no
          duration to analyse.

    Warns
    -----
    UntimedPointsWarning
        Some (at most half of the) samples were unusable and are dropped.
    """
    t_s = np.asarray(t_s, dtype="float64")
    n = t_s.size
    now_s = _time.time() + FUTURE_MARGIN_S
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(t_s) & (t_s >= _GPS_EPOCH_S) & (t_s <= now_s)
    n_ok = int(ok.sum())
    if n_ok == 0:
        finite = t_s[np.isfinite(t_s)]
        when = _fmt(float(finite[0])) if finite.size else "unreadable"
        raise FileFormatError(
            f"has {what} times outside any possible recording (first {when}; GPS time starts "
            f"{GPS_EPOCH:%Y-%m-%d}): the device clock was not set. runlog cannot place this run in "
            "time; fix the clock and record again, or re-export from an app that stores the real "
            "times", source)
    if n_ok < n:
        if n_ok < MIN_TIMED_FRACTION * n:
            raise FileFormatError(
                f"only {n_ok} of its {n} {what}s have a usable time (below "
                f"{MIN_TIMED_FRACTION:.0%}): it looks like a route with a few stray times, not a "
                "recorded activity. Export the recorded activity instead", source)
        warnings.warn(
            f"{source}: {n - n_ok} of {n} {what}s have no usable time (missing, before "
            f"{GPS_EPOCH:%Y} or in the future) and were dropped", UntimedPointsWarning, stacklevel=3)
    good = t_s[ok]
    if n_ok == 1:
        raise FileFormatError(f"has only one timed {what}: not enough for an activity", source)
    if good.max() == good.min():
        raise FileFormatError(
            f"has the same time ({_fmt(float(good[0]))}) on all its {n_ok} timed {what}s: the device "
            "clock was not running, so there is no duration to analyse", source)
    return ok


def seconds_to_ns(t_s) -> np.ndarray:
    """Seconds since 1970 (float) -> int64 nanoseconds, rounded to the microsecond.

    float64 holds today's epoch seconds (~1.7e9) to ~2e-7 s, so rounding to
    whole microseconds is exact for GPX/TCX times (millisecond resolution).
    """
    return np.round(np.asarray(t_s, dtype="float64") * 1e6).astype("int64") * 1000


def sorted_unique(ns, cols: dict) -> tuple[np.ndarray, dict]:
    """Sample times and columns sorted by time, one sample per timestamp.

    Rows sharing a timestamp (a point repeated at a segment or lap boundary)
    are merged: each column keeps its first non-missing value in file order.
    Infinite values become NaN, and so do positions off the globe
    (``|lat_deg| > 90`` or ``|lon_deg| > 180``; both coordinates of the
    sample), which a damaged file can hold and no later step could use.

    Parameters
    ----------
    ns : numpy.ndarray of int64
        Sample times [ns since 1970-01-01 UTC].
    cols : dict of str -> numpy.ndarray of float64
        Column values, same length as *ns*.

    Returns
    -------
    (ns, cols) : numpy.ndarray of int64 and dict of numpy.ndarray
        Sorted unique times and the matching (cleaned, merged) columns; pass
        them to :func:`records_frame`.
    """
    ns = np.asarray(ns, dtype="int64")
    cols = {k: np.where(np.isfinite(v), v, np.nan) for k, v in cols.items()}
    if "lat_deg" in cols and "lon_deg" in cols:
        with np.errstate(invalid="ignore"):
            off = (np.abs(cols["lat_deg"]) > 90.0) | (np.abs(cols["lon_deg"]) > 180.0)
        if off.any():
            cols["lat_deg"][off] = np.nan
            cols["lon_deg"][off] = np.nan
    if ns.size > 1 and not bool((ns[1:] > ns[:-1]).all()):
        order = np.argsort(ns, kind="stable")  # stable: file order within equal times
        ns = ns[order]
        cols = {k: v[order] for k, v in cols.items()}
        starts = np.flatnonzero(np.r_[True, ns[1:] != ns[:-1]])
        if starts.size < ns.size:  # duplicates: first non-missing value of each group
            n = ns.size
            rows = np.arange(n)
            merged = {}
            for k, v in cols.items():
                pos = np.where(np.isnan(v), n, rows)
                first = np.minimum.reduceat(pos, starts)
                merged[k] = np.where(first < n, v[np.minimum(first, n - 1)], np.nan)
            ns, cols = ns[starts], merged
    return ns, cols


def records_frame(ns: np.ndarray, cols: dict) -> pd.DataFrame:
    """Records DataFrame: index ``time`` (UTC) from int64 nanoseconds, one float column per key."""
    index = pd.DatetimeIndex(np.asarray(ns, dtype="int64").view("datetime64[ns]"), name="time")
    return pd.DataFrame(cols, index=index.tz_localize("UTC"))


def position_speed_mps(ns, lat_deg, lon_deg) -> np.ndarray | None:
    """Speed between consecutive positions of time-sorted samples [m/s]; None without positions.

    Haversine step distance (:func:`runlog.geo.step_distance_m`) over the
    time step; NaN for the first sample and zero time steps.

    Parameters
    ----------
    ns : array_like of int64
        Sorted sample times [ns].
    lat_deg, lon_deg : array_like of float
        Positions [°], NaN where missing.
    """
    from .. import geo

    lat = np.asarray(lat_deg, dtype="float64")
    if np.count_nonzero(~np.isnan(lat)) < 2:
        return None
    step = geo.step_distance_m(lat, lon_deg)
    dt = np.diff(np.asarray(ns, dtype="int64")) / 1e9
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(dt > 0, step[1:] / dt, np.nan)
    return np.concatenate([[np.nan], v])
