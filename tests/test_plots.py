import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from reglab import History  # noqa: E402
from reglab.plots import (  # noqa: E402
    AUDIT_HOOK,
    TRAIN_COLOR,
    TRAIN_STYLE,
    VAL_COLOR,
    VAL_STYLE,
    check_figure,
    figure_problems,
    plot_decision_boundary,
    plot_history,
    use_style,
)


def test_plot_history_draws_train_and_val_with_labels():
    use_style()
    hist = History(train_loss=[3, 2, 1], val_loss=[3, 2.5, 2.6], train_acc=[0.1, 0.5, 0.9],
                   val_acc=[0.1, 0.4, 0.5], penalty=[0, 0, 0])
    ax = plot_history(hist, mark_epoch=1)
    lines = ax.get_lines()
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[1].get_ydata(), [3, 2.5, 2.6])
    assert lines[2].get_xdata()[0] == 2  # the marked epoch, 1-based
    assert [line.get_linestyle() for line in lines] == ["-", "--", ":"]  # not colour alone
    assert [line.get_color() for line in lines[:2]] == [TRAIN_COLOR, VAL_COLOR]
    assert figure_problems(ax.figure) == []
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


def test_plot_history_draws_only_the_evaluated_epochs_of_a_sparse_evaluation():
    # fit(..., eval_every=2) over 5 epochs: validation at epochs 2, 4 and 5 (1-based)
    hist = History(train_loss=[3, 2, 1.5, 1.2, 1], val_loss=[None, 2.5, None, 2.4, 2.6],
                   train_acc=[0.1, 0.3, 0.5, 0.7, 0.9], val_acc=[None, 0.3, None, 0.4, 0.5],
                   penalty=[0] * 5, train_metrics="running", eval_epochs=[1, 3, 4])
    ax = plot_history(hist)
    train, val = ax.get_lines()
    np.testing.assert_array_equal(val.get_xdata(), [2, 4, 5])
    np.testing.assert_array_equal(val.get_ydata(), [2.5, 2.4, 2.6])
    assert val.get_marker() == "o" and train.get_marker() in ("None", "", None)
    assert (train.get_linestyle(), val.get_linestyle()) == ("-", "--")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "training (running mean)", "validation"]
    plt.close("all")


def test_plot_decision_boundary_uses_the_predictions():
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    ax = plot_decision_boundary(lambda P: (P[:, 0] > 0).astype(int), X, [0, 1], resolution=20)
    assert ax.get_xlabel() == "$x_1$"
    with pytest.raises(ValueError, match="X must have shape"):
        plot_decision_boundary(lambda P: P[:, 0], np.ones((3, 3)), [0, 1, 0])
    plt.close("all")


# --------------------------------------------------------------------------- the figure audit


def _good_axes():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [3, 2, 1], **TRAIN_STYLE, label="training")
    ax.plot([0, 1, 2], [3, 2.5, 2.6], **VAL_STYLE, label="validation")
    ax.set(xlabel="epoch", ylabel="loss")
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
    return fig, ax


def _bars(bottom=0.0):
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [0.46, 0.49], color=[TRAIN_COLOR, VAL_COLOR])
    ax.set(xlabel="model", ylabel="accuracy", ylim=(bottom, 0.5))
    return fig


def _fig_with(change):
    fig, ax = _good_axes()
    change(ax)
    return fig


