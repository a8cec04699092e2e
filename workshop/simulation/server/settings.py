"""The practice server's settings: where it listens and what it accepts."""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8111
MAX_BODY_BYTES = 1024 * 1024  # a request body larger than this is refused with 413
IDLE_TIMEOUT = 60.0  # seconds a connection may stay silent before the server closes it
STREAM_DELAY = 0.02  # seconds between streamed events, so streaming is visible as it happens
OWNER = "workshop-simulation"
