"""The playground lesson: TFP's datasets, the presets' targets, the maps, a learner's points."""

import dataclasses

import numpy as np
import pytest

import lessons.playground as pg
from engine.backend import InputError
from engine.datasets import spiral
from engine.gradcheck import relative_error

# --- the datasets ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", pg.DATASETS)
def test_every_dataset_is_seeded_and_lives_in_the_plane(name):
    for noise in (0.0, 0.5):
        a = pg.make_data(name, noise=noise, seed=3)
        b = pg.make_data(name, noise=noise, seed=3)
        np.testing.assert_array_equal(a.x, b.x)
        np.testing.assert_array_equal(a.y, b.y)
        assert np.abs(a.x).max() <= pg.LIM
        if noise or name != "spiral":  # TFP's two arms are fixed curves: only noise is drawn
            assert not np.array_equal(a.x, pg.make_data(name, noise=noise, seed=4).x)
    assert len(a) == pg.N_POINTS[name]
    if name in pg.CLASSIFICATION:
        assert a.task == "classification" and a.y.dtype == np.int64
        assert a.n_classes == (3 if name == "spiral3" else 2)
        counts = np.bincount(pg.make_data(name).y)
        if name != "xor":  # TFP draws xor's points uniformly, the others class by class
            assert counts.min() == counts.max()
    else:
        assert a.task == "regression" and a.n_classes == 1 and a.y.dtype == np.float64
    with pytest.raises(ValueError):
        a.x[0, 0] = 1.0  # read-only


