"""Models section helpers: the text and image classifier views (data, training, results, demo,
compression), talking to modelkit through jobs and run folders.

May import ui (shared helpers), business and modelkit.
"""
