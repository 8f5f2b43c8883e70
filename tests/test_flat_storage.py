"""A Sequential's parameters and gradients live in one flat buffer each; optimizers use it.

The fast path (θ and g as views of those buffers, updated in place) must give exactly
what the general path (gather into new vectors, scatter back) gives, and the arrays a
model, its layers and its optimizer share must stay the same arrays through
``load_state``, a layer shared by two models and a deep copy.
"""

import copy

import numpy as np
import pytest

from reglab import SGD, Adam, Dense, GradientClipping, Momentum, ReLU, Sequential, Tanh
from reglab.optim import RMSPropNesterov


def make_model(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return Sequential([Dense(3, 5, rng=rng, dtype=dtype), ReLU(),
                       Dense(5, 4, rng=rng, dtype=dtype), Tanh(),
                       Dense(4, 2, rng=rng, dtype=dtype)])


def random_grads(model, rng):
    """Fill the model's gradient arrays in place with random numbers; return a copy."""
    for g in model.grads.values():
        g[...] = rng.standard_normal(g.shape)
    return {k: g.copy() for k, g in model.grads.items()}


def test_parameters_and_gradients_are_views_of_one_buffer_each_in_model_order():
    model = make_model()
    for store in (model.params, model.grads):
        arrays = list(store.values())
        base = arrays[0].base
        assert base is not None and base.ndim == 1
        assert base.size == sum(a.size for a in arrays)
        assert all(a.base is base for a in arrays)
        flat = np.concatenate([a.ravel() for a in arrays])
        np.testing.assert_array_equal(base, flat)  # back to back, in the order of the dict
    assert model.params["2.W"] is model.layers[2].params["W"]  # the layers hold the views
    assert model.grads["4.b"] is model.layers[4].grads["b"]


@pytest.mark.parametrize("make", [lambda: Adam(lr=0.01), lambda: Momentum(lr=0.1),
                                  lambda: RMSPropNesterov(lr=0.01), lambda: SGD(lr=0.1)])
def test_in_place_flat_update_equals_gather_and_scatter(make):
    model, rng = make_model(), np.random.default_rng(0)
    loose = {k: v.copy() for k, v in model.params.items()}  # separate arrays: general path
    flat_opt, loose_opt = make(), make()
    for _ in range(4):
        grads = random_grads(model, rng)
        flat_opt.step(model.params, model.grads)
        loose_opt.step(loose, grads)
    assert flat_opt._flat is not None and loose_opt._flat is None
    for k, v in loose.items():
        np.testing.assert_array_equal(model.params[k], v)
    for kind in flat_opt.state.keys() - {"t"}:
        np.testing.assert_array_equal(flat_opt.state[kind], loose_opt.state[kind])


def test_arrays_out_of_buffer_order_take_the_general_path_and_agree():
    a, b = make_model(), make_model()
    reordered = dict(reversed(list(b.params.items())))  # same arrays, another order
    opt_a, opt_b, rng = Adam(lr=0.01), Adam(lr=0.01), np.random.default_rng(1)
    for _ in range(3):
        random_grads(a, rng)
        for k in a.grads:
            b.grads[k][...] = a.grads[k]
        opt_a.step(a.params, a.grads)
        opt_b.step(reordered, b.grads)
    assert opt_b._flat is None
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])


def test_load_state_and_in_place_edits_keep_the_views_the_optimizer_updates():
    model, opt = make_model(), SGD(lr=0.5)
    saved = model.state()
    model.grads["0.W"][...] = 1.0
    opt.step(model.params, model.grads)
    model.load_state(saved)
    np.testing.assert_array_equal(model.params["0.W"], saved["0.W"])
    opt.step(model.params, model.grads)  # still the model's own arrays
    np.testing.assert_array_equal(model.layers[0].params["W"], saved["0.W"] - 0.5)
    model.params["4.b"][...] = 7.0
    assert np.all(model.layers[4].params["b"] == 7.0)


