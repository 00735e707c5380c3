"""The image-classification task: safe zip extraction (zip_safety.py), image data checks and loading
(data.py), built-in and torchvision sources, the CNN / backbone models (model.py), the task plug-in
(task.py), prediction and measured int8 compression.

May import the modelkit core; never modelkit.text.
"""
