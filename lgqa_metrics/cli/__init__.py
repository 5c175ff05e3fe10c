"""The command line, at the top beside the dashboard: the grammar (:mod:`.main`) and one module per group of
commands, imported only when its command runs."""
