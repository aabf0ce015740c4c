"""``reflex run --env prod --single-port`` without its build: serves a frontend built earlier.

Why: `reflex run --env prod` compiles the app and runs a Vite build every time it starts (12 s
here, 25-30 s on a slow CI machine), and the e2e suite starts a dozen servers. The build differs
between them only by the server's URL (baked into one chunk, see conftest.copy_build), so the
suite builds once and each server gets a copy of that build with its own URL. What runs here is
what `reflex run --env prod` runs after its build (reflex/reflex.py `_run_prod`): Reflex's own
Granian backend with the compiled pages mounted, as many workers as Reflex would start
(``GRANIAN_WORKERS``, else one per Reflex's rule). The demo's path (`reflex run`, build
included) stays tested by the suite's shared server.

    python -m tests.e2e.serve_built PORT     (cwd: the project; REFLEX_WEB_WORKDIR: the build)
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    from reflex.utils import exec as reflex_exec
    from reflex_base import constants
    from reflex_base.config import get_config
    from reflex_base.environment import environment

    port = int(argv[0])
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    config = get_config()
    config._set_persistent(frontend_port=port, backend_port=port)
    reflex_exec.run_backend_prod(
        config.backend_host,
        port,
        constants.LogLevel.WARNING.subprocess_level(),
        mount_frontend_compiled_app=True,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
