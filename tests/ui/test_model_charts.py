"""Training curves and confusion matrices show their data: whole-number axes, visible single points, ranges
that hold every value, every class labelled."""
from __future__ import annotations

from ui.models.charts import confusion_figure, loss_figure, validation_figure, value_range

# A 16-step smoke run: 16 logged losses, one evaluation at step 16 with accuracy 0.53.
STEPS = [{"step": s, "loss": 1.45 - 0.02 * s} for s in range(1, 17)]
ONE_EVAL = [{"step": 16, "epoch": 0, "accuracy": 0.53, "macro_f1": 0.41, "loss": 1.2}]


def test_the_loss_line_stays_below_the_top_of_its_axis():
    figure = loss_figure(STEPS)

    low, high = figure.layout.yaxis.range
    losses = figure.data[0].y
    assert low <= min(losses) and max(losses) < high


def test_a_single_evaluation_is_a_visible_point_on_a_whole_number_step_axis_that_contains_it():
    figure = validation_figure(ONE_EVAL)

    assert all("markers" in trace.mode for trace in figure.data)
    axis = figure.layout.xaxis
    assert axis.tickformat == "d" and axis.dtick == 1
    assert axis.range[0] < 16 < axis.range[1]
    low, high = figure.layout.yaxis.range
    assert low <= 0.41 and 0.53 < high and high >= 1.0


def test_a_long_series_is_drawn_as_a_line_without_markers():
    steps = [{"step": s, "loss": 1.0 / s} for s in range(1, 500)]

    assert loss_figure(steps).data[0].mode == "lines"


def test_an_epoch_axis_counts_epochs_from_one():
    evals = [{"step": 10 * (e + 1), "epoch": e, "accuracy": 0.5 + 0.1 * e} for e in range(3)]

    figure = validation_figure(evals, "epoch", ("accuracy",))

    assert list(figure.data[0].x) == [1, 2, 3]
    assert figure.layout.xaxis.title.text == "epoch"


def test_a_value_above_the_usual_top_still_fits():
    assert value_range([0.2, 3.7])[1] > 3.7
    assert value_range([-0.5, 0.5])[0] <= -0.5


def test_the_confusion_matrix_labels_every_digit_as_a_category():
    digits = [str(d) for d in range(10)]
    figure = confusion_figure({"labels": digits, "confusion_matrix": [[1] * 10 for _ in range(10)]})

    for axis in (figure.layout.xaxis, figure.layout.yaxis):
        assert axis.type == "category"
        assert axis.tickmode == "array" and list(axis.tickvals) == digits and list(axis.ticktext) == digits
