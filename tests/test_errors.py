"""runlog.errors: the deprecation helper every future rename goes through."""

from __future__ import annotations

import warnings

import pytest

import runlog
from runlog.errors import RunlogDeprecationWarning, RunlogWarning, deprecated


def test_a_deprecated_function_warns_at_the_callers_line_and_still_works():
    @deprecated("0.2.0", "0.3.0", instead="runlog.new_name")
    def old_name(x, *, y=1):
        """Add."""
        return x + y

    with pytest.warns(RunlogDeprecationWarning) as rec:
        assert old_name(2, y=3) == 5
    (w,) = rec
    assert str(w.message) == ("test_a_deprecated_function_warns_at_the_callers_line_and_still_works.<locals>."
                              "old_name is deprecated since runlog 0.2.0 and will be removed in runlog 0.3.0; "
                              "use runlog.new_name instead.")
    assert w.filename == __file__                      # the caller's line, not the decorator's
    assert old_name.__name__ == "old_name"
    assert old_name.__doc__.startswith(".. deprecated:: 0.2.0\n") and old_name.__doc__.endswith("Add.")


def test_a_deprecated_class_warns_on_construction():
    @deprecated("0.2.0", "0.3.0")
    class Old:
        def __init__(self, v):
            self.v = v

    with pytest.warns(RunlogDeprecationWarning, match=r"Old is deprecated .* removed in runlog 0\.3\.0\.$"):
        assert Old(4).v == 4


def test_the_warning_is_shown_and_filterable_as_runlogs():
    # a FutureWarning: Python shows it outside __main__ (a DeprecationWarning would be hidden)
    assert issubclass(RunlogDeprecationWarning, FutureWarning)
    assert issubclass(RunlogDeprecationWarning, RunlogWarning)
    assert runlog.RunlogDeprecationWarning is RunlogDeprecationWarning

    @deprecated("0.2.0", "0.3.0")
    def f():
        return 1

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", runlog.RunlogWarning)
        assert f() == 1
