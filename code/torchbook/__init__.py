"""torchbook: the helpers every chapter of *PyTorch from first principles* imports.

A chapter starts with::

    import torchbook as tb
    tb.seed(0)
    device = tb.device()

Modules are small and have one job each, named after it:

- ``devices``: where tensors live (:func:`device`, :func:`device_summary`);
- ``reproducibility``: runs that repeat themselves (:func:`seed`, :func:`thread_count`);
- ``data``: MNIST with an offline fallback (and ``toy``'s datasets, as ``tb.data.toy_2d``);
- ``toy``: two-dimensional datasets small enough to draw;
- ``train``: the training loop later chapters share;
- ``models``: the MNIST architectures and the recipes that train them;
- ``plot``: the house style of every figure and the helpers that draw tensors, functions,
  training runs and classifiers;
- ``graph``: computation graphs, built from a ``scratch.Value`` expression or a tensor's
  ``grad_fn`` and drawn;
- ``scratch``: deep learning rebuilt from scratch, from the scalar autograd ``Value`` to a
  NumPy framework; ``interop`` copies weights between a ``scratch`` model and its twin.

Where drawing lives: every figure goes through ``plot``'s style (``plot.figure``,
``plot.axes_or_new``). A helper that draws data a chapter already has (tensors, functions,
histories, a model's predictions) lives in ``plot``, in a module named after what it
draws. A module whose job is a structure of its own keeps that structure's drawing beside
it: ``graph`` builds and lays out graphs, and drawing them is the last step of that job.

The functions ``device`` and ``seed`` are re-exported here under their own names; their
modules are ``devices`` and ``reproducibility``, so that neither is shadowed.
"""

from torchbook import data, graph, interop, models, plot, scratch, toy, train
from torchbook.devices import device, device_summary
from torchbook.reproducibility import seed, thread_count

__all__ = [
    "data",
    "device",
    "device_summary",
    "graph",
    "interop",
    "models",
    "plot",
    "scratch",
    "seed",
    "thread_count",
    "toy",
    "train",
]
__version__ = "0.1.0"
