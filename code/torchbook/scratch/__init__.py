"""Deep learning rebuilt from scratch: the scalar autograd engine and a NumPy framework.

The chapters grow these step by step in their cells, then import the finished, tested
versions from here so that later chapters can rely on them.
"""

from torchbook.scratch import data, functional, nn, optim
from torchbook.scratch.tensor import Tensor, no_grad
from torchbook.scratch.value import Value

__all__ = ["Tensor", "Value", "data", "functional", "nn", "no_grad", "optim"]
