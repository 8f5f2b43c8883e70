"""The checks of exercises/02_l2_regularization.ipynb can fail, and fail with the right diagnosis.

For every check: the reference and differently written correct solutions pass; wrong
implementations written the way students write them fail with the specific message; a
stub that still raises NotImplementedError fails saying the exercise is not done. The
mistake tables are sound (every wrong formula differs from the reference and from every
other one on some case), and the references agree with reglab.penalties.L2 and with
reglab's SGD step.
"""

import numpy as np
import pytest
from check_failures import assert_feedback, fails_with
from test_checks_norms import PENALTY_RIGHT, PENALTY_WRONG

import reglab
from reglab.checks import l2

EXERCISES = [l2.L2_COST, l2.L2_GRADIENTS, l2.WEIGHT_DECAY_UPDATE, l2.SGD_STEP]
CHECKS = {
    "l2_cost": l2.check_l2_cost,
    "l2_gradients": l2.check_l2_gradients,
    "weight_decay_update": l2.check_weight_decay_update,
    "sgd_step": l2.check_sgd_step,
}


def _weights(params):
    return [v for k, v in params.items() if reglab.is_weight(k)]


# ------------------------------------------------------------ correct solutions pass

def _cost_loop(params, lam, m):
    total = 0.0
    for name, W in params.items():
        if name.endswith(".W"):
            total += (W * W).sum()
    return lam * total / 2 / m


def _grads_comprehension(params, grads, lam, m):
    return {k: grads[k] + (lam / m) * params[k] if reglab.is_weight(k) else grads[k]
            for k in params}


def _grads_via_reglab(params, grads, lam, m):
    out = {k: g.copy() for k, g in grads.items()}
    for k in params:
        if reglab.is_weight(k):
            out[k] += reglab.L2(lam).grad(params[k], m)
    return out


def _sgd_with_reglab(params, grads, lr, lam, m):
    new = {k: v.copy() for k, v in params.items()}
    g = _grads_via_reglab(params, grads, lam, m)
    reglab.SGD(lr).step(new, g)
    return new


CORRECT = [
    ("l2_cost", _cost_loop),
    ("l2_cost", lambda params, lam, m: lam / (2 * m) * sum(np.linalg.norm(W) ** 2
                                                          for W in _weights(params))),
    ("l2_gradients", _grads_comprehension),
    ("weight_decay_update", lambda W, dW, lr, lam, m: W - lr * (dW + lam / m * W)),
    ("weight_decay_update", lambda W, dW, lr, lam, m: W * (1 - lr * lam / m) - lr * dW),
    ("sgd_step", lambda params, grads, lr, lam, m: {
        k: (1 - lr * lam / m * reglab.is_weight(k)) * p - lr * grads[k]
        for k, p in params.items()}),
]


@pytest.mark.parametrize(("name", "solution"), CORRECT,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(CORRECT)])
def test_correct_solutions_pass(name, solution, capsys):
    assert CHECKS[name](solution) is None
    n = len(next(ex for ex in EXERCISES if ex.name == name).cases)
    assert capsys.readouterr().out == f"✓ {name} passed {n} cases\n"


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_exercise_references_pass(ex):
    assert ex.check(ex.reference) is None


# ----------------------------------------- the references agree with reglab.penalties.L2

def test_cost_reference_matches_reglab_L2():
    for case in l2.L2_COST.cases:
        params, lam, m = case.args
        expected = reglab.L2(lam).value(_weights(params), m)
        assert l2.L2_COST.reference(params, lam, m) == pytest.approx(expected, rel=1e-12)


def test_gradient_reference_matches_reglab_L2():
    for case in l2.L2_GRADIENTS.cases:
        params, grads, lam, m = case.args
        got = l2.L2_GRADIENTS.reference(params, grads, lam, m)
        for k in params:
            extra = reglab.L2(lam).grad(params[k], m) if reglab.is_weight(k) else 0.0
            np.testing.assert_allclose(got[k], grads[k] + extra, rtol=1e-12)


