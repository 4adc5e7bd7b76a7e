"""The FIT profile table runlog's decoder reads (runlog.io._fitprofile) against two independent copies.

fitparse's profile (an older Profile.xlsx, always installed with the tests)
must agree on every field, scale, offset, component and sub-field it has,
and every type name it has; the Garmin FIT SDK's own profile (the ``bench``
extra; the test is skipped without it) must agree on everything.
"""

from __future__ import annotations

import importlib.util

import pytest
from fitparse.profile import FIELD_TYPES, MESSAGE_TYPES

from runlog.io._fitprofile import BASE_TYPES, MESSAGES, TYPES


def _num(x):
    return None if x in (None, 0, 1, 0.0, 1.0) else float(x)


def test_fields_agree_with_fitparse():
    for num, msg in MESSAGES.items():
        theirs = MESSAGE_TYPES[num]
        assert theirs.name == msg.name
        for fnum, f in msg.fields.items():
            t = theirs.fields[fnum]
            assert (t.name, t.type.name) == (f.name, f.type), (msg.name, f.name)
            assert _num(t.scale) == _num(f.scale) and _num(t.offset) == _num(f.offset), (msg.name, f.name)
            comps = [(c.def_num, c.bits, c.bit_offset, _num(c.scale), _num(c.offset), bool(c.accumulate))
                     for c in (t.components or [])]
            assert comps == [(c.target, c.bits, c.bit_offset, _num(c.scale), _num(c.offset), c.accumulate)
                             for c in f.components], (msg.name, f.name)
            if f.subfield is not None:
                (sub,) = [s for s in t.subfields if s.name == f.subfield.name]
                refs = {r.raw_value for r in sub.ref_fields}
                assert refs <= set(f.subfield.ref_values)  # the profile added tacx (89) since


def test_type_names_agree_with_fitparse():
    for name, values in TYPES.items():
        theirs = FIELD_TYPES[name].values
        assert {k: v for k, v in values.items() if k in theirs} == theirs, name  # a superset, same names


def test_base_types_agree_with_fitparse():
    from fitparse.records import BASE_TYPES as THEIRS

    for num, bt in BASE_TYPES.items():
        if num in THEIRS:
            assert THEIRS[num].name == bt.name


@pytest.mark.skipif(importlib.util.find_spec("garmin_fit_sdk") is None, reason="garmin-fit-sdk not installed")
def test_everything_agrees_with_the_fit_sdk():
    from garmin_fit_sdk.profile import Profile

    for num, msg in MESSAGES.items():
        sdk = Profile["messages"][num]
        assert sdk["name"] == msg.name
        for fnum, f in msg.fields.items():
            s = sdk["fields"][fnum]
            assert (s["name"], s["type"], s["base_type"]) == (f.name, f.type, f.base), (msg.name, f.name)
            if not f.components:
                assert _num(s["scale"][0] if isinstance(s["scale"], list) else s["scale"]) == _num(f.scale)
                assert _num(s["offset"][0] if isinstance(s["offset"], list) else s["offset"]) == _num(f.offset)
            else:
                assert s["components"] == [c.target for c in f.components], (msg.name, f.name)
                assert s["bits"] == [c.bits for c in f.components]
                assert [_num(x) for x in s["scale"]] == [_num(c.scale) for c in f.components]
            if f.subfield is not None:
                (sub,) = [x for x in s["sub_fields"] if x["name"] == f.subfield.name]
                assert sorted(m["raw_value"] for m in sub["map"]) == sorted(f.subfield.ref_values)
    for name, values in TYPES.items():
        sdk = {int(k): v for k, v in Profile["types"][name].items()}
        assert values.keys() == sdk.keys(), name
        assert all(values[k] == v or values[k] == v.lower() for k, v in sdk.items()), name
