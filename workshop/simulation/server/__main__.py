"""`python -m workshop.simulation.server`: serve the practice model until Ctrl-C."""

import sys

from workshop.simulation.server.running import main

sys.exit(main())
