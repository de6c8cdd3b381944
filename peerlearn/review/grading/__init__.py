"""From reviews to grades: the pure model (``grading.py``, ``grading_model.py``), its inputs,
the stored grades, overrides, regrade requests and reviewer standings."""
