"""Ready scenarios that mirror the notebooks; each is a few settings over the defaults.

A scenario is what a lecturer hands out: its JSON (``scenario(name).to_json()``) can be
pasted into the playground's JSON box. tests/test_playground.py checks that each one
shows what its description says.
"""

from __future__ import annotations

from .config import FEATURES, Config, ConfigError

# Noisy moons and a network far too big for its 100 training points.
_OVERFIT = {"dataset": "moons", "n_points": 200, "noise": 0.3, "train_frac": 0.5,
            "width": 32, "depth": 3, "activation": "relu", "optimizer": "momentum",
            "lr": 0.05, "batch_size": 10, "max_epochs": 300, "seed": 0}

SCENARIOS = {
    "overfit": (
        "Make it overfit (notebook 01): 100 noisy training points, three hidden layers of "
        "32 units, no regularization. The training loss goes to almost 0 while the test "
        "loss, after a few epochs, usually climbs.",
        _OVERFIT),
    "l2_fixes_it": (
        "L2 fixes it (notebook 02): the same network with an L2 penalty λ = 3 (λ/2m "
        "convention). The test loss stays low; many weights become small, none exactly 0.",
        {**_OVERFIT, "l2": 3.0}),
    "l1_zeroes_weights": (
        "L1 zeroes weights (notebook 03): the same network with an L1 term λ = 30, applied "
        "by a proximal step. Almost every weight ends at exactly 0 and the test loss stays "
        "low.",
        {**_OVERFIT, "l1": 30.0}),
    "dropout_on_spirals": (
        "Dropout on spirals (notebook 04): two spiral arms, two hidden layers of 64 units, "
        "keep_prob = 0.7. Compare with keep_prob = 1: dropout lowers the final test loss in "
        "most seeds.",
        {**_OVERFIT, "dataset": "spirals", "noise": 0.1, "width": 64, "depth": 2,
         "keep_prob": 0.7}),
    "l1_picks_features": (
        "L1 picks the features (notebook 03): XOR with all seven input features and one "
        "hidden layer of 4 tanh units, L1 λ = 100. The product x1·x2 alone separates XOR: "
        "it keeps its weights in every seed, while at least half of the other six features "
        "end with all their weights at exactly 0, and in some seeds all six.",
        {"dataset": "xor", "features": list(FEATURES), "depth": 1, "width": 4,
         "activation": "tanh", "lr": 0.03, "l1": 100.0, "max_epochs": 150}),
    "early_stopping": (
        "Early stopping (notebook 06): the overfitting network again, stopped when the test "
        "loss has not improved for 20 epochs, with the best epoch's weights restored.",
        {**_OVERFIT, "early_stopping": True, "patience": 20}),
}


def scenario(name: str) -> Config:
    """The :class:`Config` of the ready scenario ``name`` (one of ``SCENARIOS``)."""
    if name not in SCENARIOS:
        raise ConfigError(f"name must be one of {', '.join(SCENARIOS)}, got {name!r}")
    return Config.from_dict(SCENARIOS[name][1])


def describe(name: str) -> str:
    """The one-paragraph description of scenario ``name``."""
    scenario(name)  # checks the name
    return SCENARIOS[name][0]
