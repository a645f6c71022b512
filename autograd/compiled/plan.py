"""Planning a replay: where every value lives and which nodes run together.

A call of the program fills two arrays:

- ``V``, the value array, one row per node and one column per sample: the
  inputs first, then the parameters that an elementwise or segment kernel
  reads, then the constants, then the nodes made by operations;
- ``S``, the static vector, the same for every sample: the parameters, then the
  constants (the graph's Constant leaves, then the numbers met inside ``sum``
  and ``dot`` contexts).

The nodes of the same op on the same level of the backward sweep (the longest
path to the output, ``autograd.sweep.levels``) form one kernel: one NumPy
operation over their block of rows. A node's parents lie on deeper levels, so
running the levels deepest first computes parents first, and the number of
kernels grows with the depth of the graph, not with its size.

A level's ``dot`` nodes that all read the same varying operands against
parameters or numbers (a dense layer: every neuron reads the same inputs) are
one matrix product; the other ``dot`` nodes are segment sums.

Nothing here needs NumPy: a plan is rows and indices; ``kernels.py`` turns it
into NumPy operations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..sweep import levels
from ..value import Constant, Value


def is_constant(v: Value) -> bool:
    """A Constant leaf, or a leaf an op made from numbers alone (``sum([1.0, 2.0])``)."""
    return isinstance(v, Constant) or bool(v.op)


@dataclass
class MatmulPlan:
    """``dot`` nodes as one matrix product ``W @ X``: the varying operands every node
    reads (``x_nodes``), each node's row of S indices against them (``w``), and the
    pairs with no varying side, ``(node position, S index, S index)`` (a bias times 1)."""

    x_nodes: list[Value]
    w: list[list[int]]
    pairs: list[tuple[int, int, int]]


@dataclass
class KernelPlan:
    """One kernel: nodes of the op ``op`` that fill the rows ``lo`` onwards of V,
    as one matrix product when ``matmul`` is set."""

    op: str
    nodes: list[Value]
    lo: int = 0
    matmul: MatmulPlan | None = None


@dataclass
class Plan:
    """Every row and index a program needs; see the module docstring for the layout."""

    parameters: list[Value]
    n_inputs: int
    row: dict[Value, int]  # the V row of each input, node, constant, parameter read there
    static: dict[Value, int]  # the S index of each parameter and Constant leaf
    number_index: dict[float, int]  # the S index of each number met in a sum/dot context
    const_values: list[float]  # S after the parameters
    v_params: list[int]  # the S indices of the parameters copied into V
    need_rows: set[int]  # the V rows whose adjoint reaches a parameter
    kernels: list[KernelPlan]  # in execution order
    n_rows: int

    @property
    def n_params(self) -> int:
        return len(self.parameters)

    @property
    def constants_row(self) -> int:
        """The V row of the first constant: the constants mirror S after the parameters."""
        return self.n_inputs + len(self.v_params)

    def operand_row(self, x: Value | float) -> int:
        """The V row of an operand: a node's row, or the row of a number's constant."""
        if isinstance(x, Value):
            return self.row[x]
        return self.constants_row + self.number_index[float(x)] - self.n_params


def group_by_level(graph: Sequence[Value], output: Value) -> list[tuple[str, list[Value]]]:
    """The op nodes grouped by (level, op): deepest level first, ops by name within a
    level, each group's nodes in ``graph``'s order (a layer's neurons in order)."""
    level = levels(output)
    groups: dict[tuple[int, str], list[Value]] = {}
    for v in graph:
        if v.parents:
            groups.setdefault((-level[v], v.op), []).append(v)
    return [(name, nodes) for (_, name), nodes in sorted(groups.items())]


def parameter_order(params: list[Value], dot_groups: list[list[Value]]) -> list[Value]:
    """The parameters in the order the dot nodes read them, node by node and pair by
    pair (so a dense layer's weights and biases lie in one block of S, in the order
    ``nn.MLP.parameters()`` lists them), then the others in ``params``' order."""
    wanted = set(params)
    order: dict[Value, None] = {}
    for nodes in dot_groups:
        for v in nodes:
            for w, x in zip(*v.ctx):
                for side in (w, x):
                    if isinstance(side, Value) and side in wanted:
                        order[side] = None
    for p in params:
        order[p] = None
    return list(order)


def plan_dots(nodes: list[Value], static: dict[Value, int],
              number: Callable[[float], int]) -> list[KernelPlan]:
    """Split one level's dot nodes into matrix products (nodes that read the same
    varying operands against parameters or numbers) and one segment-sum kernel for
    the rest. Pairs with no varying side (a bias times 1) ride along with the product."""

    def s_index(x: Value | float) -> int:
        return static[x] if isinstance(x, Value) else number(x)

    def is_static(x: Value | float) -> bool:
        return not isinstance(x, Value) or x in static

    by_x: dict[tuple, list] = {}
    rest = []
    for v in nodes:
        w_row, x_row, pairs = [], [], []
        for w, x in zip(*v.ctx):
            w_static, x_static = is_static(w), is_static(x)
            if w_static and x_static:
                pairs.append((s_index(w), s_index(x)))
            elif w_static or x_static:
                s, var = (w, x) if w_static else (x, w)
                w_row.append(s_index(s))
                x_row.append(var)
            else:  # two varying sides: no matrix to multiply by
                rest.append(v)
                break
        else:
            by_x.setdefault(tuple(x_row), []).append((v, w_row, pairs))
    kernels = [KernelPlan("dot", [v for v, _, _ in group], matmul=MatmulPlan(
        list(key), [w for _, w, _ in group],
        [(i, a, b) for i, (_, _, ps) in enumerate(group) for a, b in ps]))
        for key, group in by_x.items()]
    if rest:
        for v in rest:  # the numbers among the operands get constant slots now
            for side in (*v.ctx[0], *v.ctx[1]):
                if not isinstance(side, Value):
                    number(side)
        kernels.append(KernelPlan("dot", rest))
    return kernels


def plan(inputs: Sequence[Value], output: Value, graph: Sequence[Value]) -> Plan:
    """Lay out V and S and list the kernels for the graph of ``output`` (``graph``: its
    nodes, parents first). The graph's leaves other than ``inputs`` are parameters,
    except the constants."""
    in_row = {v: i for i, v in enumerate(inputs)}
    leaves = [v for v in graph if not v.parents and v not in in_row]
    consts = [v for v in leaves if is_constant(v)]
    params = [v for v in leaves if not is_constant(v)]
    # Only the nodes whose adjoint can reach a parameter need a backward pass.
    needs: set[Value] = set(params)
    for v in graph:
        if any(p in needs for p in v.parents):
            needs.add(v)
    groups = group_by_level(graph, output)
    params = parameter_order(params, [nodes for name, nodes in groups if name == "dot"])
    n_in, n_par = len(inputs), len(params)

    static = {p: i for i, p in enumerate(params)}
    for j, c in enumerate(consts):
        static[c] = n_par + j
    const_values = [c.data for c in consts]
    number_index: dict[float, int] = {}

    def number(x: float) -> int:
        """The S index of a number, given a constant slot on first sight."""
        x = float(x)
        if x not in number_index:
            number_index[x] = n_par + len(const_values)
            const_values.append(x)
        return number_index[x]

    kernels: list[KernelPlan] = []
    for name, nodes in groups:
        if name == "dot":
            kernels.extend(plan_dots(nodes, static, number))
            continue
        if name == "sum":
            for v in nodes:
                if v.ctx[0] != 0:
                    number(v.ctx[0])
        kernels.append(KernelPlan(name, nodes))

    # The parameters an elementwise or segment kernel reads (or the output, when it
    # is one) get a V row; a matrix product reads its parameters from S.
    read_in_v = {p for k in kernels if k.matmul is None for v in k.nodes for p in v.parents}
    read_in_v.add(output)
    v_params = sorted(static[p] for p in params if p in read_in_v)
    constants_row = n_in + len(v_params)
    row = dict(in_row)
    for k, i in enumerate(v_params):
        row[params[i]] = n_in + k
    for c in consts:
        row[c] = constants_row + static[c] - n_par
    lo = constants_row + len(const_values)
    for kernel in kernels:
        kernel.lo = lo
        for v in kernel.nodes:
            row[v] = lo
            lo += 1
    return Plan(parameters=params, n_inputs=n_in, row=row, static=static,
                number_index=number_index, const_values=const_values, v_params=v_params,
                need_rows={row[v] for v in needs if v in row}, kernels=kernels, n_rows=lo)
