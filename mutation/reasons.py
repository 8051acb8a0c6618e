"""Why each mutant that survives ``make mutate`` may live, keyed by what it changes.

A key is ``<module>.<function>: <removed lines> -> <added lines>``, exactly as
``report.py`` prints it, so a reason stays with its mutant when mutmut renumbers, and is
listed as stale at the end of ``results.md`` once its mutant is gone or its line changed.
Each reason says whether the mutant is *equivalent* (no test could tell it from the
original) or *harmless* (it changes something nothing depends on), and why.
"""

from __future__ import annotations

COSMETIC = (
    "harmless: a cosmetic constant of the drawing (line width, arrow head, font, corner "
    "rounding, arrow colour). Any value draws the same graph, in the same places, and no "
    "test can say which value is right; the layout and geometry themselves are tested."
)
ZIP_STRICT = (
    "equivalent: the sequences zipped are built together just above, always of one length, "
    "so `strict=True` never raises and any other `strict` behaves the same."
)
COPY = (
    "equivalent: `copy` only decides whether an array already of the right dtype is copied, "
    "and nothing writes into these arrays: the operation and its backward step only read them."
)
KIND_LETTERS = (
    "equivalent: a NumPy dtype's `kind` is one letter, never 'X', so adding X's to the string "
    "of accepted kinds accepts nothing more."
)
CLAMP = (
    "equivalent: bilinear resizing (align_corners=False) makes each pixel a convex "
    "combination of the scan's values, which lie in 0..16, so the clamp to [0, 16] never "
    "changes a value and any bound outside that range behaves the same."
)
MKDIR_PARENTS = (
    "equivalent: `raw.parent` is created two lines above, so whether `raw.mkdir` would also "
    "create its parents never matters."
)
RMTREE = (
    "harmless: `ignore_errors` only matters when the scratch folder cannot be removed after "
    "the download; the tests remove it, and whether an unremovable folder's error is raised "
    "or ignored decides nothing about the data read."
)
TORCHVISION_TRAIN = (
    "equivalent: torchvision's MNIST downloads all four files whatever `train` says; "
    "`train` only decides which split that object would load, and `_download` never uses it."
)
FLOAT64_SCANS = (
    "harmless: the scans are resized in float64 instead of float32. The images stay within "
    "one grey level of the float32 ones (916 of 1.4 million pixels round to the next level; "
    "the test's NumPy reference allows 1 for rounding); the fallback pages' numbers could "
    "move in their last digit, correctly either way."
)
ALIGN_CORNERS = "equivalent: for bilinear resizing, torch takes `align_corners=None` as False."
INT64_ALREADY = (
    "equivalent: these labels become a DigitsDataset's targets, which its constructor converts "
    "to int64 whatever they were (and load_digits' targets are int64 already)."
)
STACKLEVEL = (
    "harmless, and untestable under mutmut: stacklevel decides which caller the warning "
    "names. mutmut wraps every function in a trampoline, one more frame, so the test can "
    "only check that the warning does not name data.py; outside mutmut, 2 names the caller."
)
BYTEORDER = (
    "equivalent on the Python `make mutate` runs (3.11): `int.from_bytes` reads big-endian "
    "by default since 3.11. On 3.10 the mutant would raise, and the IDX tests would fail."
)
MPS_BACKEND = (
    "equivalent with the locked torch (2.14.1): `torch.backends.mps` always exists (since torch "
    "1.12), so `getattr`'s default is never used; it is there for an older torch."
)
EMPTY_COLUMN = (
    "equivalent: the extra column is empty. The right-to-left sweep then starts at the last "
    "real column, whose nodes have no consumers, so a stable sort keeps them where they are."
)
LEAVES_ONLY = (
    "equivalent: in the left-to-right sweep only the last column's order survives (the other "
    "columns are sorted again right to left), and a node without inputs sits in the last "
    "column only when every node is a leaf, where all of them get the same default."
)
TIE_BREAK = (
    "equivalent in every graph torchbook builds: the second sort key only orders nodes whose "
    "consumers sit at the same mean height, and a node with no consumers there is alone in its "
    "column or has the key 0 (its consumers' first operand) like the others."
)
NEXT_FUNCTIONS = (
    "equivalent: every node of an autograd graph, AccumulateGrad included, has "
    "`next_functions`, so `getattr`'s default is never used."
)
CLEARANCE_SIGN = (
    "equivalent: dividing by 1 or -1 is multiplying by it, so the arc bends the same way."
)
SAME_COLUMN = (
    "equivalent: an arrow never starts and ends in one column (the layout puts every node "
    "left of each node that uses it), so `>` and `>=` agree."
)
COLOUR_CASE = "equivalent: matplotlib reads colour names regardless of case."
ONE_CYCLE_LR = (
    "equivalent: OneCycleLR sets every parameter group's learning rate to max_lr / 25 when it "
    "is built, whatever Adam was given; the test checks the rate the first step uses."
)
RANDINT_DTYPE = (
    "equivalent: NumPy's legacy generator draws the same number for `randint(2**32)` "
    "whether the result is int64 (the default) or uint64 (checked: seed 8 gives 3751350723)."
)
ELU_MIN = (
    "equivalent: for x > 0 both the value and the slope take the positive branch of "
    "`np.where`, so the negative part computed there is discarded; min(x, 1) still keeps "
    "expm1 from overflowing."
)
RESHAPE_NEGATIVE = "equivalent: NumPy infers a size given as any negative number, not only -1."
BATCH_NORM_M = (
    "equivalent: X.size is a whole multiple of the channel count, so true division gives the "
    "same number as floor division; m is only compared and divided by."
)
PAD_ZERO = "equivalent: padding by (0, 0) on every side gives the same array."
BIAS_BROADCAST = (
    "equivalent: broadcasting aligns trailing axes, so a bias of shape (o, 1, 1) meets the "
    "(n, o, oh, ow) output on the same axis as (1, o, 1, 1)."
)
MOMENTUM_COPY = (
    "equivalent: `g / 1` and `g * 1` both make a new array equal to g; the line is there to "
    "copy the gradient, which both do."
)
CENTERED_SIGN = (
    "equivalent: the running mean of the gradients is only used squared, and the mutant's "
    "running mean is exactly its negative at every step (both start at 0)."
)
MATMUL_LIKE = (
    "equivalent: `like` only decides the dtype of a Python number, and a matrix product never "
    "takes a number (NumPy refuses a 0-d operand before the tensor is made)."
)
PROMOTE_KINDS = "equivalent: this branch runs only when the two kinds differ, where > and >= agree."
REQUIRES_GRAD_INIT = (
    "equivalent: the attribute is set again two lines below by `requires_grad_()`, before "
    "anything reads it."
)
REPR_PREFIX = (
    "equivalent: `array2string` uses the prefix only for its length (to indent the rows "
    "after the first), and 'tensor(' is as long as 'Tensor('."
)
SEEN_TWICE = (
    "equivalent: a parent already seen is skipped when it is popped, so pushing it again only "
    "costs a step; the order and the gradients are the same."
)
BOOL_PREDICTIONS = (
    "equivalent: comparing boolean predictions with 0/1 targets (integer or float) gives "
    "the same answers as converting them to the targets' dtype first."
)
EPOCH_START = (
    "equivalent: the loop sets `epoch` before the first training step can read it, so its "
    "starting value is never seen."
)
GETITEM_FLOAT = (
    "equivalent: a uint8 image divided by 255.0 is float32 already (torch's default dtype)."
)
LABELS_INT64 = (
    "equivalent: both callers hand these labels to DigitsDataset, which converts them to int64."
)

