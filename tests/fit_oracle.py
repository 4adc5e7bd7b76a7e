"""fitparse 1.2.0 as the oracle of runlog's FIT decoder, through fitparse's public API only.

:func:`fitparse_parsed` reads a FIT file segment by segment with
``fitparse.FitFile(...).get_messages()`` (default data processor, CRC
checked) into the structure runlog's decoder fills (:class:`runlog.io.fit._Parsed`),
so that :func:`compare` can hold the two side by side, message by message,
and then the activities runlog builds from each.

Where the two may differ by design (runlog's decoder is defined by the FIT
profile, :mod:`runlog.io._fitprofile`, not by fitparse):

* developer fields are left out of fitparse's values (runlog never reads
  them; fitparse lets one named like a profile field replace it), and so are
  components of a field that is an array of numbers (fitparse reads the
  elements as bytes; runlog gives them no value), and accumulated components
  of a field that is not bytes (runlog accumulates the profile's bytes only);
* enum values are compared by runlog's profile names (fitparse's profile is
  older and names fewer devices and sports), and the product of a tacx
  device is a ``garmin_product`` as the current profile says;
* where fitparse stops on a limitation of its own rather than on damage
  the FIT protocol defines (a misaligned field, a field of size 0, an
  undescribed developer field, a component or date over an array, ...),
  or where runlog reports a message running past the declared data, runlog
  must have read everything fitparse read (the same values, in the same
  order) and may read more.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings

import fitparse
import numpy as np
import pandas as pd
from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError

from runlog.io import fit
from runlog.io._fitprofile import MESSAGES, TYPES

__all__ = ["fitparse_parsed", "compare", "normalized", "FIT_EPOCH"]

FIT_EPOCH = dt.datetime(1989, 12, 31)
_KEPT = {m.name: m for num, m in MESSAGES.items() if num != 20}
#: (message name) -> {field name -> profile type} of the declared fields runlog reads
_DECLARED = {name: {f.name: f.type for f in m.fields.values()} for name, m in _KEPT.items()}
_REVERSE = {t: {v: k for k, v in names.items()} for t, names in TYPES.items()}


def _seconds(value) -> float:
    """A fitparse timestamp value as raw FIT seconds (NaN when it is none)."""
    if isinstance(value, dt.datetime):
        return (value - FIT_EPOCH) / dt.timedelta(seconds=1)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if not isinstance(value, float) or value < fit.DEVICE_RELATIVE_LIMIT else np.nan
    return np.nan


def _number(value) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return np.nan


def _values(msg) -> dict:
    """A data message's values without developer fields (later fields win, as in ``get_values``).

    fitparse lists a field's components just before the field; where the field
    is an array of numbers (not bytes), fitparse reads its elements as if
    they were bytes, and runlog gives the components no value (a component
    is defined over one value): such components are left out here.  So is an
    accumulated component of a field that is not bytes (the distance of a
    ``compressed_speed_distance`` declared as an integer instead of the
    profile's 3 bytes): runlog accumulates only the profile's bytes; fitparse
    reads the bits an integer lacks as zeros (a uint16 field holds 4 of
    distance's 12 bits at offset 12, and fitparse accumulated a distance of 0).
    """
    out: dict = {}
    pending: list = []
    for f in msg.fields:
        if f.field is not None and f.field.field_type == "devfield":
            continue
        if f.field_def is None and f.field is not None and f.field.field_type != "devfield" and f.name != "timestamp":
            pending.append(f)  # a component of the next field
            continue
        not_bytes = f.field_def is not None and f.field_def.base_type.name != "byte"
        over_array = isinstance(f.raw_value, tuple) and not_bytes
        accumulated = {c.name for c in getattr(f.field, "components", None) or () if c.accumulate} if not_bytes else ()
        for c in pending:
            out[c.name] = None if over_array or c.name in accumulated else c.value
        pending = []
        out[f.name] = f.value
    for c in pending:  # the compressed-header timestamp has no field after it
        out[c.name] = c.value
    return out


def normalized(name: str, values: dict) -> dict:
    """The declared fields of a kept message as runlog's decoder gives them.

    Enum values by runlog's profile names (the number where it has none), and
    the product as ``garmin_product`` exactly when the manufacturer is one of
    the Garmin family (fitparse's older profile leaves out tacx).
    """
    declared = _DECLARED[name]
    out = {}
    for key, value in values.items():
        if key == "garmin_product":
            key = "product"
            value = _REVERSE["garmin_product"].get(value, value)
        if key not in declared:
            continue
        t = declared[key]
        if t in TYPES:
            if isinstance(value, str):
                value = _REVERSE[t].get(value, value)
            if isinstance(value, int) and not isinstance(value, bool):
                value = TYPES[t].get(value, value)
        out[key] = value
    if name == "file_id" and "product" in out:
        sub = MESSAGES[0].fields[2].subfield
        maker = out.get("manufacturer")
        maker = _REVERSE["manufacturer"].get(maker, maker)
        if maker in sub.ref_values:
            raw = out.pop("product")
            out[sub.name] = TYPES[sub.type].get(raw, raw) if isinstance(raw, int) else raw
    return out


#: fitparse exceptions that are damage the FIT protocol defines; anything else is fitparse's own limit
def _is_fit_damage(exc: BaseException | None) -> bool:
    if exc is None or isinstance(exc, (FitEOFError, FitCRCError, FitHeaderError)):
        return True
    return isinstance(exc, FitParseError) and "invalid local message type" in str(exc)


def fitparse_parsed(data: bytes) -> fit._Parsed:
    """The file through fitparse's public API, segment by segment as runlog splits it, as a ``_Parsed``.

    ``damage_exc`` holds fitparse's exception; ``oracle_limit`` is True when
    fitparse stopped on a limit of its own (see the module docstring).
    """
    segments, trailing = fit.split_segments(data)
    out = fit._Parsed()
    out.oracle_limit = False
    rec: dict[str, list] = {k: [] for k in fit._RECORD_FIELDS}
    rec_group: list[int] = []
    group, seen_file_id = 0, False
    if not segments:
        raise fit.FileFormatError(
            "is not a FIT file: it does not start with a FIT header (no '.FIT' signature in "
            "bytes 8-11); the file may be damaged or mislabelled")
    for seg in segments:
        major, minor = seg.data[1] >> 4, seg.data[1] & 0x0F
        if major > fit.MAX_PROTOCOL_MAJOR:
            out.damage = (f"has a damaged FIT header (protocol version {major}.{minor}; FIT files are version "
                          f"{fit.MAX_PROTOCOL_MAJOR} or older), so the data after it cannot be trusted")
            out.damage_group = group
            break
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                messages = fitparse.FitFile(io.BytesIO(seg.data)).get_messages()
        except Exception as exc:  # header size, header CRC, header cut off
            out.damage = fit._DAMAGE_WORDS["header"].format(exc)
            out.damage_exc, out.damage_group = exc, group
            out.oracle_limit = not _is_fit_damage(exc)
            break
        while True:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    msg = next(messages)
            except StopIteration:
                break
            except Exception as exc:  # EOF, CRC, undefined message, or a limit of fitparse's
                if isinstance(exc, FitEOFError):
                    words = fit._UNFINISHED if seg.unfinished else fit._DAMAGE_WORDS["eof"]
                elif isinstance(exc, FitCRCError):
                    words = fit._DAMAGE_WORDS["crc"].format(exc)
                elif _is_fit_damage(exc):
                    words = fit._DAMAGE_WORDS["undefined"].format(exc)
                else:
                    words = f"is damaged ({type(exc).__name__}: {exc})"
                out.damage, out.damage_exc, out.damage_group = words, exc, group
                out.oracle_limit = not _is_fit_damage(exc)
                break
            name = msg.name
            if name == "record":
                values = _values(msg)
                for key, lst in rec.items():
                    lst.append(values.get(key))
                rec_group.append(group)
            elif name in _KEPT:
                values = normalized(name, _values(msg))
                if name == "file_id":
                    if seen_file_id:
                        group += 1
                    seen_file_id = True
                    out.file_ids[group] = values
                elif name == "session":
                    out.sessions.append((group, len(out.sessions) + 1, values))
                elif name == "lap":
                    out.laps.append((group, values))
                elif name == "activity":
                    out.activity[group] = values
                elif name == "sport":
                    out.sport.setdefault(group, values)
                elif name == "workout":
                    out.workout.setdefault(group, values)
        if out.damage:
            break
    else:
        if trailing.strip(b"\0"):
            out.damage = (f"has {len(trailing)} bytes after its last FIT file that are not FIT data "
                          "(a damaged chained file)")
            out.damage_group = group
    out.cols = {k: np.array([_seconds(v) for v in vals] if k == "timestamp" else [_number(v) for v in vals],
                            dtype="float64") for k, vals in rec.items()}
    out.rec_group = np.asarray(rec_group, dtype=np.int64)
    out.n_groups = group + 1
    return out


def runlog_parsed(data: bytes) -> fit._Parsed:
    """runlog's decoder, its kept messages normalised as the oracle's are."""
    p = fit._parse(data)
    p.file_ids = {g: normalized("file_id", v) for g, v in p.file_ids.items()}
    p.sessions = [(g, n, normalized("session", v)) for g, n, v in p.sessions]
    p.laps = [(g, normalized("lap", v)) for g, v in p.laps]
    p.activity = {g: normalized("activity", v) for g, v in p.activity.items()}
    p.sport = {g: normalized("sport", v) for g, v in p.sport.items()}
    p.workout = {g: normalized("workout", v) for g, v in p.workout.items()}
    return p


def _outcome(parsed: fit._Parsed | None, data: bytes):
    """fit._activities' result (or exception) and warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fit.decode(data, "x.fit") if parsed is None else fit._activities(parsed, "x.fit")
        except Exception as exc:
            result = exc
    return result, [(w.category, str(w.message)) for w in caught]


def compare(data: bytes) -> str:
    """Compare runlog's decoder with the oracle on *data*; 'same' or 'prefix' (runlog read on past fitparse).

    Raises AssertionError on any difference.
    """
    try:
        ref = fitparse_parsed(data)
    except fit.FileFormatError as exc:
        try:
            fit._parse(data)
        except fit.FileFormatError as mine:
            assert str(mine) == str(exc)
            return "same"
        raise AssertionError("runlog read a file that is not a FIT file") from exc
    new = runlog_parsed(data)
    overrun = "runs past the end of the data" in str(new.damage_exc)
    relaxed = ref.oracle_limit or overrun
    if relaxed:
        # fitparse reads the message that runs past the data (out of the CRC bytes); runlog drops it
        n = len(ref.rec_group) - 1 if overrun else len(ref.rec_group)
        assert len(new.rec_group) >= n, "runlog read fewer records than fitparse"
        n = min(n + int(overrun), len(new.rec_group))
        for k in fit._RECORD_FIELDS:
            np.testing.assert_array_equal(ref.cols[k][:n], new.cols[k][:n], err_msg=k)
        np.testing.assert_array_equal(ref.rec_group[:n], new.rec_group[:n])
        m = min(len(ref.sessions), len(new.sessions)) if overrun else len(ref.sessions)
        assert new.sessions[:m] == ref.sessions[:m]
        m = min(len(ref.laps), len(new.laps)) if overrun else len(ref.laps)
        assert new.laps[:m] == ref.laps[:m]
        for attr in ("file_ids", "activity", "sport", "workout"):
            mine = getattr(new, attr)
            for g, v in getattr(ref, attr).items():
                if overrun and g not in mine:
                    continue  # the dropped message
                assert mine.get(g) == v, (attr, g, v, mine.get(g))
        result, _ = _outcome(None, data)
        assert not isinstance(result, BaseException) or isinstance(result, fit.FileFormatError), repr(result)
        return "prefix"
    for k in fit._RECORD_FIELDS:
        np.testing.assert_array_equal(ref.cols[k], new.cols[k], err_msg=k)
    np.testing.assert_array_equal(ref.rec_group, new.rec_group)
    assert ref.file_ids == new.file_ids
    assert ref.sessions == new.sessions
    assert ref.laps == new.laps
    assert ref.activity == new.activity
    assert ref.sport == new.sport
    assert ref.workout == new.workout
    assert (ref.damage, ref.damage_group, ref.n_groups) == (new.damage, new.damage_group, new.n_groups)
    # and the activities built from each: frames, info, warnings, errors
    (a, wa), (b, wb) = _outcome(ref, data), _outcome(None, data)
    assert wa == wb
    if isinstance(a, BaseException) or isinstance(b, BaseException):
        assert (type(a), str(a)) == (type(b), str(b))
        return "same"
    assert len(a) == len(b)
    for x, y in zip(a, b):
        pd.testing.assert_frame_equal(x.records, y.records, check_exact=True)
        if x.laps is None:
            assert y.laps is None
        else:
            pd.testing.assert_frame_equal(x.laps, y.laps, check_exact=True)
        assert x.info.keys() == y.info.keys()
        for k, v in x.info.items():
            assert v == y.info[k] or (v != v and y.info[k] != y.info[k]), (k, v, y.info[k])
    return "same"
