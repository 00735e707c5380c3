"""Model code of the founder dashboard (PyTorch, transformers, torchvision); never streamlit."""
