"""runlog.render.labels: every name a runner reads for a measure or a cause, in one place."""

from __future__ import annotations

import ast
from pathlib import Path

from runlog import schema
from runlog.features.catalog import FEATURES
from runlog.render import labels
from runlog.render.labels import (
    CAUSE_LABELS,
    CAUSE_SHORT,
    MEASURE_LABELS,
    cause_label,
    cause_short,
    lower_first,
    measure_label,
    short_description,
    upper_first,
)


def test_labels_import_nothing_of_runlog():
    tree = ast.parse(Path(labels.__file__).read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m.startswith("runlog") or m.startswith(".")], imported


def test_every_measure_and_cause_has_its_names():
    assert list(MEASURE_LABELS) == list(FEATURES)           # every catalogue column, in catalogue order
    assert all((v and v == v.strip() and v[0].islower()) or v[:2].isupper() for v in MEASURE_LABELS.values())
    assert set(CAUSE_LABELS) == set(CAUSE_SHORT) == set(schema.CAUSES)
    assert measure_label("air_temp_c") == "air temperature"
    assert cause_label("hydration") == "heat and hydration" and cause_short("hydration") == "Heat"
    assert cause_label("overtraining") == "training load (too much too soon, too few rest days)"
    assert cause_label("overtraining", brief=True) == "training load"
    assert cause_label("not-a-cause") == "not-a-cause" and cause_short("xyz") == "Xyz"


def test_a_measure_without_a_label_is_named_by_its_description():
    # a column of the runner's notes: the first clause of its description, else the column in words
    assert measure_label("insoles", "Run notes: Insoles worn (custom, stock)") == "insoles worn"
    assert measure_label("my_column") == "my column"


def test_short_description():
    assert short_description("ESTIMATED sweat loss as % of body mass, runlog heat-balance model: x") == \
        "estimated sweat loss as % of body mass"
    assert short_description("Run notes: Fluid drunk during the run.") == "fluid drunk during the run"
    assert short_description("Heat index (NWS Rothfusz regression)") == "heat index"
    assert short_description("Days without any activity among the 7 days before the run. Window = the days "
                             "before the run's local date") == \
        "days without any activity among the 7 days before the run"
    assert short_description("wet-bulb globe temperature ESTIMATED from air temperature (WBGT)") == \
        "wet-bulb globe temperature estimated from air temperature"
    assert short_description("WBGT above 28 °C") == "WBGT above 28 °C"


def test_first_letters():
    assert lower_first("Air temperature") == "air temperature" and lower_first("WBGT") == "WBGT"
    assert upper_first("training impulse (TRIMP)") == "Training impulse (TRIMP)"