REASONS: dict[str, str] = {
    # data.py
    "data.DigitsDataset.__getitem__: image = self.images[index].unsqueeze(0)"
    ".to(torch.float32) / 255.0 -> image = self.images[index].unsqueeze(0).to(None) / 255.0": (
        GETITEM_FLOAT
    ),
    "data._fallback_digits: images = torch.as_tensor(bunch.images, dtype=torch.float32)"
    ".unsqueeze(1)  # values 0..16 -> images = torch.as_tensor(bunch.images, dtype=None)"
    ".unsqueeze(1)  # values 0..16": FLOAT64_SCANS,
    "data._fallback_digits: images = torch.as_tensor(bunch.images, dtype=torch.float32)"
    ".unsqueeze(1)  # values 0..16 -> images = torch.as_tensor(bunch.images, ).unsqueeze(1)"
    "  # values 0..16": FLOAT64_SCANS,
    'data._fallback_digits: images = F.interpolate(images, size=(20, 20), mode="bilinear", '
    'align_corners=False) -> images = F.interpolate(images, size=(20, 20), mode="bilinear", '
    "align_corners=None)": ALIGN_CORNERS,
    'data._fallback_digits: images = F.interpolate(images, size=(20, 20), mode="bilinear", '
    'align_corners=False) -> images = F.interpolate(images, size=(20, 20), mode="bilinear", )': (
        ALIGN_CORNERS
    ),
    "data._download: MNIST(str(scratch), train=True, download=True) -> "
    "MNIST(str(scratch), train=None, download=True)": TORCHVISION_TRAIN,
    "data._download: MNIST(str(scratch), train=True, download=True) -> "
    "MNIST(str(scratch), train=False, download=True)": TORCHVISION_TRAIN,
    'data._read_idx: shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in '
    "range(ndim)) -> shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], ) for i in "
    "range(ndim))": BYTEORDER,
    "data._download: raw.mkdir(parents=True, exist_ok=True) -> "
    "raw.mkdir(parents=None, exist_ok=True)": MKDIR_PARENTS,
    "data._download: raw.mkdir(parents=True, exist_ok=True) -> raw.mkdir(exist_ok=True)": (
        MKDIR_PARENTS
    ),
    "data._download: raw.mkdir(parents=True, exist_ok=True) -> "
    "raw.mkdir(parents=False, exist_ok=True)": MKDIR_PARENTS,
    "data._fallback_digits: images = (images.clamp(0, 16) * (255.0 / 16.0)).round()"
    ".to(torch.uint8).squeeze(1) -> images = (images.clamp(None, 16) * (255.0 / 16.0)).round()"
    ".to(torch.uint8).squeeze(1)": CLAMP,
    "data._fallback_digits: images = (images.clamp(0, 16) * (255.0 / 16.0)).round()"
    ".to(torch.uint8).squeeze(1) -> images = (images.clamp(0, None) * (255.0 / 16.0)).round()"
    ".to(torch.uint8).squeeze(1)": CLAMP,
    "data._fallback_digits: images = (images.clamp(0, 16) * (255.0 / 16.0)).round()"
    ".to(torch.uint8).squeeze(1) -> images = (images.clamp(0, ) * (255.0 / 16.0)).round()"
    ".to(torch.uint8).squeeze(1)": CLAMP,
    "data._fallback_digits: images = (images.clamp(0, 16) * (255.0 / 16.0)).round()"
    ".to(torch.uint8).squeeze(1) -> images = (images.clamp(0, 17) * (255.0 / 16.0)).round()"
    ".to(torch.uint8).squeeze(1)": CLAMP,
    "data._read_idx_pair: return images, labels.to(torch.int64) -> "
    "return images, labels.to(None)": LABELS_INT64,
    "data._fallback_digits: targets = torch.as_tensor(bunch.target, dtype=torch.int64) -> "
    "targets = torch.as_tensor(bunch.target, dtype=None)": INT64_ALREADY,
    "data._fallback_digits: targets = torch.as_tensor(bunch.target, dtype=torch.int64) -> "
    "targets = torch.as_tensor(bunch.target, )": INT64_ALREADY,
    "data._download: shutil.rmtree(scratch, ignore_errors=True) -> "
    "shutil.rmtree(scratch, ignore_errors=None)": RMTREE,
    "data._download: shutil.rmtree(scratch, ignore_errors=True) -> "
    "shutil.rmtree(scratch, )": RMTREE,
    "data._download: shutil.rmtree(scratch, ignore_errors=True) -> "
    "shutil.rmtree(scratch, ignore_errors=False)": RMTREE,
    "data.mnist: stacklevel=2, -> stacklevel=3,": STACKLEVEL,
    # devices.py
    'devices._mps_available: backend = getattr(torch.backends, "mps", None) -> '
    'backend = getattr(torch.backends, "mps", )': MPS_BACKEND,
    # graph.py
    "graph._positions: columns = [[i for i, n in enumerate(layers) if n == col] for col in "
    "range(max(layers) + 1)] -> columns = [[i for i, n in enumerate(layers) if n == col] for "
    "col in range(max(layers) + 2)]": EMPTY_COLUMN,
    "graph._positions: members.sort(key=lambda i: -_mean([pos[p][1] for p in inputs[i]], 0.0))"
    " -> members.sort(key=lambda i: -_mean([pos[p][1] for p in inputs[i]], 1.0))": LEAVES_ONLY,
    "graph._positions: min((inputs[c].index(i) for c in consumers[i]), default=0), -> "
    "min((inputs[c].index(i) for c in consumers[i]), default=None),": TIE_BREAK,
    "graph._positions: min((inputs[c].index(i) for c in consumers[i]), default=0), -> "
    "min((inputs[c].index(i) for c in consumers[i]), default=1),": TIE_BREAK,
    'graph.torch_graph: for parent, _ in getattr(fn, "next_functions", ()): -> '
    'for parent, _ in getattr(fn, "next_functions", None):': NEXT_FUNCTIONS,
    'graph.torch_graph: for parent, _ in getattr(fn, "next_functions", ()): -> '
    'for parent, _ in getattr(fn, "next_functions", ):': NEXT_FUNCTIONS,
    "graph.draw: clearance = (box_h / 2 + 0.2) * (1 if head[0] > tail[0] else -1) -> "
    "clearance = (box_h / 2 + 0.2) / (1 if head[0] > tail[0] else -1)": CLEARANCE_SIGN,
    "graph.draw: clearance = (box_h / 2 + 0.2) * (1 if head[0] > tail[0] else -1) -> "
    "clearance = (box_h / 2 + 0.2) * (1 if head[0] >= tail[0] else -1)": SAME_COLUMN,
    "graph.draw: for p, c, q in zip(tail, control, head, strict=True) -> "
    "for p, c, q in zip(tail, control, head, strict=None)": ZIP_STRICT,
    "graph.draw: for p, c, q in zip(tail, control, head, strict=True) -> "
    "for p, c, q in zip(tail, control, head, )": ZIP_STRICT,
    "graph.draw: for p, c, q in zip(tail, control, head, strict=True) -> "
    "for p, c, q in zip(tail, control, head, strict=False)": ZIP_STRICT,
    'graph.draw: bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": '
    '"none"}, -> bbox={"boxstyle": "round,pad=0.15", "facecolor": "WHITE", "edgecolor": '
    '"none"},': COLOUR_CASE,
    'graph.draw: bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": '
    '"none"}, -> bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": '
    '"NONE"},': COLOUR_CASE,
    # models.py
    "models.Recipe.optimizer_and_scheduler: parameters, lr=self.max_lr / 25, "
    "weight_decay=self.weight_decay -> parameters, weight_decay=self.weight_decay": ONE_CYCLE_LR,
    "models.Recipe.optimizer_and_scheduler: parameters, lr=self.max_lr / 25, "
    "weight_decay=self.weight_decay -> parameters, lr=self.max_lr * 25, "
    "weight_decay=self.weight_decay": ONE_CYCLE_LR,
    "models.Recipe.optimizer_and_scheduler: parameters, lr=self.max_lr / 25, "
    "weight_decay=self.weight_decay -> parameters, lr=self.max_lr / 26, "
    "weight_decay=self.weight_decay": ONE_CYCLE_LR,
    # scratch/data.py
    "scratch.data.DataLoader.__init__: seed = int(np.random.randint(2**32, dtype=np.uint64)) "
    "-> seed = int(np.random.randint(2**32, ))": RANDINT_DTYPE,
    # scratch/functional.py
    "scratch.functional.elu: negative_part = alpha * np.expm1(np.minimum(x.data, 0))  # min: "
    "no overflow for large x -> negative_part = alpha * np.expm1(np.minimum(x.data, 1))  # "
    "min: no overflow for large x": ELU_MIN,
    'scratch.functional.cross_entropy: if labels.dtype.kind not in "iu": -> '
    'if labels.dtype.kind not in "XXiuXX":': KIND_LETTERS,
    "scratch.functional.linear: g2, X2 = g.reshape(-1, g.shape[-1]), X.reshape(-1, "
    "X.shape[-1])  # batch axes as one -> g2, X2 = g.reshape(-2, g.shape[-1]), "
    "X.reshape(-1, X.shape[-1])  # batch axes as one": RESHAPE_NEGATIVE,
    "scratch.functional.linear: g2, X2 = g.reshape(-1, g.shape[-1]), X.reshape(-1, "
    "X.shape[-1])  # batch axes as one -> g2, X2 = g.reshape(-1, g.shape[-1]), "
    "X.reshape(-2, X.shape[-1])  # batch axes as one": RESHAPE_NEGATIVE,
    "scratch.functional.batch_norm: m = X.size // X.shape[1]  # values per channel -> "
    "m = X.size / X.shape[1]  # values per channel": BATCH_NORM_M,
    "scratch.functional.conv2d: xp = np.pad(X, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or "
    "pw else X -> xp = np.pad(X, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if (ph or pw) or True "
    "else X": PAD_ZERO,
    "scratch.functional.max_pool2d: for (i, j), candidate in zip(positions, pixels, "
    "strict=True): -> for (i, j), candidate in zip(positions, pixels, strict=None):": ZIP_STRICT,
    "scratch.functional.max_pool2d: for (i, j), candidate in zip(positions, pixels, "
    "strict=True): -> for (i, j), candidate in zip(positions, pixels, ):": ZIP_STRICT,
    "scratch.functional.max_pool2d: for (i, j), candidate in zip(positions, pixels, "
    "strict=True): -> for (i, j), candidate in zip(positions, pixels, strict=False):": (ZIP_STRICT),
    "scratch.functional.conv2d: out += bias.data.reshape(1, o, 1, 1) -> "
    "out += bias.data.reshape(o, 1, 1)": BIAS_BROADCAST,
    # scratch/optim.py
    "scratch.optim.Optimizer.step: for p, state in zip(self.params, self.state, strict=True): "
    "-> for p, state in zip(self.params, self.state, strict=None):": ZIP_STRICT,
    "scratch.optim.Optimizer.step: for p, state in zip(self.params, self.state, strict=True): "
    "-> for p, state in zip(self.params, self.state, ):": ZIP_STRICT,
    "scratch.optim.Optimizer.step: for p, state in zip(self.params, self.state, strict=True): "
    "-> for p, state in zip(self.params, self.state, strict=False):": ZIP_STRICT,
    "scratch.optim.SGD.update: velocity = g * 1  # a copy of the gradient, not the gradient "
    "array itself -> velocity = g / 1  # a copy of the gradient, not the gradient array "
    "itself": MOMENTUM_COPY,
    'scratch.optim.RMSprop.update: mean = state["grad_avg"] = a * state.get("grad_avg", 0) + '
    '(1 - a) * g -> mean = state["grad_avg"] = a * state.get("grad_avg", 0) - (1 - a) * g': (
        CENTERED_SIGN
    ),
    # scratch/tensor.py
    "scratch.tensor.Tensor.__rmatmul__: return _as_tensor(other, self) @ self -> "
    "return _as_tensor(other, None) @ self": MATMUL_LIKE,
    "scratch.tensor.Tensor.__matmul__: other = _as_tensor(other, self) -> "
    "other = _as_tensor(other, None)": MATMUL_LIKE,
    "scratch.tensor._promote: dtype = x.dtype if _KIND[x.dtype.kind] > _KIND[y.dtype.kind] "
    "else y.dtype -> dtype = x.dtype if _KIND[x.dtype.kind] >= _KIND[y.dtype.kind] else "
    "y.dtype": PROMOTE_KINDS,
    "scratch.tensor.Tensor.__init__: self.requires_grad = False -> "
    "self.requires_grad = None": REQUIRES_GRAD_INIT,
    "scratch.tensor.Tensor.__init__: self.requires_grad = False -> "
    "self.requires_grad = True": REQUIRES_GRAD_INIT,
    'scratch.tensor._as_array: if array.dtype.kind not in "buif": -> '
    'if array.dtype.kind not in "XXbuifXX":': KIND_LETTERS,
    'scratch.tensor.Tensor.__repr__: body = np.array2string(self.data, separator=", ", '
    'prefix="Tensor(") -> body = np.array2string(self.data, separator=", ", '
    'prefix="tensor(")': REPR_PREFIX,
    'scratch.tensor.Tensor.__repr__: body = np.array2string(self.data, separator=", ", '
    'prefix="Tensor(") -> body = np.array2string(self.data, separator=", ", '
    'prefix="TENSOR(")': REPR_PREFIX,
    # scratch/value.py
    "scratch.value.Value.topological_order: stack.extend((parent, False) for parent in "
    "node._parents if id(parent) not in seen) -> stack.extend((parent, False) for parent in "
    "node._parents if id(None) not in seen)": SEEN_TWICE,
    # train.py
    "train.accuracy: predicted = (output.reshape(-1) > 0).to(target.dtype) -> "
    "predicted = (output.reshape(-1) > 0).to(None)": BOOL_PREDICTIONS,
    "train.fit: epoch = 0 -> epoch = None": EPOCH_START,
    "train.fit: epoch = 0 -> epoch = 1": EPOCH_START,
}

