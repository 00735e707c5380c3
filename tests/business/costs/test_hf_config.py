"""Models from a Hugging Face config.json: exact parameter counts, and clear messages for bad configs.

Each expected count is the architecture's sum written out below (embeddings + per-layer Linear
weights, biases and norms) and matches what `sum(p.numel() for p in model.parameters())` gives
for the named transformers class (checked with transformers 4.x on the meta device when these
configs were written) and the figure its publisher states.
"""
import json

import pytest
from hypothesis import given, settings, strategies as st

from business.costs.hf_config import (InvalidModelConfig, SHIPPED_CONFIGS, model_from_config, shape_from_config,
                                      shipped_config)
from business.costs.models import preset


def _count(file_name: str) -> int:
    return model_from_config(shipped_config(file_name)).parameters


def test_llama_2_7b_from_its_config_has_6_738_415_616_parameters():
    # Touvron et al. 2023 (Llama 2: "7B"); meta-llama/Llama-2-7b-hf config.json. Embedding 32000×4096,
    # 32 layers of 4·4096² attention + 3·4096·11008 SwiGLU + 2·4096 RMSNorm, final norm, untied head.
    layer = 4 * 4096 ** 2 + 3 * 4096 * 11008 + 2 * 4096
    assert 2 * 32000 * 4096 + 32 * layer + 4096 == 6_738_415_616
    assert _count("Llama-2-7b-hf.json") == 6_738_415_616


def test_llama_2_70b_with_grouped_query_attention_has_68_976_648_192_parameters():
    # Touvron et al. 2023 ("70B", GQA with 8 KV heads): k and v are 8192×1024 each.
    layer = 2 * 8192 ** 2 + 2 * 8192 * 1024 + 3 * 8192 * 28672 + 2 * 8192
    assert 2 * 32000 * 8192 + 80 * layer + 8192 == 68_976_648_192
    assert _count("Llama-2-70b-hf.json") == 68_976_648_192


def test_bert_base_uncased_with_its_pooler_has_109_482_240_parameters():
    # Devlin et al. 2019 ("110M"); BertModel(bert-base-uncased) counts 109,482,240 with the pooler.
    embeddings = (30522 + 512 + 2) * 768 + 2 * 768
    layer = 4 * (768 * 768 + 768) + 2 * (768 * 3072) + 3072 + 768 + 2 * 2 * 768
    assert embeddings + 12 * layer + 768 * 768 + 768 == 109_482_240
    assert _count("bert-base-uncased.json") == 109_482_240


def test_gpt2_with_its_tied_head_has_124_439_808_parameters():
    # Radford et al. 2019 ("117M" in the paper, 124M as released); GPT2LMHeadModel counts 124,439,808.
    layer = 12 * 768 ** 2 + 13 * 768
    assert (50257 + 1024) * 768 + 12 * layer + 2 * 768 == 124_439_808
    assert _count("gpt2.json") == 124_439_808


@pytest.mark.parametrize("file_name, expected, source", [
    ("bert-large-uncased.json", 335_141_888, "Devlin et al. 2019: 340M"),
    ("distilbert-base-uncased.json", 66_362_880, "Sanh et al. 2019: 66M"),
    ("all-MiniLM-L6-v2.json", 22_713_216, "the bundled safetensors: 22,713,216"),
    ("roberta-base.json", 124_645_632, "Liu et al. 2019: 125M"),
    ("Mistral-7B-v0.1.json", 7_241_732_096, "Jiang et al. 2023: 7.24B"),
    ("Qwen2-0.5B.json", 494_032_768, "Qwen2 model card: 0.49B (q/k/v biases, tied embeddings)"),
    ("vit-base-patch16-224.json", 86_389_248, "Dosovitskiy et al. 2021: 86M (ViTModel with pooler)"),
])
def test_every_shipped_config_counts_the_published_parameters(file_name, expected, source):
    assert _count(file_name) == expected, source