BAD_FIGURES = {
    "no x label": (lambda: _fig_with(lambda ax: ax.set_xlabel("")), "no x label"),
    "no y label": (lambda: _fig_with(lambda ax: ax.set_ylabel("")), "no y label"),
    "bars from 0.3": (lambda: _bars(0.3), "bars do not start at 0"),
    "numpy repr in legend": (lambda: _fig_with(lambda ax: ax.legend(
        [f"w = {np.array([0.954, 0.3])}"], loc="center left", bbox_to_anchor=(1.02, 0.5))),
        "looks like a NumPy repr"),
    "array( in title": (lambda: _fig_with(lambda ax: ax.set_title(repr(np.arange(2)))),
                        "looks like a NumPy repr"),
    "legend on the lines": (lambda: _fig_with(lambda ax: ax.legend(loc="center")),
                            "the legend covers plotted data"),
    "7-pt legend": (lambda: _fig_with(lambda ax: ax.legend(
        fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5))), "is 7 pt"),
    "training in the validation colour": (
        lambda: _fig_with(lambda ax: ax.plot([0, 2], [0, 0], color=VAL_COLOR, label="train")),
        "'train' is drawn in the validation colour"),
    "validation points in the training colour": (
        lambda: _fig_with(lambda ax: ax.scatter([1], [1], color=TRAIN_COLOR, label="val set")),
        "'val set' is drawn in the training colour"),
    "test line like the training line": (
        lambda: _fig_with(lambda ax: ax.plot([0, 2], [1, 1], color=VAL_COLOR, label="test")),
        "'training' and 'test' differ only by colour"),
    "same markers, colour only": (
        lambda: _fig_with(lambda ax: [ax.plot([0, 2], [2, 2], "o-", color=c, label=name)
                                      for c, name in ((TRAIN_COLOR, "training, PyTorch"),
                                                      (VAL_COLOR, "validation, PyTorch"))]),
        "'training, PyTorch' and 'validation, PyTorch' differ only by colour"),
    "train and validation scatter alike": (
        lambda: _fig_with(lambda ax: [ax.scatter([1], [y], color=c, label=name)
                                      for y, c, name in ((1, TRAIN_COLOR, "training points"),
                                                         (2, VAL_COLOR, "validation points"))]),
        "'training points' and 'validation points' differ only by colour"),
    "train and validation error bars alike": (
        lambda: _fig_with(lambda ax: [ax.errorbar([0, 2], [y, y], yerr=0.1, fmt="o-", color=c,
                                                  label=name) for y, c, name in
                                      ((1, TRAIN_COLOR, "training"), (2, VAL_COLOR, "val"))]),
        "'training' and 'val' differ only by colour"),
    "train and validation bars alike": (
        lambda: _fig_with(lambda ax: [ax.bar([x], [1], color=c, label=name) for x, c, name
                                      in ((0, TRAIN_COLOR, "train"), (2, VAL_COLOR, "val"))]),
        "'train' and 'val' differ only by colour"),
}


@pytest.mark.parametrize("make, expected", BAD_FIGURES.values(), ids=BAD_FIGURES.keys())
def test_figure_problems_reports_each_broken_rule(make, expected):
    use_style()
    problems = figure_problems(make())
    assert any(expected in p for p in problems), problems
    with pytest.raises(ValueError, match="figure rules"):
        check_figure(plt.gcf())
    plt.close("all")


def test_figure_problems_accepts_figures_that_follow_the_rules():
    use_style()
    fig, ax = _good_axes()
    ax.axhline(2.0, color="gray", ls=":")                  # reference lines are data too
    ax.plot([0, 2], [0.5, 0.5], marker="o", **TRAIN_STYLE, label="training, B")
    ax.plot([0, 2], [0.6, 0.6], "s--", color=VAL_COLOR, label="validation, B")
    ax.plot([0, 2], [0.7, 0.7], "k:", label="train/val gap")     # names both: paired with none
    ax.scatter([1], [1.0], color=TRAIN_COLOR, marker="o", label="training points")
    ax.scatter([1], [1.2], color=VAL_COLOR, marker="^", label="validation points")
    ax.scatter([1.5], [1.2], facecolors="none", edgecolors=VAL_COLOR, label="test points")
    ax.bar([0.5], [0.1], color=TRAIN_COLOR, label="training bar")
    ax.bar([1.5], [0.1], color=VAL_COLOR, hatch="//", label="validation bar")
    ax.errorbar([0, 2], [0.8, 0.8], yerr=0.05, fmt="o-", color=TRAIN_COLOR, label="train, mean")
    ax.errorbar([0, 2], [0.9, 0.9], yerr=0.05, fmt="s--", color=VAL_COLOR, label="val, mean")
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
    assert figure_problems(fig) == []
    assert figure_problems(_bars()) == []
    fig, ax = plt.subplots()                                # horizontal bars from 0, legend clear
    ax.barh(["x", "y"], [2.0, 3.0], label="width")
    ax.set(xlabel="width (-)", ylabel="item", xlim=(0, 6))
    ax.legend(loc="lower right")
    assert figure_problems(fig) == []
    check_figure(fig)
    plt.close("all")


