"""The package version, in a module that imports nothing, so any module can read it.

``registry.__version__`` is this value; the validation cache keys its entries by it without
importing the package root (which imports the loader, which imports the cache).
"""

__all__ = ["VERSION"]

VERSION = "0.1.0"  # keep equal to pyproject.toml's version (a test checks it)
