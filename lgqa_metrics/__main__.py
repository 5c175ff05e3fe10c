"""Entry point for ``python -m lgqa_metrics``."""

import sys

from lgqa_metrics.cli.main import main

sys.exit(main())
