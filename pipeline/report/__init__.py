"""The run report (``report.html``) written into every release: charts and figures for analysts."""