def test_update_and_step_references_match_reglab_sgd_with_L2():
    for case in l2.WEIGHT_DECAY_UPDATE.cases:
        W, dW, lr, lam, m = case.args
        p = {"0.W": W.copy()}
        reglab.SGD(lr).step(p, {"0.W": dW + reglab.L2(lam).grad(W, m)})
        np.testing.assert_allclose(l2.WEIGHT_DECAY_UPDATE.reference(W, dW, lr, lam, m),
                                   p["0.W"], rtol=1e-12, atol=1e-15)
    for case in l2.SGD_STEP.cases:
        params, grads, lr, lam, m = case.args
        expected = _sgd_with_reglab(params, grads, lr, lam, m)
        got = l2.SGD_STEP.reference(params, grads, lr, lam, m)
        for k in params:
            np.testing.assert_allclose(got[k], expected[k], rtol=1e-12, atol=1e-15)


def test_gradient_reference_is_the_gradient_of_the_cost():
    params, _, lam, m = l2.L2_GRADIENTS.cases[0].args
    params = {k: v.copy() for k, v in params.items()}
    zero = {k: np.zeros_like(v) for k, v in params.items()}
    analytic = l2.L2_GRADIENTS.reference(params, zero, lam, m)
    for k, v in params.items():
        numeric = reglab.gradcheck.numerical_gradient(lambda: l2.L2_COST.reference(params, lam, m),
                                                      v)
        np.testing.assert_allclose(analytic[k], numeric, atol=1e-8)


def test_cases_make_every_factor_show():
    """m ≠ 1, 2, λ ≠ 2 and lr ≠ 1 somewhere, so a dropped ½, 1/m or lr changes the answer."""
    for ex in EXERCISES:
        args = [c.args for c in ex.cases]
        lams, ms = [a[-2] for a in args], [a[-1] for a in args]
        assert any(m not in (1, 2) for m in ms) and any(lam not in (0, 2) for lam in lams)
        assert 2 not in lams
    for ex in (l2.WEIGHT_DECAY_UPDATE, l2.SGD_STEP):
        assert all(c.args[2] != 1 for c in ex.cases)
    labels = " ".join(c.label for c in l2.L2_COST.cases)
    assert "weights zero but nonzero biases" in labels


# ----------------------------------------------- known wrong answers, specific messages

def _net_grads(lam, m, weight_term, bias_term=None):
    def wrong(params, grads, lam_, m_):
        out = {}
        for k, v in params.items():
            if k.endswith("W"):
                out[k] = grads[k] + weight_term(v, lam_, m_)
            else:
                out[k] = grads[k] + (0 * v if bias_term is None else bias_term(v, lam_, m_))
        return out
    return wrong


def _penalize_everything(params, grads, lam, m):
    return {k: grads[k] + lam / m * params[k] for k in params}


def _only_weights_in_result(params, grads, lam, m):
    return {k: grads[k] + lam / m * v for k, v in params.items() if reglab.is_weight(k)}


def _decay_everything(params, grads, lr, lam, m):
    return {k: (1 - lr * lam / m) * v - lr * grads[k] for k, v in params.items()}


def _in_place_step(params, grads, lr, lam, m):
    for k, v in params.items():
        v -= lr * grads[k]
        if reglab.is_weight(k):
            v -= lr * lam / m * v
    return params


