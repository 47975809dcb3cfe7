"""The desktop app (the only Qt package). Start it with :func:`equityplanner.app.main.run_app`."""

from equityplanner.app.pyside_compat import protect_singletons

protect_singletons()
