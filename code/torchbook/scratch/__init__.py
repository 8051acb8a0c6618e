"""Deep learning rebuilt from scratch: the scalar autograd engine (and, later, a NumPy framework).

The chapters grow these step by step in their cells, then import the finished, tested
versions from here so that later chapters can rely on them.
"""

from torchbook.scratch import optim
from torchbook.scratch.value import Value

__all__ = ["Value", "optim"]
