"""The model catalogue: which model ids the simulation answers to, and how it names them."""

from __future__ import annotations


def simulated_model_name(requested: str) -> str:
    """The `model` a reply reports: the requested name, marked so nobody mistakes it for real."""
    return requested if requested.endswith("-simulated") else f"{requested}-simulated"

