# The grading harness for `pytest exercises/` (fixtures, learner-facing reports, progress summary).
pytest_plugins = ["workshop.harness.plugin"]
