"""Training settings follow the data, and settings likely to give a weak model are said before the start."""
from __future__ import annotations

from modelkit.defaults import (TARGET_TEXT_STEPS, image_defaults, is_short_run, short_run_warnings,
                               steps_per_epoch, text_defaults)


def test_the_ticket_set_gets_enough_epochs_for_a_few_hundred_steps_and_a_length_that_fits_its_texts():
    defaults = text_defaults(train_rows=256, classes=4, token_p95=23, on_gpu=False)

    assert defaults.max_length == 32 and defaults.batch_size == 16
    assert defaults.epochs * steps_per_epoch(256, 16) >= TARGET_TEXT_STEPS
    assert "95% of the texts fit in 23 tokens" in defaults.reasons["max_length"]


def test_a_large_text_set_needs_fewer_passes_and_long_texts_are_capped_at_512_tokens():
    defaults = text_defaults(train_rows=60_000, classes=2, token_p95=900, on_gpu=True)

    assert defaults.epochs == 3 and defaults.batch_size == 32 and defaults.max_length == 512


def test_digits_get_a_from_scratch_rate_and_photos_on_a_pretrained_backbone_a_gentler_one():
    digits = image_defaults(train_rows=1_438, classes=10, pretrained=False, on_gpu=False)
    photos = image_defaults(train_rows=244, classes=2, pretrained=True, on_gpu=False)

    assert digits.learning_rate > photos.learning_rate and digits.freeze_epochs == 0 and photos.freeze_epochs == 1
    assert digits.epochs * steps_per_epoch(1_438, digits.batch_size) >= 100


def test_fewer_steps_than_one_pass_is_called_a_short_run_before_the_start():
    defaults = text_defaults(256, 4, 23, on_gpu=False)

    warnings = short_run_warnings(epochs=1, max_steps=8, learning_rate=1e-4, batch_size=16, train_rows=256,
                                  defaults=defaults)

    assert len(warnings) == 1 and "8 steps is less than one pass over the 256 training rows (16 steps)" in warnings[0]


def test_fewer_epochs_than_suggested_and_a_far_learning_rate_are_both_said():
    defaults = text_defaults(256, 4, 23, on_gpu=False)

    warnings = short_run_warnings(epochs=1, max_steps=None, learning_rate=1e-2, batch_size=16, train_rows=256,
                                  defaults=defaults)

    assert any("fewer than the" in w for w in warnings) and any("far from the suggested" in w for w in warnings)


def test_the_suggested_settings_raise_no_warning():
    defaults = text_defaults(256, 4, 23, on_gpu=False)

    assert short_run_warnings(defaults.epochs, None, defaults.learning_rate, defaults.batch_size, 256, defaults) == []


def test_a_finished_run_short_of_one_pass_is_marked_short():
    assert is_short_run(global_step=15, train_rows=256, batch_size=16)
    assert not is_short_run(global_step=16, train_rows=256, batch_size=16)


def test_compression_epochs_give_a_small_set_enough_steps_and_a_large_one_its_minimum_passes():
    from modelkit.defaults import MIN_DISTILL_STEPS, compression_epochs

    # 256 support tickets in batches of 32: 8 steps a pass, so 19 passes reach 150 steps
    assert compression_epochs(256, 32, MIN_DISTILL_STEPS, 3.0) == 19.0
    assert compression_epochs(2_000, 32, MIN_DISTILL_STEPS, 3.0) == 3.0  # 63 steps a pass: 3 passes are 189
    assert compression_epochs(10, 32, MIN_DISTILL_STEPS, 3.0) == 20.0  # one step a pass: capped


def test_a_compression_request_without_epochs_takes_them_from_the_data_and_a_founders_number_wins():
    from modelkit.text.variants import CompressRequest, epochs_for

    assert epochs_for(CompressRequest("distill"), 256) == 19.0
    assert epochs_for(CompressRequest("distill", epochs=2), 256) == 2
    assert epochs_for(CompressRequest("prune"), 256) == 5.0  # 40 recovery steps at 8 a pass
