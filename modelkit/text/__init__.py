"""The text-classification task: table data checks and loading (data.py), Hugging Face sources,
the BERT model (model.py), the task plug-in for the training loop (task.py), prediction and measured
int8 compression.

May import the modelkit core; never modelkit.vision.
"""
