"""Model code of the founder dashboard (PyTorch, transformers, torchvision); never streamlit.

The core (config, train, jobs, events, checkpoint, runs, evaluate, batching, hardware, paths, online,
tasks) never imports a task; the tasks live in text/ (BERT) and vision/ (CNNs) and plug into the
training loop through tasks.py. The CLI is __main__.py: python -m modelkit train|eval|predict|compress|check.
"""
