"""In the ``runlog`` program, OpenBLAS starts one thread, not one per core.

Imported first by ``runlog/__init__.py``, before anything loads numpy.  The program does its
numerical work on one thread by design (its fits under :func:`runlog._threads.one_thread`, its
imports in worker processes), but numpy's and scipy's OpenBLAS each start a thread per core when
they load: 0.1-0.15 s of CPU per command (``import pandas`` alone 0.49 -> 0.37 s of CPU on this
project's 2-core machine), taken from the other cores' work on a busy machine.

Only a process started as the ``runlog`` console script, before numpy is loaded, and only when
``OPENBLAS_NUM_THREADS`` is not set already: a script or notebook that imports runlog keeps its
threads.
"""

from __future__ import annotations

import os
import sys

__all__ = ["PROGRAM_NAMES", "is_program", "one_thread_program"]

#: What the console script's ``sys.argv[0]`` ends with (pip's script; its Windows forms).
PROGRAM_NAMES = ("runlog", "runlog.exe", "runlog-script.py")


def is_program(argv0: str | None = None) -> bool:
    """Whether this process was started as the ``runlog`` console script.

    Parameters
    ----------
    argv0 : str, optional
        The program path (default ``sys.argv[0]``); its file name is compared with
        :data:`PROGRAM_NAMES`.

    Returns
    -------
    bool
    """
    if argv0 is None:
        argv = getattr(sys, "argv", None) or [""]
        argv0 = str(argv[0])
    return os.path.basename(argv0).lower() in PROGRAM_NAMES


def one_thread_program() -> bool:
    """Set ``OPENBLAS_NUM_THREADS=1`` when this is the program and numpy is not loaded yet.

    Returns
    -------
    bool
        True when the variable was set here.
    """
    if is_program() and "numpy" not in sys.modules and "OPENBLAS_NUM_THREADS" not in os.environ:
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
        return True
    return False


one_thread_program()
