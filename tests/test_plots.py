import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from reglab import History  # noqa: E402
from reglab.plots import plot_decision_boundary, plot_history, use_style  # noqa: E402


def test_plot_history_draws_train_and_val_with_labels():
    use_style()
    hist = History(train_loss=[3, 2, 1], val_loss=[3, 2.5, 2.6], train_acc=[0.1, 0.5, 0.9],
                   val_acc=[0.1, 0.4, 0.5], penalty=[0, 0, 0])
    ax = plot_history(hist, mark_epoch=1)
    lines = ax.get_lines()
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[1].get_ydata(), [3, 2.5, 2.6])
    assert lines[2].get_xdata()[0] == 2  # the marked epoch, 1-based
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation", "stop"]
    assert plot_history(hist, "acc").get_ylabel() == "accuracy"
    plt.close("all")


def test_plot_history_skips_missing_validation():
    hist = History(train_loss=[1, 0.5], val_loss=[None, None], train_acc=[None, None],
                   val_acc=[None, None], penalty=[0, 0])
    assert len(plot_history(hist).get_lines()) == 1
    with pytest.raises(ValueError, match="metric"):
        plot_history(hist, "accuracy")
    plt.close("all")


def test_plot_decision_boundary_uses_the_predictions():
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    ax = plot_decision_boundary(lambda P: (P[:, 0] > 0).astype(int), X, [0, 1], resolution=20)
    assert ax.get_xlabel() == "$x_1$"
    with pytest.raises(ValueError, match="X must have shape"):
        plot_decision_boundary(lambda P: P[:, 0], np.ones((3, 3)), [0, 1, 0])
    plt.close("all")
