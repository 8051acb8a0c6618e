"""torchbook itself: every module reachable by its name, listed, and named in the docstring."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import torchbook as tb

SUBMODULES = sorted(info.name for info in pkgutil.walk_packages(tb.__path__, "torchbook."))
TOP_LEVEL = sorted(info.name for info in pkgutil.iter_modules(tb.__path__))
# modules whose functions, not the modules, are re-exported under the package's name
FUNCTIONS_EXPORTED = {
    "devices": ["device", "device_summary"],
    "reproducibility": ["seed", "thread_count"],
}


@pytest.mark.parametrize("name", SUBMODULES)
def test_no_name_in_a_package_hides_one_of_its_modules(name: str) -> None:
    """``torchbook.x`` is the module x, or nothing yet: never a function named like it."""
    parent, _, leaf = name.rpartition(".")
    found = getattr(importlib.import_module(parent), leaf, None)
    assert found is None or inspect.ismodule(found), f"{parent}.{leaf} is {found!r}"


def test_every_module_is_exported_and_described() -> None:
    for name in TOP_LEVEL:
        assert f"``{name}``" in tb.__doc__, f"the package docstring does not name {name}"
        exported = FUNCTIONS_EXPORTED.get(name, [name])
        assert set(exported) <= set(tb.__all__), f"__all__ lacks {exported}"
    assert all(hasattr(tb, name) for name in tb.__all__)


def test_the_reexported_functions_are_the_modules_own() -> None:
    for module, names in FUNCTIONS_EXPORTED.items():
        source = importlib.import_module(f"torchbook.{module}")
        for name in names:
            assert getattr(tb, name) is getattr(source, name)
