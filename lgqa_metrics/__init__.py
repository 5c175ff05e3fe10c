"""lgqa-metrics: ISO 18091 self-assessment returns for local government, read, stored and compared."""

__version__ = "0.1.0"
