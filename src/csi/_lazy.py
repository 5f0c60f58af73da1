"""Lazy attributes for a package (PEP 562), so that importing it stays cheap.

:func:`attach` gives a package a module-level ``__getattr__`` and ``__dir__``: a
public name is imported from its submodule the first time it is read, then kept in
the package's namespace (later reads cost nothing). Used by :mod:`csi` so that
``import csi`` loads neither scipy, statsmodels, semopy, matplotlib nor dask.

One subtlety: a public name may equal the name of a submodule (``csi.rake`` is the
function :func:`csi.rake.rake`, and ``csi/rake.py`` is a module). When that module
is imported (by anyone), the import system sets the package attribute to the module;
with eager imports the package's own ``from csi.rake import rake`` ran afterwards
and won. The package's class is therefore switched to :class:`LazyModule`, which
does not let the import system overwrite an exported name with its submodule.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any


class LazyModule(types.ModuleType):
    """A package module whose exported names are not replaced by same-named submodules."""

    _lazy_exports: Mapping[str, str] = {}

    def __setattr__(self, name: str, value: Any) -> None:
        exports = self.__dict__.get("_lazy_exports", {})
        if (
            isinstance(value, types.ModuleType)
            and name in exports
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            return  # the import system binding a submodule: the exported object keeps the name
        super().__setattr__(name, value)


def attach(
    package: str,
    *,
    submodules: Iterable[str] = (),
    exports: Mapping[str, str],
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``.

    ``submodules``: names of submodules loaded on first access (``csi.metrics``).
    ``exports``: public name -> module it is imported from (``"fit_pls": "csi.pls"``).
    """
    module = sys.modules[package]
    subs = frozenset(submodules)
    table = dict(exports)
    module.__class__ = LazyModule
    module.__dict__["_lazy_exports"] = table

    def __getattr__(name: str) -> Any:
        if name in table:
            value = getattr(importlib.import_module(table[name]), name)
        elif name in subs:
            value = importlib.import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module.__dict__[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(module.__dict__) | subs | set(table))

    return __getattr__, __dir__