@pytest.mark.parametrize("key", sorted(SHIPPED_CONFIGS))
def test_each_preset_has_a_shipped_config_with_the_same_shape(key):
    _, shape = shape_from_config(shipped_config(SHIPPED_CONFIGS[key]))
    assert shape == preset(key).shape


def test_a_config_gives_layers_heads_kv_heads_and_vocabulary():
    model = model_from_config(json.dumps(shipped_config("Mistral-7B-v0.1.json")), name="Mistral 7B")
    shape = model.shape
    assert (model.name, model.kind) == ("Mistral 7B", "decoder")
    assert (shape.layers, shape.hidden, shape.heads, shape.kv_heads, shape.vocab) == (32, 4096, 32, 8, 32000)


def test_a_config_without_a_key_names_the_key():
    config = shipped_config("Llama-2-7b-hf.json")
    del config["intermediate_size"]
    with pytest.raises(InvalidModelConfig, match="'intermediate_size'"):
        model_from_config(config)


def test_an_unknown_model_type_says_which_are_supported():
    with pytest.raises(InvalidModelConfig, match="'t5' is not supported; supported: llama"):
        model_from_config({"model_type": "t5"})


@pytest.mark.parametrize("text, message", [
    ("", "no config.json"), ("{not json", "not JSON"), ("[1, 2]", "JSON object"),
    ('{"hidden_size": 8}', "no 'model_type'"),
    ('{"model_type": "gpt2", "n_embd": -1}', "'n_embd'=-1"),
    ('{"model_type": "gpt2", "n_embd": 768, "n_layer": true}', "'n_layer'=True"),
])
def test_a_bad_config_is_refused_with_a_clear_message(text, message):
    with pytest.raises(InvalidModelConfig, match=message):
        model_from_config(text)


def test_kv_heads_that_do_not_divide_the_heads_are_refused():
    config = dict(shipped_config("Mistral-7B-v0.1.json"), num_key_value_heads=5)
    with pytest.raises(InvalidModelConfig, match="'num_key_value_heads'=5"):
        model_from_config(config)


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**8), st.floats(allow_nan=True), st.text(max_size=5),
                    st.lists(st.integers(), max_size=2))
_KEYS = st.sampled_from(["model_type", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                         "vocab_size", "num_key_value_heads", "head_dim", "n_embd", "n_layer", "n_head", "dim",
                         "n_layers", "n_heads", "hidden_dim", "max_position_embeddings", "n_positions",
                         "tie_word_embeddings", "image_size", "patch_size"])


@settings(max_examples=300, deadline=None)
@given(family=st.sampled_from(["llama", "mistral", "qwen2", "gpt2", "bert", "roberta", "distilbert", "vit"]),
       changes=st.dictionaries(_KEYS, _VALUES, max_size=6))
def test_any_config_gives_an_exact_positive_count_or_a_message_naming_what_is_wrong(family, changes):
    base = {"llama": "Llama-2-7b-hf.json", "mistral": "Mistral-7B-v0.1.json", "qwen2": "Qwen2-0.5B.json",
            "gpt2": "gpt2.json", "bert": "bert-base-uncased.json", "roberta": "roberta-base.json",
            "distilbert": "distilbert-base-uncased.json", "vit": "vit-base-patch16-224.json"}[family]
    config = {**shipped_config(base), **changes}
    try:
        model = model_from_config(config)
    except InvalidModelConfig as error:
        assert str(error)
        return
    assert isinstance(model.parameters, int) and model.parameters > 0


def test_a_config_saved_by_transformers_is_named_after_its_name_or_path():
    config = {**shipped_config("Llama-2-7b-hf.json"), "_name_or_path": "meta-llama/Llama-2-7b-hf"}
    assert model_from_config(json.dumps(config)).name == "meta-llama/Llama-2-7b-hf (from config.json)"
    assert model_from_config(shipped_config("Llama-2-7b-hf.json")).name == "llama from config.json"
