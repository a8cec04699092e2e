"""The API's own errors: the status codes and error bodies the real service answers with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class SimulatedAPIError(Exception):
    """A request the real API would refuse, with the status code and error body it would send."""

    status: int
    message: str
    type: str = "invalid_request_error"
    param: str | None = None
    code: str | None = None

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }



def invalid_api_key() -> SimulatedAPIError:
    return SimulatedAPIError(
        401, "Incorrect API key provided. Check the key your provider gave you.",
        code="invalid_api_key",
    )


def model_not_found(model: str) -> SimulatedAPIError:
    return SimulatedAPIError(
        404, f"The model `{model}` does not exist or you do not have access to it.",
        code="model_not_found",
    )


def rate_limited() -> SimulatedAPIError:
    return SimulatedAPIError(
        429, "Rate limit reached for requests. Please try again in a moment.",
        type="requests", code="rate_limit_exceeded",
    )


def server_error(status: int = 500) -> SimulatedAPIError:
    return SimulatedAPIError(
        status, "The server had an error while processing your request. Sorry about that!",
        type="server_error",
    )

