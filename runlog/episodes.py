"""Compatibility module: the journal reader now lives in :mod:`runlog.journal`.

``runlog.episodes.read_episodes``, ``runlog.episodes.episode_flags`` and the
other public names keep working; new code imports them from
:mod:`runlog.journal` (or from :mod:`runlog`).
"""

from __future__ import annotations

from .journal import *  # noqa: F403
from .journal import __all__  # noqa: F401