def test_circle_xor_and_gauss_follow_tfp_without_noise():
    c = pg.make_data("circle", n=400)
    r = np.hypot(*c.x.T)
    np.testing.assert_array_equal(c.y, (r < 2.5).astype(int))
    assert r[c.y == 1].max() < 2.5 and r[c.y == 0].min() >= 3.5 and r.max() <= 5
    x = pg.make_data("xor", n=400)
    assert np.abs(x.x).min() >= 0.3 and np.abs(x.x).max() <= 5.3
    np.testing.assert_array_equal(x.y, (x.x[:, 0] * x.x[:, 1] >= 0).astype(int))
    g = pg.make_data("gauss", n=2000)
    np.testing.assert_allclose(g.x[g.y == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(g.x[g.y == 0].mean(axis=0), [-2, -2], atol=0.1)
    assert g.x[g.y == 1].var(axis=0) == pytest.approx([0.5, 0.5], rel=0.15)


def test_noise_flips_labels_near_the_boundary():
    clean, noisy = pg.make_data("circle"), pg.make_data("circle", noise=0.5)
    np.testing.assert_array_equal(np.hypot(*clean.x.T) < 2.5, clean.y == 1)
    assert (np.hypot(*noisy.x.T) < 2.5).astype(int).tolist() != noisy.y.tolist()


def test_the_spirals():
    s = pg.make_data("spiral", n=200)
    assert np.hypot(*s.x.T).max() < 5
    # the class-0 arm is the class-1 arm turned by π: x → −x
    np.testing.assert_allclose(s.x[s.y == 0], -s.x[s.y == 1], atol=1e-12)
    s3 = pg.make_data("spiral3", seed=1984)
    x, t = spiral(100, 3, 1984, one_hot_label=False, dtype=np.float64)  # seed 003's data
    np.testing.assert_allclose(s3.x, 5 * x)
    np.testing.assert_array_equal(s3.y, t)


def test_regression_targets():
    p = pg.make_data("plane")
    np.testing.assert_allclose(p.y, p.x.sum(axis=1) / 10)
    g = pg.make_data("gauss_sum", n=5000)
    assert -1 <= g.y.min() < -0.9 and 0.9 < g.y.max() <= 1
    near = np.hypot(g.x[:, 0] - 4, g.x[:, 1] - 2.5) < 0.5  # the (4, 2.5) bump is positive
    assert (g.y[near] > 0.7).all()


def test_split_and_features():
    data = pg.make_data("circle", n=101)
    train, test = pg.split(data, 0.3, seed=1)
    assert (len(train), len(test)) == (30, 71)
    both = np.concatenate([train.x, test.x])
    assert sorted(map(tuple, both)) == sorted(map(tuple, data.x))
    tiny = pg.Data(np.zeros((2, 2)), np.array([0, 1]), "classification", 2)
    assert [len(d) for d in pg.split(tiny, 0.9)] == [1, 1]
    x = np.array([[1.0, 2.0], [-0.5, 3.0]])
    f = pg.feature_matrix(x, pg.FEATURES)
    np.testing.assert_allclose(f[1], [-0.5, 3, 0.25, 9, -1.5, np.sin(-0.5), np.sin(3)])
    np.testing.assert_array_equal(pg.feature_matrix(x, ["x2", "x1"]), x[:, ::-1])


# --- settings -------------------------------------------------------------------------------


def test_settings_defaults_normalise_and_compare_by_value():
    s = pg.Settings()
    assert (s.dataset, s.features, s.hidden, s.activation, s.lr, s.batch) == (
        "circle", ("x1", "x2"), (4, 2), "tanh", 0.03, 10)
    t = pg.Settings(features=["x2", "x1", "x2"], hidden=[4, np.int64(2)], noise=0)
    assert t == s and t.features == ("x1", "x2") and isinstance(t.hidden, tuple)
    assert set(pg.PRESETS) == set(pg.DATASETS)
    assert all(p.dataset == name for name, p in pg.PRESETS.items())
    assert pg.Settings(dataset=pg.CUSTOM, hidden=()).hidden == ()


@pytest.mark.parametrize(
    ("kwargs", "code", "setting"),
    [
        (dict(dataset="moons"), "playground_choice", "dataset"),
        (dict(noise=0.6), "playground_range", "noise"),
        (dict(noise=float("nan")), "playground_range", "noise"),
        (dict(noise="0.1"), "playground_not_number", "noise"),
        (dict(train_fraction=0.95), "playground_range", "train_fraction"),
        (dict(features=()), "playground_no_features", None),
        (dict(features=("x1", "cosx1")), "playground_choice", "feature"),
        (dict(hidden=(4,) * 7), "playground_range", "layers"),
        (dict(hidden=(9,)), "playground_range", "neurons"),
        (dict(hidden=(0,)), "playground_range", "neurons"),
        (dict(hidden=(2.5,)), "playground_not_number", "neurons"),
        (dict(hidden="42"), "playground_not_number", "hidden"),
        (dict(activation="swish"), "playground_choice", "activation"),
        (dict(regularization="l3"), "playground_choice", "regularization"),
        (dict(reg_rate=-1), "playground_range", "reg_rate"),
        (dict(dropout=0.95), "playground_range", "dropout"),
        (dict(lr=0), "playground_range", "lr"),
        (dict(lr=True), "playground_not_number", "lr"),
        (dict(batch=31), "playground_range", "batch"),
        (dict(batch=2.0), "playground_not_number", "batch"),
        (dict(optimizer="LBFGS"), "playground_choice", "optimizer"),
        (dict(seed=-1), "playground_range", "seed"),
    ],
)
def test_bad_settings_raise_coded_input_errors(kwargs, code, setting):
    with pytest.raises(InputError) as err:
        pg.Settings(**kwargs)
    assert err.value.code == code
    assert err.value.details.get("setting") == setting


# --- the presets' targets -------------------------------------------------------------------

TARGETS = {  # dataset: (test accuracy, within epochs)
    "circle": (0.97, 300), "xor": (0.97, 300), "gauss": (0.97, 300),
    "spiral": (0.90, 1000), "spiral3": (0.90, 300),
}


@pytest.mark.parametrize("name", list(TARGETS))
def test_each_preset_reaches_its_target(name):
    target, limit = TARGETS[name]
    run = pg.build(pg.PRESETS[name])
    assert pg.test_accuracy(run) < target
    while pg.test_accuracy(run) < target and run.trainer.epoch < limit:
        pg.advance(run, 10)
    assert pg.test_accuracy(run) >= target, f"{name}: {pg.test_accuracy(run)} at {limit}"
    assert run.epochs[-1] == run.trainer.epoch and len(run.test_loss) == len(run.epochs)
    assert run.test_loss[-1] < run.test_loss[0]
    pg.advance(run, limit - run.trainer.epoch)  # and it holds to the end of the budget
    assert pg.test_accuracy(run) >= target, f"{name}: {pg.test_accuracy(run)} at {limit}"


@pytest.mark.parametrize("name", pg.REGRESSION)
def test_regression_presets_drive_the_test_loss_down(name):
    run = pg.build(pg.PRESETS[name])
    pg.advance(run, 100)
    assert run.net.output == "identity" and pg.test_accuracy(run) is None
    assert pg.confusion(run) is None
    assert run.test_loss[-1] < 0.2 * run.test_loss[0]
    assert pg.losses(run).test == pytest.approx(run.test_loss[-1])


# --- a run ----------------------------------------------------------------------------------

SMALL = pg.Settings("circle", features=("x1", "x2", "x1sq"), hidden=(3, 2), seed=1)


@pytest.fixture(scope="module")
def run():
    r = pg.build(SMALL)
    pg.advance(r, 5)
    return r


def test_maps_have_the_diagram_shapes(run):
    n = 7
    probs = pg.region_probs(run, n)
    assert probs.shape == (2, n, n)
    np.testing.assert_allclose(probs.sum(axis=0), 1.0)
    maps = pg.neuron_maps(run, n)
    assert [m.shape for m in maps] == [(3, n, n), (3, n, n), (2, n, n), (2, n, n)]
    np.testing.assert_allclose(maps[-1], probs, rtol=1e-12)
    xs = pg.grid(n)
    np.testing.assert_array_equal(maps[0][0], np.tile(xs, (n, 1)))  # x1 across the columns
    np.testing.assert_array_equal(maps[0][1], np.tile(xs[:, None], (1, n)))  # x2 down the rows
    assert pg.neuron_maps(run)[0].shape[1:] == (pg.NEURON_GRID, pg.NEURON_GRID)
    assert pg.region_probs(run).shape[1:] == (pg.GRID, pg.GRID)
    assert [w.shape for w in pg.edge_values(run)] == [(3, 3), (3, 2), (2, 2)]
    assert [g.shape for g in pg.edge_values(run, "grad")] == [(3, 3), (3, 2), (2, 2)]
    with pytest.raises(ValueError):
        pg.edge_values(run, "bias")


def test_region_probs_match_the_network_at_a_grid_point(run):
    n = 5
    xs = pg.grid(n)
    i, j = 1, 3
    x = pg.feature_matrix(np.array([[xs[j], xs[i]]]), run.settings.features)
    scores = run.net.predict(x)[0]
    p = np.exp(scores - scores.max())
    np.testing.assert_allclose(pg.region_probs(run, n)[:, i, j], p / p.sum(), rtol=1e-12)


def test_the_gradient_view_is_the_full_training_gradient_and_leaves_grad_flow(run):
    flow = pg.grad_flow(run)
    assert set(flow) == {"W1", "W2", "W3"} and all(v > 0 for v in flow.values())
    grads = pg.edge_values(run, "grad")
    assert pg.grad_flow(run) == flow
    numerical = run.net.numerical_gradient(run.trainer.x_train, run.trainer.t_train, h=1e-6)
    for key, g in zip(run.net.weight_keys(), grads, strict=True):
        assert relative_error(g, numerical[key]) < 1e-6, key


def test_neuron_detail_and_edits():
    run = pg.build(SMALL)
    d = pg.neuron_detail(run, 2, 1)
    np.testing.assert_array_equal(d.weights, pg.edge_values(run)[1][:, 1])
    np.testing.assert_allclose(d.weight_grads, pg.edge_values(run, "grad")[1][:, 1])
    assert d.map.shape == (pg.NEURON_GRID, pg.NEURON_GRID) and isinstance(d.bias, float)
    np.testing.assert_array_equal(d.map, pg.neuron_maps(run)[2][1])
    np.testing.assert_allclose(pg.neuron_detail(run, 3, 0, pg.GRID).map, pg.region_probs(run)[0])
    before = pg.region_probs(run)
    pg.set_weight(run, 3, 0, 1, 5.0)
    assert pg.edge_values(run)[2][1, 0] == 5.0
    assert not np.allclose(pg.region_probs(run), before)
    pg.set_bias(run, 1, 2, -1.5)
    assert pg.neuron_detail(run, 1, 2).bias == -1.5
    for args in ((0, 0), (4, 0), (1, 3), (1, -1), (True, 0)):
        with pytest.raises(InputError) as err:
            pg.neuron_detail(run, *args)
        assert err.value.code == "playground_neuron"
    with pytest.raises(InputError) as err:
        pg.set_weight(run, 1, 0, 3, 1.0)
    assert err.value.code == "playground_edge"
    for value in (float("nan"), 1e3):
        with pytest.raises(InputError) as err:
            pg.set_weight(run, 1, 0, 0, value)
        assert err.value.code == "playground_range"


@pytest.mark.parametrize("reg", ["l1", "l2"])
def test_the_regularisation_part_of_the_loss(reg):
    run = pg.build(dataclasses.replace(SMALL, regularization=reg, reg_rate=0.03))
    pg.advance(run, 2)
    Ws = pg.edge_values(run)
    part = sum(0.03 * np.abs(W).sum() if reg == "l1" else 0.015 * (W * W).sum() for W in Ws)
    got = pg.losses(run)
    assert got.reg == pytest.approx(part, rel=1e-12)
    plain = pg.losses(pg.build(SMALL))
    assert plain.reg == 0.0 and got.train > 0 and got.test > 0


def test_confusion_and_accuracy(run):
    cm = pg.confusion(run)
    assert cm.shape == (2, 2) and cm.sum() == len(run.test)
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(run.test.y, minlength=2))
    assert pg.test_accuracy(run) == pytest.approx(np.trace(cm) / cm.sum())


def test_dropout_linear_and_no_hidden_layers_train():
    s = dataclasses.replace(SMALL, dropout=0.3, activation="linear")
    run = pg.build(s)
    assert pg.advance(run, 3) == 3
    np.testing.assert_array_equal(pg.region_probs(run, 6), pg.region_probs(run, 6))
    flat = pg.build(dataclasses.replace(SMALL, hidden=()))
    pg.advance(flat, 2)
    assert [m.shape[0] for m in pg.neuron_maps(flat, 4)] == [3, 2]
    three = pg.build(pg.PRESETS["spiral3"])
    assert pg.region_probs(three, 4).shape == (3, 4, 4)
    assert pg.confusion(three).shape == (3, 3)


def test_advance_stops_at_max_seconds_and_keeps_the_curves_bounded(monkeypatch):
    run = pg.build(SMALL)
    assert run.epochs == [0] and len(run.train_loss) == len(run.test_loss) == 1
    assert pg.advance(run, 1000, max_seconds=0.0) == 0
    monkeypatch.setattr(pg, "HISTORY_LIMIT", 8)
    assert pg.advance(run, 40) == 40
    assert len(run.epochs) < 8 and run.epochs[0] == 0
    assert all(e % run.history_stride == 0 for e in run.epochs)
    assert run.epochs[-1] > 30 and len(run.train_loss) == len(run.epochs)


def test_build_needs_data_for_custom():
    with pytest.raises(InputError) as err:
        pg.build(pg.Settings(dataset=pg.CUSTOM))
    assert err.value.code == "playground_no_data"
    one = pg.Data(np.zeros((1, 2)), np.array([1]), "classification", 2)
    with pytest.raises(InputError) as err:
        pg.build(pg.Settings(dataset=pg.CUSTOM), one)
    assert err.value.code == "playground_too_few_points"


# --- a learner's CSV ------------------------------------------------------------------------


def test_a_good_csv_with_and_without_a_header():
    data = pg.parse_csv(b"x1,x2,label\n1,2,0\n-1.5,0.25,1\n\n3,-3,2\n")
    assert data.task == "classification" and data.n_classes == 3
    np.testing.assert_allclose(data.x, [[1, 2], [-1.5, 0.25], [3, -3]])
    np.testing.assert_array_equal(data.y, [0, 1, 2])
    bom = pg.parse_csv("\ufeff0.5, 0.5, 1.0\r\n-6,6,0\r\n".encode())
    assert bom.n_classes == 2 and bom.y.tolist() == [1, 0]
    tfp = pg.parse_csv(b"1,1,1\n2,2,-1\n")  # TFP's labels: -1 is class 0
    assert tfp.y.tolist() == [1, 0]
    reg = pg.parse_csv(b"1,1,0.5\n2,2,-0.25\n")
    assert reg.task == "regression" and reg.y.tolist() == [0.5, -0.25]
    run = pg.build(pg.Settings(dataset=pg.CUSTOM), pg.parse_csv(b"1,1,0\n-1,-1,1\n2,2,0\n"))
    assert pg.advance(run, 2) == 2


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "playground_csv_empty"),
        (b"  \n\n", "playground_csv_empty"),
        (b"x1,x2,label\n", "playground_csv_empty"),
        (b"0,0,0\n" * 20_000, "playground_csv_too_big"),
        (b"0,0,0\n" * (pg.MAX_POINTS + 1), "playground_csv_too_many_rows"),
        (b"1,2,0\nnan,1,1\n", "playground_csv_not_finite"),
        (b"1,2,0\n1e999,1,1\n", "playground_csv_not_finite"),
        (b"1,2,0\n1,inf,1\n", "playground_csv_not_finite"),
        (b"1,2\n3,4\n", "playground_csv_columns"),
        (b"1,2,0,5\n", "playground_csv_columns"),
        (b"x1,x2\n1,2,0\n", "playground_csv_columns"),
        (b"1,2,0\n1;2;1\n", "playground_csv_columns"),
        (b"1,abc,0\n", "playground_csv_not_number"),
        (b"1,2,0\n__import__('os'),1,1\n", "playground_csv_not_number"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "playground_csv_not_text"),
        (bytes(range(256)) * 4, "playground_csv_not_text"),
        (b"1,2,0\n\xe9,1,1\n", "playground_csv_not_text"),
        (b"1,2,0\n1\x07,1,1\n", "playground_csv_not_text"),
        (b"1,7,0\n1,2,1\n", "playground_csv_out_of_range"),
        (b"1,2,1\n3,4,1\n", "playground_csv_one_class"),
        (b"1,2,0\n3,4,5\n", "playground_csv_label"),
        (b"1,2,0.5\n3,4,1.5\n", "playground_csv_label"),
    ],
)
def test_hostile_csvs_raise_coded_input_errors(raw, code):
    with pytest.raises(InputError) as err:
        pg.parse_csv(raw)
    assert err.value.code == code


