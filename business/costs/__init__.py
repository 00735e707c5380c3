"""What the AI costs: model shapes (models.py), training and inference compute, memory, the GPU
catalog (catalog.py + data/), pricing across offers, compression savings, the estimator that ties
them together, measured run cards read as plain dicts, and the cost form's validation.

May import business.figures and business.limits; never canvas/, financials/ or reports/.
"""