_COPY_ARGS = ["copy=None", "", "copy=True"]
for _mutated in _COPY_ARGS:
    _left = f"x.astype(dtype, {_mutated})"
    REASONS[
        "scratch.tensor._promote: return x.astype(dtype, copy=False), y.astype(dtype, "
        f"copy=False) -> return {_left}, y.astype(dtype, copy=False)"
    ] = COPY
    _right = f"y.astype(dtype, {_mutated})"
    REASONS[
        "scratch.tensor._promote: return x.astype(dtype, copy=False), y.astype(dtype, "
        f"copy=False) -> return x.astype(dtype, copy=False), {_right}"
    ] = COPY

# The drawing's cosmetic constants, one mutant per argument changed, dropped or set to None.
_COSMETIC_CHANGES = [
    "linewidth=1.4, -> linewidth=None,",
    "linewidth=1.4, -> linewidth=2.4,",
    "linewidth=1.4, / ) -> )",
    'boxstyle="round,pad=0.02,rounding_size=0.08", -> ',
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=8, family="monospace") -> '
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=None, family="monospace")',
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=8, family="monospace") -> '
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=8, family=None)',
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=8, family="monospace") -> '
    'ax.text(x, y, node.text, ha="center", va="center", family="monospace")',
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=8, family="monospace") -> '
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=8, )',
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=8, family="monospace") -> '
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=9, family="monospace")',
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=8, family="monospace") -> '
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=8, family="XXmonospaceXX")',
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=8, family="monospace") -> '
    'ax.text(x, y, node.text, ha="center", va="center", fontsize=8, family="MONOSPACE")',
    'color="#555555", -> color=None,',
    "linewidth=1.0, -> linewidth=None,",
    "shrinkA=0, -> shrinkA=None,",
    "shrinkB=0, -> shrinkB=None,",
    'arrowstyle="-|>", -> ',
    "mutation_scale=10, -> ",
    'color="#555555", -> ',
    "linewidth=1.0, -> ",
    "shrinkA=0, -> ",
    "shrinkB=0, / ) -> )",
    "mutation_scale=10, -> mutation_scale=11,",
    "linewidth=1.0, -> linewidth=2.0,",
    "shrinkA=0, -> shrinkA=1,",
    "shrinkB=0, -> shrinkB=1,",
    "fontsize=8, -> fontsize=None,",
    "fontsize=8, -> ",
    "fontsize=8, -> fontsize=9,",
]
for _change in _COSMETIC_CHANGES:
    REASONS[f"graph.draw: {_change}"] = COSMETIC
