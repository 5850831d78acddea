"""Benchmark scripts (see DESIGN.md): importable so gunicorn can load `bench.pages_urls` and `bench.pages_settings`."""
