"""The grading harness: a pytest plugin plus the pieces graders use to check a learner's code."""
