"""The course's own package: exercise list, simulated model, grading harness and `workshop` command."""
