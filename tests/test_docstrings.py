"""numpydoc on the public API: a ``Parameters`` section wherever there are arguments,
a ``Returns`` (or ``Yields``) section wherever something is returned, and a
``References`` section on every function that implements a published formula.

Public = a name without a leading underscore in a module without one, or a name
a module exports through ``__all__``.  Dataclass-generated methods, properties
and the command-line handlers that only take the parsed ``args`` are skipped.

Run as a script to print what is missing.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import re
import textwrap

import pytest

import runlog

#: Formula functions: each cites its source(s) inline and lists them in ``References``.
FORMULAS = (
    # heat and hydration
    "runlog.features.heat.heat_index_c",
    "runlog.features.heat.dew_point_c",
    "runlog.features.heat.vapour_pressure_hpa",
    "runlog.features.heat.wbgt_estimate_c",
    "runlog.features.heat.body_surface_area_m2",
    "runlog.features.heat.running_metabolic_power_w",
    "runlog.features.heat.sweat_loss_estimate_kg",
    "runlog.features.heat.measured_sweat_loss",
    # training load
    "runlog.features.load.acwr_uncoupled",
    "runlog.features.load.ewma",
    "runlog.features.load.acwr_ewma",
    "runlog.features.load.monotony",
    "runlog.features.load.strain",
    "runlog.features.load.fitness_fatigue",
    "runlog.features.load.longest_run_ratio",
    # intensity
    "runlog.features.intensity.hr_reserve_fraction",
    "runlog.features.intensity.trimp_weight",
    "runlog.features.intensity.banister_trimp",
    "runlog.features.intensity.hr_zone",
    "runlog.features.intensity.decoupling_pct",
    # other formulas cited inline
    "runlog.features.form.cadence_line",
    "runlog.geo.haversine_m",
    "runlog.analysis.causes.holm",
    "runlog.analysis._dependence.shift_inflation",
    "runlog.analysis.plan.graphical_test",
    "runlog.analysis.causes.max_z_pvalue",
    "runlog.analysis.causes.calendar_basis",
    "runlog.analysis.causes.exposure_windows",
    "runlog.analysis.onset.median_ci",
    "runlog.analysis.onset.onset_spread",
    "runlog.analysis.onset.km_landmarks",
    "runlog.analysis.stats.fdr_adjust",
    "runlog.simulate.running_cost_j_kg_m",
    "runlog.simulate.relative_humidity_pct",
    "runlog.simulate.seasonal_mean_temp_c",
    "runlog.simulate.heart_rate_bpm",
)


def _section(doc: str, *names: str) -> bool:
    """True when *doc* has a numpydoc section titled one of *names* (title line, then dashes)."""
    return any(re.search(rf"^\s*{name}\s*\n\s*-{{3,}}\s*$", doc, re.M) for name in names)


def _modules():
    yield runlog
    for info in pkgutil.walk_packages(runlog.__path__, prefix="runlog."):
        yield importlib.import_module(info.name)


def _is_private_module(name: str) -> bool:
    return any(part.startswith("_") for part in name.split(".")[1:])


def _returns_value(func) -> bool:
    """True when *func*'s own body returns a value (``return x``, not ``return`` / ``return None``) or yields."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return False
    node = tree.body[0]
    stack = list(ast.iter_child_nodes(node))
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue  # nested scopes return for themselves
        if isinstance(n, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(n, ast.Return) and n.value is not None and not (
                isinstance(n.value, ast.Constant) and n.value.value is None):
            return True
        stack.extend(ast.iter_child_nodes(n))
    return False


def _arguments(func) -> list[str]:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return []
    return [p for p in params if p not in ("self", "cls")]


def _dataclass_generated(cls, func) -> bool:
    """A method ``@dataclass`` wrote (``__init__``, ``__eq__``, ...): its code comes from no source file."""
    return dataclasses.is_dataclass(cls) and getattr(func, "__code__", None) is not None and (
        func.__code__.co_filename.startswith("<"))


def public_functions() -> dict[str, object]:
    """qualified name -> function or method of the public API (each defined once, where it is defined).

    A class counts as the function its hand-written ``__init__`` is: numpydoc documents
    its parameters in the class docstring (``__init__``'s own docstring is accepted too).
    """
    found: dict[str, object] = {}
    for mod in _modules():
        exported = set(getattr(mod, "__all__", ()))
        private_mod = _is_private_module(mod.__name__)
        for name, obj in list(vars(mod).items()):
            if getattr(obj, "__module__", None) != mod.__name__:
                continue  # imported: counted where it is defined
            public = (not name.startswith("_") and not private_mod) or name in exported
            if not public:
                continue
            if inspect.isfunction(obj):
                found[f"{mod.__name__}.{obj.__qualname__}"] = obj
            elif inspect.isclass(obj):
                for attr, raw in vars(obj).items():
                    func = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
                    if not inspect.isfunction(func) or _dataclass_generated(obj, func):
                        continue  # properties, constants, generated methods
                    if attr == "__init__":
                        found[f"{mod.__name__}.{obj.__qualname__}"] = (obj, func)
                    elif not attr.startswith("_"):
                        found[f"{mod.__name__}.{func.__qualname__}"] = func
    return found


def _is_cli_handler(qualname: str, func) -> bool:
    return qualname.startswith("runlog.cli.") and _arguments(func) == ["args"]


def checked() -> dict[str, object]:
    """The functions with arguments the Parameters rule applies to."""
    out = {}
    for q, f in public_functions().items():
        func = f[1] if isinstance(f, tuple) else f
        if _arguments(func) and not _is_cli_handler(q, func):
            out[q] = f
    return out


def _doc(f) -> str:
    if isinstance(f, tuple):  # class: its docstring and its __init__'s
        cls, init = f
        return (inspect.getdoc(cls) or "") + "\n\n" + ((init.__doc__ and inspect.cleandoc(init.__doc__)) or "")
    return inspect.getdoc(f) or ""


def missing_parameters() -> list[str]:
    return sorted(q for q, f in checked().items() if not _section(_doc(f), "Parameters"))


def missing_returns() -> list[str]:
    out = []
    for q, f in public_functions().items():
        func = f[1] if isinstance(f, tuple) else f
        if isinstance(f, tuple) or _is_cli_handler(q, func):
            continue  # __init__ returns nothing; handlers return the exit status
        if _returns_value(func) and not _section(_doc(f), "Returns", "Yields"):
            out.append(q)
    return sorted(out)


def _resolve(qualname: str):
    mod, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(mod), name)


