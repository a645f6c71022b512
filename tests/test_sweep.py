"""The one reverse sweep: its order is the course's, output layer first, then layer by layer."""

import re

import pytest

import autograd as ag
import nn
from autograd import Value
from autograd.sweep import count_users, levels, order, sweep


def longest_paths_to(root):
    """Each node's longest path to ``root``, computed independently of the sweep:
    a depth-first post-order (explicit stack) gives parents before users."""
    post, seen, stack = [], {root}, [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        parent = next(parents, None)
        if parent is None:
            stack.pop()
            post.append(node)
        elif parent not in seen:
            seen.add(parent)
            stack.append((parent, iter(parent.parents)))
    longest = dict.fromkeys(post, 0)
    for node in reversed(post):  # users before the nodes they use
        for parent in node.parents:
            longest[parent] = max(longest[parent], longest[node] + 1)
    return longest


def assert_level_order(root):
    nodes = order(root)
    expected = longest_paths_to(root)
    assert set(nodes) == set(expected) and len(nodes) == len(expected)
    assert levels(root) == expected
    assert [expected[n] for n in nodes] == sorted(expected[n] for n in nodes)
    position = {n: i for i, n in enumerate(nodes)}
    for node in nodes:  # a node is final only after every node that uses it
        for parent in node.parents:
            assert position[parent] > position[node]


def layer_of(label):
    match = re.match(r"layers\.(\d+)\.", label)
    return int(match.group(1)) if match else None


def course_net():
    """The course's first layer (x = [1, -1], W = [[1, -2], [-1, 1]], b = [1, 0],
    sigmoid) feeding one linear output neuron; C = (y - 1)**2."""
    model = nn.MLP(2, [2, 1], activation="sigmoid", seed=0)
    model.load_state_dict({
        "layers.0.neurons.0.w.0": 1.0, "layers.0.neurons.0.w.1": -2.0,
        "layers.0.neurons.0.b": 1.0,
        "layers.0.neurons.1.w.0": -1.0, "layers.0.neurons.1.w.1": 1.0,
        "layers.0.neurons.1.b": 0.0,
        "layers.1.neurons.0.w.0": 0.5, "layers.1.neurons.0.w.1": -0.5,
        "layers.1.neurons.0.b": 0.0,
    })
    return nn.mse(model([1.0, -1.0]), 1.0)


def test_the_course_net_fills_the_output_layer_first():
    loss = course_net()
    assert_level_order(loss)
    params = [n.label for n in order(loss) if n.label and n.is_leaf]
    assert params == [
        "layers.1.neurons.0.w.0", "layers.1.neurons.0.w.1", "layers.1.neurons.0.b",
        "layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0", "layers.0.neurons.1.w.1", "layers.0.neurons.1.b",
    ]
    named = [n.label for n in order(loss) if n.label and not n.is_leaf]
    # the output neuron's z, then each first-layer neuron's a, then its z
    assert named == ["layers.1.neurons.0.z", "layers.0.neurons.0.a", "layers.0.neurons.1.a",
                     "layers.0.neurons.0.z", "layers.0.neurons.1.z"]


@pytest.mark.parametrize("nin, sizes", [(1, [1]), (2, [3, 1]), (3, [4, 4, 2]), (2, [1, 1, 1, 1]),
                                        (4, [5, 3, 2, 3])])
def test_mlps_fill_layer_by_layer_from_the_output(nin, sizes):
    model = nn.MLP(nin, sizes, activation="tanh", seed=1)
    out = model([0.3 * (i + 1) for i in range(nin)])
    loss = nn.mse(out, [0.5] * sizes[-1] if sizes[-1] > 1 else 0.5)
    assert_level_order(loss)
    layers = [layer_of(n.label) for n in order(loss) if n.label and n.is_leaf]
    assert layers == sorted(layers, reverse=True)  # every layer's parameters after the next's
    assert len(layers) == model.num_parameters()


def test_shared_nodes_wait_for_every_user():
    a, b = Value(0.5, "a"), Value(-1.0, "b")
    c = a * b
    c.label = "c"
    d = c.tanh()
    d.label = "d"
    e = d + c  # c is used by d (level 1) and by e (level 0): its level is 2
    e.label = "e"
    assert [n.label for n in order(e)] == ["e", "d", "c", "a", "b"]
    assert levels(e) == {e: 0, d: 1, c: 2, a: 3, b: 3}
    assert_level_order(e)


def test_ties_inside_a_level_follow_the_users_then_operand_order():
    x, y, z, w = (Value(v, name) for v, name in [(1.0, "x"), (2.0, "y"), (3.0, "z"),
                                                  (4.0, "w")])
    root = x * y + z * w
    assert [n.label or n.op for n in order(root)] == ["add", "mul", "mul", "x", "y", "z", "w"]
    twice = x * x  # one user, two edges: x is final after both shares
    assert [(n, g) for n, g in sweep(twice)] == [(twice, 1.0), (x, 2.0)]
    assert count_users(twice) == {twice: 0, x: 2}


def test_every_reader_of_the_memo_uses_the_sweep_order():
    loss = course_net()
    nodes = order(loss)
    assert list(ag.memo_table(loss)) == nodes
    # the stepper asks about every node but the numbers used in an operation (the 1 of mse)
    assert [s.node for s in ag.steps(loss)] == [n for n in nodes
                                                if not isinstance(n, ag.Constant)]
    assert ag.topological_order(loss) == sorted(nodes, key=levels(loss).__getitem__,
                                                reverse=True)


def test_sweep_entries_are_the_chain_rule():
    loss = course_net()
    memo = dict(sweep(loss, 2.0))
    assert memo[loss] == 2.0
    for node in memo:
        if node is loss:
            continue
        users = [(u, local) for u in memo for p, local in zip(u.parents, u.local_grads)
                 if p is node]
        assert memo[node] == pytest.approx(sum(memo[u] * local for u, local in users),
                                           rel=1e-12, abs=1e-15)


def test_a_million_node_graph_sweeps_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(500_000):
        y = y * 1.0  # 1,000,001 nodes with the constants
    nodes = order(y)
    assert len(nodes) == 1_000_001 and nodes[0] is y and nodes[-2] is x  # x, then its 1.0