def test_csv_errors_name_the_row_and_column():
    with pytest.raises(InputError) as err:
        pg.parse_csv(b"x1,x2,label\n1,2,0\n1,nan,1\n")
    assert err.value.details == {"row": 3, "column": 2}
    with pytest.raises(InputError) as err:
        pg.parse_csv(b"0,0,0\n" * 20_000)
    assert err.value.details == {"size": 120_000, "limit": pg.CSV_MAX_BYTES}


# --- points in a link -----------------------------------------------------------------------


def test_points_round_trip_through_the_link():
    data = pg.make_data("spiral3", noise=0.3)
    text = pg.encode_points(data)
    assert text.startswith("1.") and len(text) == 2 + len(data) * 8 // 3
    assert set(text[2:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    back = pg.decode_points(text)
    np.testing.assert_array_equal(back.y, data.y)
    assert np.abs(back.x - data.x).max() <= 0.05 + 1e-9
    assert back.n_classes == 3 and pg.encode_points(back) == text
    edge = pg.Data(np.array([[-6.0, 6.0], [6.0, -6.0], [0.0, 0.0]]), np.array([2, 0, 1]),
                   "classification", 3)
    np.testing.assert_allclose(pg.decode_points(pg.encode_points(edge)).x, edge.x, atol=1e-9)
    full = pg.Data(np.zeros((pg.MAX_POINTS, 2)), np.zeros(pg.MAX_POINTS, int),
                   "classification", 2)
    assert len(pg.encode_points(full)) == pg.POINTS_TEXT_LIMIT == 2669


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "playground_points_invalid"),
        ("hello", "playground_points_invalid"),
        ("2.AAAA", "playground_points_invalid"),
        ("1.", "playground_points_count"),
        ("HUGE", "playground_points_count"),
        ("1.AA", "playground_points_invalid"),  # one byte: half a point
        ("1.AAAAA", "playground_points_invalid"),  # an impossible base64 length
        ("1.AAA=", "playground_points_invalid"),
        ("1.AA+/", "playground_points_invalid"),
        ("1.AA B", "playground_points_invalid"),
        ("1.AAB", "playground_points_invalid"),  # stray bits after the last byte
        ("1.__8", "playground_points_invalid"),  # 0xFFFF: past the last packed value
        ("1.éé", "playground_points_invalid"),
        (None, "playground_points_invalid"),
        (b"1.AAA", "playground_points_invalid"),
    ],
)
def test_garbage_links_raise_coded_input_errors(text, code):
    text = "1." + "A" * 10_000_000 if text == "HUGE" else text
    with pytest.raises(InputError) as err:
        pg.decode_points(text)
    assert err.value.code == code