def test_figure_problems_exemptions():
    use_style()
    fig, axes = plt.subplots(1, 4, sharey=True)
    for ax in axes[:2]:                                    # shared y: one label on the left
        ax.plot([0, 1], [0, 1], color="k")
        ax.set_xlabel("x")
    axes[0].set_ylabel("y")
    axes[2].imshow(np.eye(3))                              # an image: pixel axes
    axes[3].text(0.5, 0.5, "a note")                       # a text panel ...
    axes[3].axis("off")                                    # ... switched off
    fig.colorbar(axes[2].images[0], ax=axes[2])            # a colorbar
    assert figure_problems(fig) == []
    ax = plt.figure().add_subplot()
    ax.hist([0.1, 0.2, 0.2], bins=3)
    ax.set_yscale("log")
    ax.set(xlabel="value", ylabel="count")
    assert figure_problems(ax.figure) == []               # a log count axis has no 0
    plt.close("all")


def test_use_style_audit_checks_every_figure_when_drawn():
    use_style(audit=True)
    try:
        assert plt.rcParams["figure.hooks"].count(AUDIT_HOOK) == 1
        use_style(audit=True)
        assert plt.rcParams["figure.hooks"].count(AUDIT_HOOK) == 1    # not twice
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1], color="k")
        with pytest.raises(ValueError, match="no x label"):
            fig.canvas.draw()
        ax.set(xlabel="x", ylabel="y")
        fig.canvas.draw()                                   # fixed: draws silently
    finally:
        use_style()
        plt.close("all")
    assert AUDIT_HOOK not in plt.rcParams["figure.hooks"]
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    fig.canvas.draw()                                       # audit off: no check
    with pytest.raises(TypeError, match="audit must be True or False, got 'yes'"):
        use_style(audit="yes")
    plt.close("all")


def test_audit_fails_the_notebook_cell_that_shows_a_bad_figure():
    # In a real kernel the inline backend draws the figure to display it; the audit's
    # exception becomes an error output of that cell, which nbval reports as a failure.
    nbclient = pytest.importorskip("nbclient")
    from nbformat.v4 import new_code_cell, new_notebook

    setup = ("%matplotlib inline\nimport matplotlib.pyplot as plt\n"
             "from reglab.plots import use_style\nuse_style(audit=True)")
    bad = "fig, ax = plt.subplots()\nax.plot([0, 1], [0, 1])\nplt.show()"
    good = "fig, ax = plt.subplots()\nax.plot([0, 1], [0, 1])\nax.set(xlabel='x', ylabel='y');"
    nb = new_notebook(cells=[new_code_cell(setup), new_code_cell(bad), new_code_cell(good)])
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    errors = [[o for o in c.outputs if o.output_type == "error"] for c in nb.cells]
    assert errors[0] == [] and errors[2] == []
    assert len(errors[1]) == 1 and "no x label" in errors[1][0].evalue
    shown = [o for o in nb.cells[2].outputs if o.output_type == "display_data"]
    assert len(shown) == 1 and len(shown[0].data["image/png"]) > 5000   # a real picture


def test_the_audit_leaves_the_saved_image_intact(tmp_path):
    # The check runs inside the figure's draw: it must not draw again (that blanks the output).
    sizes = {}
    for audit in (False, True):
        use_style(audit=audit)
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1], color="k")
        ax.set(xlabel="x", ylabel="y")
        fig.savefig(tmp_path / f"{audit}.png")
        sizes[audit] = (tmp_path / f"{audit}.png").read_bytes()
    use_style()
    plt.close("all")
    assert sizes[True] == sizes[False]


@pytest.mark.parametrize("loc, covered", [("center", True), ("upper right", False)])
def test_a_legend_over_a_many_point_scatter_is_found(loc, covered):
    fig, ax = plt.subplots()
    rng = np.random.default_rng(0)
    ax.scatter(rng.uniform(0, 0.4, 50), rng.uniform(0, 0.4, 50), color=TRAIN_COLOR,
               label="training points")
    ax.scatter([0.5], [0.5], color=VAL_COLOR, label="a validation point")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="x (-)", ylabel="y (-)")
    ax.legend(loc=loc)
    problems = figure_problems(fig)
    plt.close(fig)
    assert any("covers plotted data" in p for p in problems) == covered, problems


def test_the_audit_leaves_the_picture_on_an_agg_canvas():
    # a figure drawn on its own Agg canvas (the playground's) and audited afterwards must still
    # hold its picture: the audit's own draw must not leave a blank buffer behind
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2), dpi=50)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [1, 0, 1], label="train")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    fig.canvas.draw()
    before = np.asarray(fig.canvas.buffer_rgba()).copy()
    check_figure(fig)
    np.testing.assert_array_equal(np.asarray(fig.canvas.buffer_rgba()), before)