WRONG = [
    # (check, wrong implementation as a student would write it, expected message)
    ("l2_cost", lambda params, lam, m: lam / m * sum(np.sum(W**2) for W in _weights(params)),
     r"factor of 2: did you drop the ½ in λ/2m"),
    ("l2_cost", lambda params, lam, m: lam / 2 * sum(np.sum(W**2) for W in _weights(params)),
     r"factor of m: divide by m"),
    ("l2_cost", lambda params, lam, m: lam * sum(np.sum(W**2) for W in _weights(params)),
     r"you used λ alone"),
    ("l2_cost", lambda params, lam, m: lam / 2 * m * sum(np.sum(W**2) for W in _weights(params)),
     r"multiplied by m instead of dividing"),
    ("l2_cost", lambda params, lam, m: -lam / (2 * m) * sum(np.sum(W**2)
                                                          for W in _weights(params)),
     r"wrong sign"),
    ("l2_cost", lambda params, lam, m: lam / (2 * m) * sum(np.sum(v**2) for v in params.values()),
     r"penalized the biases too"),
    ("l2_cost", lambda params, lam, m: lam / (2 * m) * sum(np.linalg.norm(W)
                                                          for W in _weights(params)),
     r"norms ‖W‖_F instead of their squares"),
    ("l2_cost", lambda params, lam, m: lam / (2 * m) * sum(np.linalg.norm(W)
                                                          for W in _weights(params)) ** 2,
     r"squared the sum of the norms"),
    ("l2_cost", lambda params, lam, m: lam / (2 * m) * sum(W.sum() for W in _weights(params)),
     r"added up the weights themselves"),
    ("l2_cost", lambda params, lam, m: lam / (2 * m) * sum(W.sum() ** 2 for W in _weights(params)),
     r"squared the sum of the entries"),
    ("l2_cost", lambda params, lam, m: lam / (2 * m) * sum(np.abs(W).sum()
                                                          for W in _weights(params)),
     r"L1 penalty"),
    ("l2_cost", lambda params, lam, m: lam / (2 * m) * sum(np.mean(W**2)
                                                          for W in _weights(params)),
     r"averaged the squared entries"),
    ("l2_cost", lambda params, lam, m: lam / (2 * m) * [np.sum(W**2)
                                                       for W in _weights(params)][-1],
     r"only the last weight matrix"),
    ("l2_gradients", _penalize_everything, r"added \(λ/m\)·b to the biases' gradients"),
    ("l2_gradients", _net_grads(0, 0, lambda W, lam, m: 2 * lam / m * W),
     r"factor of 2 in the penalty term: the derivative of \(λ/2m\)·w² is"),
    ("l2_gradients", _net_grads(0, 0, lambda W, lam, m: lam / 2 / m * W),
     r"kept the ½ of λ/2m but forgot the 2"),
    ("l2_gradients", _net_grads(0, 0, lambda W, lam, m: lam * W), r"factor of m"),
    ("l2_gradients", _net_grads(0, 0, lambda W, lam, m: lam / 1 * m * W),
     r"multiplied by m instead of dividing"),
    ("l2_gradients", _net_grads(0, 0, lambda W, lam, m: -(lam / m) * W), r"wrong sign"),
    ("l2_gradients", lambda params, grads, lam, m: {
        k: (lam / m * v if reglab.is_weight(k) else np.zeros_like(v)) for k, v in params.items()},
     r"returned only the gradient of the penalty"),
    ("l2_gradients", lambda params, grads, lam, m: {
        k: (grads[k] + lam / m * v if reglab.is_weight(k) else 0 * v)
        for k, v in params.items()},
     r"set the biases' gradients to zero"),
    ("l2_gradients", _net_grads(0, 0, lambda W, lam, m: lam / (2 * m) * W / np.linalg.norm(W)),
     r"differentiated the norm ‖W‖_F instead of its square"),
    ("l2_gradients", _net_grads(0, 0, lambda W, lam, m: lam / (2 * m) * np.sign(W)),
     r"gradient of the L1 penalty"),
    ("l2_gradients", lambda params, grads, lam, m: {
        k: (grads[k] * (1 + lam / m) if reglab.is_weight(k) else grads[k]) for k in params},
     r"\(λ/m\) times the data-loss gradient"),
    ("l2_gradients", _only_weights_in_result, r"left out the biases"),
    ("weight_decay_update", lambda W, dW, lr, lam, m: (1 - lam / m) * W - lr * dW,
     r"decay factor has no learning rate"),
    ("weight_decay_update", lambda W, dW, lr, lam, m: W - lr * (dW + 2 * lam / m * W),
     r"decay is twice too strong"),
    ("weight_decay_update", lambda W, dW, lr, lam, m: W - lr * (dW + lam / (2 * m) * W),
     r"half as strong"),
    ("weight_decay_update", lambda W, dW, lr, lam, m: W - lr * (dW + lam * W),
     r"factor of m in the decay"),
    ("weight_decay_update", lambda W, dW, lr, lam, m: (1 - lr * lam * m) * W - lr * dW,
     r"multiplied by m instead of dividing"),
    ("weight_decay_update", lambda W, dW, lr, lam, m: W + lr * lam / m * W - lr * dW,
     r"wrong sign in the decay"),
    ("weight_decay_update", lambda W, dW, lr, lam, m: W - lr * (lam / m * W - dW),
     r"wrong sign on the gradient step"),
    ("weight_decay_update", lambda W, dW, lr, lam, m: lr * lam / m * W - lr * dW,
     r"multiplied W by αλ/m instead of by \(1 − αλ/m\)"),
    ("weight_decay_update", lambda W, dW, lr, lam, m: 1 - lr * lam / m * W - lr * dW,
     r"missing pair of parentheses"),
    ("weight_decay_update", lambda W, dW, lr, lam, m: (1 - lr * lam / m) * W - dW,
     r"forgot the learning rate on the gradient step"),
    ("weight_decay_update", lambda W, dW, lr, lam, m: (W - lr * dW) * (1 - lr * lam / m),
     r"decayed after the gradient step"),
    ("weight_decay_update", lambda W, dW, lr, lam, m: W - lr * dW, r"left out the decay"),
    ("sgd_step", _decay_everything, r"decayed the biases too"),
    ("sgd_step", lambda params, grads, lr, lam, m: {k: v - lr * grads[k]
                                                    for k, v in params.items()},
     r"no weight decay: this is plain gradient descent"),
    ("sgd_step", lambda params, grads, lr, lam, m: {
        k: ((1 - lr * lam / m) * v - lr * grads[k] if k.endswith("W") else v)
        for k, v in params.items()},
     r"the biases did not move"),
    ("sgd_step", lambda params, grads, lr, lam, m: {
        k: ((1 - lam / m) * v - lr * grads[k] if k.endswith("W") else v - lr * grads[k])
        for k, v in params.items()},
     r"decay factor has no learning rate"),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("name", "wrong", "message"), WRONG,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(WRONG)])