def test_only_class_points_of_a_bounded_count_are_encoded():
    with pytest.raises(InputError) as err:
        pg.encode_points(pg.make_data("plane", n=10))
    assert err.value.code == "playground_points_task"
    big = pg.Data(np.zeros((pg.MAX_POINTS + 1, 2)), np.zeros(pg.MAX_POINTS + 1, int),
                  "classification", 2)
    with pytest.raises(InputError) as err:
        pg.encode_points(big)
    assert err.value.code == "playground_points_count"


def test_custom_points_and_the_gradient_view_with_dropout():
    data = pg.custom_data([[1, 1], [-1, -1], [9, 0], [2, 2]], [0, 1, 0, 2])
    assert data.n_classes == 3 and data.x[2].tolist() == [6.0, 0.0]
    assert pg.custom_data([[0, 0]], [1]).n_classes == 2
    with pytest.raises(InputError) as err:
        pg.custom_data(np.zeros((pg.MAX_POINTS + 1, 2)), np.zeros(pg.MAX_POINTS + 1, int))
    assert err.value.code == "playground_points_count"
    with pytest.raises(ValueError):
        pg.custom_data([[0, 0]], [3])
    run = pg.build(dataclasses.replace(SMALL, dataset=pg.CUSTOM, dropout=0.5), data)
    pg.advance(run, 2)
    flow = pg.grad_flow(run)
    grads = pg.edge_values(run, "grad")
    assert pg.grad_flow(run) == flow and all(np.isfinite(g).all() for g in grads)
    assert len(run.trainer.history.epochs) <= 100


def test_points_placed_one_by_one_and_live_settings():
    data = pg.add_point(None, (1.0, 2.0), 0)
    data = pg.add_point(data, (-7.0, 0.5), 2)
    assert data.x.tolist() == [[1.0, 2.0], [-6.0, 0.5]] and data.n_classes == 3
    full = pg.custom_data(np.zeros((pg.MAX_POINTS, 2)), np.zeros(pg.MAX_POINTS, int))
    with pytest.raises(InputError) as err:
        pg.add_point(full, (0.0, 0.0), 1)
    assert err.value.code == "playground_points_count"
    with pytest.raises(ValueError):
        pg.add_point(data, (0.0, 0.0), 5)
    run = pg.build(SMALL)
    pg.advance(run, 1)
    pg.set_live(run, lr=0.1, batch=25)
    assert run.trainer.optimizer.lr == 0.1 and run.trainer.batch_size == 25
    assert run.settings == dataclasses.replace(SMALL, lr=0.1, batch=25)
    assert pg.advance(run, 1) == 1 and run.trainer.steps_per_epoch == 10
    with pytest.raises(InputError) as err:
        pg.set_live(run, batch=99)
    assert err.value.code == "playground_range" and run.settings.batch == 25
