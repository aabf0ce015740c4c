"""Local fake servers for external HTTP APIs, started by test fixtures."""