def test_known_wrong_answer_gets_specific_message(name, wrong, message):
    with pytest.raises(AssertionError, match=message) as info:
        CHECKS[name](wrong)
    text = str(info.value)
    if "Likely mistake" in text:
        assert text.startswith(f"{name} is wrong on ")
        assert "expected" in text and "got" in text and "First failure:" in text


def test_dict_answers_name_the_wrong_entries():
    with pytest.raises(AssertionError, match=r"wrong entries: '0\.b', '2\.b' \(biases only\)"):
        l2.check_l2_gradients(_penalize_everything)
    with pytest.raises(AssertionError, match=r"wrong entries: '0\.W', '2\.W' \(weights only\)"):
        l2.check_sgd_step(lambda params, grads, lr, lam, m: {
            k: (v - lr * grads[k]) for k, v in params.items()})


def test_modifying_params_in_place_is_reported():
    with pytest.raises(AssertionError, match="sgd_step changed its input in place"):
        l2.check_sgd_step(_in_place_step)
    with pytest.raises(AssertionError, match="weight_decay_update changed its input in place"):
        def in_place(W, dW, lr, lam, m):
            W *= 1 - lr * lam / m
            W -= lr * dW
            return W
        l2.check_weight_decay_update(in_place)


def test_wrong_shapes_and_types_are_reported():
    with pytest.raises(AssertionError, match=r"must return a dict \{name: array\}"):
        l2.check_l2_gradients(lambda params, grads, lam, m: list(grads.values()))
    with pytest.raises(AssertionError, match=r"entry '0\.b' must have the shape"):
        l2.check_l2_gradients(lambda params, grads, lam, m: {
            k: (grads[k] + lam / m * v if k.endswith("W") else grads[k][None, :])
            for k, v in params.items()})
    with pytest.raises(AssertionError, match=r"returned None.*forget the `return`"):
        l2.check_sgd_step(lambda params, grads, lr, lam, m: None)
    with pytest.raises(AssertionError, match=r"single number, got an array"):
        l2.check_l2_cost(lambda params, lam, m: [lam / (2 * m) * np.sum(W**2)
                                                 for W in _weights(params)])


def test_unknown_mistake_gets_generic_advice():
    with pytest.raises(AssertionError, match="not one of the usual ones"):
        l2.check_weight_decay_update(lambda W, dW, lr, lam, m: np.tanh(W) - lr * dW)
    with pytest.raises(AssertionError, match="not one of the usual ones"):
        l2.check_l2_gradients(lambda params, grads, lam, m: {
            k: grads[k] + 0.5 * v for k, v in params.items()})


# --------------------------------------------- multiple choice: PyTorch's weight_decay

@pytest.mark.parametrize(("answer", "message"), [
    ("a", r"wd/m .*divided by m where you should multiply"),
    ("b", r"PyTorch's number used as it is"),
    ("d", r"2·m·wd .*coefficient of the \*cost\*"),
])
def test_conversion_wrong_answers_explained(answer, message):
    with pytest.raises(AssertionError, match=message):
        l2.check_conversion_question(answer)