def test_every_public_function_with_arguments_has_a_parameters_section():
    funcs = checked()
    print(f"{len(funcs)} public functions with arguments checked")
    assert len(funcs) > 200  # the walk found the package
    assert missing_parameters() == []


def test_every_public_function_returning_a_value_has_a_returns_section():
    assert missing_returns() == []


@pytest.mark.parametrize("qualname", FORMULAS)
def test_formula_functions_list_their_references(qualname):
    assert _section(inspect.getdoc(_resolve(qualname)) or "", "References"), qualname


def test_the_check_catches_an_undocumented_function():
    def undocumented(speed_mps):
        """Only a summary line."""
        return speed_mps

    def documented(speed_mps):
        """Summary.

        Parameters
        ----------
        speed_mps : float
            Speed [m/s].

        Returns
        -------
        float
            The same speed [m/s].
        """
        return speed_mps

    assert not _section(_doc(undocumented), "Parameters") and _returns_value(undocumented)
    assert _section(_doc(documented), "Parameters") and _section(_doc(documented), "Returns")


if __name__ == "__main__":
    funcs = checked()
    params = missing_parameters()
    returns = missing_returns()
    print(f"{len(public_functions())} public functions, {len(funcs)} with arguments; "
          f"{len(params)} without Parameters, {len(returns)} returning a value without Returns")
    print("\n".join(["-- no Parameters:", *params, "-- no Returns:", *returns]))