def test_a_layer_shared_by_two_models_stays_one_array_for_both():
    rng = np.random.default_rng(0)
    shared = Dense(3, 4, rng=rng)
    a = Sequential([shared, ReLU(), Dense(4, 2, rng=rng)])
    b = Sequential([shared, ReLU(), Dense(4, 3, rng=rng)])  # shared already sits in a
    assert a.params["0.W"] is b.params["0.W"] is shared.params["W"]
    assert a.grads["0.W"] is b.grads["0.W"] is shared.grads["W"]
    before = shared.params["W"].copy()
    b.grads["0.W"][...] = 1.0
    for g in ("0.b", "2.W", "2.b"):
        b.grads[g][...] = 0.0
    SGD(lr=0.25).step(b.params, b.grads)  # b's arrays span two buffers: the general path
    after = before - 0.25
    np.testing.assert_array_equal(a.params["0.W"], after)  # a sees b's update
    SGD(lr=0.25).step(a.params, a.grads)
    np.testing.assert_array_equal(b.params["0.W"], after - 0.25)  # and b sees a's


def test_a_deep_copy_trains_on_its_own():
    model = make_model()
    twin = copy.deepcopy(model)
    before = model.state()
    rng = np.random.default_rng(2)
    opt = Adam(lr=0.1)
    for _ in range(2):
        random_grads(twin, rng)
        opt.step(twin.params, twin.grads)
    assert twin.params["0.W"] is twin.layers[0].params["W"]
    assert not np.allclose(twin.params["0.W"], before["0.W"])
    for k, v in before.items():
        np.testing.assert_array_equal(model.params[k], v)


def test_gradient_clipping_new_gradients_each_step_match_the_flat_path():
    model, rng = make_model(), np.random.default_rng(3)
    loose = {k: v.copy() for k, v in model.params.items()}
    clipped, plain = GradientClipping(Adam(lr=0.01), 0.5), Adam(lr=0.01)
    for _ in range(3):
        grads = random_grads(model, rng)
        clipped.step(model.params, model.grads)  # clipping hands new arrays to Adam
        scale = min(1.0, 0.5 / np.sqrt(sum(np.sum(g * g) for g in grads.values())))
        plain.step(loose, {k: g * scale for k, g in grads.items()})
    for k, v in loose.items():
        np.testing.assert_allclose(model.params[k], v, rtol=1e-12, atol=1e-15)


def test_mixed_dtypes_are_not_moved_and_still_train():
    rng = np.random.default_rng(0)
    model = Sequential([Dense(2, 3, rng=rng, dtype=np.float32), ReLU(), Dense(3, 2, rng=rng)])
    assert model.dtype is None
    assert all(p.base is None for p in model.params.values())
    model.grads["0.W"][...] = 1.0
    SGD(lr=0.5).step(model.params, model.grads)
    assert model.params["0.W"].dtype == np.float32


def test_relu_mask_is_float_and_gives_the_same_gradient():
    X = np.array([[-1.0, 0.0, 2.0]], dtype=np.float32)
    relu = ReLU()
    out = relu.forward(X)
    np.testing.assert_array_equal(out, [[0.0, 0.0, 2.0]])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(relu.backward(np.full_like(X, 3.0)), [[0.0, 0.0, 3.0]])


def test_one_parameter_filling_its_buffer_is_updated_in_place():
    buffer, g_buffer = np.arange(6.0), np.ones(6)
    params, grads = {"w": buffer.reshape(2, 3)}, {"w": g_buffer.reshape(2, 3)}
    opt = SGD(lr=0.5)
    opt.step(params, grads)
    assert opt._flat is not None  # one view of a whole buffer: the in-place path
    np.testing.assert_array_equal(buffer, np.arange(6.0) - 0.5)
    assert params["w"].base is buffer


def test_a_layer_of_an_unmoved_model_stays_one_array_when_shared():
    rng = np.random.default_rng(0)
    shared = Dense(3, 2, rng=rng)
    a = Sequential([Dense(2, 3, rng=rng, dtype=np.float32), ReLU(), shared])  # mixed: not moved
    b = Sequential([shared, Tanh()])  # shared keeps its own arrays, held by a
    assert a.params["2.W"] is b.params["0.W"] is shared.params["W"]
    assert a.grads["2.b"] is b.grads["0.b"] is shared.grads["b"]