def test_conversion_options_are_numerically_true():
    wd, m = 5e-4, 50_000
    opts = l2.CONVERSION_QUESTION.options
    assert opts[l2.CONVERSION_QUESTION.answer] == pytest.approx(m * wd) == 25
    assert opts["a"] == pytest.approx(wd / m)
    assert opts["b"] == wd
    assert opts["d"] == pytest.approx(2 * m * wd)
    # λ = m·wd gives PyTorch's gradient term: (λ/m)·W == wd·W
    W = np.random.default_rng(0).normal(size=(3, 2))
    np.testing.assert_allclose(reglab.L2(m * wd).grad(W, m), wd * W)


# ----------------------------------------------- plausible answers, as students write them

def _grads(weight_term, bias_term=lambda b, lam, m: 0):
    """l2_gradients written with a loop: grads + weight_term on weights, + bias_term on biases."""
    def l2_gradients(params, grads, lam, m):
        out = {}
        for name, value in params.items():
            if reglab.is_weight(name):
                out[name] = grads[name] + weight_term(value, lam, m)
            else:
                out[name] = grads[name] + bias_term(value, lam, m)
        return out
    return l2_gradients


def _grads_weights_only(params, grads, lam, m):
    return {k: grads[k] + lam / m * params[k] for k in params if reglab.is_weight(k)}


def _grads_replaced(params, grads, lam, m):
    return {k: (lam / m * params[k] if reglab.is_weight(k) else grads[k]) for k in params}


GRADIENTS_WRONG = {
    "kept the ½ (λ/2m)": _grads(lambda W, lam, m: lam / (2 * m) * W),
    "2λ/m (differentiated W² as 2W and kept no ½)": _grads(lambda W, lam, m: 2 * lam / m * W),
    "no 1/m": _grads(lambda W, lam, m: lam * W),
    "lam / 2 * m": _grads(lambda W, lam, m: lam / 2 * m * W),
    "minus sign": _grads(lambda W, lam, m: -lam / m * W),
    "biases penalized": _grads(lambda W, lam, m: lam / m * W, lambda b, lam, m: lam / m * b),
    "sign(W) (the L1 gradient)": _grads(lambda W, lam, m: lam / m * np.sign(W)),
    "W² instead of W": _grads(lambda W, lam, m: lam / m * W ** 2),
    "the penalty value added": _grads(lambda W, lam, m: lam / (2 * m) * np.sum(W ** 2)),
    "biases dropped": _grads_weights_only,
    "data gradient replaced": _grads_replaced,
}
GRADIENTS_RIGHT = [
    _grads(lambda W, lam, m: lam / m * W),
    lambda params, grads, lam, m: {k: grads[k] + (lam / m * params[k] if k.endswith(".W")
                                                  else 0) for k in params},
    _grads(lambda W, lam, m: np.float32(lam / m) * W.astype(np.float32)),
]


def _decay_loop(W, dW, lr, lam, m):
    new = np.empty_like(W)
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            new[i, j] = W[i, j] - lr * (dW[i, j] + lam / m * W[i, j])
    return new


DECAY_WRONG = {
    "no learning rate on the decay": lambda W, dW, lr, lam, m: (1 - lam / m) * W - lr * dW,
    "no learning rate on dW": lambda W, dW, lr, lam, m: (1 - lr * lam / m) * W - dW,
    "the ½ kept": lambda W, dW, lr, lam, m: (1 - lr * lam / (2 * m)) * W - lr * dW,
    "no 1/m": lambda W, dW, lr, lam, m: (1 - lr * lam) * W - lr * dW,
    "plus instead of minus": lambda W, dW, lr, lam, m: (1 + lr * lam / m) * W - lr * dW,
    "dW added": lambda W, dW, lr, lam, m: (1 - lr * lam / m) * W + lr * dW,
    "no decay": lambda W, dW, lr, lam, m: W - lr * dW,
    "decay without the 1 -": lambda W, dW, lr, lam, m: lr * lam / m * W - lr * dW,
    "decay applied after the step": lambda W, dW, lr, lam, m: (1 - lr * lam / m) * (W - lr * dW),
    "2λ/m": lambda W, dW, lr, lam, m: (1 - 2 * lr * lam / m) * W - lr * dW,
}
DECAY_RIGHT = [
    _decay_loop,
    lambda W, dW, lr, lam, m: W - lr * (dW + lam / m * W),
    lambda W, dW, lr, lam, m: (np.float32(1 - lr * lam / m) * W.astype(np.float32)
                               - np.float32(lr) * dW.astype(np.float32)),
]


