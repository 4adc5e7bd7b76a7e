"""fitparse internals that ``runlog/io/fit.py`` relies on, checked against the pinned release.

``_TolerantFitFile`` overrides fitparse's private
``FitFile._parse_definition_message`` with a copy of fitparse 1.2.0's body
(one change: misaligned fields become raw bytes), calls the private
``_read_struct`` and fills the private ``_local_mesgs`` and ``_accumulators``
dicts; ``_LeanProcessor`` overrides ``FitFileDataProcessor`` hooks.  None of
this is fitparse's public API, so ``pyproject.toml`` pins ``fitparse`` to the
release the copy was taken from, and these tests fail, saying what changed,
if another release is installed or the internals differ.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import re
import textwrap
import tomllib
from pathlib import Path

import fitparse
import pytest
from fitparse.records import DefinitionMessage, DevFieldDefinition, FieldDefinition, MessageHeader

from runlog.io import fit as runlog_fit

ROOT = Path(__file__).resolve().parents[2]
FIT_FILE = ROOT / "tests" / "data" / "fit" / "fitparse__activity-small-fenix2-run.fit"

#: The release fit.py's copy of ``_parse_definition_message`` was taken from.
PINNED = "1.2.0"
#: sha256 of ``textwrap.dedent(inspect.getsource(fitparse.FitFile._parse_definition_message))`` in fitparse 1.2.0.
SOURCE_SHA256 = "b3d5eb92708ec9964bd73c09e63d201b53356550565154d7dd7e623ce5b18ce9"

ACTION = ("runlog/io/fit.py (_TolerantFitFile, _LeanProcessor) relies on fitparse {pinned} internals; compare "
          "them with the installed fitparse {installed}, update fit.py, the pin in pyproject.toml and this test.")


def _fail(what: str) -> None:
    installed = importlib.metadata.version("fitparse")
    pytest.fail(f"fitparse internals changed: {what}. " + ACTION.format(pinned=PINNED, installed=installed),
                pytrace=False)


def test_pyproject_pins_the_release_the_copy_was_taken_from():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = [d for d in deps if re.match(r"fitparse\b", d)]
    assert pins == [f"fitparse=={PINNED}"], f"pyproject.toml should pin fitparse=={PINNED}, has {pins}"


def test_installed_fitparse_is_the_pinned_release():
    installed = importlib.metadata.version("fitparse")
    if installed != PINNED:
        _fail(f"fitparse {installed} is installed, not {PINNED}")


def test_private_methods_have_the_signatures_fit_py_uses():
    expected = {
        "_parse_definition_message": ["self", "header"],
        "_read_struct": ["self", "fmt", "endian", "data", "always_tuple"],
    }
    for name, params in expected.items():
        meth = getattr(fitparse.FitFile, name, None)
        if meth is None:
            _fail(f"fitparse.FitFile.{name} is missing")
        got = list(inspect.signature(meth).parameters)
        if got != params:
            _fail(f"fitparse.FitFile.{name} takes {got}, not {params}")


def test_parse_definition_message_body_is_the_one_fit_py_copies():
    src = textwrap.dedent(inspect.getsource(fitparse.FitFile._parse_definition_message))
    if hashlib.sha256(src.encode()).hexdigest() != SOURCE_SHA256:
        _fail("the body of fitparse.FitFile._parse_definition_message differs from the one "
              "_TolerantFitFile._parse_definition_message copies")


def test_fitfile_still_dispatches_to_the_overridden_method():
    src = inspect.getsource(fitparse.FitFile)
    for needle in ("self._parse_definition_message(", "self._local_mesgs", "self._accumulators"):
        if needle not in src:
            _fail(f"fitparse.FitFile no longer uses {needle!r}")


def test_record_classes_take_the_fields_fit_py_passes():
    expected = {
        DefinitionMessage: {"header", "endian", "mesg_type", "mesg_num", "field_defs", "dev_field_defs"},
        FieldDefinition: {"field", "def_num", "base_type", "size"},
        DevFieldDefinition: {"field", "dev_data_index", "def_num", "size"},
        MessageHeader: {"is_developer_data", "local_mesg_num"},
    }
    for cls, fields in expected.items():
        missing = fields - set(getattr(cls, "__slots__", ()))
        if missing:
            _fail(f"fitparse.records.{cls.__name__} has no field(s) {sorted(missing)}")
    params = list(inspect.signature(fitparse.records.get_dev_type).parameters)
    if params != ["dev_data_index", "field_def_num"]:
        _fail(f"fitparse.records.get_dev_type takes {params}")


def test_data_processor_hooks_fit_py_overrides_exist():
    hooks = ("run_type_processor", "run_field_processor", "run_unit_processor", "run_message_processor",
             "process_type_date_time", "process_type_local_date_time")
    missing = [h for h in hooks if not callable(getattr(fitparse.FitFileDataProcessor, h, None))]
    if missing:
        _fail(f"fitparse.FitFileDataProcessor has no {missing}")


def test_tolerant_fitfile_fills_the_private_state_it_relies_on():
    ff = runlog_fit._TolerantFitFile(str(FIT_FILE), data_processor=runlog_fit._LeanProcessor())
    records = list(ff.get_messages("record"))
    local = getattr(ff, "_local_mesgs", None)
    if not isinstance(local, dict) or not local:
        _fail("FitFile._local_mesgs is not a dict of the file's definition messages")
    if not all(isinstance(d, DefinitionMessage) for d in local.values()):
        _fail("FitFile._local_mesgs holds something other than DefinitionMessage")
    if not isinstance(getattr(ff, "_accumulators", None), dict):
        _fail("FitFile._accumulators is not a dict")
    assert len(records) > 0 and ff.misaligned_fields == 0
