"""nn.data (Dataset, DataLoader, random_split) and nn.datasets."""

import builtins
import math
import statistics

import pytest

from nn import DataLoader, Dataset, ListDataset, datasets, random_split


def numbered(n):
    return ListDataset([[float(i)] for i in range(n)], list(range(n)))


def test_list_dataset_indexes_and_converts_numpy():
    np = pytest.importorskip("numpy")
    ds = ListDataset(np.array([[0.5, 1.0], [2.0, 3.0]]), np.array([1, 0]))
    assert len(ds) == 2 and ds[0] == ([0.5, 1.0], 1)
    assert type(ds[0][0][0]) is float and type(ds[0][1]) is int
    assert list(ds) == [([0.5, 1.0], 1), ([2.0, 3.0], 0)]
    with pytest.raises(ValueError, match="2 inputs but 3 targets"):
        ListDataset([[1.0], [2.0]], [0, 1, 2])


def test_a_dataset_of_your_own():
    class Squares(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return [float(i)], float(i * i)

    batches = list(DataLoader(Squares(), batch_size=3))
    assert batches == [([[0.0], [1.0], [2.0]], [0.0, 1.0, 4.0]), ([[3.0]], [9.0])]


def test_loader_batches_in_order_and_drop_last():
    loader = DataLoader(numbered(7), batch_size=3)
    assert len(loader) == 3
    assert [ys for _, ys in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    loader = DataLoader(numbered(7), batch_size=3, drop_last=True)
    assert len(loader) == 2 and [ys for _, ys in loader] == [[0, 1, 2], [3, 4, 5]]
    assert list(DataLoader((([1.0], [2.0]), (0, 1)), batch_size=5)) == [([[1.0], [2.0]], [0, 1])]


def test_shuffling_is_seeded_and_changes_each_epoch():
    def epochs(seed):
        loader = DataLoader(numbered(10), batch_size=4, shuffle=True, seed=seed)
        return [[ys for _, ys in loader] for _ in range(3)]

    a = epochs(5)
    assert a == epochs(5)  # same seed, same batches, every epoch
    assert a != epochs(6)
    assert a[0] != a[1]  # a new order each epoch
    for epoch in a:
        assert sorted(y for batch in epoch for y in batch) == list(range(10))


def test_loader_rejects_a_bad_batch_size():
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size"):
            DataLoader(numbered(3), batch_size=bad)
    with pytest.raises(TypeError, match="Dataset"):
        DataLoader(42)


def test_random_split_counts_fractions_and_seed():
    ds = numbered(10)
    a, b = random_split(ds, [7, 3], seed=1)
    ids = [y for _, y in a] + [y for _, y in b]
    assert len(a) == 7 and len(b) == 3 and sorted(ids) == list(range(10))
    again = random_split(ds, [7, 3], seed=1)
    assert [y for _, y in again[0]] == [y for _, y in a]
    assert [y for _, y in random_split(ds, [7, 3], seed=2)[0]] != [y for _, y in a]
    parts = random_split(numbered(11), [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [6, 3, 2]  # floors 5, 3, 2; the remainder 1 to the first
    with pytest.raises(ValueError, match="add up to 9"):
        random_split(ds, [6, 3])
    with pytest.raises(ValueError, match=r"fractions add up to 0\.9"):
        random_split(ds, [0.5, 0.4])


# -- datasets ---------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [datasets.moons, datasets.circles, datasets.xor,
                                  datasets.spiral, datasets.combat_power])
def test_every_generator_is_seeded(make):
    a, b, c = make(seed=3), make(seed=3), make(seed=4)
    assert list(a) == list(b)
    assert list(a) != list(c)


def test_moons_shape_and_geometry():
    ds = datasets.moons(100, noise=0.0)
    assert len(ds) == 100 and sorted(set(ds.targets)) == [0, 1]
    assert ds.targets.count(0) == 50
    for (x, y), label in zip(ds.inputs, ds.targets):
        if label == 0:  # upper moon: the unit half circle
            assert math.hypot(x, y) == pytest.approx(1.0) and y >= -1e-12
        else:  # lower moon: centred at (1, 0.5)
            assert math.hypot(x - 1, y - 0.5) == pytest.approx(1.0) and y <= 0.5 + 1e-12
    noisy = datasets.moons(2000, noise=0.1, seed=1)
    clean = datasets.moons(2000, noise=0.0, seed=1)
    assert sorted(clean.inputs) != sorted(noisy.inputs)
    signed = datasets.moons(10, labels=(-1, 1))
    assert sorted(set(signed.targets)) == [-1, 1]


def test_circles_xor_and_spiral():
    ds = datasets.circles(200, noise=0.0, factor=0.4)
    for (x, y), label in zip(ds.inputs, ds.targets):
        assert math.hypot(x, y) == pytest.approx(1.0 if label == 0 else 0.4)
    ds = datasets.xor(200, noise=0.1)
    assert all(label == int((x > 0) != (y > 0)) for (x, y), label in ds)
    ds = datasets.spiral(150, classes=3, noise=0.0)
    assert [ds.targets.count(k) for k in range(3)] == [50, 50, 50]
    assert all(math.hypot(*x) <= 1.0 + 1e-12 for x in ds.inputs)


def test_combat_power_follows_its_documented_function():
    ds = datasets.combat_power(n=200, noise=0.0)
    for (before,), after in ds:
        assert 10 <= before <= 600
        assert after == pytest.approx(10 + 1.6 * before + 0.001 * before ** 2, rel=1e-12)
    noisy = datasets.combat_power(n=2000, noise=30.0, seed=1)
    residuals = [a - (10 + 1.6 * b + 0.001 * b * b) for (b,), a in noisy]
    assert statistics.pstdev(residuals) == pytest.approx(30.0, rel=0.1)
    assert len(datasets.combat_power()) == 10  # the course's ten points
    scaled = datasets.combat_power(scale=0.01, seed=2)
    plain = datasets.combat_power(seed=2)
    assert scaled[0][1] == pytest.approx(plain[0][1] * 0.01)


def test_generators_reject_bad_arguments():
    with pytest.raises(ValueError, match="noise"):
        datasets.moons(noise=-1)
    with pytest.raises(ValueError, match="n must be an int"):
        datasets.moons(n=1)
    with pytest.raises(ValueError, match="factor"):
        datasets.circles(factor=1.5)
    with pytest.raises(ValueError, match="labels"):
        datasets.xor(labels=(1,))


def test_digits_are_scikit_learns_real_digits():
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (notebooks extra)")
    ds = datasets.digits()
    assert len(ds) == 1797 and len(ds[0][0]) == 64
    assert sorted(set(ds.targets)) == list(range(10))
    assert all(0.0 <= v <= 1.0 for x in ds.inputs[:50] for v in x)
    small = datasets.digits(n=100, seed=1)
    assert len(small) == 100 and list(small) == list(datasets.digits(n=100, seed=1))
    with pytest.raises(ValueError, match="at most 1797"):
        datasets.digits(n=5000)


def test_digits_without_scikit_learn_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match=r"memograd\[notebooks\]"):
        datasets.digits()