def _step(weight_fn, bias_fn=lambda b, db, lr: b - lr * db):
    def sgd_step(params, grads, lr, lam, m):
        new = {}
        for name in params:
            if reglab.is_weight(name):
                new[name] = weight_fn(params[name], grads[name], lr, lam, m)
            else:
                new[name] = bias_fn(params[name], grads[name], lr)
        return new
    return sgd_step


def _decay(W, dW, lr, lam, m):
    return (1 - lr * lam / m) * W - lr * dW


def _step_weights_only(params, grads, lr, lam, m):
    return {k: _decay(params[k], grads[k], lr, lam, m) for k in params if reglab.is_weight(k)}


SGD_WRONG = {
    "biases decayed too": lambda params, grads, lr, lam, m: {
        k: _decay(params[k], grads[k], lr, lam, m) for k in params},
    "biases not updated": _step(_decay, lambda b, db, lr: b.copy()),
    "biases dropped": _step_weights_only,
    "bias step without the learning rate": _step(_decay, lambda b, db, lr: b - db),
    "bias step with a plus": _step(_decay, lambda b, db, lr: b + lr * db),
    "weights not decayed": _step(lambda W, dW, lr, lam, m: W - lr * dW),
    "returned the gradients": lambda params, grads, lr, lam, m: {
        k: grads[k] + (lam / m * params[k] if reglab.is_weight(k) else 0) for k in params},
    "returned the change, not the new value": lambda params, grads, lr, lam, m: {
        k: -lr * (grads[k] + (lam / m * params[k] if reglab.is_weight(k) else 0))
        for k in params},
    "weights: no learning rate on the decay": _step(lambda W, dW, lr, lam, m:
                                                   (1 - lam / m) * W - lr * dW),
}
SGD_RIGHT = [
    _step(_decay),
    lambda params, grads, lr, lam, m: {
        k: params[k] - lr * (grads[k] + (lam / m * params[k] if k.endswith(".W") else 0))
        for k in params},
    _step(lambda W, dW, lr, lam, m: np.float32(1 - lr * lam / m) * W.astype(np.float32)
          - np.float32(lr) * dW.astype(np.float32),
          lambda b, db, lr: (b - lr * db).astype(np.float32)),
]


@pytest.mark.parametrize(("check", "wrong", "right"), [
    (l2.check_l2_cost, PENALTY_WRONG, PENALTY_RIGHT),
    (l2.check_l2_gradients, GRADIENTS_WRONG, GRADIENTS_RIGHT),
    (l2.check_weight_decay_update, DECAY_WRONG, DECAY_RIGHT),
    (l2.check_sgd_step, SGD_WRONG, SGD_RIGHT),
], ids=["l2_cost", "l2_gradients", "weight_decay_update", "sgd_step"])
def test_plausible_answers_are_told_apart(check, wrong, right, capsys):
    assert_feedback(check, wrong, right)


@pytest.mark.parametrize(("check", "answer"), [
    (l2.check_l2_cost, lambda params, lam, m: reglab.L2(lam).value(_weights(params), m)),
    (l2.check_l2_gradients, _grads_via_reglab),
    (l2.check_weight_decay_update, lambda W, dW, lr, lam, m: W - lr * (
        dW + reglab.L2(lam).grad(W, m))),
    (l2.check_sgd_step, _sgd_with_reglab),
], ids=["l2_cost", "l2_gradients", "weight_decay_update", "sgd_step"])
def test_an_answer_that_calls_reglab_l2_is_refused(check, answer):
    fails_with(check, answer, "calls reglab.penalties.L2", "write it yourself")


@pytest.mark.parametrize(("answer", "hint"), [
    (lambda params, grads, lam, m: {k: np.sum(grads[k] + lam / m * params[k] * reglab.is_weight(k),
                                              axis=0) for k in params}, "a reduction that should"),
    (lambda params, grads, lam, m: {k: (grads[k] + lam / m * params[k]).T if k.endswith(".W")
                                    else grads[k] for k in params}, "a transpose"),
], ids=["an extra sum", "a transpose"])
def test_a_wrong_entry_shape_gets_the_hint_of_its_kind(answer, hint):
    text = fails_with(l2.check_l2_gradients, answer, "must have the shape of params")
    assert hint in text and ("transpose" in text) == (hint == "a transpose"), text
