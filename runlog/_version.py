"""runlog's version, written here only (runlog.__version__ and pyproject.toml read it)."""

__version__ = "0.1.0"
