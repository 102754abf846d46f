"""The demo program behind `make run`: built through every app's own services, so it depends on
all of them and nothing depends on it (see docs/architecture.md)."""
