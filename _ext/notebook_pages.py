"""Which pages the book publishes as notebooks, for Colab, Binder and the download button.

Not an extension: a list that two programs must agree on, kept in one place. The launch
buttons (``colab_notebooks.py``, during the build) point only at notebooks that exist, and
``tools/notebooks.py`` (after the build) writes exactly those. A page is published when it
has code cells, except the pages named here.
"""

from __future__ import annotations

# The build-status page reports the machine that built the book; run elsewhere it would
# describe another machine, so it is not offered as a notebook.
NOT_PUBLISHED = frozenset({"book/status"})


def publishes_notebook(pagename: str, has_code: bool) -> bool:
    """True when the page ``pagename`` (``book/tensors``) is published as a notebook."""
    return has_code and pagename not in NOT_PUBLISHED
