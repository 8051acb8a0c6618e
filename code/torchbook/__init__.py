"""torchbook: the helpers every chapter of *PyTorch from first principles* imports.

A chapter starts with::

    import torchbook as tb
    tb.seed(0)
    device = tb.device()

Modules are small and have one job each: ``device`` (where tensors live), ``seed``
(reproducible runs), ``plot`` (the house style of every figure), ``data`` (datasets
with an offline fallback), ``graph`` (drawings of computation graphs) and ``scratch``
(deep learning rebuilt from scratch, starting with the scalar autograd ``Value``) and
``train`` (the training loop later chapters share); ``interop`` copies weights between a
``scratch`` model and its PyTorch twin.
"""

from torchbook import data, graph, interop, plot, scratch, train
from torchbook.device import device, device_summary
from torchbook.seed import seed, thread_count

__all__ = [
    "data",
    "device",
    "device_summary",
    "graph",
    "interop",
    "plot",
    "scratch",
    "seed",
    "thread_count",
    "train",
]
__version__ = "0.1.0"
